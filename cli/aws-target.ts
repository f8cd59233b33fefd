import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { createEventQueue, createSqsClient } from '../adapters/sqs.ts';
import type { OpenedStore } from '../adapters/store/types.ts';
import { stackCost } from '../core/cost.ts';
import { ThawError, ValidationError } from '../core/errors.ts';
import { stackUrls } from '../core/orchestrator.ts';
import { type ControlPlaneClient, toHistory, toView } from '../core/views.ts';
import { readSecretUrl } from '../lambdas/shared/runtime.ts';
import type { QueueTarget } from './dlq-ops.ts';

/** A deployed control plane, as `thaw deployment add` records it from the Terraform outputs. */
export const deploymentSchema = z.object({
  /** AWS region of the queues and the secret (default: the SDK's own resolution, e.g. AWS_REGION). */
  region: z.string().min(1).optional(),
  /** Terraform output events_queue_url. */
  eventsQueueUrl: z.string().url(),
  /** Terraform output tasks_queue_url (default: the events queue URL with -events.fifo → -tasks). */
  tasksQueueUrl: z.string().url().optional(),
  /** Terraform output database_url_secret_arn: a secret holding the store's postgres:// URL. */
  databaseSecretArn: z.string().min(1),
  /** The stack domain (STACK_DOMAIN), for the URLs `ls` and `status` show. */
  domain: z.string().min(1).optional(),
  /** The sidecar's base URL, for `thaw doctor` to call /healthz. */
  sidecarUrl: z.string().url().optional(),
  /**
   * What the deployment runs all month, for `thaw --deployment X cost` (the Terraform settings that
   * change the bill; default: the Terraform defaults, docs/cost.md).
   */
  shape: z
    .object({
      edgeTasks: z.number().int().min(1).max(10).optional(),
      nat: z.enum(['instance', 'gateway']).optional(),
      arm64: z.boolean().optional(),
      spot: z.boolean().optional(),
    })
    .optional(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

const fileSchema = z.object({ deployments: z.record(z.string(), deploymentSchema) });

export class NoDeploymentError extends ThawError {
  override name = 'NoDeploymentError';
}

/** Where deployments are looked up, first match wins: the project's `.thaw/`, then the user's. */
export function deploymentFiles(cwd = process.cwd()): { project: string; user: string } {
  return {
    project: resolve(cwd, '.thaw', 'deployments.json'),
    user: join(homedir(), '.config', 'thaw', 'deployments.json'),
  };
}

function readFile(file: string): Record<string, Deployment> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const parsed = fileSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new ValidationError(
      file,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  return parsed.data.deployments;
}

export function findDeployment(name: string, cwd?: string): Deployment {
  const files = deploymentFiles(cwd);
  const found = readFile(files.project)[name] ?? readFile(files.user)[name];
  if (!found)
    throw new NoDeploymentError(
      `no deployment "${name}" in ${files.project} or ${files.user}; add it with "thaw deployment add ${name} --events-queue-url … --database-secret-arn … --region …"`,
    );
  return found;
}

/** Adds (or replaces) a deployment in the file; returns the file written. */
export function saveDeployment(name: string, deployment: Deployment, file: string): string {
  const parsed = deploymentSchema.safeParse(deployment);
  if (!parsed.success)
    throw new ValidationError(
      'deployment',
      parsed.error.issues.map((i) => ({ path: `--${kebab(String(i.path[0]))}`, message: i.message })),
    );
  const all = { ...readFile(file), [name]: parsed.data };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ deployments: all }, null, 2)}\n`);
  return file;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function tasksQueueUrl(deployment: Deployment): string {
  return deployment.tasksQueueUrl ?? deployment.eventsQueueUrl.replace(/-events\.fifo$/, '-tasks');
}

/**
 * The deployment's store, opened on first use with the URL from its secret (read-only use: no
 * migrations are applied from here).
 */
export function deploymentStore(deployment: Deployment) {
  let opened: Promise<OpenedStore> | undefined;
  return {
    open: () => {
      opened ??= (async () => {
        const secrets = new SecretsManagerClient(deployment.region ? { region: deployment.region } : {});
        const url = await readSecretUrl(deployment.databaseSecretArn, 'databaseSecretArn', secrets);
        const { openPostgresStore } = await import('../adapters/store/postgres.ts');
        return openPostgresStore({ databaseUrl: url, migrate: false, maxConnections: 2 });
      })();
      return opened;
    },
    close: async () => {
      if (opened) await (await opened).store.close();
    },
  };
}

/**
 * The control plane of a deployment: events go to its events queue (never straight to the database);
 * reads come from its store. AWS credentials come from the SDK's default chain.
 */
export function deploymentClient(deployment: Deployment): ControlPlaneClient {
  const sqs = createSqsClient({ region: deployment.region });
  const events = createEventQueue({ sqs, queueUrl: deployment.eventsQueueUrl });
  const db = deploymentStore(deployment);
  const urls = deployment.domain ? { domain: deployment.domain, scheme: 'https' as const } : undefined;
  const urlsOf = (stack: { id: string; spec: Parameters<typeof stackUrls>[0] | null }) =>
    stack.spec && urls ? stackUrls(stack.spec, stack.id, urls) : {};
  return {
    send: (list) => events.sendEvents(list),
    async list() {
      const { store } = await db.open();
      return (await store.list()).map((s) => toView(s, urlsOf(s), { at: new Date() }));
    },
    async get(id) {
      const { store } = await db.open();
      const stack = await store.load(id);
      if (!stack) return undefined;
      return {
        ...toView(stack, urlsOf(stack), { at: new Date() }),
        history: toHistory(await store.history(id)),
      };
    },
    async cost(id) {
      const { store } = await db.open();
      const stack = await store.load(id);
      if (!stack?.spec) return undefined;
      return { id, state: stack.state, ...stackCost(await store.history(id), stack.spec, new Date()) };
    },
    close: async () => {
      sqs.destroy();
      await db.close();
    },
  };
}

/** The deployment's queues for `thaw dlq` and `thaw doctor`, with stack failure reasons from its store. */
export function deploymentQueues(deployment: Deployment): QueueTarget & { close(): Promise<void> } {
  const sqs = createSqsClient({ region: deployment.region });
  const db = deploymentStore(deployment);
  let storeDown = false;
  return {
    sqs,
    queues: { events: deployment.eventsQueueUrl, tasks: tasksQueueUrl(deployment) },
    // A reason is a nicety: a store that cannot be reached (no network path to RDS) is tried once, for
    // at most 5 s, and then the reasons are left out instead of waiting on every message.
    failureReason: async (stackId) => {
      if (storeDown) return undefined;
      try {
        const load = db.open().then(({ store }) => store.load(stackId));
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('store timeout')), 5000).unref(),
        );
        return (await Promise.race([load, timeout]))?.failureReason;
      } catch {
        storeDown = true;
        return undefined;
      }
    },
    close: async () => {
      sqs.destroy();
      await db.close();
    },
  };
}

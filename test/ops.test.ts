// Operating a deployment (issue 20): `thaw --deployment <name>` against ElasticMQ (SQS), a PostgreSQL
// store whose URL sits in a Secrets Manager secret (moto), with AWS credentials from the standard chain
// (environment variables here). Every command runs as the real `thaw` binary.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSqsClient } from '../adapters/sqs.ts';
import { openPostgresStore } from '../adapters/store/postgres.ts';
import { applyEvent } from '../core/apply.ts';
import type { Task } from '../core/tasks.ts';
import { ensureQueues, type QueueUrls } from '../local/provision.ts';
import { launch, taskFailed } from './helpers/events.ts';
import { uniquePrefix } from './helpers/queues.ts';
import { createTestDatabase } from './helpers/stores.ts';

const elasticmqUrl = process.env.THAW_TEST_ELASTICMQ_URL;
const motoUrl = process.env.THAW_TEST_MOTO_URL;
const databaseUrl = process.env.DATABASE_URL;
const missing = !elasticmqUrl || !motoUrl || !databaseUrl;
const required = process.env.THAW_REQUIRE_ELASTICMQ === '1' && process.env.THAW_REQUIRE_POSTGRES === '1';

const run = promisify(execFile);
const bin = new URL('../cli/bin/thaw.mjs', import.meta.url).pathname;
const cwd = mkdtempSync(join(tmpdir(), 'thaw-ops-'));
const env = {
  ...process.env,
  NO_COLOR: '1',
  HOME: cwd,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_SQS: elasticmqUrl,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: motoUrl,
  AWS_ENDPOINT_URL_LAMBDA: motoUrl,
  THAW_DEPLOYMENT: 'rehearsal',
};
/** Runs `thaw …`; resolves with the exit code instead of throwing on a non-zero one. */
async function thaw(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const json = async (...args: string[]) => {
  const result = await thaw(...args, '--json');
  expect(result.stderr).not.toMatch(/Error/);
  return JSON.parse(result.stdout);
};

const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const lambda = new LambdaClient({ endpoint: motoUrl, region: 'us-east-1', credentials: motoCredentials });

/**
 * The SQS triggers, as Terraform makes them, on moto's Lambda API: a function and one event source
 * mapping per queue. moto's Lambda checks that the role and the queues exist in moto, so they are made
 * there too, with the same names as on ElasticMQ (doctor matches mappings to queues by name).
 */
async function motoTriggers(urls: QueueUrls) {
  const roleName = uniquePrefix('ops-role');
  const form = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
  const created = await fetch(motoUrl!, {
    method: 'POST',
    body: form,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x',
    },
  });
  const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(await created.text())?.[1];
  expect(roleArn).toBeDefined();
  const motoSqs = createSqsClient({ endpoint: motoUrl, localCredentials: true });
  const arnOf = async (url: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl } = await motoSqs.send(
      new CreateQueueCommand({ QueueName: url.split('/').at(-1)!, Attributes: attributes }),
    );
    const { Attributes } = await motoSqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return Attributes!.QueueArn!;
  };
  const eventsArn = await arnOf(urls.eventsQueueUrl, { FifoQueue: 'true' });
  const tasksArn = await arnOf(urls.tasksQueueUrl);
  motoSqs.destroy();
  // The smallest valid zip (an empty archive): moto stores the code, nothing runs it.
  const emptyZip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
  const mappings: Record<string, string> = {};
  for (const [role, arn] of [
    ['events', eventsArn],
    ['tasks', tasksArn],
  ] as const) {
    const name = `${roleName}-${role}`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: roleArn,
        Handler: 'index.handler',
        Code: { ZipFile: emptyZip },
      }),
    );
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: arn, BatchSize: 10 }),
    );
    mappings[role] = UUID!;
  }
  triggers = mappings;
}
let triggers: Record<string, string> = {};

const REASON = 'ECS said no: service quota exceeded (after 5 attempts)';

describe.skipIf(missing && !required)(
  'thaw --deployment: dead-letter queues and doctor on ElasticMQ + PostgreSQL',
  () => {
    const sqs = createSqsClient({ endpoint: elasticmqUrl, localCredentials: true });
    let urls: QueueUrls;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let failedTask: Task;

    /** Receives (without deleting) until ElasticMQ moves the message to the DLQ, as failing Lambdas would. */
    async function receivePastMaxCount(queueUrl: string) {
      for (let i = 0; i < 8; i++)
        await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, MaxNumberOfMessages: 10 }),
        );
    }
    const depth = async (queueUrl: string) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages);
    };
    const drain = async (queueUrl: string): Promise<Message[]> => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages;
    };

    beforeAll(async () => {
      urls = await ensureQueues({
        sqs,
        prefix: uniquePrefix('ops'),
        visibilityTimeoutSeconds: 30,
        maxReceiveCount: 5,
      });
      db = await createTestDatabase(databaseUrl!);
      const { store } = await openPostgresStore({ databaseUrl: db.url });
      await applyEvent(launch('pr-7'), { store });
      failedTask = (await store.pendingTasks({ stackIds: ['pr-7'] }))[0]!.task;
      await applyEvent(taskFailed(failedTask, REASON), { store });
      expect((await store.load('pr-7'))?.state).toBe('FAILED');
      await store.close();

      const secrets = new SecretsManagerClient({
        endpoint: motoUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      const { ARN } = await secrets.send(
        new CreateSecretCommand({ Name: `${uniquePrefix('ops')}-database-url`, SecretString: db.url }),
      );
      secrets.destroy();
      const added = await thaw(
        'deployment',
        'add',
        'rehearsal',
        '--project',
        '--events-queue-url',
        urls.eventsQueueUrl,
        '--tasks-queue-url',
        urls.tasksQueueUrl,
        '--database-secret-arn',
        ARN!,
        '--region',
        'us-east-1',
      );
      expect(added.stderr).toContain('deployment rehearsal saved');
      await motoTriggers(urls);
    }, 120_000);

    afterAll(async () => {
      sqs.destroy();
      await db?.drop();
    });

    it('ls and status read the store through the database secret; freeze goes to the events queue, not the database', async () => {
      const stacks = await json('ls');
      expect(stacks).toEqual([
        expect.objectContaining({
          id: 'pr-7',
          state: 'FAILED',
          failureReason: expect.stringContaining(REASON),
        }),
      ]);
      const status = await json('status', 'pr-7');
      expect(status.history.map((h: { to: string }) => h.to)).toEqual(['LAUNCHING', 'FAILED']);

      expect((await thaw('freeze', 'pr-7')).stderr).toContain('FREEZE sent for pr-7');
      const [message] = await drain(urls.eventsQueueUrl);
      expect(JSON.parse(message!.Body!)).toMatchObject({ type: 'FREEZE', stackId: 'pr-7' });
      expect(message!.Attributes?.MessageGroupId).toBe('pr-7');
      // The database did not change: only the events Lambda writes it.
      expect((await json('status', 'pr-7')).state).toBe('FAILED');
    }, 60_000);

    it("cost adds the fixed monthly part of the deployment to the stacks' variable part", async () => {
      const fixed = await json('cost');
      // The Terraform defaults (docs/cost.md: $56.59 fixed) unless the deployment says otherwise.
      expect(fixed.fixed.usd).toBeCloseTo(56.59, 2);
      expect(fixed.stacks.map((c: { id: string }) => c.id)).toEqual(['pr-7']);
      const text = (await thaw('cost')).stdout;
      expect(text).toMatch(/fixed: \$56\.59 a month whether or not a stack is awake/);
      expect(text).toMatch(/variable: \$\d+\.\d\d for 1 stack so far/);
      // A deployment on NAT gateways and two edge tasks costs more before any stack is awake.
      const { saveDeployment, findDeployment, deploymentFiles } = await import('../cli/aws-target.ts');
      saveDeployment(
        'bigger',
        { ...findDeployment('rehearsal', cwd), shape: { nat: 'gateway', edgeTasks: 2 } },
        deploymentFiles(cwd).project,
      );
      const bigger = await json('--deployment', 'bigger', 'cost');
      expect(bigger.fixed.usd).toBeGreaterThan(fixed.fixed.usd + 29);
    }, 60_000);

    it('a task that keeps failing lands in the tasks DLQ; dlq ls shows it with its reason; redrive --dry-run lists it, redrive delivers it again', async () => {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: urls.tasksQueueUrl, MessageBody: JSON.stringify(failedTask) }),
      );
      await receivePastMaxCount(urls.tasksQueueUrl);
      expect(await depth(urls.tasksDlqUrl)).toBe(1);

      const listing = await json('dlq', 'ls', 'tasks');
      expect(listing).toMatchObject({ queue: 'tasks', count: 1 });
      expect(listing.messages).toEqual([
        expect.objectContaining({
          stackId: 'pr-7',
          type: failedTask.kind,
          reason: expect.stringContaining(REASON),
        }),
      ]);
      expect(listing.messages[0].receiveCount).toBeGreaterThanOrEqual(5);
      const text = await thaw('dlq', 'ls', 'tasks');
      expect(text.stdout).toContain('tasks DLQ: 1 message(s)');
      expect(text.stdout).toContain(REASON);

      const shown = await json('dlq', 'show', listing.messages[0].id);
      expect(JSON.parse(shown.body)).toEqual(failedTask);

      const dry = await json('dlq', 'redrive', 'tasks', '--stack', 'pr-7', '--dry-run');
      expect(dry).toMatchObject({ dryRun: true, moved: 0 });
      expect(dry.messages.map((m: { stackId: string }) => m.stackId)).toEqual(['pr-7']);
      // Nothing moved: the message is still in the DLQ, the source queue is empty.
      expect(await depth(urls.tasksDlqUrl)).toBe(1);
      expect(await depth(urls.tasksQueueUrl)).toBe(0);

      // Another stack's dead letter stays where it is when only pr-7's are redriven.
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.tasksDlqUrl,
          MessageBody: JSON.stringify({ ...failedTask, stackId: 'pr-8' }),
        }),
      );
      const redriven = await json('dlq', 'redrive', 'tasks', '--stack', 'pr-7');
      expect(redriven).toMatchObject({ method: 'receive-send-delete', moved: 1 });
      const delivered = await drain(urls.tasksQueueUrl);
      expect(delivered.map((m) => JSON.parse(m.Body!))).toEqual([failedTask]);
      const left = await json('dlq', 'ls', 'tasks');
      expect(left.messages.map((m: { stackId: string }) => m.stackId)).toEqual(['pr-8']);
    }, 90_000);

    it('a malformed event in the events DLQ is explained; redrive moves it back with its message group', async () => {
      const body = JSON.stringify({
        v: 1,
        type: 'LAUNCH',
        stackId: 'pr-9',
        at: new Date().toISOString(),
        images: {},
      });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.eventsDlqUrl,
          MessageBody: body,
          MessageGroupId: 'pr-9',
          MessageDeduplicationId: 'poison-1',
        }),
      );
      const listing = await json('dlq', 'ls', 'events');
      expect(listing.messages).toEqual([
        expect.objectContaining({
          stackId: 'pr-9',
          type: 'LAUNCH',
          reason: expect.stringMatching(/^not a valid event: .*spec/),
        }),
      ]);
      const result = await json('dlq', 'redrive', 'events');
      expect(result.moved).toBe(1);
      const [message] = await drain(urls.eventsQueueUrl);
      expect(message?.Body).toBe(body);
      expect(message?.Attributes?.MessageGroupId).toBe('pr-9');
      expect(await depth(urls.eventsDlqUrl)).toBe(0);
    }, 90_000);

    it('purge needs --yes, then empties the DLQ', async () => {
      expect((await thaw('dlq', 'purge', 'tasks')).code).toBe(1);
      expect(await depth(urls.tasksDlqUrl)).toBe(1);
      expect(await json('dlq', 'purge', 'tasks', '--yes')).toMatchObject({ queue: 'tasks' });
      expect(await depth(urls.tasksDlqUrl)).toBe(0);
    }, 60_000);

    it('doctor passes on a healthy deployment and names the broken part when a redrive policy is removed, maxReceiveCount is too low, an event source mapping is deleted or a migration is missing or the sidecar is unhealthy', async () => {
      // The sidecar's /healthz, played by a loopback server that can be made unhealthy.
      let sidecarStatus = 200;
      const sidecar = createServer((request, response) =>
        response.writeHead(request.url === '/healthz' ? sidecarStatus : 404).end('{"ok":true}'),
      );
      await new Promise<void>((resolve) => sidecar.listen(0, '127.0.0.1', resolve));
      const sidecarUrl = `http://127.0.0.1:${(sidecar.address() as AddressInfo).port}`;
      onTestFinished(() => new Promise<void>((resolve) => sidecar.close(() => resolve())));

      const healthy = await thaw('doctor', '--json', '--sidecar-url', sidecarUrl);
      const findings = JSON.parse(healthy.stdout) as {
        check: string;
        status: string;
        detail: string;
        fix: string;
      }[];
      expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
      expect(healthy.code).toBe(0);
      expect(findings).toContainEqual(expect.objectContaining({ check: 'migrations', status: 'ok' }));
      expect(findings).toContainEqual(
        expect.objectContaining({ check: 'tasks redrive policy', status: 'ok' }),
      );
      expect(findings).toContainEqual(
        expect.objectContaining({ check: 'tasks event source mapping', status: 'ok' }),
      );
      expect(findings).toContainEqual(expect.objectContaining({ check: 'sidecar', status: 'ok' }));

      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: triggers.tasks }));

      // ElasticMQ refuses an empty RedrivePolicy: the queue is made again without one, as a hand-made queue would be.
      await sqs.send(new DeleteQueueCommand({ QueueUrl: urls.tasksQueueUrl }));
      await sqs.send(new CreateQueueCommand({ QueueName: urls.tasksQueueUrl.split('/').at(-1)! }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: urls.eventsDlqUrl, AttributeNames: ['QueueArn'] }),
      );
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: urls.eventsQueueUrl,
          Attributes: {
            RedrivePolicy: JSON.stringify({ maxReceiveCount: 2, deadLetterTargetArn: Attributes!.QueueArn }),
          },
        }),
      );
      const client = postgres(db.url, { max: 1, onnotice: () => {} });
      await client`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`;
      await client.end();

      sidecarStatus = 503;
      const broken = await thaw('doctor', '--sidecar-url', sidecarUrl);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/tasks redrive policy\s+FAIL\s+.*has no redrive policy/);
      const journal = JSON.parse(
        readFileSync(new URL('../adapters/store/migrations/meta/_journal.json', import.meta.url), 'utf8'),
      ) as { entries: { tag: string }[] };
      const newest = journal.entries.at(-1)!.tag;
      expect(broken.stdout).toMatch(new RegExp(`migrations\\s+FAIL\\s+1 of \\d+ not applied: ${newest}`));
      expect(broken.stdout).toContain('fix: apply the control-plane Terraform module again');
      expect(broken.stdout).toMatch(/events redrive policy\s+FAIL\s+maxReceiveCount is 2, below 5/);
      expect(broken.stdout).toMatch(/events DLQ\s+ok/);
      expect(broken.stdout).toMatch(/tasks event source mapping\s+FAIL\s+no function reads ops-\w+-tasks/);
      expect(broken.stdout).toMatch(/events event source mapping\s+ok/);
      expect(broken.stdout).toMatch(/sidecar\s+FAIL\s+.*\/healthz answered 503/);
    }, 60_000);
  },
);

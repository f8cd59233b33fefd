import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSqsClient } from '../adapters/sqs.ts';
import { readControlToken } from '../local/control-api.ts';
import { deploymentQueues, findDeployment } from './aws-target.ts';
import type { QueueTarget } from './dlq-ops.ts';
import { NoControlPlaneError, resolveClient } from './target.ts';

export type ClosableQueueTarget = QueueTarget & { close(): Promise<void>; kind: 'deployment' | 'dev' };

/** The deployment named by --deployment or THAW_DEPLOYMENT (commander reads it), if any. */
export function deploymentName(options: { deployment?: string }): string | undefined {
  return options.deployment;
}

/**
 * The queues `thaw dlq` and `thaw doctor` work on: a deployment's (SQS, credentials from the standard
 * chain), or those of the `thaw dev` running with this data directory (its control API names them).
 */
export async function resolveQueues(options: {
  dataDir?: string;
  deployment?: string;
}): Promise<ClosableQueueTarget> {
  const name = deploymentName(options);
  if (name) return { ...deploymentQueues(findDeployment(name)), kind: 'deployment' };

  const client = resolveClient(options); // checks dev.json, the pid and the token, with its own messages
  const dataDir = resolve(options.dataDir ?? '.thaw');
  const { controlUrl } = JSON.parse(readFileSync(join(dataDir, 'dev.json'), 'utf8')) as {
    controlUrl: string;
  };
  const response = await fetch(`${controlUrl}/queues`, {
    headers: { authorization: `Bearer ${readControlToken(dataDir)}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new NoControlPlaneError(
      `this "thaw dev" does not name its queues (GET /queues answered ${response.status}); restart it with this version of thaw`,
    );
  const { endpoint, eventsQueueUrl, tasksQueueUrl } = (await response.json()) as {
    endpoint: string;
    eventsQueueUrl: string;
    tasksQueueUrl: string;
  };
  const sqs = createSqsClient({ endpoint, localCredentials: true });
  return {
    kind: 'dev',
    sqs,
    queues: { events: eventsQueueUrl, tasks: tasksQueueUrl },
    failureReason: async (stackId) => (await client.get(stackId))?.failureReason,
    close: async () => {
      sqs.destroy();
      await client.close();
    },
  };
}

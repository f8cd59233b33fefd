import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../adapters/sqs.ts';
import { startInProcessSqs } from '../../local/in-process-sqs.ts';

export interface QueueBackend {
  name: string;
  /** How the local event sources should poll this server. */
  polling: { waitTimeSeconds: number; idlePollMs: number };
  start: () => Promise<{ sqs: SQSClient; endpoint: string; stop: () => Promise<void> }>;
}

/** Every SQS-compatible server the queue suites run against: in-process always, ElasticMQ when CI started one. */
export function queueBackends(): QueueBackend[] {
  const backends: QueueBackend[] = [
    {
      name: 'in-process',
      // Its long poll holds until the wait time ends even when a message arrives: poll short instead.
      polling: { waitTimeSeconds: 0, idlePollMs: 25 },
      start: async () => {
        const server = await startInProcessSqs();
        const sqs = createSqsClient({ endpoint: server.endpoint, localCredentials: true });
        const stop = async () => {
          sqs.destroy();
          await server.close();
        };
        return { sqs, endpoint: server.endpoint, stop };
      },
    },
  ];
  const elasticmq = process.env.THAW_TEST_ELASTICMQ_URL;
  if (elasticmq) {
    backends.push({
      name: 'elasticmq',
      polling: { waitTimeSeconds: 1, idlePollMs: 0 },
      start: async () => {
        const sqs = createSqsClient({ endpoint: elasticmq, localCredentials: true });
        return { sqs, endpoint: elasticmq, stop: async () => sqs.destroy() };
      },
    });
  }
  return backends;
}

export const requireElasticMq = process.env.THAW_REQUIRE_ELASTICMQ === '1';

/** A queue name prefix unique to this test, so suites can share one server. */
export const uniquePrefix = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

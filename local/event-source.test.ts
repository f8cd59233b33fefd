import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../adapters/sqs.ts';
import { silentLog } from '../core/ports.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { createEventSource } from './event-source.ts';
import { startInProcessSqs } from './in-process-sqs.ts';
import { ensureQueues } from './provision.ts';

describe('the local event source on the in-process endpoint, receiving only what is visible (sizeReceives)', () => {
  let server: Awaited<ReturnType<typeof startInProcessSqs>>;
  let sqs: ReturnType<typeof createSqsClient>;
  let queueUrl: string;
  beforeAll(async () => {
    server = await startInProcessSqs();
    sqs = createSqsClient({ endpoint: server.endpoint, localCredentials: true });
    ({ tasksQueueUrl: queueUrl } = await ensureQueues({ sqs, prefix: 'sized' }));
  });
  afterAll(async () => {
    sqs.destroy();
    await server.close();
  });

  it('hands every message to the handler exactly once, in batches of at most 10, and deletes them', async () => {
    const seen: string[] = [];
    const batches: number[] = [];
    const source = createEventSource({
      name: 'tasks',
      sqs,
      queueUrl,
      log: silentLog,
      waitTimeSeconds: 0,
      idlePollMs: 5,
      sizeReceives: true,
      handler: async (event) => {
        batches.push(event.Records.length);
        seen.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
    });
    source.start();
    try {
      const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
      for (let i = 0; i < bodies.length; i += 10)
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
      await waitFor(() => seen.length >= bodies.length, { timeoutMs: 10_000, what: 'every message handled' });
      expect([...seen].sort()).toEqual([...bodies].sort());
      expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    } finally {
      await source.stop();
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});

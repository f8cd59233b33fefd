import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../adapters/sqs.ts';
import { startInProcessSqs } from './in-process-sqs.ts';
import { ensureQueues } from './provision.ts';

describe('the in-process SQS endpoint, with its install patch (scripts/patch-local-sqs.mjs)', () => {
  let server: Awaited<ReturnType<typeof startInProcessSqs>>;
  let sqs: ReturnType<typeof createSqsClient>;
  let queueUrl: string;
  beforeAll(async () => {
    server = await startInProcessSqs();
    sqs = createSqsClient({ endpoint: server.endpoint, localCredentials: true });
    ({ tasksQueueUrl: queueUrl } = await ensureQueues({ sqs, prefix: 'patched' }));
  });
  afterAll(async () => {
    sqs.destroy();
    await server.close();
  });

  // Unpatched, a 20 s long poll answers only when it holds 10 messages or after 20 s, past this test's
  // 10 s limit. Patched, it answers as SQS does, once a message is there.
  it('a long poll for up to 10 messages returns the one that arrives while it waits', async () => {
    const receiving = sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    const { Messages = [] } = await receiving;
    expect(Messages.map((m) => m.Body)).toEqual(['hello']);
  }, 10_000);

  it('a short poll for up to 10 messages returns the ones there, without waiting for 10', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'b' }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual(['a', 'b']);
  });
});

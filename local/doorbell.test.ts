import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../adapters/sqs.ts';
import { createDoorbell } from './doorbell.ts';
import { startInProcessSqs } from './in-process-sqs.ts';
import { ensureQueues } from './provision.ts';

describe('the doorbell of thaw dev’s queues', () => {
  let server: Awaited<ReturnType<typeof startInProcessSqs>>;
  let sqs: ReturnType<typeof createSqsClient>;
  let events: string;
  let tasks: string;
  beforeAll(async () => {
    server = await startInProcessSqs();
    sqs = createSqsClient({ endpoint: server.endpoint, localCredentials: true });
    ({ eventsQueueUrl: events, tasksQueueUrl: tasks } = await ensureQueues({ sqs, prefix: 'bell' }));
  });
  afterAll(async () => {
    sqs.destroy();
    await server.close();
  });

  it('a send to a queue ends the pause of its idle poller, not of another queue’s, and the message is really there', async () => {
    const bell = createDoorbell(sqs);
    let eventsWoke = false;
    let tasksWoke = false;
    // Ten minutes: without the bell the test would time out long before.
    const eventsWait = bell.wait(events, 600_000).then(() => (eventsWoke = true));
    const tasksWait = bell.wait(tasks, 600_000).then(() => (tasksWoke = true));
    await bell.sqs.send(
      new SendMessageCommand({
        QueueUrl: events,
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd1',
      }),
    );
    await eventsWait;
    expect(eventsWoke).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tasksWoke).toBe(false);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: events, WaitTimeSeconds: 0 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['{}']);
    await bell.sqs.send(new SendMessageCommand({ QueueUrl: tasks, MessageBody: '{}' }));
    await tasksWait;
    expect(tasksWoke).toBe(true);
  });

  it('with nothing sent, the pause ends on its own', async () => {
    const bell = createDoorbell(sqs);
    await expect(bell.wait(events, 5)).resolves.toBeUndefined();
  });
});

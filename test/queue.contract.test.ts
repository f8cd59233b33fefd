import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueSendError } from '../adapters/errors.ts';
import {
  createEventQueue,
  createTaskQueue,
  MessageTooLargeError,
  SQS_MAX_PAYLOAD_BYTES,
  type SqsSend,
  sendBatches,
} from '../adapters/sqs.ts';
import type { Task } from '../core/tasks.ts';
import { ensureQueues, type QueueUrls } from '../local/provision.ts';
import { access, launch, noDbSpec } from './helpers/events.ts';
import { queueBackends, uniquePrefix } from './helpers/queues.ts';

async function drain(
  sqs: SQSClient,
  queueUrl: string,
  { want, timeoutMs = 5000 }: { want: number; timeoutMs?: number },
): Promise<Message[]> {
  const seen: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (seen.length < want && Date.now() < deadline) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    seen.push(...(r.Messages ?? []));
    // Delete what we got: on a FIFO queue, in-flight messages hold back the rest of their group.
    for (const m of r.Messages ?? [])
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    if (!r.Messages?.length) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return seen;
}

describe.each(queueBackends())('queue adapter contract: $name', (backend) => {
  let sqs: SQSClient;
  let stop: () => Promise<void>;
  let urls: QueueUrls;
  beforeAll(async () => {
    ({ sqs, stop } = await backend.start());
    urls = await ensureQueues({
      sqs,
      prefix: uniquePrefix('q'),
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 5,
    });
  });
  afterAll(() => stop());

  it('sends events in batches of 10, grouped by stack on the FIFO queue', async () => {
    const queues = createEventQueue({ sqs, queueUrl: urls.eventsQueueUrl });
    const events = Array.from({ length: 23 }, (_, i) => access(`pr-${i % 3}`));
    await queues.sendEvents(events);
    const received = await drain(sqs, urls.eventsQueueUrl, { want: 23 });
    const bodies = new Set(received.map((m) => m.Body));
    expect(bodies.size).toBe(23);
    for (const message of received) {
      expect(message.Attributes?.MessageGroupId).toBe(JSON.parse(message.Body!).stackId);
    }
  });

  it('the same event sent twice is one message (deterministic deduplication id)', async () => {
    const queues = createEventQueue({ sqs, queueUrl: urls.eventsQueueUrl });
    const event = launch('pr-dedup', { web: 'w' }, noDbSpec);
    await queues.sendEvents([event]);
    await queues.sendEvents([event]);
    const received = await drain(sqs, urls.eventsQueueUrl, { want: 2, timeoutMs: 1500 });
    expect(new Set(received.map((m) => m.MessageId)).size).toBe(1);
  });

  it('delays a task when asked', async () => {
    const queues = createTaskQueue({ sqs, queueUrl: urls.tasksQueueUrl });
    const task = {
      v: 1,
      kind: 'services.delete',
      stackId: 'pr-d',
      transitionId: 1,
      taskId: 'services.delete',
      attempt: 0,
      spec: {},
    } as never;
    const sentAt = Date.now();
    await queues.sendTasks([task], { delaySeconds: 2 });
    const early = await drain(sqs, urls.tasksQueueUrl, { want: 1, timeoutMs: 800 });
    expect(early).toEqual([]);
    const later = await drain(sqs, urls.tasksQueueUrl, { want: 1, timeoutMs: 5000 });
    expect(later).toHaveLength(1);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1900);
  });
});

/** A task whose message body is about `kib` KiB (a large spec, as a big stack's would be). */
function bigTask(stackId: string, kib: number): Task {
  return {
    v: 1,
    kind: 'services.delete',
    stackId,
    transitionId: 1,
    taskId: 'services.delete',
    attempt: 0,
    spec: { padding: 'x'.repeat(kib * 1024) },
  } as never;
}

/** The client, recording the payload bytes of every SendMessageBatch it sends. */
function recording(sqs: SQSClient) {
  const batches: { entries: number; bytes: number }[] = [];
  const client: SqsSend = {
    send: (async (command: SendMessageBatchCommand) => {
      const entries = command.input.Entries ?? [];
      batches.push({
        entries: entries.length,
        bytes: entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0),
      });
      return sqs.send(command);
    }) as never,
  };
  return { client, batches };
}

describe.each(queueBackends())('queue adapter, batches by bytes: $name', (backend) => {
  let sqs: SQSClient;
  let stop: () => Promise<void>;
  let urls: QueueUrls;
  beforeAll(async () => {
    ({ sqs, stop } = await backend.start());
    urls = await ensureQueues({
      sqs,
      prefix: uniquePrefix('qb'),
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 5,
    });
  });
  afterAll(() => stop());

  it('cuts batches at 256 KiB of payload as well as at 10 entries', async () => {
    const { client, batches } = recording(sqs);
    const queue = createTaskQueue({ sqs: client, queueUrl: urls.tasksQueueUrl });
    const tasks = Array.from({ length: 5 }, (_, i) => bigTask(`pr-big-${i}`, 100));
    await queue.sendTasks(tasks);
    const received = await drain(sqs, urls.tasksQueueUrl, { want: 5 });
    expect(new Set(received.map((m) => JSON.parse(m.Body!).stackId))).toEqual(
      new Set(tasks.map((t) => t.stackId)),
    );
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.bytes).toBeLessThanOrEqual(SQS_MAX_PAYLOAD_BYTES);
  });

  it('refuses a message over the limit naming its stack and size, and still sends the others', async () => {
    const queue = createTaskQueue({ sqs, queueUrl: urls.tasksQueueUrl });
    const tasks = [bigTask('pr-small-a', 1), bigTask('pr-huge', 300), bigTask('pr-small-b', 1)];
    const error = await queue.sendTasks(tasks).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MessageTooLargeError);
    const [refused] = (error as MessageTooLargeError).messages;
    expect(refused).toMatchObject({ index: 1, stackId: 'pr-huge', limitBytes: SQS_MAX_PAYLOAD_BYTES });
    expect(refused!.bytes).toBeGreaterThan(300 * 1024);
    expect((error as Error).message).toContain('pr-huge');
    const received = await drain(sqs, urls.tasksQueueUrl, { want: 2 });
    expect(received.map((m) => JSON.parse(m.Body!).stackId).sort()).toEqual(['pr-small-a', 'pr-small-b']);
  });
});

describe('sendBatches', () => {
  it('retries only the entries that failed through no fault of ours', async () => {
    const calls: string[][] = [];
    const fake: SqsSend = {
      send: (async (command: SendMessageBatchCommand) => {
        const ids = command.input.Entries!.map((e) => e.Id!);
        calls.push(ids);
        if (calls.length === 1)
          return {
            Successful: [],
            Failed: [{ Id: ids[1], Code: 'InternalError', SenderFault: false, Message: 'try again' }],
          };
        return { Successful: ids.map((Id) => ({ Id })), Failed: [] };
      }) as never,
    };
    await sendBatches(
      Array.from({ length: 12 }, (_, i) => ({ MessageBody: String(i) })),
      { sqs: fake, queueUrl: 'q' },
    );
    expect(calls).toEqual([['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['1'], ['10', '11']]);
  });

  it('gives up at once on a sender fault, naming the code', async () => {
    const fake: SqsSend = {
      send: (async (command: SendMessageBatchCommand) => ({
        Failed: [
          {
            Id: command.input.Entries![0]!.Id,
            Code: 'InvalidParameterValue',
            SenderFault: true,
            Message: 'bad',
          },
        ],
      })) as never,
    };
    await expect(sendBatches([{ MessageBody: 'x' }], { sqs: fake, queueUrl: 'q' })).rejects.toBeInstanceOf(
      QueueSendError,
    );
  });
});

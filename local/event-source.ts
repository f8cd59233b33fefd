import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsSend } from '../adapters/sqs.ts';
import type { Log } from '../core/ports.ts';
import { describeError } from '../lambdas/shared/records.ts';

export interface EventSourceOptions {
  name: string;
  sqs: SqsSend;
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  log: Log;
  /** Records per invocation (Lambda: BatchSize). Default 10. */
  batchSize?: number;
  /** How long to keep gathering a batch (Lambda: MaximumBatchingWindowInSeconds). Default 0. */
  batchWindowMs?: number;
  /** Seconds a received message stays invisible; a failed one reappears after it. Default 30. */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per ReceiveMessage (seconds). Default 1 locally, so stopping is quick. */
  waitTimeSeconds?: number;
  /** Pause after an empty receive (ms), for short polls (`waitTimeSeconds` 0). */
  idlePollMs?: number;
  /** How to pause after an empty receive (default: a timer); `thaw dev` ends it when a message is sent. */
  idleWait?: (ms: number) => Promise<void>;
  /** Concurrent pollers (Lambda scales out; the ESM runs at least 2). Default 2. */
  concurrency?: number;
}

/**
 * Drives a handler the way Lambda's SQS event source mapping does: long polling, batches and a
 * batching window, the visibility timeout, ReportBatchItemFailures (only successful records are
 * deleted; failed ones come back after the visibility timeout), and redelivery until the queue's own
 * redrive policy (maxReceiveCount) moves a message to its DLQ.
 */
export function createEventSource(options: EventSourceOptions) {
  const {
    name,
    sqs,
    queueUrl,
    handler,
    log,
    batchSize = 10,
    batchWindowMs = 0,
    visibilityTimeoutSeconds = 30,
    waitTimeSeconds = 1,
    idlePollMs = 0,
    idleWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    concurrency = 2,
  } = options;
  let running = false;
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  let inFlight = 0;
  let invocations = 0;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: wait,
        VisibilityTimeout: visibilityTimeoutSeconds,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return result.Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(Math.min(10, batchSize), waitTimeSeconds);
    const deadline = Date.now() + batchWindowMs;
    while (running && batch.length > 0 && batch.length < batchSize && Date.now() < deadline) {
      const more = await receive(Math.min(10, batchSize - batch.length), 0);
      if (more.length === 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - Date.now())));
      batch.push(...more);
    }
    return batch;
  };

  const invoke = async (messages: Message[]) => {
    const records = messages.map((message) => toRecord(message, queueUrl));
    let failedIds: Set<string>;
    try {
      inFlight++;
      invocations++;
      const response = await handler({ Records: records });
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      // A handler that throws fails the whole batch, as in Lambda.
      log.error(`${name}: handler threw; the whole batch will be retried`, { reason: describeError(error) });
      failedIds = new Set(records.map((r) => r.messageId));
    } finally {
      inFlight--;
    }
    const succeeded = messages.filter((m) => !failedIds.has(m.MessageId!));
    for (let i = 0; i < succeeded.length; i += 10) {
      const chunk = succeeded.slice(i, i + 10);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };

  const loop = async () => {
    while (running) {
      try {
        const batch = await gather();
        if (batch.length > 0) await invoke(batch);
        else if (idlePollMs > 0) await idleWait(idlePollMs);
      } catch (error) {
        if (!running) break;
        log.warn(`${name}: polling failed; retrying`, { reason: describeError(error) });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < concurrency; i++) loops.push(loop());
    },
    async stop() {
      running = false;
      abort.abort();
      await Promise.allSettled(loops);
    },
    get busy() {
      return inFlight > 0;
    },
    get invocations() {
      return invocations;
    },
  };
}

export type EventSource = ReturnType<typeof createEventSource>;

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const queueName = queueUrl.split('/').at(-1) ?? 'queue';
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}

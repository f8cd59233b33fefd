import { createHash } from 'node:crypto';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { ThawError } from '../core/errors.ts';
import type { ThawEvent } from '../core/events.ts';
import type { EventSender, TaskSender } from '../core/ports.ts';
import { stableStringify } from '../core/stable-json.ts';
import type { Task } from '../core/tasks.ts';
import { QueueSendError } from './errors.ts';

export type SqsSend = Pick<SQSClient, 'send'>;

export interface SqsClientOptions {
  /** AWS_ENDPOINT_URL_SQS also works; this wins. ElasticMQ or the in-process endpoint locally. */
  endpoint?: string | undefined;
  /** Default: the SDK's own resolution (AWS_REGION in Lambda and ECS). */
  region?: string | undefined;
  /** Dummy credentials, for a local endpoint that checks none (local mode, tests). */
  localCredentials?: boolean;
}

/** An SQS client. Credentials come from the SDK's default chain unless `localCredentials` is set. */
export function createSqsClient({
  endpoint,
  region,
  localCredentials = false,
}: SqsClientOptions = {}): SQSClient {
  const config: SQSClientConfig = {};
  if (region) config.region = region;
  if (endpoint) config.endpoint = endpoint;
  if (localCredentials) {
    config.region ??= 'us-east-1';
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return new SQSClient(config);
}

/** Deterministic deduplication id: the same event sent twice is one message on a FIFO queue. */
export function deduplicationId(message: unknown): string {
  return createHash('sha256').update(stableStringify(message)).digest('hex');
}

/** SQS's limit on one message and on a whole SendMessageBatch request (256 KiB; ElasticMQ enforces it too). */
export const SQS_MAX_PAYLOAD_BYTES = 256 * 1024;

/** An entry to send, with the stack it concerns (named in errors; not sent). */
export type BatchEntry = Omit<SendMessageBatchRequestEntry, 'Id'> & { stackId?: string };

/**
 * Messages too large for SQS were not sent (every other entry was). One oversized task must fail its
 * own stack's transition, not jam the outbox for every stack.
 */
export class MessageTooLargeError extends ThawError {
  override name = 'MessageTooLargeError';
  readonly queueUrl: string;
  /** `index`: position in the entries given to sendBatches. */
  readonly messages: { index: number; stackId: string | undefined; bytes: number; limitBytes: number }[];
  constructor(queueUrl: string, messages: MessageTooLargeError['messages']) {
    super(
      `${messages.length} message(s) too large for ${queueUrl}: ${messages
        .map((m) => `stack ${m.stackId ?? '?'}: ${m.bytes} bytes (limit ${m.limitBytes})`)
        .join('; ')}`,
    );
    this.queueUrl = queueUrl;
    this.messages = messages;
  }
}

/** The size SQS counts for a message: its body plus its attributes' names, types and values. */
export function payloadBytes(entry: Omit<SendMessageBatchRequestEntry, 'Id'>): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue, 'utf8');
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.byteLength;
  }
  return bytes;
}

export interface BatchSendOptions {
  sqs: SqsSend;
  queueUrl: string;
  /** Attempts for entries that fail without the sender's fault (throttling, internal errors). */
  maxAttempts?: number;
  /** Cap on one message and on one batch request (default SQS_MAX_PAYLOAD_BYTES). */
  maxPayloadBytes?: number;
}

type Pending = SendMessageBatchRequestEntry & { Id: string };

/**
 * Cuts entries into SendMessageBatch requests of at most 10 entries and `maxPayloadBytes` in total,
 * in order. Entries over the limit on their own are left out and returned.
 */
export function planBatches(entries: BatchEntry[], maxPayloadBytes = SQS_MAX_PAYLOAD_BYTES) {
  const batches: Pending[][] = [];
  const oversized: MessageTooLargeError['messages'] = [];
  let current: Pending[] = [];
  let currentBytes = 0;
  entries.forEach(({ stackId, ...entry }, index) => {
    const bytes = payloadBytes(entry);
    if (bytes > maxPayloadBytes) {
      oversized.push({ index, stackId, bytes, limitBytes: maxPayloadBytes });
      return;
    }
    if (current.length === 10 || currentBytes + bytes > maxPayloadBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({ ...entry, Id: String(index) });
    currentBytes += bytes;
  });
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

/**
 * Sends entries with SendMessageBatch, cut at 10 entries and 256 KiB per call, retrying only the
 * entries that failed through no fault of ours, with jittered backoff. Throws QueueSendError listing
 * what still failed; MessageTooLargeError (after sending every other entry) for entries too large.
 */
export async function sendBatches(entries: BatchEntry[], options: BatchSendOptions): Promise<void> {
  const { sqs, queueUrl, maxAttempts = 5, maxPayloadBytes = SQS_MAX_PAYLOAD_BYTES } = options;
  const { batches, oversized } = planBatches(entries, maxPayloadBytes);
  for (const batch of batches) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = result.Failed ?? [];
      if (failed.length === 0) break;
      const retryable = failed.filter((f) => !f.SenderFault);
      if (retryable.length < failed.length || attempt >= maxAttempts) {
        throw new QueueSendError(
          queueUrl,
          failed.map((f) => ({
            id: f.Id ?? '?',
            code: f.Code ?? 'Unknown',
            message: f.Message ?? '',
            senderFault: f.SenderFault ?? false,
          })),
        );
      }
      const ids = new Set(retryable.map((f) => f.Id));
      pending = pending.filter((entry) => ids.has(entry.Id));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
    }
  }
  if (oversized.length > 0) throw new MessageTooLargeError(queueUrl, oversized);
}

export interface QueueOptions {
  sqs: SqsSend;
  queueUrl: string;
}

/** An event as a message of the events queue (FIFO): one message group per stack, deduplicated by content. */
export function eventMessage(event: ThawEvent) {
  return {
    MessageBody: JSON.stringify(event),
    MessageGroupId: event.stackId,
    MessageDeduplicationId: deduplicationId(event),
  };
}

/** The events queue (FIFO). */
export function createEventQueue({ sqs, queueUrl }: QueueOptions): EventSender {
  return {
    async sendEvents(events: ThawEvent[]) {
      await sendBatches(
        events.map((event) => ({ ...eventMessage(event), stackId: event.stackId })),
        { sqs, queueUrl },
      );
    },
  };
}

/** The tasks queue (standard): a task may be delayed (a readiness poll), up to SQS's 900 s. */
export function createTaskQueue({ sqs, queueUrl }: QueueOptions): TaskSender {
  return {
    async sendTasks(tasks: Task[], { delaySeconds }: { delaySeconds?: number } = {}) {
      await sendBatches(
        tasks.map((task) => ({
          MessageBody: JSON.stringify(task),
          stackId: task.stackId,
          ...(delaySeconds ? { DelaySeconds: Math.min(900, Math.round(delaySeconds)) } : {}),
        })),
        { sqs, queueUrl },
      );
    },
  };
}

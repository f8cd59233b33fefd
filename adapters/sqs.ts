import { createHash } from 'node:crypto';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
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

export interface BatchSendOptions {
  sqs: SqsSend;
  queueUrl: string;
  /** Attempts for entries that fail without the sender's fault (throttling, internal errors). */
  maxAttempts?: number;
}

/**
 * Sends entries with SendMessageBatch, 10 per call, retrying only the entries that failed through no
 * fault of ours, with jittered backoff. Throws QueueSendError listing what still failed.
 */
export async function sendBatches(
  entries: Omit<SendMessageBatchRequestEntry, 'Id'>[],
  options: BatchSendOptions,
): Promise<void> {
  const { sqs, queueUrl, maxAttempts = 5 } = options;
  for (let start = 0; start < entries.length; start += 10) {
    let pending = entries.slice(start, start + 10).map((entry, i) => ({ ...entry, Id: String(start + i) }));
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
      await sendBatches(events.map(eventMessage), { sqs, queueUrl });
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
          ...(delaySeconds ? { DelaySeconds: Math.min(900, Math.round(delaySeconds)) } : {}),
        })),
        { sqs, queueUrl },
      );
    },
  };
}

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
  region?: string | undefined;
}

/** An SQS client; with an endpoint (local servers) it uses dummy credentials unless real ones are set. */
export function createSqsClient({ endpoint, region }: SqsClientOptions = {}): SQSClient {
  const config: SQSClientConfig = { region: region ?? process.env.AWS_REGION ?? 'us-east-1' };
  if (endpoint) {
    config.endpoint = endpoint;
    if (!process.env.AWS_ACCESS_KEY_ID)
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

export interface SqsQueuesOptions {
  sqs: SqsSend;
  eventsQueueUrl: string;
  tasksQueueUrl: string;
}

/** The two queues of the control plane: events (FIFO, grouped by stack) and tasks (standard). */
export function createSqsQueues({
  sqs,
  eventsQueueUrl,
  tasksQueueUrl,
}: SqsQueuesOptions): EventSender & TaskSender {
  return {
    async sendEvents(events: ThawEvent[]) {
      await sendBatches(
        events.map((event) => ({
          MessageBody: JSON.stringify(event),
          MessageGroupId: event.stackId,
          MessageDeduplicationId: deduplicationId(event),
        })),
        { sqs, queueUrl: eventsQueueUrl },
      );
    },
    async sendTasks(tasks: Task[], { delaySeconds }: { delaySeconds?: number } = {}) {
      await sendBatches(
        tasks.map((task) => ({
          MessageBody: JSON.stringify(task),
          ...(delaySeconds ? { DelaySeconds: Math.min(900, Math.round(delaySeconds)) } : {}),
        })),
        { sqs, queueUrl: tasksQueueUrl },
      );
    },
  };
}

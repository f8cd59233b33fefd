import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { SqsSend } from '../adapters/sqs.ts';
import { ThawError } from '../core/errors.ts';
import { parseEvent } from '../core/events.ts';
import { parseTask } from '../core/tasks.ts';

/** The two queues of a control plane, by role; their DLQs are found through their redrive policies. */
export interface QueueTarget {
  sqs: SqsSend;
  queues: { events: string; tasks: string };
  /** A stack's failure reason, when the store can be read (a task's DLQ message is explained by it). */
  failureReason?: (stackId: string) => Promise<string | null | undefined>;
}

export type QueueRole = keyof QueueTarget['queues'];
export const QUEUE_ROLES: QueueRole[] = ['events', 'tasks'];

export class NoDeadLetterQueueError extends ThawError {
  override name = 'NoDeadLetterQueueError';
}

export interface DeadLetterQueue {
  role: QueueRole;
  sourceUrl: string;
  sourceArn: string;
  dlqUrl: string;
  dlqArn: string;
  maxReceiveCount: number;
  fifo: boolean;
}

export interface DeadLetter {
  id: string;
  queue: QueueRole;
  stackId: string | null;
  type: string | null;
  receiveCount: number;
  sentAt: string | null;
  groupId: string | null;
  deduplicationId: string | null;
  reason: string | null;
  body: string;
}

const arnName = (arn: string) => arn.split(':').at(-1) ?? arn;

/** The queue's attributes (All), or undefined when the queue does not exist. */
export async function queueAttributes(sqs: SqsSend, url: string) {
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    return Attributes ?? {};
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (/NonExistentQueue|QueueDoesNotExist/.test(name)) return undefined;
    throw error;
  }
}

/** The redrive policy of a queue, or undefined when it has none (or it does not parse). */
export function redrivePolicy(attributes: Record<string, string>) {
  try {
    const policy = JSON.parse(attributes.RedrivePolicy ?? '') as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: number | string;
    };
    if (!policy.deadLetterTargetArn) return undefined;
    return {
      deadLetterTargetArn: policy.deadLetterTargetArn,
      maxReceiveCount: Number(policy.maxReceiveCount),
    };
  } catch {
    return undefined;
  }
}

/** The DLQ behind a source queue, from its redrive policy. */
export async function findDeadLetterQueue(target: QueueTarget, role: QueueRole): Promise<DeadLetterQueue> {
  const sourceUrl = target.queues[role];
  const attributes = await queueAttributes(target.sqs, sourceUrl);
  if (!attributes) throw new NoDeadLetterQueueError(`the ${role} queue ${sourceUrl} does not exist`);
  const policy = redrivePolicy(attributes);
  if (!policy)
    throw new NoDeadLetterQueueError(
      `the ${role} queue ${sourceUrl} has no redrive policy, so no dead-letter queue`,
    );
  const { QueueUrl } = await target.sqs.send(
    new GetQueueUrlCommand({ QueueName: arnName(policy.deadLetterTargetArn) }),
  );
  return {
    role,
    sourceUrl,
    sourceArn: attributes.QueueArn!,
    dlqUrl: QueueUrl!,
    dlqArn: policy.deadLetterTargetArn,
    maxReceiveCount: policy.maxReceiveCount,
    fifo: sourceUrl.endsWith('.fifo'),
  };
}

/** What a dead letter is and, when it can be told, why it failed. */
export async function describeDeadLetter(
  message: Message,
  role: QueueRole,
  failureReason?: QueueTarget['failureReason'],
): Promise<DeadLetter> {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  let stackId: string | null = null;
  let type: string | null = null;
  let reason: string | null = null;
  let raw: { stackId?: unknown; type?: unknown; kind?: unknown } | undefined;
  try {
    raw = JSON.parse(body);
  } catch {
    reason = 'not JSON: no handler can read it';
  }
  if (raw && typeof raw === 'object') {
    stackId = typeof raw.stackId === 'string' ? raw.stackId : null;
    const label = role === 'events' ? raw.type : raw.kind;
    type = typeof label === 'string' ? label : null;
    try {
      if (role === 'events') parseEvent(raw);
      else parseTask(raw);
    } catch (error) {
      reason = `not a valid ${role === 'events' ? 'event' : 'task'}: ${(error as Error).message.replace(/\s+/g, ' ')}`;
    }
  }
  if (!reason && stackId && failureReason) reason = (await failureReason(stackId).catch(() => null)) ?? null;
  const sent = Number(attributes.SentTimestamp);
  return {
    id: message.MessageId!,
    queue: role,
    stackId,
    type,
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    groupId: attributes.MessageGroupId ?? null,
    deduplicationId: attributes.MessageDeduplicationId ?? null,
    reason,
    body,
  };
}

/**
 * Receives every message of a queue it can see, hiding each for `holdSeconds` so that one pass does not
 * see a message twice. Each look counts as a receive (a DLQ has no redrive policy, so this costs nothing).
 * On a FIFO queue a group shows at most the messages one receive hands out while the earlier ones are hidden.
 */
async function receiveAll(sqs: SqsSend, url: string, { holdSeconds = 10, max = 1000 } = {}) {
  const seen = new Map<string, Message>();
  for (let empty = 0; empty < 2 && seen.size < max; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) empty++;
    for (const m of fresh) seen.set(m.MessageId!, m);
  }
  return [...seen.values()];
}

export interface DlqListing {
  queue: QueueRole;
  dlqUrl: string;
  count: number;
  oldestAgeSeconds: number | null;
  messages: DeadLetter[];
}

/** `thaw dlq ls`: the messages of one DLQ, with their stack, type, receive count and reason. */
export async function listDeadLetters(
  target: QueueTarget,
  role: QueueRole,
  { now = new Date(), holdSeconds = 1 } = {},
): Promise<DlqListing> {
  const dlq = await findDeadLetterQueue(target, role);
  const received = await receiveAll(target.sqs, dlq.dlqUrl, { holdSeconds });
  await showAgain(target.sqs, dlq.dlqUrl, received);
  const messages = await Promise.all(received.map((m) => describeDeadLetter(m, role, target.failureReason)));
  const attributes = (await queueAttributes(target.sqs, dlq.dlqUrl)) ?? {};
  const oldest = Math.min(
    ...messages.map((m) => (m.sentAt ? Date.parse(m.sentAt) : Number.POSITIVE_INFINITY)),
  );
  return {
    queue: role,
    dlqUrl: dlq.dlqUrl,
    count: Math.max(messages.length, Number(attributes.ApproximateNumberOfMessages ?? 0)),
    oldestAgeSeconds: Number.isFinite(oldest)
      ? Math.max(0, Math.round((now.getTime() - oldest) / 1000))
      : null,
    messages,
  };
}

export interface RedriveResult {
  queue: QueueRole;
  /** How: SQS's own message-move task, or receive + send + delete (needed for --stack, or where the move task is missing). */
  method: 'message-move-task' | 'receive-send-delete';
  dryRun: boolean;
  messages: DeadLetter[];
  moved: number;
}

/** FIFO deduplication window: a copy sent within it with the same id would be dropped as a duplicate. */
const DEDUP_WINDOW_MS = 5 * 60_000;

/**
 * Sends dead letters back to their source queue. Without a stack filter SQS's StartMessageMoveTask does it
 * (waiting for it to finish); when it is not supported, or with a stack filter, each message is received,
 * sent again (same group id; the same deduplication id unless the original was sent inside SQS's 5-minute
 * window, where the copy would be dropped: then a stable id derived from it) and deleted from the DLQ.
 */
export async function redrive(
  target: QueueTarget,
  role: QueueRole,
  {
    stackId,
    dryRun = false,
    now = new Date(),
    moveTimeoutMs = 60_000,
  }: { stackId?: string; dryRun?: boolean; now?: Date; moveTimeoutMs?: number } = {},
): Promise<RedriveResult> {
  const dlq = await findDeadLetterQueue(target, role);
  const holdSeconds = dryRun ? 1 : 30;
  const received = await receiveAll(target.sqs, dlq.dlqUrl, { holdSeconds });
  const picked = received.filter((m) => !stackId || describeStack(m) === stackId);
  const messages = await Promise.all(picked.map((m) => describeDeadLetter(m, role, target.failureReason)));
  // What this command will not send now is visible again at once (for a dry run: everything).
  await showAgain(
    target.sqs,
    dlq.dlqUrl,
    received.filter((m) => dryRun || !stackId || !picked.includes(m)),
  );
  if (dryRun || picked.length === 0)
    return {
      queue: role,
      method: stackId ? 'receive-send-delete' : 'message-move-task',
      dryRun,
      messages,
      moved: 0,
    };

  let toSend = picked;
  let byTask = 0;
  if (!stackId) {
    const result = await moveTask(target.sqs, dlq, moveTimeoutMs);
    if (result !== undefined) {
      byTask = result;
      if (byTask >= picked.length)
        return { queue: role, method: 'message-move-task', dryRun, messages, moved: byTask };
      // A move task that left messages behind (ElasticMQ completes one on a FIFO DLQ moving nothing):
      // the rest go by hand.
      toSend = await receiveAll(target.sqs, dlq.dlqUrl, { holdSeconds });
    }
  }

  let moved = byTask;
  for (const message of toSend) {
    const attributes = message.Attributes ?? {};
    const sent = Number(attributes.SentTimestamp ?? 0);
    const dedup = attributes.MessageDeduplicationId;
    await target.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq.sourceUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: message.MessageAttributes,
        ...(dlq.fifo
          ? {
              MessageGroupId: attributes.MessageGroupId,
              MessageDeduplicationId:
                dedup && now.getTime() - sent < DEDUP_WINDOW_MS
                  ? createHash('sha256').update(`${dedup}:redrive:${message.MessageId}`).digest('hex')
                  : (dedup ??
                    createHash('sha256')
                      .update(message.Body ?? '')
                      .digest('hex')),
            }
          : {}),
      }),
    );
    await target.sqs.send(
      new DeleteMessageCommand({ QueueUrl: dlq.dlqUrl, ReceiptHandle: message.ReceiptHandle! }),
    );
    moved++;
  }
  return {
    queue: role,
    method: byTask > 0 ? 'message-move-task' : 'receive-send-delete',
    dryRun,
    messages,
    moved,
  };
}

function describeStack(message: Message): string | null {
  try {
    const stackId = (JSON.parse(message.Body ?? '') as { stackId?: unknown }).stackId;
    return typeof stackId === 'string' ? stackId : null;
  } catch {
    return null;
  }
}

/**
 * Runs SQS's message-move task from the DLQ to its source and waits for it: how many it moved, or
 * undefined when the API is not there.
 */
async function moveTask(sqs: SqsSend, dlq: DeadLetterQueue, timeoutMs: number) {
  try {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.dlqArn, DestinationArn: dlq.sourceArn }));
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (
      /UnsupportedOperation|InvalidAction|UnknownOperation|NotImplemented|InvalidParameterValue/i.test(name)
    )
      return undefined;
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.dlqArn, MaxResults: 1 }),
    );
    const status = Results[0]?.Status;
    if (status === 'COMPLETED') return Results[0]?.ApproximateNumberOfMessagesMoved ?? 0;
    if (status === 'FAILED' || status === 'CANCELLED')
      throw new ThawError(
        `the message-move task from ${dlq.dlqUrl} ended ${status}: ${Results[0]?.FailureReason ?? 'no reason given'}`,
      );
    if (Date.now() > deadline)
      throw new ThawError(
        `the message-move task from ${dlq.dlqUrl} is still ${status ?? 'unknown'}; see "aws sqs list-message-move-tasks"`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Makes messages this command received visible again at once. */
async function showAgain(sqs: SqsSend, url: string, messages: Message[]) {
  for (const m of messages)
    await sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      )
      .catch(() => undefined);
}

/** `thaw dlq purge`: empties a DLQ (SQS allows one purge per queue per minute). */
export async function purgeDeadLetters(target: QueueTarget, role: QueueRole) {
  const dlq = await findDeadLetterQueue(target, role);
  const before = Number((await queueAttributes(target.sqs, dlq.dlqUrl))?.ApproximateNumberOfMessages ?? 0);
  await target.sqs.send(new PurgeQueueCommand({ QueueUrl: dlq.dlqUrl }));
  return { queue: role, dlqUrl: dlq.dlqUrl, purged: before };
}

/** `thaw dlq show ID`: one dead letter, found in either DLQ. */
export async function showDeadLetter(target: QueueTarget, id: string) {
  for (const role of QUEUE_ROLES) {
    const listing = await listDeadLetters(target, role);
    const found = listing.messages.find((m) => m.id === id);
    if (found) return found;
  }
  return undefined;
}

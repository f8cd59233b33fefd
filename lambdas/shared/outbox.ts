import { MessageTooLargeError } from '../../adapters/sqs.ts';
import { applyEvent } from '../../core/apply.ts';
import { newEvent } from '../../core/events.ts';
import type { Log, OutboxEntry, Store, TaskSender } from '../../core/ports.ts';
import { describeError } from './records.ts';

export interface FlushOptions {
  store: Store;
  tasks: TaskSender;
  log: Log;
  /** Flush these stacks' entries; without it, entries older than `olderThan` (the sweep). */
  stackIds?: string[];
  olderThan?: Date;
}

/**
 * Sends outbox entries to the tasks queue, then deletes them. A failure is logged, not thrown: the
 * entries stay and the next event for the stack, or the freezer's sweep, sends them. Sending twice is
 * harmless (tasks are idempotent), losing one is not. A task too large for SQS can never be sent: its
 * transition fails with the reason instead of the entry blocking every later flush.
 */
export async function flushOutbox({ store, tasks, log, stackIds, olderThan }: FlushOptions): Promise<number> {
  if (stackIds?.length === 0) return 0;
  let sent = 0;
  try {
    for (;;) {
      const pending = await store.pendingTasks({ stackIds, olderThan, limit: 100 });
      if (pending.length === 0) break;
      const oversized = await send(tasks, pending);
      await store.ackTasks(pending.map((entry) => entry.id));
      await failOversized(store, log, oversized);
      sent += pending.length - oversized.length;
      for (const entry of pending)
        log.debug('task sent', {
          stackId: entry.stackId,
          kind: entry.task.kind,
          transitionId: entry.task.transitionId,
        });
      if (pending.length < 100) break;
    }
  } catch (error) {
    log.error('could not flush the outbox; it will be retried', { stackIds, reason: describeError(error) });
  }
  return sent;
}

type Oversized = { entry: OutboxEntry; bytes: number; limitBytes: number };

/** Sends the entries; the ones SQS can never take come back (the others were sent all the same). */
async function send(tasks: TaskSender, pending: OutboxEntry[]): Promise<Oversized[]> {
  try {
    await tasks.sendTasks(pending.map((entry) => entry.task));
    return [];
  } catch (error) {
    if (!(error instanceof MessageTooLargeError)) throw error;
    return error.messages.map((m) => ({
      entry: pending[m.index]!,
      bytes: m.bytes,
      limitBytes: m.limitBytes,
    }));
  }
}

/** Fails the transition an oversized task belongs to, through the state machine (a stale one is ignored). */
async function failOversized(store: Store, log: Log, oversized: Oversized[]): Promise<void> {
  for (const { entry, bytes, limitBytes } of oversized) {
    const reason = `task ${entry.task.kind} is ${bytes} bytes, over the tasks queue's limit of ${limitBytes}: make the spec smaller`;
    log.error('task too large for the queue', { stackId: entry.stackId, kind: entry.task.kind, bytes });
    const event = newEvent({
      type: 'TASK_FAILED',
      stackId: entry.stackId,
      transitionId: entry.task.transitionId,
      taskId: entry.task.taskId,
      reason,
    });
    await applyEvent(event, { store });
  }
}

import type { Log, Store, TaskSender } from '../../core/ports.ts';
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
 * harmless (tasks are idempotent), losing one is not.
 */
export async function flushOutbox({ store, tasks, log, stackIds, olderThan }: FlushOptions): Promise<number> {
  if (stackIds?.length === 0) return 0;
  let sent = 0;
  try {
    for (;;) {
      const pending = await store.pendingTasks({ stackIds, olderThan, limit: 100 });
      if (pending.length === 0) break;
      await tasks.sendTasks(pending.map((entry) => entry.task));
      await store.ackTasks(pending.map((entry) => entry.id));
      sent += pending.length;
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

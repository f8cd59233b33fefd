import { newEvent } from '../../core/events.ts';
import type { Clock, EventSender, Log, Store, TaskSender } from '../../core/ports.ts';
import { systemClock } from '../../core/ports.ts';
import { flushOutbox } from '../shared/outbox.ts';

export interface FreezerDeps {
  store: Store;
  events: EventSender;
  tasks: TaskSender;
  log: Log;
  clock?: Clock;
  /** Most FREEZEs sent per run (default 500); the rest go on the next run. */
  limit?: number;
  /** Outbox entries older than this are re-sent (default 60 s): a crash between write and send. */
  outboxSweepAgeMs?: number;
}

export interface FreezerResult {
  freezes: number;
  swept: number;
}

/**
 * The scheduled freezer: sends FREEZE for RUNNING stacks idle past their own idle timeout (keep-awake
 * stacks never are). Each FREEZE carries the access time it saw, so the state machine can drop a
 * FREEZE made stale by a newer ACCESS. It also sweeps outbox entries that nobody sent.
 */
export function createFreezerHandler({
  store,
  events,
  tasks,
  log,
  clock = systemClock,
  limit = 500,
  outboxSweepAgeMs = 60_000,
}: FreezerDeps) {
  return async (): Promise<FreezerResult> => {
    const now = clock();
    const idle = await store.findIdle(now, limit);
    const freezes = idle.map((stack) =>
      newEvent(
        { type: 'FREEZE', stackId: stack.id, seenAccessAt: stack.lastAccessedAt?.toISOString() ?? null },
        now,
      ),
    );
    if (freezes.length > 0) {
      await events.sendEvents(freezes);
      log.info('sent FREEZE for idle stacks', { stackIds: idle.map((s) => s.id) });
    }
    const swept = await flushOutbox({
      store,
      tasks,
      log,
      olderThan: new Date(now.getTime() - outboxSweepAgeMs),
    });
    if (swept > 0) log.warn('re-sent tasks left in the outbox', { count: swept });
    return { freezes: freezes.length, swept };
  };
}

import { newEvent, type ThawEvent } from '../../core/events.ts';
import { DEADLINE_GRACE_SECONDS, DEADLINE_TASK_ID, DEADLINES } from '../../core/machine.ts';
import type { Clock, EventSender, Log, Store, TaskSender } from '../../core/ports.ts';
import { systemClock } from '../../core/ports.ts';
import { IN_FLIGHT_STATES, type InFlightState, type Stack } from '../../core/stack.ts';
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
  /** Deadline of each in-flight state in seconds (defaults: DEADLINES in core/machine.ts). */
  deadlines?: Partial<Record<InFlightState, number>>;
  /** Seconds between re-sending an overdue transition's open tasks and failing it (default 5 min). */
  deadlineGraceSeconds?: number;
}

export interface FreezerResult {
  freezes: number;
  swept: number;
  /** Overdue transitions whose open tasks were re-sent (present when there were any). */
  resent?: number;
  /** Overdue transitions failed, still overdue after the grace (present when there were any). */
  timedOut?: number;
}

/** "20 min", "90 s", "2 h 5 min". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The deadline events for in-flight stacks past their state's deadline: the first (a TASK_FAILED
 * with the task id `deadline`) makes the state machine re-send the open tasks once; once that was
 * done and the grace has passed too, the next one fails the transition with its reason.
 */
export function overdueEvents(
  stacks: Stack[],
  now: Date,
  deadlines: Record<InFlightState, number>,
  graceSeconds: number,
): { stack: Stack; event: ThawEvent; resend: boolean }[] {
  return stacks.flatMap((stack) => {
    if (!(IN_FLIGHT_STATES as readonly string[]).includes(stack.state)) return [];
    const state = stack.state as InFlightState;
    const elapsed = now.getTime() - stack.enteredAt.getTime();
    if (elapsed < deadlines[state] * 1000) return [];
    if (stack.resentAt && now.getTime() - stack.resentAt.getTime() < graceSeconds * 1000) return [];
    const event = newEvent(
      {
        type: 'TASK_FAILED',
        stackId: stack.id,
        transitionId: stack.transitionId,
        taskId: DEADLINE_TASK_ID,
        reason: `timed out in ${state} after ${formatElapsed(elapsed)}`,
      },
      now,
    );
    return [{ stack, event, resend: stack.resentAt === null }];
  });
}

/**
 * The scheduled freezer: sends FREEZE for RUNNING stacks idle past their own idle timeout (keep-awake
 * stacks never are). Each FREEZE carries the access time it saw, so the state machine can drop a
 * FREEZE made stale by a newer ACCESS. It finds transitions past their deadline (a task or its report
 * lost to a DLQ, a Lambda timeout): re-sends their open tasks once, then fails them. It also sweeps
 * outbox entries that nobody sent.
 */
export function createFreezerHandler({
  store,
  events,
  tasks,
  log,
  clock = systemClock,
  limit = 500,
  outboxSweepAgeMs = 60_000,
  deadlines = {},
  deadlineGraceSeconds = DEADLINE_GRACE_SECONDS,
}: FreezerDeps) {
  const limits = { ...DEADLINES, ...deadlines };
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
    const inFlight = await store.list({ states: [...IN_FLIGHT_STATES] });
    const overdue = overdueEvents(inFlight, now, limits, deadlineGraceSeconds);
    if (overdue.length > 0) {
      await events.sendEvents(overdue.map((o) => o.event));
      for (const { stack, event, resend } of overdue)
        log.warn(
          resend ? 'transition overdue; re-sending its open tasks' : 'transition overdue; failing it',
          {
            stackId: stack.id,
            state: stack.state,
            transitionId: stack.transitionId,
            reason: event.type === 'TASK_FAILED' ? event.reason : undefined,
          },
        );
    }
    const swept = await flushOutbox({
      store,
      tasks,
      log,
      olderThan: new Date(now.getTime() - outboxSweepAgeMs),
    });
    if (swept > 0) log.warn('re-sent tasks left in the outbox', { count: swept });
    const resent = overdue.filter((o) => o.resend).length;
    const timedOut = overdue.length - resent;
    return {
      freezes: freezes.length,
      swept,
      ...(resent > 0 ? { resent } : {}),
      ...(timedOut > 0 ? { timedOut } : {}),
    };
  };
}

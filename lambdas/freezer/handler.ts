import { StaleVersionError } from '../../core/errors.ts';
import { newEvent, type ThawEvent } from '../../core/events.ts';
import { DEADLINE_GRACE_SECONDS, DEADLINE_TASK_ID, DEADLINES } from '../../core/machine.ts';
import type { Clock, EventSender, Log, Store, TaskSender } from '../../core/ports.ts';
import { systemClock } from '../../core/ports.ts';
import { TTL_REACHED_PREFIX, TTL_WARNING_PREFIX } from '../../core/pr-comment.ts';
import { keepsWarm, type Schedule, shouldWake } from '../../core/schedule.ts';
import { effectiveSchedule, ttlMs } from '../../core/spec.ts';
import {
  IN_FLIGHT_STATES,
  type InFlightState,
  lastUsedAt,
  type Stack,
  type StackState,
} from '../../core/stack.ts';
import type { Task } from '../../core/tasks.ts';
import { notifyTask } from '../../core/transition.ts';
import { flushOutbox } from '../shared/outbox.ts';
import type { JanitorSummary } from './janitor.ts';

export interface FreezerDeps {
  store: Store;
  events: EventSender;
  tasks: TaskSender;
  log: Log;
  clock?: Clock;
  /** Most FREEZEs sent per run (default 100: each becomes an UpdateService, and ECS refills that bucket at 5/s, docs/scale.md); the rest go on the next run. */
  limit?: number;
  /** Outbox entries older than this are re-sent (default 60 s): a crash between write and send. */
  outboxSweepAgeMs?: number;
  /** Deadline of each in-flight state in seconds (defaults: DEADLINES in core/machine.ts). */
  deadlines?: Partial<Record<InFlightState, number>>;
  /** Seconds between re-sending an overdue transition's open tasks and failing it (default 5 min). */
  deadlineGraceSeconds?: number;
  /** Warm windows of stacks whose spec has no `schedule` (DEFAULT_SCHEDULE); none by default. */
  defaultSchedule?: Schedule;
  /** Days without access after which a stack whose spec has no `ttl` is destroyed (STACK_TTL_DAYS); 0 or none: never. */
  ttlDays?: number;
  /** How long before the destroy the warning is recorded (default 1 day). */
  ttlWarningMs?: number;
  /** The janitor step (lambdas/freezer/janitor.ts): runs last, when due; undefined when it did not run. */
  janitor?: () => Promise<JanitorSummary | undefined>;
}

export interface FreezerResult {
  freezes: number;
  swept: number;
  /** Overdue transitions whose open tasks were re-sent (present when there were any). */
  resent?: number;
  /** Overdue transitions failed, still overdue after the grace (present when there were any). */
  timedOut?: number;
  /** FROZEN stacks woken ahead of a warm window (present when there were any). */
  wakes?: number;
  /** Idle stacks left awake because they are inside (or just ahead of) a warm window. */
  keptWarm?: number;
  /** Stacks past their time to live, destroyed (present when there were any). */
  expired?: number;
  /** Stacks warned that they will be destroyed within a day (present when there were any). */
  warned?: number;
  /** What the janitor did, when it ran in this invocation. */
  janitor?: JanitorSummary;
}

/** States the time to live applies in: a transition in flight is left to finish first. */
const TTL_STATES: StackState[] = ['RUNNING', 'FROZEN', 'FAILED'];

/** "14 days", "1 day", "36 h", "90 min". */
export function formatTtl(ms: number): string {
  const days = ms / 86_400_000;
  if (Number.isInteger(days)) return days === 1 ? '1 day' : `${days} days`;
  const hours = ms / 3_600_000;
  if (Number.isInteger(hours)) return `${hours} h`;
  return formatElapsed(ms);
}

/** "2026-12-14 09:30 UTC" */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A `notify` of the stack's current state, queued (through the outbox) with the warning's history
 * note, so the PR comment is rendered again while the note is the newest: the notifier reads the
 * history on every notify.
 */
export function ttlNotifyTask(stack: Stack): Task {
  return notifyTask(stack, 'notify-ttl-warning');
}

/** The time-to-live verdict for one stack at `now`. */
export function expiry(
  stack: Stack,
  now: Date,
  ttlDays: number | undefined,
  warningMs: number,
): { kind: 'none' } | { kind: 'warn' | 'destroy'; at: Date; ttl: number; since: Date } {
  if (!stack.spec || !TTL_STATES.includes(stack.state)) return { kind: 'none' };
  const ttl = ttlMs(stack.spec, ttlDays);
  if (ttl === undefined) return { kind: 'none' };
  const since = lastUsedAt(stack);
  const at = new Date(since.getTime() + ttl);
  if (now >= at) return { kind: 'destroy', at, ttl, since };
  if (now.getTime() >= at.getTime() - warningMs) return { kind: 'warn', at, ttl, since };
  return { kind: 'none' };
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
 * stacks never are, nor stacks inside a warm window of their schedule or within its wakeBefore). It
 * sends RESUME for FROZEN stacks whose window opens within wakeBefore (only if used recently), and
 * DESTROY for stacks unused past their time to live (noting in history a day ahead). Each FREEZE carries the access time it saw, so the state machine can drop a
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
  limit = 100,
  outboxSweepAgeMs = 60_000,
  deadlines = {},
  deadlineGraceSeconds = DEADLINE_GRACE_SECONDS,
  defaultSchedule,
  ttlDays,
  ttlWarningMs = 86_400_000,
  janitor,
}: FreezerDeps) {
  const limits = { ...DEADLINES, ...deadlines };

  /** Appends a note to a stack's history (a compare-and-set write; a lost race is retried next run). */
  const note = async (stack: Stack, detail: string, now: Date, tasks: Task[] = []): Promise<boolean> => {
    try {
      await store.save({ ...stack, updatedAt: now }, stack, {
        history: [
          {
            stackId: stack.id,
            event: 'DESTROY',
            from: stack.state,
            to: stack.state,
            transitionId: stack.transitionId,
            at: now,
            detail,
          },
        ],
        tasks,
      });
      return true;
    } catch (error) {
      if (error instanceof StaleVersionError) return false;
      throw error;
    }
  };

  /** Time to live: DESTROY for stacks unused past it, a history note for those within the warning. */
  const expire = async (stacks: Stack[], now: Date) => {
    const destroys: ThawEvent[] = [];
    const expiredIds = new Set<string>();
    let warned = 0;
    for (const stack of stacks) {
      const verdict = expiry(stack, now, ttlDays, ttlWarningMs);
      if (verdict.kind === 'none') continue;
      const why = `no access for ${formatTtl(verdict.ttl)}, last on ${formatUtc(verdict.since)}`;
      if (verdict.kind === 'warn') {
        const history = await store.history(stack.id);
        const done = history.some(
          (h) => h.detail?.startsWith(TTL_WARNING_PREFIX) && h.at.getTime() >= verdict.since.getTime(),
        );
        const warning = `${TTL_WARNING_PREFIX} ${formatUtc(verdict.at)} (${why})`;
        if (!done && (await note(stack, warning, now, [ttlNotifyTask(stack)]))) warned++;
        continue;
      }
      if (destroys.length >= limit) continue;
      if (!(await note(stack, `${TTL_REACHED_PREFIX} (${why})`, now))) continue;
      destroys.push(newEvent({ type: 'DESTROY', stackId: stack.id }, now));
      expiredIds.add(stack.id);
    }
    if (destroys.length > 0) {
      await events.sendEvents(destroys);
      log.info('sent DESTROY for stacks past their time to live', { stackIds: [...expiredIds] });
    }
    if (warned > 0) log.info('recorded time-to-live warnings', { count: warned });
    return { expiredIds, warned };
  };

  return async (): Promise<FreezerResult> => {
    const now = clock();
    const stable = await store.list({ states: TTL_STATES });
    const { expiredIds, warned } = await expire(stable, now);
    const scheduleOf = (stack: Stack | undefined) =>
      stack?.spec ? effectiveSchedule(stack.spec, defaultSchedule) : undefined;
    const byId = new Map(stable.map((stack) => [stack.id, stack]));

    const wakeIds = stable
      .filter((stack) => stack.state === 'FROZEN' && !expiredIds.has(stack.id))
      .filter((stack) => {
        const schedule = scheduleOf(stack);
        return (
          schedule !== undefined &&
          shouldWake(schedule, { lastUsedAt: lastUsedAt(stack), frozenSince: stack.enteredAt }, now).wake
        );
      })
      .slice(0, limit)
      .map((stack) => stack.id);
    if (wakeIds.length > 0) {
      await events.sendEvents(wakeIds.map((stackId) => newEvent({ type: 'RESUME', stackId }, now)));
      log.info('sent RESUME ahead of a warm window', { stackIds: wakeIds });
    }

    const idleAll = await store.findIdle(now, limit);
    const idle = idleAll.filter((stack) => {
      if (expiredIds.has(stack.id)) return false;
      const schedule = scheduleOf(byId.get(stack.id));
      return !(schedule && keepsWarm(schedule, now));
    });
    const keptWarm = idleAll.length - idle.length;
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
    const janitorRun = await janitor?.();
    const resent = overdue.filter((o) => o.resend).length;
    const timedOut = overdue.length - resent;
    return {
      freezes: freezes.length,
      swept,
      ...(resent > 0 ? { resent } : {}),
      ...(timedOut > 0 ? { timedOut } : {}),
      ...(wakeIds.length > 0 ? { wakes: wakeIds.length } : {}),
      ...(keptWarm > 0 ? { keptWarm } : {}),
      ...(expiredIds.size > 0 ? { expired: expiredIds.size } : {}),
      ...(warned > 0 ? { warned } : {}),
      ...(janitorRun ? { janitor: janitorRun } : {}),
    };
  };
}

import type { EventType, PrRef, ThawEvent } from './events.ts';
import type { StackSpec } from './spec.ts';
import type { TaskKind } from './tasks.ts';

export const STATES = [
  'LAUNCHING',
  'RUNNING',
  'UPDATING',
  'FREEZING',
  'FROZEN',
  'RESUMING',
  'DESTROYING',
  'DESTROYED',
  'FAILED',
] as const;
export type StackState = (typeof STATES)[number];

/** States in which a transition is in flight: they wait for requirements before moving on. */
export const IN_FLIGHT_STATES = ['LAUNCHING', 'UPDATING', 'FREEZING', 'RESUMING', 'DESTROYING'] as const;
export type InFlightState = (typeof IN_FLIGHT_STATES)[number];
export type StableState = Exclude<StackState, InFlightState>;

export function isInFlight(state: StackState): state is InFlightState {
  return (IN_FLIGHT_STATES as readonly string[]).includes(state);
}

/** One task the current transition waits for. Steps run in order; tasks of one step run together. */
export interface Requirement {
  taskId: string;
  kind: TaskKind;
  step: number;
  /** For scale and await-ready: the replica target. */
  to: 'zero' | 'spec' | null;
  satisfied: boolean;
}

export interface Stack {
  id: string;
  state: StackState;
  /** Null only for a tombstone: a DESTROY that arrived before any LAUNCH. */
  spec: StackSpec | null;
  images: Record<string, string>;
  pr: PrRef | null;
  /** Increases with every transition; tasks carry it so results of old transitions are recognised. */
  transitionId: number;
  requirements: Requirement[];
  /** Events that conflicted with the transition in flight, applied when the stack is stable again. */
  deferred: ThawEvent[];
  /** Images or spec changed while frozen: the next wake deploys instead of only scaling up. */
  pendingDeploy: boolean;
  lastAccessedAt: Date | null;
  /**
   * The newest request (ACCESS) only: unlike lastAccessedAt, a wake does not move it, so a stack the
   * schedule wakes every morning still counts as unused (time to live, `onlyIfUsedWithin`).
   */
  lastRequestAt: Date | null;
  /** `at` of the newest LAUNCH or DESTROY applied: older commands are stale. */
  lastCommandAt: Date | null;
  failureReason: string | null;
  /** Kept awake until then (KEEP): the freezer does not freeze it before. */
  keepUntil: Date | null;
  /** Who asked for the keep (a GitHub login), when known. */
  keptBy: string | null;
  /** `at` of the newest KEEP (or manual FREEZE) applied: an older one arriving late changes nothing. */
  keepSetAt: Date | null;
  /** On FAILED: the in-flight state that failed (a stack that failed while DESTROYING is never restarted by RESUME). */
  failedIn: InFlightState | null;
  /** When the current state was entered: an in-flight state's deadline counts from it. */
  enteredAt: Date;
  /** When the freezer's deadline re-sent the open tasks of the transition in flight (once per transition). */
  resentAt: Date | null;
  /** Compare-and-set version, owned by the store. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The last sign of use: a request, a push (LAUNCH) or the stack's creation. A wake (by the schedule
 * or anyone) is not use: lastAccessedAt, which a wake moves, is not read. Time to live and schedules'
 * `onlyIfUsedWithin` count from it.
 */
export function lastUsedAt(stack: Pick<Stack, 'lastRequestAt' | 'lastCommandAt' | 'createdAt'>): Date {
  const times = [stack.lastRequestAt, stack.lastCommandAt, stack.createdAt].filter(
    (t): t is Date => t !== null,
  );
  return new Date(Math.max(...times.map((t) => t.getTime())));
}

export interface HistoryEntry {
  stackId: string;
  event: EventType;
  from: StackState | null;
  to: StackState;
  transitionId: number;
  at: Date;
  detail: string | null;
}

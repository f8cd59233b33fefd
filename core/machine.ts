import type { EventType } from './events.ts';
import type { InFlightState, StableState, StackState } from './stack.ts';
import type { TaskKind } from './tasks.ts';

/**
 * The state machine as data. `transition()` interprets these two tables and `npm run docs` draws
 * them, so the diagram cannot drift from the code.
 */

/** A task of a step, with an optional condition on the stack. */
export interface PlannedTask {
  kind: TaskKind;
  /** `database`: only when a service asked for a database; `deploy` / `no-deploy`: whether images changed while frozen. */
  when?: 'database' | 'deploy' | 'no-deploy';
  /** For scale and await-ready: the replica target. */
  to?: 'zero' | 'spec';
}

export interface Plan {
  /** The state entered when every requirement is satisfied. */
  target: StableState;
  /** Steps run in order; the tasks of one step are sent together. */
  steps: PlannedTask[][];
}

/** What each in-flight state needs done before it can advance (the seed's requirement table). */
/** Launching and updating do the same: make sure the database exists, deploy, wait until ready. */
const DEPLOY: Plan = {
  target: 'RUNNING',
  steps: [
    [{ kind: 'database.create', when: 'database' }],
    [{ kind: 'services.deploy' }],
    [{ kind: 'services.await-ready', to: 'spec' }],
  ],
};

export const PLANS: Record<InFlightState, Plan> = {
  LAUNCHING: DEPLOY,
  UPDATING: DEPLOY,
  FREEZING: {
    target: 'FROZEN',
    steps: [[{ kind: 'services.scale', to: 'zero' }], [{ kind: 'services.await-ready', to: 'zero' }]],
  },
  RESUMING: {
    target: 'RUNNING',
    steps: [
      [
        { kind: 'services.deploy', when: 'deploy' },
        { kind: 'services.scale', to: 'spec', when: 'no-deploy' },
      ],
      [{ kind: 'services.await-ready', to: 'spec' }],
    ],
  },
  DESTROYING: {
    target: 'DESTROYED',
    steps: [[{ kind: 'services.delete' }], [{ kind: 'database.drop', when: 'database' }]],
  },
};

/**
 * How each state answers each event.
 * - `{ to }`: start that transition (or, for stable targets, enter it directly).
 * - `defer`: keep the event and apply it when the stack is stable again.
 * - `touch`: move lastAccessedAt forward; the state never changes.
 * - `record`: keep the new images/spec for later (LAUNCH on FROZEN: the stack wakes with them).
 * - `advance`: mark a requirement satisfied; enter the plan's target when all are.
 * - `fail`: enter FAILED with the task's reason (a `deadline` TASK_FAILED re-sends the open tasks once first).
 * - `cleanup`: on FAILED, record the result of the scale-to-zero task sent on entering it.
 * - `tombstone`: remember a DESTROY that arrived before any LAUNCH, so a late LAUNCH stays dead.
 * - `keep`: record a KEEP's deadline (the freezer leaves the stack alone until then); with `to`, also
 *   start that transition (a frozen stack kept awake wakes).
 * - `ignore`: a no-op, with the reason given.
 */
export type Rule =
  | { kind: 'to'; to: StackState }
  | { kind: 'defer' }
  | { kind: 'touch' }
  | { kind: 'record' }
  | { kind: 'advance' }
  | { kind: 'fail' }
  | { kind: 'cleanup' }
  | { kind: 'tombstone' }
  | { kind: 'keep'; to?: StackState }
  | { kind: 'ignore'; reason: string };

const to = (state: StackState): Rule => ({ kind: 'to', to: state });
const ignore = (reason: string): Rule => ({ kind: 'ignore', reason });
const defer: Rule = { kind: 'defer' };
const touch: Rule = { kind: 'touch' };
const advance: Rule = { kind: 'advance' };
const fail: Rule = { kind: 'fail' };
const cleanup: Rule = { kind: 'cleanup' };
const keep: Rule = { kind: 'keep' };

const noTransition = ignore('no transition in flight');
const notRunning = ignore('only a RUNNING stack can freeze');
const awakeAlready = ignore('the stack is not frozen');

/** `NONE` is "no stack yet". */
export const RULES: Record<StackState | 'NONE', Record<EventType, Rule>> = {
  NONE: {
    LAUNCH: to('LAUNCHING'),
    DESTROY: { kind: 'tombstone' },
    FREEZE: ignore('unknown stack'),
    RESUME: ignore('unknown stack'),
    ACCESS: ignore('unknown stack'),
    SATISFY_REQ: ignore('unknown stack'),
    TASK_FAILED: ignore('unknown stack'),
    KEEP: ignore('unknown stack'),
  },
  LAUNCHING: {
    LAUNCH: defer,
    DESTROY: to('DESTROYING'),
    FREEZE: notRunning,
    RESUME: awakeAlready,
    ACCESS: touch,
    SATISFY_REQ: advance,
    TASK_FAILED: fail,
    KEEP: keep,
  },
  UPDATING: {
    LAUNCH: defer,
    DESTROY: to('DESTROYING'),
    FREEZE: notRunning,
    RESUME: awakeAlready,
    ACCESS: touch,
    SATISFY_REQ: advance,
    TASK_FAILED: fail,
    KEEP: keep,
  },
  RUNNING: {
    LAUNCH: to('UPDATING'),
    DESTROY: to('DESTROYING'),
    FREEZE: to('FREEZING'),
    RESUME: awakeAlready,
    ACCESS: touch,
    SATISFY_REQ: noTransition,
    TASK_FAILED: noTransition,
    KEEP: keep,
  },
  FREEZING: {
    LAUNCH: defer,
    DESTROY: to('DESTROYING'),
    FREEZE: ignore('already freezing'),
    RESUME: defer,
    ACCESS: touch,
    SATISFY_REQ: advance,
    TASK_FAILED: fail,
    KEEP: defer,
  },
  FROZEN: {
    LAUNCH: { kind: 'record' },
    DESTROY: to('DESTROYING'),
    FREEZE: ignore('already frozen'),
    RESUME: to('RESUMING'),
    ACCESS: touch,
    SATISFY_REQ: noTransition,
    TASK_FAILED: noTransition,
    KEEP: { kind: 'keep', to: 'RESUMING' },
  },
  RESUMING: {
    LAUNCH: defer,
    DESTROY: to('DESTROYING'),
    FREEZE: notRunning,
    RESUME: ignore('already resuming'),
    ACCESS: touch,
    SATISFY_REQ: advance,
    TASK_FAILED: fail,
    KEEP: keep,
  },
  DESTROYING: {
    LAUNCH: defer,
    DESTROY: ignore('already destroying'),
    FREEZE: notRunning,
    RESUME: ignore('the stack is being destroyed'),
    ACCESS: ignore('the stack is being destroyed'),
    SATISFY_REQ: advance,
    TASK_FAILED: fail,
    KEEP: ignore('the stack is being destroyed'),
  },
  DESTROYED: {
    LAUNCH: to('LAUNCHING'),
    DESTROY: ignore('already destroyed'),
    FREEZE: notRunning,
    RESUME: ignore('the stack is destroyed'),
    ACCESS: ignore('the stack is destroyed'),
    SATISFY_REQ: noTransition,
    TASK_FAILED: noTransition,
    KEEP: ignore('the stack is destroyed'),
  },
  FAILED: {
    LAUNCH: to('LAUNCHING'),
    DESTROY: to('DESTROYING'),
    FREEZE: notRunning,
    RESUME: to('LAUNCHING'),
    ACCESS: touch,
    SATISFY_REQ: cleanup,
    TASK_FAILED: cleanup,
    KEEP: keep,
  },
};

/** States entered when a transition finishes or fails: notifications are sent on entering them. */
export const NOTIFY_STATES: readonly StackState[] = ['RUNNING', 'FROZEN', 'FAILED', 'DESTROYED'];

/**
 * How long each in-flight state may last before the freezer steps in (seconds). Longer than the
 * await-ready timeout (READY_TIMEOUT_SECONDS, 15 min), so a task's own failure normally comes first.
 * The freezer's environment overrides each (see docs/lambdas.md).
 */
export const DEADLINES: Record<InFlightState, number> = {
  LAUNCHING: 30 * 60,
  UPDATING: 30 * 60,
  FREEZING: 15 * 60,
  RESUMING: 20 * 60,
  DESTROYING: 20 * 60,
};

/** After re-sending an overdue transition's open tasks, how long the freezer waits before failing it. */
export const DEADLINE_GRACE_SECONDS = 5 * 60;

/**
 * The task id of the TASK_FAILED the freezer sends for an overdue transition. The first one re-sends
 * the transition's open tasks (once); a second one, after the grace, fails it with its reason.
 */
export const DEADLINE_TASK_ID = 'deadline';

/**
 * Entering FAILED from these states scales the stack's services to zero, so a failed stack never
 * keeps paying (a failed DESTROY has deleted what it could; DESTROY again finishes it).
 */
export const SCALE_DOWN_ON_FAILURE: readonly StackState[] = ['LAUNCHING', 'UPDATING', 'FREEZING', 'RESUMING'];

import type { EventOf, ThawEvent } from './events.ts';
import {
  DEADLINE_TASK_ID,
  NOTIFY_STATES,
  PLANS,
  type PlannedTask,
  RULES,
  SCALE_DOWN_ON_FAILURE,
} from './machine.ts';
import { needsDatabase } from './spec.ts';
import { stableStringify } from './stable-json.ts';
import { type HistoryEntry, isInFlight, type Requirement, type Stack, type StackState } from './stack.ts';
import { TASK_VERSION, type Task } from './tasks.ts';

export type TransitionResult =
  | { kind: 'applied' | 'deferred'; stack: Stack; tasks: Task[]; history: HistoryEntry[] }
  | { kind: 'ignored'; reason: string };

/** Working copy of one application: the stack being changed and what it emits. */
interface Draft {
  stack: Stack;
  /** No stack existed before this event: its first history entry comes from nothing. */
  isNew: boolean;
  tasks: Task[];
  history: HistoryEntry[];
  now: Date;
}

/** `held`: the event waits in the deferred list, so it has not taken effect yet. */
type Step = { kind: 'changed' } | { kind: 'deferred' } | { kind: 'ignored'; reason: string; held?: boolean };
const changed: Step = { kind: 'changed' };
const ignored = (reason: string): Step => ({ kind: 'ignored', reason });

/**
 * The whole state machine: applies one event to a stack (undefined when none exists yet) at `now`.
 * Pure: returns the next stack, the tasks to send and the history to append, or why the event
 * changes nothing. The store's version is left alone; persisting it is the caller's job.
 */
export function transition(stack: Stack | undefined, event: ThawEvent, now: Date): TransitionResult {
  const draft: Draft = {
    stack: stack ? structuredClone(stack) : newStack(event.stackId, now),
    isNew: !stack,
    tasks: [],
    history: [],
    now,
  };
  const step = draft.isNew ? applyToNone(draft, event) : apply(draft, event);
  if (step.kind === 'ignored') return step;
  draft.stack.updatedAt = now;
  return {
    kind: step.kind === 'deferred' ? 'deferred' : 'applied',
    stack: draft.stack,
    tasks: draft.tasks,
    history: draft.history,
  };
}

function applyToNone(draft: Draft, event: ThawEvent): Step {
  const rule = RULES.NONE[event.type];
  if (rule.kind === 'ignore') return ignored(rule.reason);
  if (event.type === 'DESTROY') {
    draft.stack.lastCommandAt = new Date(event.at);
    return enter(draft, event, 'DESTROYED', 'destroy arrived before any launch');
  }
  if (event.type !== 'LAUNCH') return ignored('unknown stack');
  adoptLaunch(draft.stack, event);
  return enter(draft, event, 'LAUNCHING');
}

function apply(draft: Draft, event: ThawEvent): Step {
  const { stack } = draft;
  if ((event.type === 'LAUNCH' || event.type === 'DESTROY') && isStaleCommand(stack, event)) {
    return ignored('stale command: a newer LAUNCH or DESTROY was already applied');
  }
  if (event.type === 'KEEP' && stack.keepSetAt && new Date(event.at) <= stack.keepSetAt)
    return ignored('stale keep: a newer KEEP or freeze was already applied');
  const step = applyRule(draft, event);
  if (step.kind === 'ignored' && !step.held && (event.type === 'LAUNCH' || event.type === 'DESTROY')) {
    // A newer command that changes nothing still sets the order: an older command arriving late
    // (reordered delivery) must not undo it.
    stack.lastCommandAt = new Date(event.at);
    return changed;
  }
  return step;
}

function applyRule(draft: Draft, event: ThawEvent): Step {
  const { stack } = draft;
  const rule = RULES[stack.state][event.type];
  switch (rule.kind) {
    case 'ignore':
      return ignored(rule.reason);
    case 'defer':
      return deferEvent(stack, event);
    case 'touch':
      return touch(stack, new Date(event.at));
    case 'record':
      return recordLaunch(draft, event as EventOf<'LAUNCH'>);
    case 'advance':
      return advance(draft, event as EventOf<'SATISFY_REQ'>);
    case 'fail':
      return failTask(draft, event as EventOf<'TASK_FAILED'>);
    case 'cleanup':
      return cleanUp(draft, event as EventOf<'SATISFY_REQ' | 'TASK_FAILED'>);
    case 'tombstone':
      return ignored('the stack exists');
    case 'keep':
      return keepAwake(draft, event as EventOf<'KEEP'>, rule.to);
    case 'to':
      return start(draft, event, rule.to);
  }
}

function start(draft: Draft, event: ThawEvent, to: StackState): Step {
  const { stack } = draft;
  switch (event.type) {
    case 'LAUNCH': {
      if (stack.state === 'RUNNING' && sameLaunch(stack, event))
        return ignored('already running these images and spec');
      adoptLaunch(stack, event);
      return enter(draft, event, to);
    }
    case 'DESTROY': {
      const at = new Date(event.at);
      stack.lastCommandAt = at;
      // DESTROY wins over everything queued before it; a LAUNCH issued after it (a reopened PR) survives.
      stack.deferred = stack.deferred.filter(
        (e) => (e.type === 'LAUNCH' || e.type === 'DESTROY') && new Date(e.at) > at,
      );
      return enter(draft, event, to);
    }
    case 'FREEZE': {
      if (
        event.seenAccessAt !== null &&
        stack.lastAccessedAt &&
        stack.lastAccessedAt > new Date(event.seenAccessAt)
      ) {
        return ignored('stale freeze: the stack was accessed after the freezer looked');
      }
      const at = new Date(event.at);
      // A keep refuses the freezer, and a person's FREEZE issued before the keep was asked for.
      const keptAfter = stack.keepSetAt !== null && at < stack.keepSetAt;
      if (stack.keepUntil && stack.keepUntil > at && (!event.manual || keptAfter))
        return ignored(
          `kept awake until ${stack.keepUntil.toISOString()}${stack.keptBy ? ` by ${stack.keptBy}` : ''}`,
        );
      if (event.manual) endKeep(stack, at);
      return enter(draft, event, to);
    }
    case 'RESUME': {
      if (!stack.spec) return ignored('nothing to start: the stack has no spec');
      if (stack.failedIn === 'DESTROYING')
        return ignored('the stack failed while being destroyed; DESTROY finishes it, LAUNCH starts it again');
      stack.lastAccessedAt = later(stack.lastAccessedAt, new Date(event.at));
      // On FAILED, a RESUME (thaw wake, "Try again") starts the stack again with its stored images and spec.
      return enter(draft, event, to, stack.state === 'FAILED' ? 'retry after failure' : null);
    }
    default:
      return ignored(`${event.type} does not start a transition`);
  }
}

/**
 * KEEP: the newest (by `at`) sets how long the stack stays awake; an `until` not after `at` ends the
 * keep. With `to` (FROZEN), the stack also wakes. On a stable state the PR comment is told at once.
 */
function keepAwake(draft: Draft, event: EventOf<'KEEP'>, to: StackState | undefined): Step {
  const { stack } = draft;
  const at = new Date(event.at);
  const until = new Date(event.until);
  if (until <= at) endKeep(stack, at);
  else {
    stack.keepUntil = until;
    stack.keptBy = event.by ?? null;
    stack.keepSetAt = at;
    if (to && stack.spec) return enter(draft, event, to, `kept awake until ${event.until}`);
  }
  if (!isInFlight(stack.state) && stack.spec)
    draft.tasks.push(notifyTask(stack, `notify-keep-${at.getTime()}`));
  return changed;
}

function endKeep(stack: Stack, at: Date) {
  stack.keepUntil = null;
  stack.keptBy = null;
  stack.keepSetAt = later(stack.keepSetAt, at);
}

/** Enters a state: in-flight states get a new plan and send its first step; stable ones drain deferred events. */
function enter(draft: Draft, event: ThawEvent, to: StackState, detail: string | null = null): Step {
  const { stack } = draft;
  const from = draft.isNew ? null : stack.state;
  draft.isNew = false;
  stack.state = to;
  stack.transitionId += 1;
  stack.requirements = [];
  stack.enteredAt = draft.now;
  stack.resentAt = null;
  if (to !== 'FAILED') stack.failureReason = null;
  // A keep belongs to this life of the stack: a reopened pull request starts without one, and a KEEP
  // issued before the DESTROY that arrives late is stale.
  if (event.type === 'DESTROY') endKeep(stack, new Date(event.at));
  stack.failedIn = to === 'FAILED' && from !== null && isInFlight(from) ? from : null;
  const scaleDown =
    to === 'FAILED' && from !== null && SCALE_DOWN_ON_FAILURE.includes(from) && stack.spec !== null;
  record(draft, event, from, to, scaleDown ? `${detail}; scaling services to zero` : detail);
  if (scaleDown) {
    // A failed stack never keeps paying: scale it down, as a task of this FAILED entry (not a transition).
    stack.requirements = [
      { taskId: 'services.scale', kind: 'services.scale', step: 0, to: 'zero', satisfied: false },
    ];
    emitStep(draft, 0);
  }

  if (isInFlight(to)) {
    stack.requirements = planRequirements(stack, to);
    if (to === 'LAUNCHING' || to === 'UPDATING') stack.pendingDeploy = false;
    if (stack.requirements.length === 0) return enter(draft, event, PLANS[to].target, 'nothing to do');
    emitStep(draft, 0);
    return changed;
  }
  if (to === 'RUNNING') {
    stack.lastAccessedAt = later(stack.lastAccessedAt, draft.now);
    stack.pendingDeploy = false;
  }
  if (NOTIFY_STATES.includes(to) && stack.spec) draft.tasks.push(notifyTask(stack));
  drainDeferred(draft);
  return changed;
}

function planRequirements(stack: Stack, state: keyof typeof PLANS): Requirement[] {
  const applies = (task: PlannedTask) =>
    task.when === undefined ||
    (task.when === 'database' && stack.spec !== null && needsDatabase(stack.spec)) ||
    (task.when === 'deploy' && stack.pendingDeploy) ||
    (task.when === 'no-deploy' && !stack.pendingDeploy);
  return PLANS[state].steps
    .map((tasks) => tasks.filter(applies))
    .filter((tasks) => tasks.length > 0)
    .flatMap((tasks, step) =>
      tasks.map((task) => ({
        taskId: task.kind,
        kind: task.kind,
        step,
        to: task.to ?? null,
        satisfied: false,
      })),
    );
}

function emitStep(draft: Draft, step: number): void {
  for (const requirement of draft.stack.requirements.filter((r) => r.step === step)) {
    draft.tasks.push(buildTask(draft.stack, requirement));
  }
}

function advance(draft: Draft, event: EventOf<'SATISFY_REQ'>): Step {
  const { stack } = draft;
  const requirement = findRequirement(stack, event);
  if ('reason' in requirement) return ignored(requirement.reason);
  if (requirement.satisfied) return ignored('requirement already satisfied');
  const current = currentStep(stack);
  if (requirement.step > current) return ignored('requirement of a step not started yet');
  requirement.satisfied = true;
  if (stack.requirements.some((r) => r.step === current && !r.satisfied)) return changed;
  if (stack.requirements.some((r) => r.step > current)) {
    emitStep(draft, current + 1);
    return changed;
  }
  return enter(draft, event, PLANS[stack.state as keyof typeof PLANS].target);
}

function failTask(draft: Draft, event: EventOf<'TASK_FAILED'>): Step {
  const { stack } = draft;
  if (event.taskId === DEADLINE_TASK_ID) {
    // The freezer found the transition overdue: re-send its open tasks once, fail it the next time.
    if (event.transitionId !== stack.transitionId) return ignored('stale transition');
    if (stack.resentAt === null) {
      stack.resentAt = draft.now;
      draft.tasks.push(...openTasks(stack));
      record(
        draft,
        event,
        stack.state,
        stack.state,
        `deadline passed (${event.reason}); open tasks re-sent once`,
      );
      return changed;
    }
    stack.failureReason = event.reason;
    return enter(draft, event, 'FAILED', event.reason);
  }
  const requirement = findRequirement(draft.stack, event);
  if ('reason' in requirement) return ignored(requirement.reason);
  if (requirement.satisfied) return ignored('requirement already satisfied');
  draft.stack.failureReason = `${event.taskId}: ${event.reason}`;
  return enter(draft, event, 'FAILED', draft.stack.failureReason);
}

/** On FAILED: the scale-to-zero task sent on entering it reports back; history says how it went. */
function cleanUp(draft: Draft, event: EventOf<'SATISFY_REQ' | 'TASK_FAILED'>): Step {
  const requirement = findRequirement(draft.stack, event);
  if ('reason' in requirement) return ignored(requirement.reason);
  if (requirement.satisfied) return ignored('requirement already satisfied');
  requirement.satisfied = true;
  const detail =
    event.type === 'SATISFY_REQ'
      ? 'services scaled to zero'
      : `could not scale services to zero: ${event.reason}`;
  record(draft, event, 'FAILED', 'FAILED', detail);
  return changed;
}

function findRequirement(
  stack: Stack,
  event: { transitionId: number; taskId: string },
): Requirement | { reason: string } {
  if (event.transitionId !== stack.transitionId) return { reason: 'stale transition' };
  return (
    stack.requirements.find((r) => r.taskId === event.taskId) ?? {
      reason: 'not a requirement of this transition',
    }
  );
}

function currentStep(stack: Stack): number {
  return Math.min(...stack.requirements.filter((r) => !r.satisfied).map((r) => r.step));
}

function touch(stack: Stack, at: Date): Step {
  if (stack.lastAccessedAt && at <= stack.lastAccessedAt) {
    // A request older than a wake still counts as use.
    if (!stack.lastRequestAt || at > stack.lastRequestAt) {
      stack.lastRequestAt = at;
      return changed;
    }
    return ignored('not newer than the last access');
  }
  stack.lastAccessedAt = at;
  stack.lastRequestAt = at;
  return changed;
}

function deferEvent(stack: Stack, event: ThawEvent): Step {
  const text = stableStringify(event);
  if (stack.deferred.some((e) => stableStringify(e) === text))
    return { kind: 'ignored', reason: 'already deferred', held: true };
  if (event.type === 'LAUNCH') {
    // Newest push wins: only one LAUNCH waits, the newest, so a burst of pushes becomes one update.
    const at = new Date(event.at);
    if (stack.deferred.some((e) => e.type === 'LAUNCH' && new Date(e.at) >= at))
      return { kind: 'ignored', reason: 'a newer LAUNCH is already waiting', held: true };
    stack.deferred = stack.deferred.filter((e) => e.type !== 'LAUNCH');
  }
  stack.deferred.push(event);
  return { kind: 'deferred' };
}

function recordLaunch(draft: Draft, event: EventOf<'LAUNCH'>): Step {
  const { stack } = draft;
  stack.lastCommandAt = new Date(event.at);
  if (sameLaunch(stack, event)) return ignored('already has these images and spec');
  adoptLaunch(stack, event);
  stack.pendingDeploy = true;
  record(draft, event, stack.state, stack.state, 'new images recorded; the stack wakes with them');
  return changed;
}

/** Applies deferred events in arrival order once the stack is stable; each may defer the rest again. */
function drainDeferred(draft: Draft): void {
  const queue = draft.stack.deferred;
  draft.stack.deferred = [];
  // An event that no longer applies (stale, duplicate) is simply dropped.
  for (const event of queue) apply(draft, event);
}

function record(
  draft: Draft,
  event: ThawEvent,
  from: StackState | null,
  to: StackState,
  detail: string | null,
): void {
  draft.history.push({
    stackId: draft.stack.id,
    event: event.type,
    from,
    to,
    transitionId: draft.stack.transitionId,
    at: draft.now,
    detail,
  });
}

function isStaleCommand(stack: Stack, event: { at: string }): boolean {
  return stack.lastCommandAt !== null && new Date(event.at) <= stack.lastCommandAt;
}

function sameLaunch(stack: Stack, event: EventOf<'LAUNCH'>): boolean {
  return (
    stableStringify(stack.images) === stableStringify(event.images) &&
    stableStringify(stack.spec) === stableStringify(event.spec)
  );
}

function adoptLaunch(stack: Stack, event: EventOf<'LAUNCH'>): void {
  stack.images = event.images;
  stack.spec = event.spec;
  stack.pr = event.pr ?? stack.pr;
  stack.lastCommandAt = new Date(event.at);
}

function later(a: Date | null, b: Date): Date {
  return a && a > b ? a : b;
}

function buildTask(stack: Stack, { kind, to }: Requirement): Task {
  const base = {
    v: TASK_VERSION as typeof TASK_VERSION,
    stackId: stack.id,
    transitionId: stack.transitionId,
    taskId: kind,
    spec: stack.spec!,
    attempt: 0,
  };
  switch (kind) {
    case 'services.deploy':
      return { ...base, kind, images: stack.images };
    case 'services.scale':
      return { ...base, kind, images: stack.images, to: to ?? 'spec' };
    case 'services.await-ready':
      return { ...base, kind, to: to ?? 'spec' };
    case 'database.create':
    case 'database.drop':
    case 'services.delete':
      return { ...base, kind };
    case 'notify':
      return notifyTask(stack);
  }
}

/** A `notify` of the stack's current state (the PR comment and deployment status follow it). */
export function notifyTask(stack: Stack, taskId = `notify-${stack.state.toLowerCase()}`): Task {
  return {
    v: TASK_VERSION as typeof TASK_VERSION,
    kind: 'notify',
    stackId: stack.id,
    transitionId: stack.transitionId,
    taskId,
    spec: stack.spec!,
    attempt: 0,
    state: stack.state,
    reason: stack.failureReason,
    pr: stack.pr,
    images: stack.images,
    ...(stack.keepUntil ? { keep: { until: stack.keepUntil.toISOString(), by: stack.keptBy } } : {}),
  };
}

function newStack(id: string, now: Date): Stack {
  return {
    id,
    state: 'LAUNCHING',
    spec: null,
    images: {},
    pr: null,
    transitionId: 0,
    requirements: [],
    deferred: [],
    pendingDeploy: false,
    lastAccessedAt: null,
    lastRequestAt: null,
    lastCommandAt: null,
    failureReason: null,
    keepUntil: null,
    keptBy: null,
    keepSetAt: null,
    failedIn: null,
    enteredAt: now,
    resentAt: null,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The tasks of the current step not yet satisfied: what to send again when the tasks in flight may
 * have been lost (local mode restarting with its in-memory queues gone). Sending them twice is harmless.
 */
export function openTasks(stack: Stack): Task[] {
  const open = stack.requirements.filter((r) => !r.satisfied);
  if (!isInFlight(stack.state) || !stack.spec || open.length === 0) return [];
  const step = Math.min(...open.map((r) => r.step));
  return open.filter((r) => r.step === step).map((r) => buildTask(stack, r));
}

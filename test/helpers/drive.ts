import type { ThawEvent } from '../../core/events.ts';
import type { Stack } from '../../core/stack.ts';
import type { Task } from '../../core/tasks.ts';
import { transition } from '../../core/transition.ts';
import { access, destroy, freeze, keep, launch, resume, satisfy, taskFailed } from './events.ts';

/** Before every event time the helpers make, so accesses made later are always newer. */
export const NOW = new Date('2025-12-31T00:00:00Z');

/** Applies events with the pure transition function; ignored events leave the stack unchanged. */
export function drive(
  stack: Stack | undefined,
  ...events: ThawEvent[]
): { stack: Stack | undefined; tasks: Task[] } {
  const tasks: Task[] = [];
  let current = stack;
  for (const event of events) {
    const result = transition(current, event, NOW);
    if (result.kind === 'ignored') continue;
    current = { ...result.stack, version: (current?.version ?? 0) + 1 };
    tasks.push(...result.tasks);
  }
  return { stack: current, tasks };
}

/** Satisfies every requirement of the transition in flight, step by step, like a healthy worker; stops when it ends. */
export function settle(stack: Stack): { stack: Stack; tasks: Task[] } {
  let current = stack;
  const all: Task[] = [];
  for (let guard = 0; guard < 20; guard++) {
    const next = current.requirements.find((r) => !r.satisfied);
    if (!next || current.transitionId !== stack.transitionId) break;
    const { stack: after, tasks } = drive(
      current,
      satisfy({ stackId: current.id, transitionId: current.transitionId, taskId: next.taskId }),
    );
    current = after!;
    all.push(...tasks);
  }
  return { stack: current, tasks: all };
}

const id = 'pr-7';
/** A stack in each state, reached through real transitions. */
export function stackIn(state: Stack['state'] | 'NONE'): Stack | undefined {
  const launching = drive(undefined, launch(id)).stack!;
  const running = settle(launching).stack;
  const frozen = settle(drive(running, freeze(id, null)).stack!).stack;
  switch (state) {
    case 'NONE':
      return undefined;
    case 'LAUNCHING':
      return launching;
    case 'RUNNING':
      return running;
    case 'UPDATING':
      return drive(running, launch(id, { web: 'web:2', api: 'api:2' })).stack;
    case 'FREEZING':
      return drive(running, freeze(id, null)).stack;
    case 'FROZEN':
      return frozen;
    case 'RESUMING':
      return drive(frozen, resume(id)).stack;
    case 'DESTROYING':
      return drive(running, destroy(id)).stack;
    case 'DESTROYED':
      return settle(drive(running, destroy(id)).stack!).stack;
    case 'FAILED':
      return drive(
        launching,
        taskFailed({ stackId: id, transitionId: launching.transitionId, taskId: 'database.create' }),
      ).stack;
  }
}

/** A representative event of each type for a stack, aimed at its current transition. */
export function eventFor(type: ThawEvent['type'], stack: Stack | undefined): ThawEvent {
  const target = {
    stackId: id,
    transitionId: stack?.transitionId ?? 1,
    taskId: stack?.requirements.find((r) => !r.satisfied)?.taskId ?? 'services.deploy',
  };
  switch (type) {
    case 'LAUNCH':
      return launch(id, { web: 'web:9', api: 'api:9' });
    case 'DESTROY':
      return destroy(id);
    case 'FREEZE':
      return freeze(id, stack?.lastAccessedAt?.toISOString() ?? null);
    case 'RESUME':
      return resume(id);
    case 'ACCESS':
      return access(id);
    case 'SATISFY_REQ':
      return satisfy(target);
    case 'TASK_FAILED':
      return taskFailed(target);
    case 'KEEP':
      return keep(id);
  }
}

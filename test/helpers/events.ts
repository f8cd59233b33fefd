import type { EventInput, ThawEvent } from '../../core/events.ts';
import { parseEvent } from '../../core/events.ts';
import type { StackSpecInput } from '../../core/spec.ts';
import type { Task } from '../../core/tasks.ts';

/** A small valid spec: web + api, the api with a database. */
export const demoSpec: StackSpecInput = {
  idleTimeout: '30m',
  services: {
    web: { image: 'ghcr.io/acme/web', run: 'node web.js', port: 3000, host: '{stack}', health: '/healthz' },
    api: {
      image: 'ghcr.io/acme/api',
      run: 'node api.js',
      port: 4000,
      host: 'api-{stack}',
      health: '/healthz',
      database: true,
    },
  },
};

export const noDbSpec: StackSpecInput = {
  services: { web: { image: 'ghcr.io/acme/web', run: 'node web.js', port: 3000 } },
};

let tick = Date.parse('2026-01-01T00:00:00Z');
/** Strictly increasing ISO times, so commands made one after another are ordered. */
export function nextAt(): string {
  tick += 1000;
  return new Date(tick).toISOString();
}

type Without<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K> & Partial<Pick<T, K & keyof T>>
  : never;

export function ev(input: Without<EventInput, 'v' | 'at'>): ThawEvent {
  return parseEvent({ v: 1, at: nextAt(), ...input });
}

export const launch = (
  stackId: string,
  images: Record<string, string> = { web: 'web:1', api: 'api:1' },
  spec = demoSpec,
) => ev({ type: 'LAUNCH', stackId, images, spec });
export const destroy = (stackId: string) => ev({ type: 'DESTROY', stackId });
export const freeze = (stackId: string, seenAccessAt: string | null = null) =>
  ev({ type: 'FREEZE', stackId, seenAccessAt });
export const resume = (stackId: string) => ev({ type: 'RESUME', stackId });
export const access = (stackId: string, at = nextAt()) => ev({ type: 'ACCESS', stackId, at });
/** A KEEP for `forMs` from its own `at` (0 or less ends a keep), by `by` when given. */
export const keep = (stackId: string, forMs = 4 * 3_600_000, by?: string, at = nextAt()) =>
  ev({
    type: 'KEEP',
    stackId,
    at,
    until: new Date(Date.parse(at) + forMs).toISOString(),
    ...(by ? { by } : {}),
  });

/** The SATISFY_REQ a task worker sends after doing a task. */
export const satisfy = (task: Pick<Task, 'stackId' | 'transitionId' | 'taskId'>) =>
  ev({ type: 'SATISFY_REQ', stackId: task.stackId, transitionId: task.transitionId, taskId: task.taskId });
export const taskFailed = (task: Pick<Task, 'stackId' | 'transitionId' | 'taskId'>, reason = 'boom') =>
  ev({
    type: 'TASK_FAILED',
    stackId: task.stackId,
    transitionId: task.transitionId,
    taskId: task.taskId,
    reason,
  });

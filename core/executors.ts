import type { Log } from './ports.ts';
import type { TaskKind, TaskOf } from './tasks.ts';

/**
 * What an executor says about a task. Expected outcomes are values:
 * - `done`: the requirement is satisfied (the worker sends SATISFY_REQ);
 * - `wait`: not yet (e.g. services still starting): the worker re-queues the task with a delay
 *   instead of blocking a Lambda for minutes;
 * - `failed`: it cannot succeed (the worker sends TASK_FAILED with the reason).
 * A thrown error is transient: SQS redelivers the task until its receive count runs out.
 */
export type TaskResult =
  | { kind: 'done'; note?: string }
  | { kind: 'wait'; delaySeconds: number; note?: string }
  | { kind: 'failed'; reason: string };

export interface ExecutorContext {
  log: Log;
  /** 1 on the first delivery of this message. */
  receiveCount: number;
}

export type Executor<K extends TaskKind> = (task: TaskOf<K>, context: ExecutorContext) => Promise<TaskResult>;

/** One executor per task kind; a kind without one fails its task with a clear reason. */
export type ExecutorRegistry = { [K in TaskKind]?: Executor<K> };

export const done: TaskResult = { kind: 'done' };

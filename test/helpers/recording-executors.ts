import type { ExecutorRegistry, TaskResult } from '../../core/executors.ts';
import type { TaskKind } from '../../core/tasks.ts';
import { TASK_KINDS } from '../../core/tasks.ts';

export interface Recorded {
  stackId: string;
  kind: TaskKind;
  transitionId: number;
  receiveCount: number;
}

export interface RecordingOptions {
  /** Throw after doing the work, the first time each of these kinds runs (a crash before SATISFY_REQ). */
  crashAfterWork?: TaskKind[];
  /** Fail these kinds for good, with this reason. */
  fail?: Partial<Record<TaskKind, string>>;
  /** await-ready answers "wait" this many times before "done". */
  waits?: number;
}

/**
 * Test executors: each "does" its task by recording it (idempotently: the effect is a set of
 * stack/kind/transition keys), with fault injection. The real executors arrive with the orchestrators.
 */
export function createRecordingExecutors(options: RecordingOptions = {}) {
  const calls: Recorded[] = [];
  const effects = new Set<string>();
  const crashed = new Set<string>();
  const registry: ExecutorRegistry = {};
  for (const kind of TASK_KINDS) {
    registry[kind] = async (task, context): Promise<TaskResult> => {
      calls.push({
        stackId: task.stackId,
        kind,
        transitionId: task.transitionId,
        receiveCount: context.receiveCount,
      });
      const reason = options.fail?.[kind];
      if (reason) return { kind: 'failed', reason };
      if (kind === 'services.await-ready' && task.attempt < (options.waits ?? 0))
        return { kind: 'wait', delaySeconds: 1 };
      effects.add(`${task.stackId}/${kind}/${task.transitionId}`);
      const key = `${task.stackId}/${kind}`;
      if (options.crashAfterWork?.includes(kind) && !crashed.has(key)) {
        crashed.add(key);
        throw new Error(`injected crash after ${kind}`);
      }
      return { kind: 'done' };
    };
  }
  return { registry, calls, effects };
}

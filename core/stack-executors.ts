import { done, type ExecutorRegistry } from './executors.ts';
import type { Orchestrator, StackDatabases, StackTarget } from './orchestrator.ts';
import type { Task } from './tasks.ts';

export interface StackExecutorOptions {
  orchestrator: Orchestrator;
  /** Without it, database tasks are skipped (local mode with no PostgreSQL server) and say so. */
  databases?: StackDatabases;
  /** Seconds between readiness checks (default 5; local mode uses 1). */
  readyPollSeconds?: number;
  /** Give up waiting for readiness after this long (default 15 min). */
  readyTimeoutSeconds?: number;
  /**
   * Check readiness inline for this long before re-queueing with a delay (default 3 s): most local
   * wakes finish inside it. 0: check once per delivery.
   */
  inlineWaitMs?: number;
  /** Between inline checks (default 100 ms, for local processes; ECS checks cost API calls: ≥ 2 s). */
  inlineIntervalMs?: number;
}

const targetOf = (task: Task & { images?: Record<string, string> }): StackTarget => ({
  stackId: task.stackId,
  spec: task.spec,
  images: task.images ?? {},
  transitionId: task.transitionId,
});

/** The executors that really run stacks: services through an orchestrator, a database per stack. */
export function stackExecutors({
  orchestrator,
  databases,
  readyPollSeconds = 5,
  readyTimeoutSeconds = 900,
  inlineWaitMs = 3000,
  inlineIntervalMs = 100,
}: StackExecutorOptions): ExecutorRegistry {
  const maxChecks = Math.max(1, Math.ceil(readyTimeoutSeconds / readyPollSeconds));
  return {
    'database.create': async (task) => {
      if (!databases)
        return { kind: 'done', note: 'no database server configured; the stack runs without DATABASE_URL' };
      await databases.create(task.stackId, task.spec.databaseTemplate);
      return done;
    },
    'database.drop': async (task) => {
      if (!databases) return { kind: 'done', note: 'no database server configured' };
      await databases.drop(task.stackId);
      return done;
    },
    'services.deploy': async (task) => {
      await orchestrator.ensure(targetOf(task));
      return done;
    },
    'services.scale': async (task) => {
      await orchestrator.scale(targetOf(task), task.to);
      return done;
    },
    'services.await-ready': async (task) => {
      const deadline = Date.now() + inlineWaitMs;
      let status = await orchestrator.status(targetOf(task), task.to);
      while (!status.ready && !status.failure && Date.now() + inlineIntervalMs < deadline) {
        await new Promise((resolve) => setTimeout(resolve, inlineIntervalMs));
        status = await orchestrator.status(targetOf(task), task.to);
      }
      if (status.failure) return { kind: 'failed', reason: status.failure };
      if (status.ready) return done;
      const progress = status.services
        .map((s) => `${s.service} ${s.running}/${s.desired}${s.waiting ? ` (${s.waiting})` : ''}`)
        .join(', ');
      if (task.attempt + 1 >= maxChecks)
        return { kind: 'failed', reason: `not ready after ${readyTimeoutSeconds}s (${progress})` };
      return { kind: 'wait', delaySeconds: readyPollSeconds, note: progress };
    },
    'services.delete': async (task) => {
      await orchestrator.remove(targetOf(task));
      return done;
    },
  };
}

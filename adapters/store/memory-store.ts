import { StaleVersionError } from '../../core/errors.ts';
import type { OutboxEntry, Store } from '../../core/ports.ts';
import type { HistoryEntry, Stack } from '../../core/stack.ts';
import { idleAt } from './drizzle-store.ts';

/**
 * The Store in process memory, with the same compare-and-set semantics as PostgreSQL (it passes the
 * same contract suite). For fast property tests and tools; Thaw itself always runs on PGlite or
 * PostgreSQL. Each call yields to the event loop first, so concurrent appliers really interleave.
 */
export function createMemoryStore(): Store {
  const stacks = new Map<string, Stack>();
  const history: HistoryEntry[] = [];
  let outbox: OutboxEntry[] = [];
  let nextOutboxId = 1;
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

  return {
    async load(stackId) {
      await tick();
      const stack = stacks.get(stackId);
      return stack ? structuredClone(stack) : undefined;
    },
    async save(next, prev, effects) {
      await tick();
      const stored = stacks.get(next.id);
      const expected = prev?.version ?? 0;
      if ((stored?.version ?? 0) !== expected || (!prev && stored))
        throw new StaleVersionError(next.id, prev ? expected : null);
      const saved = structuredClone({ ...next, version: expected + 1 });
      stacks.set(next.id, saved);
      history.push(...structuredClone(effects.history));
      for (const task of effects.tasks) {
        outbox.push({
          id: nextOutboxId++,
          stackId: task.stackId,
          task: structuredClone(task),
          createdAt: saved.updatedAt,
        });
      }
      return structuredClone(saved);
    },
    async pendingTasks({ stackIds, olderThan, limit = 100 }) {
      await tick();
      return outbox
        .filter(
          (entry) =>
            (!stackIds || stackIds.includes(entry.stackId)) && (!olderThan || entry.createdAt <= olderThan),
        )
        .slice(0, limit)
        .map((entry) => structuredClone(entry));
    },
    async ackTasks(ids) {
      await tick();
      outbox = outbox.filter((entry) => !ids.includes(entry.id));
    },
    async findIdle(now, limit = 1000) {
      await tick();
      return [...stacks.values()]
        .map((stack) => ({ stack, at: idleAt(stack) }))
        .filter(({ stack, at }) => stack.state === 'RUNNING' && at !== null && at <= now)
        .sort((a, b) => a.at!.getTime() - b.at!.getTime())
        .slice(0, limit)
        .map(({ stack }) => ({ id: stack.id, lastAccessedAt: stack.lastAccessedAt }));
    },
    async list(filter = {}) {
      await tick();
      return [...stacks.values()]
        .filter((stack) => !filter.states || filter.states.includes(stack.state))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, filter.limit)
        .map((stack) => structuredClone(stack));
    },
    async history(stackId) {
      await tick();
      return structuredClone(history.filter((entry) => entry.stackId === stackId));
    },
    async close() {},
  };
}

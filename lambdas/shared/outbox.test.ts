import { describe, expect, it } from 'vitest';
import { MessageTooLargeError } from '../../adapters/sqs.ts';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { applyEvent } from '../../core/apply.ts';
import { silentLog } from '../../core/ports.ts';
import type { Task } from '../../core/tasks.ts';
import { launch } from '../../test/helpers/events.ts';
import { flushOutbox } from './outbox.ts';

describe('flushOutbox', () => {
  it('a task too large for SQS fails its transition with the reason, and never blocks the outbox', async () => {
    const store = createMemoryStore();
    await applyEvent(launch('pr-big'), { store });
    await applyEvent(launch('pr-ok'), { store });
    const sent: Task[] = [];
    const tasks = {
      async sendTasks(batch: Task[]) {
        // The adapter sends what fits and reports the rest (adapters/sqs.ts).
        const big = batch.flatMap((task, index) => (task.stackId === 'pr-big' ? [index] : []));
        sent.push(...batch.filter((task) => task.stackId !== 'pr-big'));
        if (big.length)
          throw new MessageTooLargeError(
            'q',
            big.map((index) => ({ index, stackId: 'pr-big', bytes: 300_000, limitBytes: 262_144 })),
          );
      },
    };
    const count = await flushOutbox({ store, tasks, log: silentLog, stackIds: ['pr-big', 'pr-ok'] });
    expect(sent.map((task) => task.stackId)).toEqual(['pr-ok']);
    expect(count).toBe(1);
    const big = await store.load('pr-big');
    expect(big?.state).toBe('FAILED');
    expect(big?.failureReason).toMatch(/300000 bytes, over the tasks queue's limit of 262144/);
    expect((await store.load('pr-ok'))?.state).toBe('LAUNCHING');
    // The oversized entry is gone: the next flush does not try it again.
    const again: Task[] = [];
    await flushOutbox({
      store,
      tasks: { sendTasks: async (batch) => void again.push(...batch) },
      log: silentLog,
      stackIds: ['pr-ok'],
    });
    expect(again).toEqual([]);
  });

  it('any other send failure keeps the entries for the next flush', async () => {
    const store = createMemoryStore();
    await applyEvent(launch('pr-1'), { store });
    const failing = { sendTasks: async () => Promise.reject(new Error('queue down')) };
    expect(await flushOutbox({ store, tasks: failing, log: silentLog, stackIds: ['pr-1'] })).toBe(0);
    expect(await store.pendingTasks({ stackIds: ['pr-1'] })).toHaveLength(1);
  });
});

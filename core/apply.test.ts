import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { launch } from '../test/helpers/events.ts';
import { applyEvent, applyEvents } from './apply.ts';
import { ContentionError, StaleVersionError } from './errors.ts';
import type { Store } from './ports.ts';

describe('applyEvents', () => {
  it('reports a bad event with its reason and applies the rest of the batch', async () => {
    const store = createMemoryStore();
    const good = launch('pr-1');
    const { outcomes, outgoing } = await applyEvents(
      [{ v: 1, type: 'LAUNCH', stackId: 'Bad Id' }, 'not json at all', good],
      { store },
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['invalid', 'invalid', 'applied']);
    const first = outcomes[0];
    expect(first?.kind === 'invalid' && first.error.message).toMatch(/stackId: expected a stack id/);
    expect(outgoing.map((o) => o.task.kind)).toEqual(['database.create']);
    expect((await store.load('pr-1'))?.state).toBe('LAUNCHING');
  });

  it('reports an infrastructure failure for one stack without stopping the others', async () => {
    const real = createMemoryStore();
    const broken: Store = {
      ...real,
      load: async (id) => {
        if (id === 'pr-down') throw new Error('connection refused');
        return real.load(id);
      },
    };
    const { outcomes } = await applyEvents([launch('pr-down'), launch('pr-up')], { store: broken });
    expect(outcomes).toMatchObject([
      { kind: 'failed', stackId: 'pr-down' },
      { kind: 'applied', stackId: 'pr-up' },
    ]);
    expect(await real.load('pr-down')).toBeUndefined();
  });

  it('gives up with a ContentionError when every write loses', async () => {
    const real = createMemoryStore();
    const hopeless: Store = {
      ...real,
      save: async (next) => Promise.reject(new StaleVersionError(next.id, 0)),
    };
    await expect(applyEvent(launch('pr-2'), { store: hopeless, maxAttempts: 3 })).rejects.toBeInstanceOf(
      ContentionError,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { launch } from '../test/helpers/events.ts';
import { applyEvent } from './apply.ts';
import { ContentionError, StaleVersionError } from './errors.ts';
import type { Store } from './ports.ts';

describe('applyEvent', () => {
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

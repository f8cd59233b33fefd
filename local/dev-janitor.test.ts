import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import type { OwnedResources } from '../core/janitor.ts';
import { silentLog } from '../core/ports.ts';
import { startDevJanitor } from './dev-janitor.ts';

function orphanDatabase() {
  const removed: string[] = [];
  const databases: OwnedResources = {
    listOwned: async () =>
      removed.length ? [] : [{ kind: 'database', name: 'thaw_pr_9', stackId: 'pr-9', detail: '' }],
    removeOwned: async (r) => void removed.push(r.name),
  };
  return { databases, removed };
}

afterEach(() => vi.useRealTimers());

describe('the janitor of thaw dev', () => {
  it('runs one interval after start, not at start', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { databases, removed } = orphanDatabase();
    const janitor = startDevJanitor({
      databases,
      store: createMemoryStore(),
      log: silentLog,
      intervalMinutes: 60,
    });
    await vi.advanceTimersByTimeAsync(59 * 60_000);
    expect(removed).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(removed).toEqual(['thaw_pr_9']));
    janitor.stop();
  });

  it('at interval 0 never runs by itself, but `thaw janitor` still can', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { databases, removed } = orphanDatabase();
    const janitor = startDevJanitor({
      databases,
      store: createMemoryStore(),
      log: silentLog,
      intervalMinutes: 0,
    });
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(removed).toEqual([]);
    expect((await janitor.run({ dryRun: true })).removed.map((i) => i.resource.name)).toEqual(['thaw_pr_9']);
    expect(removed).toEqual([]);
    await janitor.run({ dryRun: false });
    expect(removed).toEqual(['thaw_pr_9']);
    janitor.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../core/apply.ts';
import { StaleVersionError } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import type { Stack } from '../core/stack.ts';
import { transition } from '../core/transition.ts';
import { access, destroy, keep, launch, resume, satisfy } from './helpers/events.ts';
import { requirePostgres, storeDrivers } from './helpers/stores.ts';

const drivers = storeDrivers();

it('runs the store contract on PostgreSQL when CI asks for it', () => {
  if (requirePostgres) expect(drivers.map((d) => d.name)).toContain('postgres');
});

describe.each(drivers)('Store contract: $name', (driver) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let n = 0;
  const freshId = () => `c-${driver.name}-${++n}`;

  beforeAll(async () => {
    ({ store, cleanup } = await driver.open());
  });
  afterAll(() => cleanup());

  /** Launches a stack and settles it to RUNNING through the store, like the pipeline does. */
  async function running(id = freshId(), now = new Date()): Promise<Stack> {
    await applyEvent(launch(id), { store, clock: () => now });
    for (let i = 0; i < 5; i++) {
      const stack = (await store.load(id))!;
      const open = stack.requirements.find((r) => !r.satisfied);
      if (!open) break;
      await applyEvent(satisfy({ stackId: id, transitionId: stack.transitionId, taskId: open.taskId }), {
        store,
        clock: () => now,
      });
    }
    return (await store.load(id))!;
  }

  it('returns undefined for an unknown stack', async () => {
    expect(await store.load('nope')).toBeUndefined();
  });

  it('round-trips a stack with requirements, deferred events and dates', async () => {
    const id = freshId();
    const now = new Date('2026-03-01T10:00:00.123Z');
    const first = transition(undefined, launch(id), now);
    if (first.kind === 'ignored') throw new Error('unexpected');
    const saved = await store.save(first.stack, undefined, { history: first.history, tasks: first.tasks });
    expect(saved.version).toBe(1);
    const deferredLaunch = launch(id, { web: 'web:2', api: 'api:2' });
    const second = transition(saved, deferredLaunch, now);
    if (second.kind === 'ignored') throw new Error('unexpected');
    await store.save(second.stack, saved, { history: [], tasks: [] });
    const loaded = await store.load(id);
    expect(loaded).toEqual({ ...second.stack, version: 2 });
    expect(loaded?.deferred).toEqual([deferredLaunch]);
    expect(loaded?.requirements.map((r) => r.taskId)).toEqual([
      'database.create',
      'services.deploy',
      'services.await-ready',
    ]);
  });

  it('refuses a write based on an old version, and a second insert', async () => {
    const id = freshId();
    const first = transition(undefined, launch(id), new Date());
    if (first.kind === 'ignored') throw new Error('unexpected');
    const v1 = await store.save(first.stack, undefined, { history: [], tasks: [] });
    await expect(store.save(first.stack, undefined, { history: [], tasks: [] })).rejects.toBeInstanceOf(
      StaleVersionError,
    );
    const touched = transition(v1, access(id), new Date());
    if (touched.kind === 'ignored') throw new Error('unexpected');
    await store.save(touched.stack, v1, { history: [], tasks: [] });
    await expect(store.save(touched.stack, v1, { history: [], tasks: [] })).rejects.toBeInstanceOf(
      StaleVersionError,
    );
    expect((await store.load(id))?.version).toBe(2);
  });

  it('a lost race writes nothing: no history, no outbox entries', async () => {
    const id = freshId();
    const first = transition(undefined, launch(id), new Date());
    if (first.kind === 'ignored') throw new Error('unexpected');
    await store.save(first.stack, undefined, first);
    await expect(store.save(first.stack, undefined, first)).rejects.toBeInstanceOf(StaleVersionError);
    expect(await store.history(id)).toHaveLength(1);
    expect(await store.pendingTasks({ stackIds: [id] })).toHaveLength(1);
  });

  it('keeps history in order and the outbox until acknowledged', async () => {
    const stack = await running();
    const history = await store.history(stack.id);
    expect(history.map((h) => `${h.from ?? '∅'}→${h.to}`)).toEqual(['∅→LAUNCHING', 'LAUNCHING→RUNNING']);
    const pending = await store.pendingTasks({ stackIds: [stack.id] });
    expect(pending.map((p) => p.task.kind)).toEqual([
      'database.create',
      'services.deploy',
      'services.await-ready',
      'notify',
    ]);
    await store.ackTasks(pending.slice(0, 2).map((p) => p.id));
    expect((await store.pendingTasks({ stackIds: [stack.id] })).map((p) => p.task.kind)).toEqual([
      'services.await-ready',
      'notify',
    ]);
    expect(await store.pendingTasks({ stackIds: [] })).toEqual([]);
    expect(await store.pendingTasks({ stackIds: [stack.id], olderThan: new Date(0) })).toEqual([]);
  });

  it('finds RUNNING stacks past their own idle timeout, never keep-awake ones', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const idle = await running(freshId(), t0);
    const fresh = await running(freshId(), new Date(t0.getTime() + 29 * 60_000));
    const awakeId = freshId();
    await applyEvent(
      launch(awakeId, { web: 'w' }, { keepAwake: true, services: { web: { image: 'w', port: 1 } } }),
      { store, clock: () => t0 },
    );
    const found = (await store.findIdle(new Date(t0.getTime() + 30 * 60_000))).map((s) => s.id);
    expect(found).toContain(idle.id);
    expect(found).not.toContain(fresh.id);
    expect(found).not.toContain(awakeId);
    const entry = (await store.findIdle(new Date(t0.getTime() + 30 * 60_000))).find((s) => s.id === idle.id);
    expect(entry?.lastAccessedAt).toEqual(t0);
  });

  it('keeps a kept stack (KEEP) out of the idle list until its keep ends, and round-trips the keep', async () => {
    const t0 = new Date('2031-01-01T00:00:00Z');
    const kept = await running(freshId(), t0);
    await applyEvent(keep(kept.id, 2 * 3_600_000, 'alice', t0.toISOString()), { store, clock: () => t0 });
    const loaded = (await store.load(kept.id))!;
    expect(loaded).toMatchObject({
      keptBy: 'alice',
      keepSetAt: t0,
      keepUntil: new Date(t0.getTime() + 2 * 3_600_000),
    });
    const idleAt = async (minutes: number) =>
      (await store.findIdle(new Date(t0.getTime() + minutes * 60_000))).map((s) => s.id);
    expect(await idleAt(30)).not.toContain(kept.id);
    expect(await idleAt(119)).not.toContain(kept.id);
    expect(await idleAt(121)).toContain(kept.id);
  });

  it('lists stacks by state', async () => {
    const stack = await running();
    await applyEvent(destroy(stack.id), { store });
    const destroying = await store.list({ states: ['DESTROYING'] });
    expect(destroying.map((s) => s.id)).toContain(stack.id);
    expect(destroying.every((s) => s.state === 'DESTROYING')).toBe(true);
  });

  it('two appliers racing on one stack never lose an update', async () => {
    const stack = await running();
    const base = stack.lastAccessedAt!.getTime();
    const times = Array.from({ length: 40 }, (_, i) => new Date(base + (i + 1) * 1000).toISOString());
    // The first two reads wait for each other, so both appliers start from the same version and one
    // of them must lose its compare-and-set: the race is certain, not left to timing.
    let waiting: (() => void) | undefined;
    let reads = 0;
    const gated: Store = {
      ...store,
      load: async (id) => {
        const loaded = await store.load(id);
        if (++reads <= 2) {
          if (waiting) waiting();
          else await new Promise<void>((resolve) => (waiting = resolve));
        }
        return loaded;
      },
    };
    // Two concurrent appliers, each taking every other access, plus a RESUME mixed in (a no-op on RUNNING).
    const applier = (offset: number) => async () => {
      const outcomes = [];
      for (let i = offset; i < times.length; i += 2)
        outcomes.push(await applyEvent(access(stack.id, times[i]), { store: gated }));
      outcomes.push(await applyEvent(resume(stack.id), { store: gated }));
      return outcomes;
    };
    const results = (await Promise.all([applier(0)(), applier(1)()])).flat();
    const applied = results.filter((o) => o.kind === 'applied').length;
    const after = (await store.load(stack.id))!;
    expect(after.version).toBe(stack.version + applied);
    // The last access always wins, whichever applier wrote it.
    expect(after.lastAccessedAt?.toISOString()).toBe(times.at(-1));
    // The race happened: a write lost and was retried with a fresh read.
    expect(results.some((o) => 'attempts' in o && o.attempts > 1)).toBe(true);
  });

  it('ignores a duplicate DESTROY; a newer one only records the command order', async () => {
    const stack = await running();
    const first = destroy(stack.id);
    await applyEvent(first, { store });
    const before = await store.history(stack.id);
    expect(await applyEvent(first, { store })).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale command'),
    });
    const newer = destroy(stack.id);
    expect(await applyEvent(newer, { store })).toMatchObject({ kind: 'applied', state: 'DESTROYING' });
    expect(await store.history(stack.id)).toEqual(before);
    expect((await store.load(stack.id))?.lastCommandAt).toEqual(new Date(newer.at));
  });
});

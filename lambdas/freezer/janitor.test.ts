import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { applyEvent } from '../../core/apply.ts';
import type { OwnedResource, OwnedResources } from '../../core/janitor.ts';
import { type Log, silentLog } from '../../core/ports.ts';
import { destroy } from '../../test/helpers/events.ts';
import { loadConfig } from './config.ts';
import { createFreezerHandler } from './handler.ts';
import { createJanitorStep, janitorDue } from './janitor.ts';

const at = (iso: string) => new Date(`2026-11-30T${iso}Z`);

describe('janitorDue', () => {
  it.each([
    ['10:00:05', 60, undefined, true], // a fresh instance runs it
    ['10:59:59', 60, '10:00:05', false],
    ['11:00:01', 60, '10:00:05', true], // a new hour began
    ['10:14:00', 15, '10:00:00', false],
    ['10:15:00', 15, '10:14:59', true],
    ['10:00:00', 0, undefined, false], // 0: off
  ])('at %s every %i min, last run %s: %s', (now, interval, last, due) => {
    expect(janitorDue(at(now), interval, last ? at(last) : undefined)).toBe(due);
  });
});

function fakeSource(names: string[]) {
  const removed: string[] = [];
  const source: OwnedResources = {
    listOwned: async () =>
      names
        .filter((n) => !removed.includes(n))
        .map(
          (name): OwnedResource => ({ kind: 'ecs-service', name, stackId: name.slice(5, -4), detail: '' }),
        ),
    removeOwned: async (r) => void removed.push(r.name),
  };
  return { source, removed };
}

describe('janitor step of the freezer', () => {
  it('runs once per interval as part of a freezer run, and says what it did', async () => {
    const store = createMemoryStore();
    // A stack the store knows (a DESTROY before any LAUNCH leaves a tombstone): not the empty-store refusal.
    await applyEvent(destroy('pr-2'), { store, clock: () => at('09:00:00') });
    const { source, removed } = fakeSource(['thaw-pr-1-web']);
    let now = at('10:00:30');
    const clock = () => now;
    const freezer = createFreezerHandler({
      store,
      events: { sendEvents: async () => {} },
      tasks: { sendTasks: async () => {} },
      log: silentLog,
      clock,
      janitor: createJanitorStep({ sources: [source], store, log: silentLog, clock, intervalMinutes: 60 }),
    });
    expect(await freezer()).toEqual({
      freezes: 0,
      swept: 0,
      janitor: { removed: 1, spared: 0, failed: 0, deferred: 0 },
    });
    expect(removed).toEqual(['thaw-pr-1-web']);
    now = at('10:59:00');
    expect((await freezer()).janitor).toBeUndefined();
    now = at('11:00:10');
    expect((await freezer()).janitor).toEqual({ removed: 0, spared: 0, failed: 0, deferred: 0 });
  });

  it('never runs at interval 0', async () => {
    const { source, removed } = fakeSource(['thaw-pr-1-web']);
    const step = createJanitorStep({
      sources: [source],
      store: createMemoryStore(),
      log: silentLog,
      intervalMinutes: 0,
    });
    expect(await step()).toBeUndefined();
    expect(removed).toEqual([]);
  });

  it('a failing listing is logged and counted, never thrown into the freezer', async () => {
    const errors: string[] = [];
    const log: Log = {
      ...silentLog,
      error: (message, data) => void errors.push(`${message} ${data?.error}`),
    };
    const broken: OwnedResources = {
      listOwned: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
      removeOwned: async () => {},
    };
    const step = createJanitorStep({
      sources: [broken],
      store: createMemoryStore(),
      log,
      intervalMinutes: 60,
    });
    expect(await step()).toEqual({ removed: 0, spared: 0, failed: 1, deferred: 0 });
    expect(errors).toEqual([
      'janitor run failed; the next interval tries again AccessDeniedException: denied',
    ]);
  });

  it('removes nothing while the store knows no stack at all (the wrong DATABASE_URL), and says so', async () => {
    const errors: string[] = [];
    const log: Log = { ...silentLog, error: (message) => void errors.push(message) };
    const { source, removed } = fakeSource(['thaw-pr-1-web']);
    const step = createJanitorStep({
      sources: [source],
      store: createMemoryStore(),
      log,
      intervalMinutes: 60,
    });
    expect(await step()).toEqual({
      removed: 0,
      spared: 0,
      failed: 0,
      deferred: 1,
      refused:
        "the store knows no stack at all, yet 1 resources are Thaw's: is DATABASE_URL the control plane's? Removing nothing",
    });
    expect(removed).toEqual([]);
    expect(errors).toEqual(['janitor refused to run']);
  });
});

describe('freezer configuration of the janitor', () => {
  const base = {
    EVENTS_QUEUE_URL: 'http://q/e.fifo',
    TASKS_QUEUE_URL: 'http://q/t',
    DATABASE_URL: 'postgres://u:p@h/db',
  };
  it('runs every 60 minutes by default; ECS_CLUSTER is optional', () => {
    const config = loadConfig(base);
    expect(config.JANITOR_INTERVAL_MINUTES).toBe(60);
    expect(config.ECS_CLUSTER).toBeUndefined();
    expect(loadConfig({ ...base, ECS_CLUSTER: 'thaw', JANITOR_INTERVAL_MINUTES: '0' })).toMatchObject({
      ECS_CLUSTER: 'thaw',
      JANITOR_INTERVAL_MINUTES: 0,
    });
  });
  it('refuses a negative interval, naming the setting', () => {
    expect(() => loadConfig({ ...base, JANITOR_INTERVAL_MINUTES: '-5' })).toThrow(/JANITOR_INTERVAL_MINUTES/);
  });
});

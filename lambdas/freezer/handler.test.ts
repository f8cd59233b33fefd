import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { applyEvent } from '../../core/apply.ts';
import type { ThawEvent } from '../../core/events.ts';
import { silentLog } from '../../core/ports.ts';
import { launch, noDbSpec } from '../../test/helpers/events.ts';
import { loadConfig } from './config.ts';
import { createFreezerHandler, formatElapsed } from './handler.ts';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A store with one stack left LAUNCHING at T0 (its deploy task was lost), and a freezer at `now`. */
async function setup(deadlines: Record<string, number> = {}) {
  const store = createMemoryStore();
  await applyEvent(launch('pr-1', { web: 'w:1' }, noDbSpec), { store, clock: () => T0 });
  await store.ackTasks((await store.pendingTasks({})).map((p) => p.id));
  const sent: ThawEvent[] = [];
  let now = T0;
  const freezer = createFreezerHandler({
    store,
    events: { sendEvents: async (events) => void sent.push(...events) },
    tasks: { sendTasks: async () => {} },
    log: silentLog,
    clock: () => now,
    deadlines,
    deadlineGraceSeconds: 120,
  });
  const runAt = async (seconds: number) => {
    now = at(seconds);
    sent.length = 0;
    const run = await freezer();
    const result = { resent: run.resent ?? 0, timedOut: run.timedOut ?? 0 };
    for (const event of sent) await applyEvent(event, { store, clock: () => now });
    return { result, events: [...sent] };
  };
  return { store, runAt };
}

describe('freezer: deadlines', () => {
  it('leaves a transition alone before its deadline, re-sends its open tasks once after it, then fails it', async () => {
    const { store, runAt } = await setup({ LAUNCHING: 600 });
    expect((await runAt(599)).result).toEqual({ resent: 0, timedOut: 0 });

    const first = await runAt(600);
    expect(first.result).toEqual({ resent: 1, timedOut: 0 });
    expect(first.events).toMatchObject([{ type: 'TASK_FAILED', taskId: 'deadline', transitionId: 1 }]);
    expect(await store.pendingTasks({ stackIds: ['pr-1'] })).toMatchObject([
      { task: { kind: 'services.deploy', transitionId: 1 } },
    ]);
    expect((await store.load('pr-1'))?.state).toBe('LAUNCHING');

    expect((await runAt(600 + 119)).result).toEqual({ resent: 0, timedOut: 0 }); // within the grace
    expect((await runAt(600 + 120)).result).toEqual({ resent: 0, timedOut: 1 });
    expect(await store.load('pr-1')).toMatchObject({
      state: 'FAILED',
      failureReason: 'timed out in LAUNCHING after 12 min',
    });
    expect((await runAt(10_000)).result).toEqual({ resent: 0, timedOut: 0 }); // FAILED is not in flight
  });

  it('uses the default deadline of each state when none is configured (LAUNCHING: 30 min)', async () => {
    const { runAt } = await setup();
    expect((await runAt(30 * 60 - 1)).result.resent).toBe(0);
    expect((await runAt(30 * 60)).result.resent).toBe(1);
  });

  it('reads each deadline from the environment, with the documented defaults', () => {
    const base = {
      EVENTS_QUEUE_URL: 'http://q/e.fifo',
      TASKS_QUEUE_URL: 'http://q/t',
      DATABASE_URL: 'postgres://u@h/db',
    };
    expect(loadConfig(base)).toMatchObject({
      LAUNCHING_TIMEOUT_SECONDS: 1800,
      UPDATING_TIMEOUT_SECONDS: 1800,
      FREEZING_TIMEOUT_SECONDS: 900,
      RESUMING_TIMEOUT_SECONDS: 1200,
      DESTROYING_TIMEOUT_SECONDS: 1200,
      DEADLINE_GRACE_SECONDS: 300,
    });
    expect(loadConfig({ ...base, RESUMING_TIMEOUT_SECONDS: '600' }).RESUMING_TIMEOUT_SECONDS).toBe(600);
    expect(() => loadConfig({ ...base, RESUMING_TIMEOUT_SECONDS: 'soon' })).toThrow(
      /RESUMING_TIMEOUT_SECONDS/,
    );
  });

  it('reads DEFAULT_SCHEDULE (JSON or compact) and STACK_TTL_DAYS (default 14, 0: never), naming what is wrong', () => {
    const base = {
      EVENTS_QUEUE_URL: 'http://q/e.fifo',
      TASKS_QUEUE_URL: 'http://q/t',
      DATABASE_URL: 'postgres://u@h/db',
    };
    expect(loadConfig(base).STACK_TTL_DAYS).toBe(14);
    expect(loadConfig(base).DEFAULT_SCHEDULE).toBeUndefined();
    expect(loadConfig({ ...base, STACK_TTL_DAYS: '0' }).STACK_TTL_DAYS).toBe(0);
    expect(
      loadConfig({ ...base, DEFAULT_SCHEDULE: 'Europe/Berlin mon-fri 08:30-18:00 wakeBefore=10m' })
        .DEFAULT_SCHEDULE,
    ).toEqual({
      timezone: 'Europe/Berlin',
      warm: [{ days: 'mon-fri', from: '08:30', to: '18:00' }],
      wakeBefore: '10m',
      onlyIfUsedWithin: '7d',
    });
    expect(
      loadConfig({ ...base, DEFAULT_SCHEDULE: '{"timezone":"UTC","warm":[{"from":"09:00","to":"17:00"}]}' })
        .DEFAULT_SCHEDULE?.warm,
    ).toEqual([{ days: 'daily', from: '09:00', to: '17:00' }]);
    expect(() => loadConfig({ ...base, DEFAULT_SCHEDULE: 'Europe/Berlin mon-fri 8:30-18:00' })).toThrow(
      /DEFAULT_SCHEDULE: expected a schedule as JSON .*warm\.0\.from: expected a time of day/,
    );
    expect(() => loadConfig({ ...base, STACK_TTL_DAYS: 'two weeks' })).toThrow(/STACK_TTL_DAYS/);
  });

  it('formats how long a transition took', () => {
    expect(formatElapsed(90_000)).toBe('90 s');
    expect(formatElapsed(25 * 60_000 + 30_000)).toBe('25 min');
    expect(formatElapsed(125 * 60_000)).toBe('2 h 5 min');
  });
});

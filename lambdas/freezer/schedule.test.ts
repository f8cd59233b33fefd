import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent } from '../../core/apply.ts';
import { newEvent, type ThawEvent } from '../../core/events.ts';
import { type Store, silentLog } from '../../core/ports.ts';
import type { StackSpecInput } from '../../core/spec.ts';
import { storeDrivers } from '../../test/helpers/stores.ts';
import { createFreezerHandler, type FreezerResult } from './handler.ts';

/**
 * The freezer's schedules and time to live (issue 16), on real stores (PGlite, and PostgreSQL when
 * DATABASE_URL is set) with an injected clock. Every event the freezer sends is applied through the
 * state machine, and every task is "done" by satisfying its requirement, like a healthy worker.
 */

const MIN = 60_000;
const DAY = 86_400_000;
const office: StackSpecInput = {
  idleTimeout: '30m',
  schedule: {
    timezone: 'Europe/Berlin',
    warm: [{ days: 'mon-fri', from: '10:00', to: '18:00' }], // 09:00-17:00 UTC in winter
    wakeBefore: '5m',
    onlyIfUsedWithin: '7d',
  },
  services: { web: { image: 'ghcr.io/acme/web', port: 3000 } },
};
const plain: StackSpecInput = {
  idleTimeout: '30m',
  services: { web: { image: 'ghcr.io/acme/web', port: 3000 } },
};

describe.each(storeDrivers({ includeMemory: false }))(
  'freezer: schedules and time to live ($name)',
  (driver) => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now: Date;
    beforeEach(async () => {
      ({ store, cleanup } = await driver.open());
    });
    afterEach(async () => cleanup());

    const apply = (event: Parameters<typeof newEvent>[0]) =>
      applyEvent(newEvent(event, now), { store, clock: () => now });

    /** Satisfies the requirements of the transition in flight, step by step. */
    async function settle(stackId: string) {
      for (let guard = 0; guard < 10; guard++) {
        const stack = (await store.load(stackId))!;
        const open = stack.requirements.filter((r) => !r.satisfied);
        if (open.length === 0) break;
        const step = Math.min(...open.map((r) => r.step));
        for (const r of open.filter((o) => o.step === step))
          await apply({ type: 'SATISFY_REQ', stackId, transitionId: stack.transitionId, taskId: r.taskId });
      }
      await store.ackTasks((await store.pendingTasks({ limit: 1000 })).map((p) => p.id));
      return (await store.load(stackId))!;
    }

    async function launched(stackId: string, spec: StackSpecInput, at: Date) {
      now = at;
      await apply({ type: 'LAUNCH', stackId, images: { web: 'w:1' }, spec });
      return settle(stackId);
    }

    async function frozen(stackId: string, at: Date) {
      now = at;
      await apply({ type: 'FREEZE', stackId, seenAccessAt: null });
      return settle(stackId);
    }

    /** One freezer run at `at`, then the events it sent, applied and settled. */
    async function runAt(at: Date, options: { ttlDays?: number } = {}) {
      now = at;
      const sent: ThawEvent[] = [];
      const freezer = createFreezerHandler({
        store,
        events: { sendEvents: async (events) => void sent.push(...events) },
        tasks: { sendTasks: async () => {} },
        log: silentLog,
        clock: () => now,
        ...options,
      });
      const result: FreezerResult = await freezer();
      for (const event of sent) {
        await applyEvent(event, { store, clock: () => now });
        await settle(event.stackId);
      }
      return { result, sent: sent.map((e) => `${e.type} ${e.stackId}`) };
    }

    const state = async (id: string) => (await store.load(id))?.state;

    it('wakes a recently used stack wakeBefore ahead of its window, not a forgotten one, and only once', async () => {
      // pr-old: launched and last used 10 days ago (more than onlyIfUsedWithin), frozen since.
      await launched('pr-old', office, new Date('2026-11-20T12:00:00Z'));
      await frozen('pr-old', new Date('2026-11-20T13:00:00Z'));
      // pr-new: used this morning before the window (Monday 2026-11-30), frozen at 07:40 UTC.
      await launched('pr-new', office, new Date('2026-11-30T07:00:00Z'));
      now = new Date('2026-11-30T07:05:00Z');
      await apply({ type: 'ACCESS', stackId: 'pr-new' });
      await frozen('pr-new', new Date('2026-11-30T07:40:00Z'));

      expect((await runAt(new Date('2026-11-30T08:54:59Z'))).sent).toEqual([]); // 09:54:59 Berlin
      const wake = await runAt(new Date('2026-11-30T08:55:00Z'));
      expect(wake.sent).toEqual(['RESUME pr-new']);
      expect(wake.result.wakes).toBe(1);
      expect(await state('pr-new')).toBe('RUNNING');
      expect(await state('pr-old')).toBe('FROZEN');
      // Frozen again on purpose before the window opens: not woken a second time for this window.
      await frozen('pr-new', new Date('2026-11-30T08:57:00Z'));
      expect((await runAt(new Date('2026-11-30T08:58:00Z'))).sent).toEqual([]);
      expect(await state('pr-new')).toBe('FROZEN');
    });

    it('does not freeze an idle stack inside its window (nor just ahead of it), and freezes it after', async () => {
      await launched('pr-1', office, new Date('2026-11-30T06:00:00Z'));
      await launched('pr-plain', plain, new Date('2026-11-30T06:00:00Z'));
      // Both idle since 06:30. Ahead of the window's wake time, both freeze by the normal rule…
      const early = await runAt(new Date('2026-11-30T08:00:00Z'));
      expect(early.sent.sort()).toEqual(['FREEZE pr-1', 'FREEZE pr-plain']);

      await launched('pr-2', office, new Date('2026-11-30T08:00:00Z')); // idle from 08:30
      // Within wakeBefore: pr-2 is kept awake, and pr-1 (frozen at 08:00, used today) is woken.
      const ahead = await runAt(new Date('2026-11-30T08:56:00Z'));
      expect(ahead.sent).toEqual(['RESUME pr-1']);
      const inside = await runAt(new Date('2026-11-30T12:00:00Z'));
      expect(inside.sent).toEqual([]);
      expect(inside.result).toMatchObject({ freezes: 0, keptWarm: 2 });
      expect((await runAt(new Date('2026-11-30T16:59:59Z'))).sent).toEqual([]);
      expect(await state('pr-2')).toBe('RUNNING');

      const after = await runAt(new Date('2026-11-30T17:00:00Z')); // 18:00 Berlin
      expect(after.sent.sort()).toEqual(['FREEZE pr-1', 'FREEZE pr-2']);
      expect(await state('pr-2')).toBe('FROZEN');
    });

    it('the deployment default schedule applies to specs without one; schedule: false opts out', async () => {
      const defaultSchedule = {
        timezone: 'UTC',
        warm: [{ days: 'daily', from: '09:00', to: '17:00' }],
        wakeBefore: '5m',
        onlyIfUsedWithin: '7d',
      };
      await launched('pr-plain', plain, new Date('2026-11-30T06:00:00Z'));
      await launched('pr-out', { ...plain, schedule: false }, new Date('2026-11-30T06:00:00Z'));
      now = new Date('2026-11-30T12:00:00Z');
      const sent: ThawEvent[] = [];
      await createFreezerHandler({
        store,
        events: { sendEvents: async (events) => void sent.push(...events) },
        tasks: { sendTasks: async () => {} },
        log: silentLog,
        clock: () => now,
        defaultSchedule,
      })();
      expect(sent.map((e) => `${e.type} ${e.stackId}`)).toEqual(['FREEZE pr-out']);
    });

    it('time to live: destroys a stack after N days without access, not before, with a warning a day ahead', async () => {
      const t0 = new Date('2026-11-01T10:00:00Z');
      await launched('pr-9', plain, t0);
      now = new Date(t0.getTime() + 60 * MIN);
      await apply({ type: 'ACCESS', stackId: 'pr-9' });
      const lastUse = now.getTime();
      await frozen('pr-9', new Date(lastUse + 2 * 60 * MIN));

      expect(
        (await runAt(new Date(lastUse + 13 * DAY - 1000), { ttlDays: 14 })).result.warned,
      ).toBeUndefined();
      expect((await runAt(new Date(lastUse + 13 * DAY), { ttlDays: 14 })).result.warned).toBe(1);
      // The warning queues a notify of the current state (outbox), so the PR comment is rendered again.
      expect((await store.pendingTasks({ stackIds: ['pr-9'] })).map((p) => p.task)).toMatchObject([
        { kind: 'notify', taskId: 'notify-ttl-warning', state: 'FROZEN' },
      ]);
      expect(
        (await runAt(new Date(lastUse + 13 * DAY + MIN), { ttlDays: 14 })).result.warned,
      ).toBeUndefined();
      const notes = (await store.history('pr-9')).map((h) => h.detail).filter((d) => d?.includes('destroy'));
      expect(notes).toEqual([
        'will be destroyed on 2026-11-15 11:00 UTC (no access for 14 days, last on 2026-11-01 11:00 UTC)',
      ]);

      expect((await runAt(new Date(lastUse + 14 * DAY - 1000), { ttlDays: 14 })).sent).toEqual([]);
      const expired = await runAt(new Date(lastUse + 14 * DAY), { ttlDays: 14 });
      expect(expired.sent).toEqual(['DESTROY pr-9']);
      expect(expired.result.expired).toBe(1);
      expect(await state('pr-9')).toBe('DESTROYED');
      expect((await store.history('pr-9')).map((h) => h.detail)).toContain(
        'destroying: time to live reached (no access for 14 days, last on 2026-11-01 11:00 UTC)',
      );
      // Without STACK_TTL_DAYS (thaw dev) nothing expires.
      await launched('pr-10', plain, t0);
      expect((await runAt(new Date(t0.getTime() + 400 * DAY))).sent).not.toContain('DESTROY pr-10');
    });

    it('time to live: an access postpones it; a wake (schedule or RESUME) does not; spec ttl wins', async () => {
      const t0 = new Date('2026-11-01T10:00:00Z');
      await launched('pr-a', plain, t0);
      await launched('pr-b', { ...plain, ttl: '3d' }, t0);
      await frozen('pr-b', new Date(t0.getTime() + DAY));
      now = new Date(t0.getTime() + 2 * DAY);
      await apply({ type: 'RESUME', stackId: 'pr-b' }); // a wake, not a request
      await settle('pr-b');
      expect(await state('pr-b')).toBe('RUNNING');
      now = new Date(t0.getTime() + 10 * DAY);
      await apply({ type: 'ACCESS', stackId: 'pr-a' });

      const at3d = await runAt(new Date(t0.getTime() + 3 * DAY), { ttlDays: 14 });
      expect(at3d.sent.filter((s) => s.startsWith('DESTROY'))).toEqual(['DESTROY pr-b']);
      expect((await runAt(new Date(t0.getTime() + 14 * DAY), { ttlDays: 14 })).sent).not.toContain(
        'DESTROY pr-a',
      );
      expect((await runAt(new Date(t0.getTime() + 24 * DAY), { ttlDays: 14 })).sent).toContain(
        'DESTROY pr-a',
      );
    });
  },
);

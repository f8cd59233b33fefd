import { describe, expect, it } from 'vitest';
import { drive, eventFor, NOW, settle, stackIn } from '../test/helpers/drive.ts';
import {
  access,
  destroy,
  freeze,
  keep,
  launch,
  noDbSpec,
  resume,
  satisfy,
  taskFailed,
} from '../test/helpers/events.ts';
import { EVENT_TYPES, type EventType, type ThawEvent } from './events.ts';
import { DEADLINE_TASK_ID } from './machine.ts';
import { STATES, type Stack } from './stack.ts';
import { openTasks, transition } from './transition.ts';

type Expect = string; // a state name, 'deferred' or 'ignored'

/**
 * The seed's table, written out by hand (independently of RULES in machine.ts): what each state
 * does with each event. A state name means "applied, and the stack is now in that state".
 */
const EXPECTED: Record<string, Record<EventType, Expect>> = {
  NONE: {
    LAUNCH: 'LAUNCHING',
    DESTROY: 'DESTROYED',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'ignored',
    SATISFY_REQ: 'ignored',
    TASK_FAILED: 'ignored',
    KEEP: 'ignored',
  },
  LAUNCHING: {
    LAUNCH: 'deferred',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'LAUNCHING',
    SATISFY_REQ: 'LAUNCHING',
    TASK_FAILED: 'FAILED',
    KEEP: 'LAUNCHING',
  },
  RUNNING: {
    LAUNCH: 'UPDATING',
    DESTROY: 'DESTROYING',
    FREEZE: 'FREEZING',
    RESUME: 'ignored',
    ACCESS: 'RUNNING',
    SATISFY_REQ: 'ignored',
    TASK_FAILED: 'ignored',
    KEEP: 'RUNNING',
  },
  UPDATING: {
    LAUNCH: 'deferred',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'UPDATING',
    SATISFY_REQ: 'UPDATING',
    TASK_FAILED: 'FAILED',
    KEEP: 'UPDATING',
  },
  FREEZING: {
    LAUNCH: 'deferred',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'deferred',
    ACCESS: 'FREEZING',
    SATISFY_REQ: 'FREEZING',
    TASK_FAILED: 'FAILED',
    KEEP: 'deferred',
  },
  FROZEN: {
    LAUNCH: 'FROZEN',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'RESUMING',
    ACCESS: 'FROZEN',
    SATISFY_REQ: 'ignored',
    TASK_FAILED: 'ignored',
    KEEP: 'RESUMING',
  },
  RESUMING: {
    LAUNCH: 'deferred',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'RESUMING',
    SATISFY_REQ: 'RESUMING',
    TASK_FAILED: 'FAILED',
    KEEP: 'RESUMING',
  },
  DESTROYING: {
    LAUNCH: 'deferred',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'ignored',
    SATISFY_REQ: 'DESTROYING',
    TASK_FAILED: 'FAILED',
    KEEP: 'ignored',
  },
  DESTROYED: {
    LAUNCH: 'LAUNCHING',
    DESTROY: 'DESTROYED',
    FREEZE: 'ignored',
    RESUME: 'ignored',
    ACCESS: 'ignored',
    SATISFY_REQ: 'ignored',
    TASK_FAILED: 'ignored',
    KEEP: 'ignored',
  },
  FAILED: {
    LAUNCH: 'LAUNCHING',
    DESTROY: 'DESTROYING',
    FREEZE: 'ignored',
    RESUME: 'LAUNCHING', // a retry: thaw wake, "Try again"
    ACCESS: 'FAILED',
    SATISFY_REQ: 'FAILED', // the scale-to-zero sent on entering FAILED reports back
    TASK_FAILED: 'FAILED',
    KEEP: 'FAILED',
  },
};

const cases = (['NONE', ...STATES] as const).flatMap((state) =>
  EVENT_TYPES.map((type) => [state, type, EXPECTED[state]![type]] as const),
);

describe('transition: every state × every event', () => {
  it('covers all 80 combinations', () => expect(cases).toHaveLength(80));

  it.each(cases)('%s + %s → %s', (state, type, expected) => {
    const stack = stackIn(state);
    expect(stack?.state ?? 'NONE').toBe(state);
    const before = structuredClone(stack);
    const result = transition(stack, eventFor(type, stack), NOW);
    expect(stack).toEqual(before); // pure: the input is never mutated
    if (expected === 'ignored') {
      expect(result.kind).toBe('ignored');
    } else if (expected === 'deferred') {
      expect(result.kind).toBe('deferred');
      if (result.kind === 'deferred') {
        expect(result.stack.state).toBe(state);
        expect(result.stack.deferred).toHaveLength((stack?.deferred.length ?? 0) + 1);
      }
    } else {
      expect(result.kind).toBe('applied');
      if (result.kind === 'applied') expect(result.stack.state).toBe(expected);
    }
  });
});

describe('transition: lifecycles', () => {
  it('LAUNCH runs database, deploy, await-ready in order, then RUNNING and a notification', () => {
    const first = drive(undefined, launch('pr-1'));
    expect(first.tasks.map((t) => t.kind)).toEqual(['database.create']);
    let stack = first.stack!;
    const kinds: string[] = [];
    for (const kind of ['database.create', 'services.deploy', 'services.await-ready']) {
      const step = drive(stack, satisfy({ stackId: 'pr-1', transitionId: stack.transitionId, taskId: kind }));
      stack = step.stack!;
      kinds.push(...step.tasks.map((t) => t.kind));
    }
    expect(kinds).toEqual(['services.deploy', 'services.await-ready', 'notify']);
    expect(stack.state).toBe('RUNNING');
    expect(stack.lastAccessedAt).toEqual(NOW);
  });

  it('skips the database step when no service asks for one', () => {
    const { tasks } = drive(undefined, launch('pr-1', { web: 'web:1' }, noDbSpec));
    expect(tasks.map((t) => t.kind)).toEqual(['services.deploy']);
  });

  it('FREEZE → FROZEN scales to zero; RESUME → RUNNING scales back up', () => {
    const running = stackIn('RUNNING')!;
    const freezing = drive(running, freeze(running.id, running.lastAccessedAt!.toISOString()));
    expect(freezing.tasks).toMatchObject([{ kind: 'services.scale', to: 'zero' }]);
    const frozen = settle(freezing.stack!);
    expect(frozen.stack.state).toBe('FROZEN');
    const resuming = drive(frozen.stack, resume(running.id));
    expect(resuming.tasks).toMatchObject([{ kind: 'services.scale', to: 'spec' }]);
    expect(settle(resuming.stack!).stack.state).toBe('RUNNING');
  });

  it('LAUNCH on FROZEN records the images and the wake deploys them', () => {
    const frozen = stackIn('FROZEN')!;
    const recorded = drive(frozen, launch(frozen.id, { web: 'web:5', api: 'api:5' }));
    expect(recorded.stack).toMatchObject({ state: 'FROZEN', pendingDeploy: true, images: { web: 'web:5' } });
    expect(recorded.tasks).toEqual([]);
    const resuming = drive(recorded.stack, resume(frozen.id));
    expect(resuming.tasks).toMatchObject([
      { kind: 'services.deploy', images: { web: 'web:5', api: 'api:5' } },
    ]);
    expect(settle(resuming.stack!).stack.pendingDeploy).toBe(false);
  });

  it('a RESUME during FREEZING is applied once the stack is FROZEN', () => {
    const freezing = stackIn('FREEZING')!;
    const deferred = drive(freezing, resume(freezing.id)).stack!;
    expect(deferred.deferred).toHaveLength(1);
    const after = settle(deferred);
    expect(after.stack.state).toBe('RESUMING');
    expect(after.stack.deferred).toEqual([]);
    expect(after.tasks.map((t) => t.kind)).toContain('services.scale');
  });

  it('a LAUNCH during LAUNCHING becomes an update once RUNNING', () => {
    const launching = stackIn('LAUNCHING')!;
    const deferred = drive(launching, launch(launching.id, { web: 'web:2', api: 'api:2' })).stack!;
    const after = settle(deferred).stack;
    expect(after.state).toBe('UPDATING');
    expect(settle(after).stack).toMatchObject({ state: 'RUNNING', images: { web: 'web:2', api: 'api:2' } });
  });

  it('a duplicate of a deferred event is ignored', () => {
    const launching = stackIn('LAUNCHING')!;
    const event = launch(launching.id, { web: 'web:2', api: 'api:2' });
    const once = drive(launching, event).stack!;
    expect(transition(once, event, NOW)).toMatchObject({ kind: 'ignored', reason: 'already deferred' });
  });

  it('LAUNCH with the images already running changes nothing but the command order', () => {
    const running = stackIn('RUNNING')!;
    const same = launch(running.id, running.images);
    const result = transition(running, same, NOW);
    expect(result).toMatchObject({
      kind: 'applied',
      tasks: [],
      history: [],
      stack: { state: 'RUNNING', lastCommandAt: new Date(same.at) },
    });
    expect(transition(running, same, NOW).kind).toBe('applied');
  });

  it('a newer no-op command still orders later ones: a late older DESTROY cannot undo a re-LAUNCH', () => {
    const running = stackIn('RUNNING')!;
    const olderDestroy = destroy(running.id);
    const newerSameLaunch = launch(running.id, running.images);
    const after = drive(running, newerSameLaunch, olderDestroy).stack!;
    expect(after.state).toBe('RUNNING');
  });

  it('a newer DESTROY on a tombstone keeps an older late LAUNCH dead', () => {
    const d1 = destroy('pr-5');
    const l2 = launch('pr-5');
    const d3 = destroy('pr-5');
    expect(drive(undefined, d1, d3, l2).stack!.state).toBe('DESTROYED');
  });
});

describe('transition: stale, duplicate and reordered input', () => {
  it('ignores a SATISFY_REQ for an older transition', () => {
    const launching = stackIn('LAUNCHING')!;
    const stale = satisfy({
      stackId: launching.id,
      transitionId: launching.transitionId - 1,
      taskId: 'database.create',
    });
    expect(transition(launching, stale, NOW)).toEqual({ kind: 'ignored', reason: 'stale transition' });
  });

  it('ignores a second SATISFY_REQ for the same requirement', () => {
    const launching = stackIn('LAUNCHING')!;
    const event = satisfy({
      stackId: launching.id,
      transitionId: launching.transitionId,
      taskId: 'database.create',
    });
    const once = drive(launching, event).stack!;
    expect(transition(once, event, NOW)).toEqual({
      kind: 'ignored',
      reason: 'requirement already satisfied',
    });
  });

  it('ignores a SATISFY_REQ for a step that has not started', () => {
    const launching = stackIn('LAUNCHING')!;
    const early = satisfy({
      stackId: launching.id,
      transitionId: launching.transitionId,
      taskId: 'services.await-ready',
    });
    expect(transition(launching, early, NOW)).toMatchObject({ kind: 'ignored' });
  });

  it('ignores a FREEZE decided before a newer ACCESS', () => {
    const running = stackIn('RUNNING')!;
    const seen = running.lastAccessedAt!.toISOString();
    const accessed = drive(
      running,
      access(running.id, new Date(running.lastAccessedAt!.getTime() + 5000).toISOString()),
    ).stack!;
    expect(transition(accessed, freeze(running.id, seen), NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale freeze'),
    });
  });

  it('ACCESS only moves lastAccessedAt forward and never changes state', () => {
    const running = stackIn('RUNNING')!;
    const later = new Date(running.lastAccessedAt!.getTime() + 60_000).toISOString();
    const moved = drive(running, access(running.id, later)).stack!;
    expect(moved.lastAccessedAt?.toISOString()).toBe(later);
    expect(transition(moved, access(running.id, running.lastAccessedAt!.toISOString()), NOW).kind).toBe(
      'ignored',
    );
  });

  it('a DESTROY that arrives before its LAUNCH leaves a tombstone the late LAUNCH cannot revive', () => {
    const early = launch('pr-3');
    const lateDestroy = destroy('pr-3');
    const tomb = drive(undefined, lateDestroy).stack!;
    expect(tomb.state).toBe('DESTROYED');
    expect(transition(tomb, early, NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale command'),
    });
  });

  it('DESTROY wins over queued events but keeps a LAUNCH issued after it (PR reopened)', () => {
    const launching = stackIn('LAUNCHING')!;
    const destroyEvent = destroy(launching.id);
    const reopened = launch(launching.id, { web: 'web:3', api: 'api:3' });
    const withDeferred = drive(launching, reopened).stack!;
    const destroying = drive(withDeferred, destroyEvent).stack!;
    expect(destroying.state).toBe('DESTROYING');
    expect(destroying.deferred).toEqual([reopened]);
    const after = settle(destroying).stack;
    expect(after.state).toBe('LAUNCHING');
    expect(after.images).toEqual({ web: 'web:3', api: 'api:3' });
  });

  it('TASK_FAILED → FAILED with the reason; LAUNCH or DESTROY recover', () => {
    const failed = stackIn('FAILED')!;
    expect(failed.failureReason).toContain('boom');
    expect(drive(failed, launch(failed.id, { web: 'web:4', api: 'api:4' })).stack!.state).toBe('LAUNCHING');
    expect(drive(failed, destroy(failed.id)).stack!.state).toBe('DESTROYING');
  });

  it('records every state change in history with from and to', () => {
    const { stack } = settle(drive(undefined, launch('pr-9')).stack!);
    const result = transition(stack, destroy('pr-9'), NOW);
    expect(result.kind === 'applied' && result.history).toEqual([
      expect.objectContaining({ event: 'DESTROY', from: 'RUNNING', to: 'DESTROYING' }),
    ]);
  });

  it('emits a notify task carrying the failure reason', () => {
    const launching = stackIn('LAUNCHING')!;
    const { tasks } = drive(
      launching,
      taskFailed(
        { stackId: launching.id, transitionId: launching.transitionId, taskId: 'database.create' },
        'image not found',
      ),
    );
    expect(tasks.filter((t) => t.kind === 'notify')).toMatchObject([
      { kind: 'notify', state: 'FAILED', reason: 'database.create: image not found' },
    ]);
  });
});

describe('transition: newest push wins', () => {
  it.each([
    ['LAUNCHING', 'RUNNING'],
    ['UPDATING', 'RUNNING'],
    ['RESUMING', 'RUNNING'],
    ['FREEZING', 'FROZEN'],
  ] as const)('3 pushes during %s collapse into one waiting LAUNCH, the newest', (state, stable) => {
    const inFlight = stackIn(state)!;
    const pushes = [3, 4, 5].map((n) => launch(inFlight.id, { web: `web:${n}`, api: `api:${n}` }));
    const held = drive(inFlight, ...pushes).stack!;
    expect(held.deferred).toEqual([pushes[2]]);
    // An older push arriving late (reordered delivery) does not replace the newest one.
    expect(transition(held, pushes[0]!, NOW)).toMatchObject({ kind: 'ignored' });
    const after = settle(held).stack;
    if (stable === 'FROZEN') {
      expect(after).toMatchObject({ state: 'FROZEN', images: { web: 'web:5' }, pendingDeploy: true });
      return;
    }
    expect(after).toMatchObject({ state: 'UPDATING', images: { web: 'web:5', api: 'api:5' }, deferred: [] });
    expect(settle(after).stack).toMatchObject({ state: 'RUNNING', images: { web: 'web:5' }, deferred: [] });
  });

  it('3 pushes during LAUNCHING → exactly one UPDATING, to the newest images', () => {
    const launching = stackIn('LAUNCHING')!;
    const pushes = [3, 4, 5].map((n) => launch(launching.id, { web: `web:${n}`, api: `api:${n}` }));
    let stack = drive(launching, ...pushes).stack!;
    const entered: string[] = [];
    for (let guard = 0; guard < 10 && stack.requirements.some((r) => !r.satisfied); guard++) {
      const next = stack.requirements.find((r) => !r.satisfied)!;
      const result = transition(
        stack,
        satisfy({ ...next, stackId: stack.id, transitionId: stack.transitionId }),
        NOW,
      );
      if (result.kind === 'ignored') break;
      entered.push(...result.history.map((h) => h.to));
      stack = { ...result.stack, version: stack.version + 1 };
    }
    expect(entered.filter((s) => s === 'UPDATING')).toHaveLength(1);
    expect(stack).toMatchObject({ state: 'RUNNING', images: { web: 'web:5', api: 'api:5' } });
  });
});

describe('transition: deadlines', () => {
  const deadline = (stack: Stack, reason = `timed out in ${stack.state} after 20 min`) =>
    taskFailed({ stackId: stack.id, transitionId: stack.transitionId, taskId: DEADLINE_TASK_ID }, reason);

  it.each(['LAUNCHING', 'UPDATING', 'FREEZING', 'RESUMING', 'DESTROYING'] as const)(
    '%s: the first deadline re-sends the open tasks once, the second fails it with the reason',
    (state) => {
      const stack = stackIn(state)!;
      expect(stack.enteredAt).toEqual(NOW);
      const first = transition(stack, deadline(stack), NOW);
      expect(first.kind).toBe('applied');
      if (first.kind !== 'applied') return;
      expect(first.stack).toMatchObject({ state, resentAt: NOW });
      expect(first.tasks).toEqual(openTasks(stack));
      expect(first.tasks.length).toBeGreaterThan(0);
      expect(first.history).toMatchObject([
        { from: state, to: state, detail: expect.stringContaining('open tasks re-sent once') },
      ]);
      const second = drive(first.stack, deadline(first.stack)).stack!;
      expect(second).toMatchObject({ state: 'FAILED', failureReason: `timed out in ${state} after 20 min` });
    },
  );

  it('a deadline of an older transition is stale', () => {
    const stack = stackIn('RESUMING')!;
    const old = taskFailed({
      stackId: stack.id,
      transitionId: stack.transitionId - 1,
      taskId: DEADLINE_TASK_ID,
    });
    expect(transition(stack, old, NOW)).toEqual({ kind: 'ignored', reason: 'stale transition' });
  });

  it('entering a state restarts its deadline and forgets the re-send', () => {
    const resuming = stackIn('RESUMING')!;
    const resent = drive(resuming, deadline(resuming)).stack!;
    const later = new Date(NOW.getTime() + 60_000);
    const next = resent.requirements.find((r) => !r.satisfied)!;
    const result = transition(
      resent,
      satisfy({ ...next, stackId: resent.id, transitionId: resent.transitionId }),
      later,
    );
    expect(result.kind).toBe('applied');
    const settled = result.kind === 'applied' ? settle(result.stack).stack : resent;
    expect(settled).toMatchObject({ state: 'RUNNING', resentAt: null });
  });
});

describe('transition: FAILED is safe and recoverable', () => {
  it.each(['LAUNCHING', 'UPDATING', 'FREEZING', 'RESUMING'] as const)(
    'a failure in %s scales the services to zero, as a task of the FAILED entry, and says so in history',
    (state) => {
      const stack = stackIn(state)!;
      const next = stack.requirements.find((r) => !r.satisfied)!;
      const failed = transition(
        stack,
        taskFailed({ stackId: stack.id, transitionId: stack.transitionId, taskId: next.taskId }, 'boom'),
        NOW,
      );
      expect(failed.kind).toBe('applied');
      if (failed.kind !== 'applied') return;
      expect(failed.stack.state).toBe('FAILED');
      expect(failed.tasks).toMatchObject([
        { kind: 'services.scale', to: 'zero', transitionId: failed.stack.transitionId },
        { kind: 'notify', state: 'FAILED' },
      ]);
      expect(failed.history.at(-1)?.detail).toContain('scaling services to zero');
      const done = transition(
        failed.stack,
        satisfy({ stackId: stack.id, transitionId: failed.stack.transitionId, taskId: 'services.scale' }),
        NOW,
      );
      expect(done).toMatchObject({
        kind: 'applied',
        stack: { state: 'FAILED' },
        history: [{ from: 'FAILED', to: 'FAILED', detail: 'services scaled to zero' }],
      });
    },
  );

  it('a failed DESTROY is not scaled, and a RESUME cannot restart it (DESTROY finishes it)', () => {
    const destroying = stackIn('DESTROYING')!;
    const { tasks, stack } = drive(
      destroying,
      taskFailed({
        stackId: destroying.id,
        transitionId: destroying.transitionId,
        taskId: 'services.delete',
      }),
    );
    expect(tasks.map((t) => t.kind)).toEqual(['notify']);
    expect(stack).toMatchObject({ state: 'FAILED', failedIn: 'DESTROYING' });
    expect(transition(stack, resume(stack!.id), NOW)).toMatchObject({ kind: 'ignored' });
    expect(drive(stack, destroy(stack!.id)).stack!.state).toBe('DESTROYING');
  });

  it('a scale-down that fails is recorded, and the stack stays FAILED', () => {
    const failed = stackIn('FAILED')!;
    const result = transition(
      failed,
      taskFailed(
        { stackId: failed.id, transitionId: failed.transitionId, taskId: 'services.scale' },
        'AccessDenied',
      ),
      NOW,
    );
    expect(result).toMatchObject({
      kind: 'applied',
      stack: { state: 'FAILED' },
      history: [{ detail: 'could not scale services to zero: AccessDenied' }],
    });
  });

  it('RESUME on FAILED starts it again like a LAUNCH, with the stored images and spec', () => {
    const updating = stackIn('UPDATING')!;
    const failed = drive(
      updating,
      taskFailed({ stackId: updating.id, transitionId: updating.transitionId, taskId: 'database.create' }),
    ).stack!;
    const retry = drive(failed, resume(failed.id));
    expect(retry.stack).toMatchObject({ state: 'LAUNCHING', failureReason: null, images: updating.images });
    expect(retry.tasks.map((t) => t.kind)).toEqual(['database.create']);
    expect(settle(retry.stack!).stack).toMatchObject({
      state: 'RUNNING',
      images: { web: 'web:2', api: 'api:2' },
    });
  });
});

describe('transition: lastRequestAt (issue 16: a wake is not use)', () => {
  it('an ACCESS moves lastRequestAt; entering RUNNING after a wake moves only lastAccessedAt', () => {
    const frozen = stackIn('FROZEN')!;
    expect(frozen.lastRequestAt).toBeNull();
    const woken = settle(drive(frozen, resume(frozen.id)).stack!).stack;
    expect(woken.state).toBe('RUNNING');
    expect(woken.lastAccessedAt).not.toBeNull();
    expect(woken.lastRequestAt).toBeNull();
    const accessed = drive(woken, access(woken.id, '2026-06-01T00:00:00Z')).stack!;
    expect(accessed.lastRequestAt).toEqual(new Date('2026-06-01T00:00:00Z'));
  });

  it('a request older than the wake still counts as use (its line arrived late)', () => {
    const woken = settle(drive(stackIn('FROZEN')!, resume('pr-7')).stack!).stack;
    const late = new Date(woken.lastAccessedAt!.getTime() - 60_000);
    const result = transition(woken, access('pr-7', late.toISOString()), NOW);
    expect(result.kind).toBe('applied');
    if (result.kind !== 'applied') return;
    expect(result.stack.lastRequestAt).toEqual(late);
    expect(result.stack.lastAccessedAt).toEqual(woken.lastAccessedAt);
    const again = transition(result.stack, access('pr-7', late.toISOString()), NOW);
    expect(again).toEqual({ kind: 'ignored', reason: 'not newer than the last access' });
  });
});

describe('transition: KEEP (issue 15: /thaw keep)', () => {
  const HOUR = 3_600_000;

  it('on RUNNING: records until and by, tells the PR comment, and the freezer cannot freeze it before then', () => {
    const running = stackIn('RUNNING')!;
    const kept = drive(running, keep(running.id, 4 * HOUR, 'alice'));
    expect(kept.stack).toMatchObject({ state: 'RUNNING', keptBy: 'alice' });
    expect(kept.stack!.keepUntil!.getTime() - kept.stack!.keepSetAt!.getTime()).toBe(4 * HOUR);
    expect(kept.tasks).toMatchObject([
      {
        kind: 'notify',
        state: 'RUNNING',
        keep: { until: kept.stack!.keepUntil!.toISOString(), by: 'alice' },
      },
    ]);
    expect(transition(kept.stack, freeze(running.id, null), NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/^kept awake until .* by alice$/),
    });
  });

  it('a keep that has ended no longer refuses the freezer', () => {
    const running = stackIn('RUNNING')!;
    const kept = drive(running, keep(running.id, 500)).stack!;
    // The helpers' next event time is a second later: after the keep's 500 ms.
    expect(drive(kept, freeze(running.id, null)).stack!.state).toBe('FREEZING');
  });

  it('a manual FREEZE (/thaw freeze) ends the keep and freezes; the KEEP it overrode, arriving late, is stale', () => {
    const running = stackIn('RUNNING')!;
    const first = keep(running.id, 4 * HOUR, 'alice');
    const kept = drive(running, first).stack!;
    const manual = { ...freeze(running.id, null), manual: true } as ThawEvent;
    const frozen = drive(kept, manual).stack!;
    expect(frozen).toMatchObject({ state: 'FREEZING', keepUntil: null, keptBy: null });
    expect(transition(frozen, first, NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale keep'),
    });
  });

  it('a manual FREEZE issued before a newer KEEP (delivered out of order) does not freeze it', () => {
    const running = stackIn('RUNNING')!;
    const manual = { ...freeze(running.id, null), manual: true } as ThawEvent;
    const kept = drive(running, keep(running.id, 4 * HOUR)).stack!;
    expect(transition(kept, manual, NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('kept awake'),
    });
  });

  it('on FROZEN: wakes the stack, and the notification on RUNNING carries the keep', () => {
    const frozen = stackIn('FROZEN')!;
    const waking = drive(frozen, keep(frozen.id, 2 * HOUR, 'bob')).stack!;
    expect(waking.state).toBe('RESUMING');
    const awake = settle(waking);
    expect(awake.stack.state).toBe('RUNNING');
    expect(awake.tasks.find((t) => t.kind === 'notify')).toMatchObject({ keep: { by: 'bob' } });
  });

  it('during FREEZING: deferred, then wakes the stack once it is FROZEN', () => {
    const freezing = stackIn('FREEZING')!;
    const deferred = drive(freezing, keep(freezing.id, HOUR)).stack!;
    expect(deferred).toMatchObject({ state: 'FREEZING', keepUntil: null });
    expect(settle(deferred).stack).toMatchObject({ state: 'RESUMING', keepUntil: expect.any(Date) });
  });

  it('duplicated, reordered and ending KEEPs: the newest by time wins, a copy changes nothing', () => {
    const running = stackIn('RUNNING')!;
    const older = keep(running.id, 8 * HOUR, 'alice');
    const newer = keep(running.id, HOUR, 'bob');
    const kept = drive(running, newer).stack!;
    expect(transition(kept, newer, NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale keep'),
    });
    expect(transition(kept, older, NOW)).toMatchObject({ kind: 'ignored' });
    const off = drive(kept, keep(running.id, 0)).stack!;
    expect(off).toMatchObject({ state: 'RUNNING', keepUntil: null, keptBy: null });
    expect(drive(off, freeze(running.id, null)).stack!.state).toBe('FREEZING');
  });

  it('DESTROY ends the keep: a reopened pull request starts without one', () => {
    const running = stackIn('RUNNING')!;
    const kept = drive(running, keep(running.id, 4 * HOUR)).stack!;
    expect(drive(kept, destroy(running.id)).stack).toMatchObject({ state: 'DESTROYING', keepUntil: null });
  });

  it('a KEEP issued before a DESTROY and delivered after the PR reopened does not keep the new stack', () => {
    const running = stackIn('RUNNING')!;
    const late = keep(running.id, 4 * HOUR, 'alice');
    const destroyed = settle(drive(running, destroy(running.id)).stack!).stack;
    expect(destroyed.state).toBe('DESTROYED');
    const relaunched = drive(destroyed, launch(running.id)).stack!;
    expect(relaunched.state).toBe('LAUNCHING');
    expect(transition(relaunched, late, NOW)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('stale keep'),
    });
  });
});

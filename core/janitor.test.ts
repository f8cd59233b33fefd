import { describe, expect, it } from 'vitest';
import {
  JANITOR_GRACE_MS,
  type OwnedResource,
  type OwnedResources,
  planCleanup,
  runJanitor,
} from './janitor.ts';
import type { StackState } from './stack.ts';

const now = new Date('2026-11-30T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const stack = (id: string, state: StackState, enteredAt = hoursAgo(5)) => ({ id, state, enteredAt });
const res = (
  kind: OwnedResource['kind'],
  name: string,
  stackId: string,
  changedAt?: Date,
): OwnedResource => ({
  kind,
  name,
  stackId,
  detail: '',
  changedAt,
});

describe('planCleanup', () => {
  it('removes resources of absent and long-DESTROYED stacks, and keeps every other state', () => {
    const states: StackState[] = [
      'LAUNCHING',
      'RUNNING',
      'FREEZING',
      'FROZEN',
      'RESUMING',
      'UPDATING',
      'DESTROYING',
      'FAILED',
    ];
    const stacks = [...states.map((s, i) => stack(`live-${i}`, s)), stack('gone', 'DESTROYED')];
    const owned = [
      ...states.map((_, i) => res('ecs-service', `thaw-live-${i}-web`, `live-${i}`, hoursAgo(3))),
      res('ecs-service', 'thaw-gone-web', 'gone', hoursAgo(3)),
      res('database', 'thaw_missing', 'missing'),
    ];
    const plan = planCleanup(owned, stacks, now);
    expect(plan.remove.map((i) => [i.resource.name, i.reason])).toEqual([
      ['thaw-gone-web', 'stack gone was destroyed 5 h ago'],
      ['thaw_missing', 'stack missing does not exist'],
    ]);
    expect(plan.spared).toEqual([]);
  });

  it('spares an orphan younger than the grace period, saying why', () => {
    const plan = planCleanup([res('ecs-service', 'thaw-new-web', 'new', hoursAgo(0.25))], [], now);
    expect(plan.remove).toEqual([]);
    expect(plan.spared.map((i) => i.reason)).toEqual([
      'stack new does not exist, but it changed 15 min ago (grace period 60 min)',
    ]);
  });

  it('keeps the resources of a stack DESTROYED within the grace period (it may be launched again)', () => {
    const plan = planCleanup([res('database', 'thaw_x', 'x')], [stack('x', 'DESTROYED', hoursAgo(0.5))], now);
    expect(plan.remove).toEqual([]);
  });

  it('orders removals: services, task definitions, processes, databases, then roles', () => {
    const owned = [
      res('database-role', 'thaw_stack_a', 'a'),
      res('database', 'thaw_a', 'a'),
      res('task-definition', 'thaw-a-web', 'a', hoursAgo(2)),
      res('ecs-service', 'thaw-a-web', 'a', hoursAgo(2)),
    ];
    expect(planCleanup(owned, [], now, JANITOR_GRACE_MS).remove.map((i) => i.resource.kind)).toEqual([
      'ecs-service',
      'task-definition',
      'database',
      'database-role',
    ]);
  });
});

describe('runJanitor', () => {
  const source = (items: OwnedResource[], failOn?: string) => {
    const removed: string[] = [];
    const skipped: string[] = [];
    const port: OwnedResources = {
      async listOwned({ skip } = {}) {
        return items.filter((i) => {
          if (skip?.(i.stackId)) {
            skipped.push(i.name);
            return false;
          }
          return !removed.includes(i.name);
        });
      },
      async removeOwned(item) {
        if (item.name === failOn) throw new Error('nope');
        removed.push(item.name);
      },
    };
    return { port, removed, skipped };
  };
  const store = { list: async () => [{ ...stack('live', 'RUNNING') }] as never };

  it('a dry run removes nothing and lists what a real run removes; a failure does not stop the rest', async () => {
    const ecs = source([
      res('ecs-service', 'thaw-live-web', 'live', hoursAgo(3)),
      res('ecs-service', 'thaw-old-web', 'old', hoursAgo(3)),
    ]);
    const pg = source(
      [res('database', 'thaw_old', 'old'), res('database-role', 'thaw_stack_old', 'old')],
      'thaw_old',
    );
    const options = { sources: [ecs.port, pg.port], store, clock: () => now };
    const dry = await runJanitor(options, { dryRun: true });
    expect(dry.removed.map((i) => i.resource.name)).toEqual(['thaw-old-web', 'thaw_old', 'thaw_stack_old']);
    expect([...ecs.removed, ...pg.removed]).toEqual([]);
    expect(ecs.skipped).toEqual(['thaw-live-web']);
    const real = await runJanitor(options);
    expect(real.removed.map((i) => i.resource.name)).toEqual(['thaw-old-web', 'thaw_stack_old']);
    expect(real.failed.map((i) => [i.resource.name, i.error])).toEqual([['thaw_old', 'Error: nope']]);
    expect(ecs.removed).toEqual(['thaw-old-web']);
  });

  it('removes at most `limit` per run and says how many wait', async () => {
    const many = source([1, 2, 3].map((n) => res('database', `thaw_o${n}`, `o${n}`)));
    const report = await runJanitor({ sources: [many.port], store, clock: () => now, limit: 2 });
    expect(report.removed).toHaveLength(2);
    expect(report.deferred).toBe(1);
  });
});

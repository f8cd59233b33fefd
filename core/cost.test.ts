import { describe, expect, it } from 'vitest';
import { hourlyCost, stackCost } from './cost.ts';
import { parseSpec } from './spec.ts';
import type { HistoryEntry, StackState } from './stack.ts';

const spec = parseSpec({
  services: {
    web: { image: 'w', port: 1, cpu: 256, memory: 512 },
    api: { image: 'a', port: 2, host: 'api-{stack}', cpu: 1024, memory: 2048, replicas: 2 },
  },
});
const t0 = Date.parse('2026-11-01T00:00:00Z');
const h = (to: StackState, minutes: number): HistoryEntry => ({
  stackId: 's',
  event: 'LAUNCH',
  from: null,
  to,
  transitionId: 1,
  at: new Date(t0 + minutes * 60_000),
  detail: null,
});

describe('cost', () => {
  it('prices every service at its replica count with Fargate rates', () => {
    // web: 0.25 vCPU + 0.5 GB; api: 2 × (1 vCPU + 2 GB)
    expect(hourlyCost(spec)).toBeCloseTo(0.25 * 0.04048 + 0.5 * 0.004445 + 2 * (0.04048 + 2 * 0.004445), 10);
  });

  it('bills awake intervals (one-minute minimum) and compares with always-on', () => {
    const history = [
      h('LAUNCHING', 0),
      h('RUNNING', 1),
      h('FREEZING', 60),
      h('FROZEN', 61),
      h('RESUMING', 600),
      h('RUNNING', 600.5),
      h('FREEZING', 600.6),
      h('FROZEN', 600.7),
      h('DESTROYING', 1200),
      h('DESTROYED', 1201),
    ];
    const cost = stackCost(history, spec, new Date(t0 + 5000 * 60_000));
    expect(cost.awakeHours).toBeCloseTo((61 + 1) / 60, 6); // 61 min + the 1-minute minimum for a 0.7-minute wake
    expect(cost.lifetimeHours).toBeCloseTo(1201 / 60, 6);
    expect(cost.wakes).toBe(1);
    expect(cost.savedUsd).toBeCloseTo(cost.alwaysOnUsd - cost.costUsd, 10);
    expect(cost.costUsd).toBeLessThan(cost.alwaysOnUsd / 10);
  });

  it('counts a stack awake now up to now', () => {
    const cost = stackCost([h('LAUNCHING', 0), h('RUNNING', 2)], spec, new Date(t0 + 120 * 60_000));
    expect(cost.awakeHours).toBeCloseTo(2, 6);
    expect(cost.savedUsd).toBe(0);
  });
});

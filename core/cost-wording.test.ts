import { describe, expect, it } from 'vitest';
import { billedWording, formatHours, stackCost } from './cost.ts';
import { renderComment } from './pr-comment.ts';
import { parseSpec } from './spec.ts';
import type { HistoryEntry, StackState } from './stack.ts';

const spec = parseSpec({ services: { web: { image: 'w', port: 1 } } });
const t0 = Date.parse('2026-11-01T00:00:00Z');
const at = (to: StackState, seconds: number): HistoryEntry => ({
  stackId: 'pr-1',
  event: 'LAUNCH',
  from: null,
  to,
  transitionId: 1,
  at: new Date(t0 + seconds * 1000),
  detail: null,
});
// Launched, frozen after 12 s, woken and frozen again 12 s later, all in its first 36 s.
const twoShortStarts = [
  at('LAUNCHING', 0),
  at('RUNNING', 5),
  at('FROZEN', 12),
  at('RESUMING', 24),
  at('RUNNING', 30),
  at('FROZEN', 36),
];

describe('cost says what it counts: Fargate bills at least one minute per start', () => {
  it('a stack started twice for seconds is billed 2 min, and says so', () => {
    const cost = stackCost(twoShortStarts, spec, new Date(t0 + 36_000));
    expect(cost.starts).toBe(2);
    expect(cost.runningHours * 3600).toBeCloseTo(24, 6);
    expect(billedWording(cost)).toBe('billed 2 min (2 starts × 1-min minimum; awake 0.4 min)');
    expect(formatHours(cost.lifetimeHours)).toBe('0.6 min');
  });

  it('a long and a short start: the minimum is named, the running time shown', () => {
    const cost = stackCost(
      [...twoShortStarts.slice(0, 2), at('FROZEN', 61 * 60), at('RESUMING', 4000), at('FROZEN', 4042)],
      spec,
      new Date(t0 + 5000_000),
    );
    expect(billedWording(cost)).toBe('billed 62 min (2 starts, at least 1 min each; awake 61.7 min)');
  });

  it('when the minimum adds nothing it says awake, in hours past an hour', () => {
    const cost = stackCost([at('LAUNCHING', 0), at('RUNNING', 60)], spec, new Date(t0 + 2 * 3600_000));
    expect(billedWording(cost)).toBe('awake 2.0 h (1 start)');
  });

  it('the PR comment uses the same words, not "awake 0.0 h of 0.0 h"', () => {
    const cost = stackCost(twoShortStarts, spec, new Date(t0 + 36_000));
    const comment = renderComment({ stackId: 'pr-1', state: 'FROZEN', urls: {}, images: {}, cost });
    expect(comment).toContain(
      'Cost so far < $0.01: billed 2 min (2 starts × 1-min minimum; awake 0.4 min) in 0.6 min since launch, 1 wake (Fargate bills at least 1 min per start)',
    );
    expect(comment).not.toMatch(/awake \d+\.\d h of/);
  });
});

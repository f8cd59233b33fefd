import { describe, expect, it } from 'vitest';
import type { StackState } from '../../core/stack.ts';
import { decide, etaPhaseOf, isHoldable, wakesOn } from './decide.ts';

const now = Date.parse('2026-11-30T12:00:00Z');
const facts = (state: StackState, extra: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({
    stack: {
      id: 'pr-1',
      state,
      transitionId: 7,
      failureReason:
        state === 'FAILED'
          ? 'services.deploy: web: CannotPullContainerError: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app: not found'
          : null,
    },
    now,
    eta: { etaSeconds: 40, since: new Date(now - 12_000) },
    retryAfterSeconds: 5,
    routingRetryAfterSeconds: 2,
    ...extra,
  });

describe('decide: what the launcher answers for each state', () => {
  it.each<[StackState, string, number, boolean, number]>([
    // state, phase, code, holdable, retry-after
    ['FROZEN', 'asleep', 503, true, 5],
    ['FREEZING', 'asleep', 503, true, 5],
    ['RESUMING', 'waking', 503, true, 5],
    ['LAUNCHING', 'launching', 503, true, 5],
    ['UPDATING', 'updating', 503, true, 5],
    ['RUNNING', 'routing', 503, true, 2],
    ['FAILED', 'failed', 502, false, 0],
    ['DESTROYING', 'gone', 410, false, 0],
    ['DESTROYED', 'gone', 410, false, 0],
  ])('%s → %s, %i, holdable %s, Retry-After %i', (state, phase, code, holdable, retryAfter) => {
    const view = facts(state);
    expect(view).toMatchObject({ code, holdable, status: { phase, state, retryAfterSeconds: retryAfter } });
    expect(isHoldable(state)).toBe(holdable);
  });

  it('a frozen stack whose RESUME was sent is waking, timed from the send', () => {
    const view = facts('FROZEN', { resumeSentAt: now - 3_000 });
    expect(view.status).toMatchObject({ phase: 'waking', elapsedSeconds: 3, etaSeconds: 40 });
  });

  it('a transition in flight is timed from its start in history', () => {
    expect(facts('RESUMING').status.elapsedSeconds).toBe(12);
    expect(facts('LAUNCHING', { eta: { etaSeconds: 90, since: undefined } }).status).toMatchObject({
      elapsedSeconds: 0,
      etaSeconds: 90,
    });
  });

  it('a RUNNING stack not routed yet is a short retry, never a wake', () => {
    expect(facts('RUNNING').status).toMatchObject({ etaSeconds: 2, elapsedSeconds: 0 });
    expect(wakesOn('RUNNING')).toBe(false);
  });

  it('only FROZEN and FREEZING wake; each waiting state names its estimate', () => {
    const states: StackState[] = [
      'FROZEN',
      'FREEZING',
      'RESUMING',
      'LAUNCHING',
      'UPDATING',
      'RUNNING',
      'FAILED',
    ];
    expect(states.filter(wakesOn)).toEqual(['FROZEN', 'FREEZING']);
    expect(states.map(etaPhaseOf)).toEqual([
      'RESUMING',
      'RESUMING',
      'RESUMING',
      'LAUNCHING',
      'UPDATING',
      undefined,
      undefined,
    ]);
  });

  it('a failed stack shows a category and an id, never the raw reason', () => {
    const { status } = facts('FAILED');
    expect(status.failure).toEqual({ category: 'image could not be pulled', id: 'pr-1#7' });
    expect(JSON.stringify(status)).not.toContain('123456789012');
    expect(facts('FROZEN').status.failure).toBeNull();
  });
});

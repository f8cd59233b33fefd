import { failureCategory } from '../../core/failure-category.ts';
import type { StackState } from '../../core/stack.ts';
import type { LauncherStatus } from './page.ts';

/** The wake-time estimate a state needs: how long a resume, a launch or an update usually takes. */
export type EtaPhase = 'RESUMING' | 'LAUNCHING' | 'UPDATING';

/** What the launcher knows when it answers a request for a stack. */
export interface LauncherFacts {
  stack: { id: string; state: StackState; failureReason: string | null; transitionId: number };
  /** Epoch ms. */
  now: number;
  /** The estimate for `etaPhaseOf(state)`, when there is one. */
  eta?: { etaSeconds: number; since: Date | undefined };
  /** When this sidecar sent (or saw sent) the RESUME for this transition, epoch ms. */
  resumeSentAt?: number;
  retryAfterSeconds: number;
  /** Retry-After while the stack is RUNNING but Traefik has no route to it yet. */
  routingRetryAfterSeconds: number;
}

/** The launcher's answer: what to show, with which status code, and whether `Prefer: wait` may hold it. */
export interface LauncherView {
  status: LauncherStatus;
  code: 410 | 502 | 503;
  /** The stack may still become routable: a `Prefer: wait` request can be held for it. */
  holdable: boolean;
}

const HOLDABLE = new Set<StackState>(['FROZEN', 'FREEZING', 'RESUMING', 'LAUNCHING', 'UPDATING', 'RUNNING']);

/** A request (not a status poll, not a bot) on a stack in this state asks for a RESUME. */
export const wakesOn = (state: StackState): boolean => state === 'FROZEN' || state === 'FREEZING';

/** Whether a held `Prefer: wait` request should keep waiting on a stack in this state. */
export const isHoldable = (state: StackState): boolean => HOLDABLE.has(state);

/** Which estimate a stack in this state shows, if any. */
export function etaPhaseOf(state: StackState): EtaPhase | undefined {
  if (state === 'FROZEN' || state === 'FREEZING' || state === 'RESUMING') return 'RESUMING';
  if (state === 'LAUNCHING' || state === 'UPDATING') return state;
  return undefined;
}

/**
 * The whole of what the launcher answers for a stack that exists, as a pure function of what it
 * knows. A RUNNING stack reaches the launcher only while Traefik has not routed to it yet (the ECS
 * provider polls; a failed DescribeTasks drops routes): a short retry, never a RESUME.
 */
export function decide(facts: LauncherFacts): LauncherView {
  const { stack, now, eta, resumeSentAt } = facts;
  // Strangers read this: a category and an id to quote, never the raw reason (issue 13, item 6).
  const category = failureCategory(stack.failureReason);
  const failure = category === null ? null : { category, id: `${stack.id}#${stack.transitionId}` };
  const base = { stack: stack.id, state: stack.state, failure };
  const elapsedSince = (start: number | undefined) =>
    start === undefined ? 0 : Math.max(0, Math.round((now - start) / 1000));
  const etaSeconds = eta?.etaSeconds ?? 0;
  const waiting = (phase: LauncherStatus['phase'], start: number | undefined): LauncherView => ({
    status: {
      ...base,
      phase,
      etaSeconds,
      elapsedSeconds: elapsedSince(start ?? eta?.since?.getTime() ?? now),
      retryAfterSeconds: facts.retryAfterSeconds,
    },
    code: 503,
    holdable: true,
  });
  const final = (phase: 'failed' | 'gone', code: 410 | 502): LauncherView => ({
    status: { ...base, phase, etaSeconds: 0, elapsedSeconds: 0, retryAfterSeconds: 0 },
    code,
    holdable: false,
  });

  switch (stack.state) {
    case 'FROZEN':
    case 'FREEZING':
      return waiting(resumeSentAt === undefined ? 'asleep' : 'waking', resumeSentAt);
    case 'RESUMING':
      return waiting('waking', undefined);
    case 'LAUNCHING':
      return waiting('launching', undefined);
    case 'UPDATING':
      return waiting('updating', undefined);
    case 'RUNNING':
      return {
        status: {
          ...base,
          phase: 'routing',
          etaSeconds: facts.routingRetryAfterSeconds,
          elapsedSeconds: 0,
          retryAfterSeconds: facts.routingRetryAfterSeconds,
        },
        code: 503,
        holdable: true,
      };
    case 'FAILED':
      return final('failed', 502);
    case 'DESTROYING':
    case 'DESTROYED':
      return final('gone', 410);
  }
}

import { ContentionError, StaleVersionError } from './errors.ts';
import type { ThawEvent } from './events.ts';
import type { Clock, Store } from './ports.ts';
import type { StackState } from './stack.ts';
import { transition } from './transition.ts';

export type EventOutcome =
  | {
      kind: 'applied' | 'deferred';
      stackId: string;
      event: ThawEvent['type'];
      state: StackState;
      attempts: number;
    }
  | { kind: 'ignored'; stackId: string; event: ThawEvent['type']; reason: string; attempts: number };

export interface ApplyOptions {
  store: Store;
  clock?: Clock;
  /** Compare-and-set attempts before giving up on a hot stack (default 50). */
  maxAttempts?: number;
}

/**
 * Applies one event: load → transition → compare-and-set write, retrying with a fresh read when
 * another writer won. Tasks are written to the outbox in the same transaction as the state.
 */
export async function applyEvent(
  event: ThawEvent,
  { store, clock = () => new Date(), maxAttempts = 50 }: ApplyOptions,
): Promise<EventOutcome> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await store.load(event.stackId);
    const result = transition(current, event, clock());
    if (result.kind === 'ignored') {
      return {
        kind: 'ignored',
        stackId: event.stackId,
        event: event.type,
        reason: result.reason,
        attempts: attempt,
      };
    }
    try {
      const saved = await store.save(result.stack, current, { history: result.history, tasks: result.tasks });
      return {
        kind: result.kind,
        stackId: event.stackId,
        event: event.type,
        state: saved.state,
        attempts: attempt,
      };
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      if (attempt === maxAttempts) throw new ContentionError(event.stackId, attempt, { cause: error });
      await backoff(attempt);
    }
  }
  throw new ContentionError(event.stackId, maxAttempts);
}

/** Jittered exponential backoff, capped at ~50 ms: contention on one stack clears quickly. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { ContentionError, StaleVersionError, ValidationError } from './errors.ts';
import { parseEvent, type ThawEvent } from './events.ts';
import type { Clock, OutboxEntry, Store } from './ports.ts';
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
  | { kind: 'ignored'; stackId: string; event: ThawEvent['type']; reason: string; attempts: number }
  | { kind: 'invalid'; error: ValidationError }
  | { kind: 'failed'; stackId: string; error: unknown };

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

export interface BatchResult {
  outcomes: EventOutcome[];
  /** Outbox entries of the stacks this batch touched (including ones left by an earlier crash). */
  outgoing: OutboxEntry[];
}

/**
 * Applies a batch of raw (unvalidated) events in order. A bad event becomes an `invalid` outcome and
 * an infrastructure error a `failed` one; neither stops the others. The caller sends `outgoing` and
 * acknowledges it with `store.ackTasks`.
 */
export async function applyEvents(raw: readonly unknown[], options: ApplyOptions): Promise<BatchResult> {
  const outcomes: EventOutcome[] = [];
  const touched = new Set<string>();
  for (const input of raw) {
    let event: ThawEvent;
    try {
      event = parseEvent(input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      outcomes.push({ kind: 'invalid', error });
      continue;
    }
    touched.add(event.stackId);
    try {
      outcomes.push(await applyEvent(event, options));
    } catch (error) {
      outcomes.push({ kind: 'failed', stackId: event.stackId, error });
    }
  }
  const outgoing = await options.store.pendingTasks({ stackIds: [...touched], limit: 1000 });
  return { outcomes, outgoing };
}

/** Jittered exponential backoff, capped at ~50 ms: contention on one stack clears quickly. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

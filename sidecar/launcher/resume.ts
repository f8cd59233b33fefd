import { newEvent } from '../../core/events.ts';
import type { EventSender } from '../../core/ports.ts';
import { ResumeFailedError } from '../errors.ts';

/** The last RESUME attempt for one stack and transition; `error` when the send failed. */
interface Attempt {
  at: number;
  error?: unknown;
}

/**
 * Sends RESUME once per stack however many requests arrive: concurrent callers share one send
 * (single flight), and later ones within the cool-down send nothing. A failed send counts as an
 * attempt too: its callers and every later one within the cool-down get a ResumeFailedError (503 +
 * Retry-After), and the next request after the cool-down tries once more. The key includes the
 * stack's transition, so a stack frozen again after a wake gets its RESUME at once. The state machine
 * ignores extra RESUMEs anyway; this keeps a thundering herd off the queue.
 */
export function createResumer({
  events,
  cooldownMs = 10_000,
  clock = Date.now,
  onSent,
  onFailed,
}: {
  events: EventSender;
  cooldownMs?: number;
  clock?: () => number;
  onSent?: (stackId: string) => void;
  onFailed?: (stackId: string, error: unknown) => void;
}) {
  const inflight = new Map<string, Promise<Attempt>>();
  const attempts = new Map<string, Attempt>();
  const keyOf = (stackId: string, transitionId: number) => `${stackId}#${transitionId}`;
  const fresh = (key: string) => {
    const last = attempts.get(key);
    return last !== undefined && clock() - last.at < cooldownMs ? last : undefined;
  };

  /** The one send for a key; never rejects (the outcome is recorded in the attempt). */
  const send = async (key: string, stackId: string): Promise<Attempt> => {
    let attempt: Attempt;
    try {
      await events.sendEvents([newEvent({ type: 'RESUME', stackId }, new Date(clock()))]);
      attempt = { at: clock() };
      onSent?.(stackId);
    } catch (error) {
      attempt = { at: clock(), error };
      onFailed?.(stackId, error);
    }
    attempts.set(key, attempt);
    if (attempts.size > 10_000)
      for (const [k, a] of attempts) if (clock() - a.at >= cooldownMs) attempts.delete(k);
    inflight.delete(key);
    return attempt;
  };

  /** When the RESUME was sent, or a ResumeFailedError saying when to try again. */
  const outcome = (stackId: string, attempt: Attempt): number => {
    if (attempt.error === undefined) return attempt.at;
    const retryAfter = Math.max(1, Math.ceil((attempt.at + cooldownMs - clock()) / 1000));
    throw new ResumeFailedError(stackId, retryAfter, { cause: attempt.error });
  };

  return {
    /** Resolves once a RESUME for the stack has been sent (now or within the cool-down); returns when. */
    async resume(stackId: string, transitionId = 0): Promise<number> {
      const key = keyOf(stackId, transitionId);
      const last = fresh(key);
      if (last) return outcome(stackId, last);
      let pending = inflight.get(key);
      if (!pending) {
        pending = send(key, stackId);
        inflight.set(key, pending);
      }
      return outcome(stackId, await pending);
    },
    /** Whether `resume` would send now: nothing in flight and no attempt within the cool-down. */
    wouldSend(stackId: string, transitionId = 0): boolean {
      const key = keyOf(stackId, transitionId);
      return !inflight.has(key) && !fresh(key);
    },
    /** When a RESUME was last sent for this stack in this transition, if within the cool-down. */
    recent(stackId: string, transitionId = 0): number | undefined {
      const last = fresh(keyOf(stackId, transitionId));
      return last && last.error === undefined ? last.at : undefined;
    },
  };
}

import { parseEvent } from '../../core/events.ts';
import type { EventSender } from '../../core/ports.ts';

/**
 * Sends RESUME once per stack however many requests arrive: concurrent callers share one send
 * (single flight), and later ones within the cool-down send nothing. The key includes the stack's
 * transition, so a stack frozen again after a wake gets its RESUME at once. The state machine
 * ignores extra RESUMEs anyway; this keeps a thundering herd off the queue.
 */
export function createResumer({
  events,
  cooldownMs = 10_000,
  clock = Date.now,
  onSent,
}: {
  events: EventSender;
  cooldownMs?: number;
  clock?: () => number;
  onSent?: (stackId: string) => void;
}) {
  const inflight = new Map<string, Promise<void>>();
  const sentAt = new Map<string, number>();
  return {
    /** Resolves once a RESUME for the stack has been sent (now or within the cool-down). Returns when it was sent. */
    async resume(stackId: string, transitionId = 0): Promise<number> {
      const key = `${stackId}#${transitionId}`;
      const last = sentAt.get(key);
      if (last !== undefined && clock() - last < cooldownMs) return last;
      let pending = inflight.get(key);
      if (!pending) {
        pending = (async () => {
          try {
            await events.sendEvents([
              parseEvent({ v: 1, type: 'RESUME', stackId, at: new Date(clock()).toISOString() }),
            ]);
            sentAt.set(key, clock());
            if (sentAt.size > 10_000)
              for (const [k, t] of sentAt) if (clock() - t >= cooldownMs) sentAt.delete(k);
            onSent?.(stackId);
          } finally {
            inflight.delete(key);
          }
        })();
        inflight.set(key, pending);
      }
      await pending;
      return sentAt.get(key)!;
    },
    /** When a RESUME was last sent for this stack in this transition, if within the cool-down. */
    recent(stackId: string, transitionId = 0): number | undefined {
      const last = sentAt.get(`${stackId}#${transitionId}`);
      return last !== undefined && clock() - last < cooldownMs ? last : undefined;
    },
  };
}

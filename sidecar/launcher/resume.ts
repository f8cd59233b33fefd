import { parseEvent } from '../../core/events.ts';
import type { EventSender } from '../../core/ports.ts';

/**
 * Sends RESUME once per stack however many requests arrive: concurrent callers share one send
 * (single flight), and later ones within the cool-down send nothing. The state machine ignores
 * extra RESUMEs anyway; this keeps a thundering herd off the queue.
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
    async resume(stackId: string): Promise<number> {
      const last = sentAt.get(stackId);
      if (last !== undefined && clock() - last < cooldownMs) return last;
      let pending = inflight.get(stackId);
      if (!pending) {
        pending = (async () => {
          try {
            await events.sendEvents([
              parseEvent({ v: 1, type: 'RESUME', stackId, at: new Date(clock()).toISOString() }),
            ]);
            sentAt.set(stackId, clock());
            onSent?.(stackId);
          } finally {
            inflight.delete(stackId);
          }
        })();
        inflight.set(stackId, pending);
      }
      await pending;
      return sentAt.get(stackId)!;
    },
    /** When a RESUME was last sent for the stack, if within the cool-down. */
    recent(stackId: string): number | undefined {
      const last = sentAt.get(stackId);
      return last !== undefined && clock() - last < cooldownMs ? last : undefined;
    },
  };
}

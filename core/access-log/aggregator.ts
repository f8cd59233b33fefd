import { newEvent, type ThawEvent } from '../events.ts';
import type { EventSender, Log } from '../ports.ts';
import type { AccessLine } from './parse.ts';

/** Statuses of the protection middlewares (core/protection.ts): 401 (basic/forward auth), 403 (IP allow-list). */
const REFUSED = new Set([401, 403, 407]);

export interface AggregatorOptions {
  events: EventSender;
  log: Log;
  /** Maps an access line to its stack id, or undefined (unknown host). */
  stackIdFor: (line: AccessLine) => Promise<string | undefined> | string | undefined;
  /** Name of the catch-all router to the launcher: requests it served are not activity. */
  launcherRouter: string;
  /** Flush window (ms, default 10 s): at most one ACCESS per stack per window. */
  windowMs?: number;
  onSent?: (count: number) => void;
}

/**
 * Turns access lines into ACCESS events: the latest access time per stack, sent at most once per
 * stack per flush window. A request answered by the launcher (the stack was asleep) is not activity:
 * the launcher sends its own RESUME.
 */
export function createAccessAggregator({
  events,
  log,
  stackIdFor,
  launcherRouter,
  windowMs = 10_000,
  onSent,
}: AggregatorOptions) {
  let latest = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  const flush = async () => {
    if (latest.size === 0) return 0;
    const batch = latest;
    latest = new Map();
    const outgoing: ThawEvent[] = [...batch].map(([stackId, at]) =>
      newEvent({ type: 'ACCESS', stackId, at }),
    );
    try {
      await events.sendEvents(outgoing);
      onSent?.(outgoing.length);
    } catch (error) {
      // Keep the newest times for the next window rather than losing the activity.
      for (const [stackId, at] of batch)
        if (!latest.has(stackId) || latest.get(stackId)! < at) latest.set(stackId, at);
      log.warn('could not send ACCESS events; will retry next window', {
        count: outgoing.length,
        reason: String(error),
      });
      return 0;
    }
    return outgoing.length;
  };

  return {
    /** Records one access line; returns the stack it counted for, or why not. */
    async record(line: AccessLine): Promise<{ stackId?: string; ignored?: string }> {
      if (line.router === launcherRouter) return { ignored: 'served by the launcher' };
      // A stranger turned away by a protected preview's guard (basic auth, IP allow-list, forward auth)
      // is not activity: else anyone could keep a protected stack awake (and paid for).
      if (REFUSED.has(line.status)) return { ignored: 'refused by the stack’s protection' };
      const stackId = await stackIdFor(line);
      if (!stackId) return { ignored: 'unknown host' };
      const previous = latest.get(stackId);
      if (!previous || previous < line.at) latest.set(stackId, line.at);
      return { stackId };
    },
    flush,
    start() {
      timer = setInterval(() => void flush(), windowMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

import { RateLimitedError } from '../errors.ts';

/**
 * A fixed-window counter per client: at most `limit` wake attempts per `windowMs`. The clients live in
 * a bounded LRU — a Map in insertion order, touched by delete + set, the least recently seen client
 * (the first key) evicted past `maxClients` — so each hit is O(1) and never scans the map, however
 * many addresses a flood uses. An evicted client starts afresh, which costs at most `limit` more
 * wakes for an address unseen through `maxClients` others.
 */
export function createWakeLimiter({
  limit,
  windowMs = 60_000,
  maxClients = 10_000,
  clock = Date.now,
}: {
  limit: number;
  windowMs?: number;
  maxClients?: number;
  clock?: () => number;
}) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts a wake attempt; throws RateLimitedError past the limit. */
    hit(client: string): void {
      const now = clock();
      let current = windows.get(client);
      if (current) windows.delete(client);
      if (!current || now - current.start >= windowMs) current = { start: now, count: 0 };
      windows.set(client, current);
      if (windows.size > maxClients) windows.delete(windows.keys().next().value!);
      current.count++;
      if (current.count > limit)
        throw new RateLimitedError(Math.ceil((current.start + windowMs - now) / 1000));
    },
    /** How many clients are remembered (at most `maxClients`). */
    size: () => windows.size,
  };
}

import { RateLimitedError } from '../errors.ts';

/** A fixed-window counter per client: at most `limit` wake attempts per `windowMs`. */
export function createWakeLimiter({
  limit,
  windowMs = 60_000,
  clock = Date.now,
}: {
  limit: number;
  windowMs?: number;
  clock?: () => number;
}) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts a wake attempt; throws RateLimitedError past the limit. */
    hit(client: string): void {
      const now = clock();
      if (windows.size > 10_000)
        for (const [key, w] of windows) if (now - w.start >= windowMs) windows.delete(key);
      const current = windows.get(client);
      if (!current || now - current.start >= windowMs) {
        windows.set(client, { start: now, count: 1 });
        return;
      }
      current.count++;
      if (current.count > limit)
        throw new RateLimitedError(Math.ceil((current.start + windowMs - now) / 1000));
    },
  };
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../errors.ts';
import { createWakeLimiter } from './rate-limit.ts';

describe('createWakeLimiter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('allows `limit` hits per window, then refuses with the seconds left; a new window starts afresh', () => {
    let now = 0;
    const limiter = createWakeLimiter({ limit: 2, windowMs: 60_000, clock: () => now });
    limiter.hit('a');
    limiter.hit('a');
    now = 15_000;
    expect(() => limiter.hit('a')).toThrow(RateLimitedError);
    try {
      limiter.hit('a');
    } catch (error) {
      expect((error as RateLimitedError).retryAfterSeconds).toBe(45);
    }
    limiter.hit('b');
    now = 60_000;
    expect(() => limiter.hit('a')).not.toThrow();
  });

  it('remembers at most maxClients clients, however many addresses a flood uses', () => {
    const limiter = createWakeLimiter({ limit: 5, maxClients: 1000, clock: () => 0 });
    for (let i = 0; i < 20_000; i++) limiter.hit(`198.51.${i >> 8}.${i & 255}`);
    expect(limiter.size()).toBe(1000);
  });

  it('evicts the least recently seen client, not one that keeps coming back', () => {
    const limiter = createWakeLimiter({ limit: 2, maxClients: 3, clock: () => 0 });
    limiter.hit('steady');
    limiter.hit('steady');
    for (let i = 0; i < 10; i++) {
      limiter.hit(`passer-${i}`);
      // `steady` is touched between passers, so it is never the oldest: it stays limited.
      expect(() => limiter.hit('steady')).toThrow(RateLimitedError);
    }
    // A passer seen 3 clients ago was evicted and starts afresh.
    expect(() => limiter.hit('passer-0')).not.toThrow();
  });

  it('never iterates its map on a hit (O(1) per request), even when full', () => {
    const limiter = createWakeLimiter({ limit: 5, maxClients: 100, clock: () => 0 });
    for (let i = 0; i < 100; i++) limiter.hit(`c${i}`);
    const iterations = [
      vi.spyOn(Map.prototype, Symbol.iterator),
      vi.spyOn(Map.prototype, 'entries'),
      vi.spyOn(Map.prototype, 'values'),
      vi.spyOn(Map.prototype, 'forEach'),
    ];
    for (let i = 0; i < 20_000; i++) limiter.hit(`n${i}`);
    for (const spy of iterations) expect(spy).not.toHaveBeenCalled();
    expect(limiter.size()).toBe(100);
  });
});

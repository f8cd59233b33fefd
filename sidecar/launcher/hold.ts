/**
 * Bookkeeping for held `Prefer: wait` requests: how many are held per stack and overall (each is an
 * open socket and a polling loop), and one read per key per interval shared by all of them.
 */

/** Seats for held requests; `enter` returns a release function, or undefined when the stack or the sidecar is full. */
export function createHoldRoom({ maxPerStack, maxTotal }: { maxPerStack: number; maxTotal: number }) {
  const perStack = new Map<string, number>();
  let total = 0;
  return {
    enter(stackId: string): (() => void) | undefined {
      const held = perStack.get(stackId) ?? 0;
      if (held >= maxPerStack || total >= maxTotal) return undefined;
      perStack.set(stackId, held + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (perStack.get(stackId) ?? 1) - 1;
        if (left > 0) perStack.set(stackId, left);
        else perStack.delete(stackId);
      };
    },
    held: () => ({ total, stacks: perStack.size }),
  };
}

/**
 * One call of `load(key)` per key per `intervalMs`, whoever asks: the answer (a promise) is shared by
 * every caller within the interval. A failed load is forgotten at once. Entries of keys nobody asks
 * for any more are dropped when the interval has passed and another key is read.
 */
export function createSharedReads<T>({
  intervalMs,
  clock = Date.now,
}: {
  intervalMs: number;
  clock?: () => number;
}) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key: string, load: () => Promise<T>): Promise<T> => {
    const now = clock();
    const hit = entries.get(key);
    if (hit && now - hit.at < intervalMs) return hit.value;
    // Bounded by the keys read within one interval: expired entries go first (insertion order).
    for (const [old, entry] of entries) {
      if (now - entry.at < intervalMs) break;
      entries.delete(old);
    }
    const value = load();
    entries.delete(key);
    entries.set(key, { at: now, value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}

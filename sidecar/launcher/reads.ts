import type { StackIndex } from '../../core/access-log/stack-index.ts';
import { estimate } from '../../core/eta.ts';
import type { Store } from '../../core/ports.ts';
import type { Stack } from '../../core/stack.ts';
import type { EtaPhase } from './decide.ts';

/**
 * What the launcher reads per request, cached so a herd on one stack costs one store read per TTL:
 * the stack behind a host, and its wake-time estimate from history (10 s per transition and phase).
 */
export function createLauncherReads({
  store,
  index,
  clock,
  stateTtlMs: stateTtl = 500,
  defaultWakeSeconds = 60,
  defaultLaunchSeconds = 120,
}: {
  store: Pick<Store, 'load' | 'history'>;
  index: StackIndex;
  clock: () => number;
  stateTtlMs?: number | undefined;
  defaultWakeSeconds?: number | undefined;
  defaultLaunchSeconds?: number | undefined;
}) {
  const cache = new Map<string, { at: number; value: Promise<Stack | undefined> }>();
  const etaCache = new Map<string, { at: number; value: Promise<ReturnType<typeof estimate>> }>();

  /** One store read per stack per TTL, shared by concurrent requests (a herd on a frozen stack). */
  const stackFor = async (host: string): Promise<Stack | undefined> => {
    const id = await index.stackIdFor(host);
    if (!id) return undefined;
    const hit = cache.get(id);
    if (hit && clock() - hit.at < stateTtl) return hit.value;
    const value = store.load(id);
    cache.set(id, { at: clock(), value });
    value.catch(() => cache.delete(id));
    return value;
  };
  const etaFor = (stack: Stack, phase: EtaPhase) => {
    const key = `${stack.id}:${stack.transitionId}:${phase}`;
    const hit = etaCache.get(key);
    if (hit && clock() - hit.at < 10_000) return hit.value;
    const fallback = phase === 'RESUMING' ? defaultWakeSeconds : defaultLaunchSeconds;
    const value = store.history(stack.id).then((history) => estimate(history, phase, fallback));
    etaCache.set(key, { at: clock(), value });
    value.catch(() => etaCache.delete(key));
    return value;
  };

  return { stackFor, etaFor };
}

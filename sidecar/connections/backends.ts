import { resourceName } from '../../core/orchestrator.ts';
import type { Store } from '../../core/ports.ts';
import { idleTimeoutMs } from '../../core/spec.ts';
import type { Stack } from '../../core/stack.ts';
import type { EndpointSource } from '../../core/traefik-routes.ts';
import type { AwakeBackends } from './keep-awake.ts';
import { backendAddress } from './proc-net.ts';

type ServerList = { stackId: string; urls: string[] }[];

/**
 * Awake stacks (RUNNING, UPDATING) that can freeze at all (keep-awake stacks never do), and the
 * smallest idle timeout of any stack that can be awake soon (a frozen one may wake between two polls).
 */
async function awakeStacks(
  store: Pick<Store, 'list'>,
): Promise<{ awake: Map<string, Stack>; idleMs: number[] }> {
  const stacks = (await store.list()).filter(
    (s) => s.spec && !s.spec.keepAwake && s.state !== 'DESTROYED' && s.state !== 'DESTROYING',
  );
  return {
    awake: new Map(
      stacks.filter((s) => s.state === 'RUNNING' || s.state === 'UPDATING').map((s) => [s.id, s]),
    ),
    idleMs: stacks.map((s) => idleTimeoutMs(s.spec!)),
  };
}

function toBackends(
  { awake, idleMs }: Awaited<ReturnType<typeof awakeStacks>>,
  servers: ServerList,
): AwakeBackends {
  const addresses = new Map<string, string>();
  for (const { stackId, urls } of servers) {
    if (!awake.has(stackId)) continue;
    for (const url of urls) {
      const address = backendAddress(url);
      if (address) addresses.set(address, stackId);
    }
  }
  return { addresses, ...(idleMs.length ? { smallestIdleMs: Math.min(...idleMs) } : {}) };
}

/** Backends from the route source the sidecar serves /traefik/dynamic from (thaw dev; the HTTP provider). */
export function backendsFromRoutes({
  store,
  source,
}: {
  store: Pick<Store, 'list'>;
  source: EndpointSource;
}) {
  return async (): Promise<AwakeBackends> => toBackends(await awakeStacks(store), source.endpoints());
}

/**
 * Backends from Traefik's API (`GET /api/http/services`, `api.insecure` or an API entry point the
 * sidecar reaches): the servers of every service named `resourceName(stack, service)@<provider>`, e.g. the ECS
 * provider's, whose task addresses the store does not hold.
 */
export function backendsFromTraefikApi({
  store,
  apiUrl,
  timeoutMs = 2000,
  perPage = 100,
}: {
  store: Pick<Store, 'list'>;
  apiUrl: string;
  timeoutMs?: number;
  /** Traefik's API pages its lists (100 per page by default). */
  perPage?: number;
}) {
  return async (): Promise<AwakeBackends> => {
    const stacks = await awakeStacks(store);
    const services = await allServices(apiUrl, { timeoutMs, perPage });
    const servers: ServerList = [];
    for (const service of services) {
      const name = (service.name ?? '').replace(/@[^@]*$/, '');
      const urls = (service.loadBalancer?.servers ?? []).flatMap((s) => (s.url ? [s.url] : []));
      for (const [stackId, stack] of stacks.awake)
        for (const serviceName of Object.keys(stack.spec!.services))
          if (name === resourceName(stackId, serviceName)) servers.push({ stackId, urls });
    }
    return toBackends(stacks, servers);
  };
}

type TraefikService = { name?: string; loadBalancer?: { servers?: { url?: string }[] } };

/**
 * Every HTTP service Traefik knows, page by page: the API answers `per_page` entries (default 100)
 * and names the next page in `X-Next-Page`, which wraps to 1 after the last one (Traefik v3.6).
 */
async function allServices(
  apiUrl: string,
  { timeoutMs, perPage, maxPages = 1000 }: { timeoutMs: number; perPage: number; maxPages?: number },
): Promise<TraefikService[]> {
  const all: TraefikService[] = [];
  for (let page = 1; page <= maxPages; ) {
    const url = new URL('/api/http/services', apiUrl);
    url.searchParams.set('page', String(page));
    url.searchParams.set('per_page', String(perPage));
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`Traefik API answered ${response.status}`);
    all.push(...((await response.json()) as TraefikService[]));
    const next = Number(response.headers.get('x-next-page'));
    if (!Number.isInteger(next) || next <= page) break;
    page = next;
  }
  return all;
}

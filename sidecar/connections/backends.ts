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
}: {
  store: Pick<Store, 'list'>;
  apiUrl: string;
  timeoutMs?: number;
}) {
  return async (): Promise<AwakeBackends> => {
    const stacks = await awakeStacks(store);
    const response = await fetch(new URL('/api/http/services', apiUrl), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`Traefik API answered ${response.status}`);
    const services = (await response.json()) as {
      name?: string;
      loadBalancer?: { servers?: { url?: string }[] };
    }[];
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

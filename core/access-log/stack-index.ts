import { parseResourceName } from '../orchestrator.ts';
import type { Store } from '../ports.ts';
import { stackHosts } from '../spec.ts';

export interface StackIndexOptions {
  store: Pick<Store, 'list'>;
  domain: string;
  /** How long the host → stack map is trusted (ms, default 5 s). */
  refreshMs?: number;
  clock?: () => number;
}

/**
 * Maps request hosts to stacks: an exact lookup in a map built from every stack's spec, cached and
 * refreshed. An unknown host triggers at most one early refresh per second, so a stack launched a
 * moment ago is found without letting random hosts hammer the store.
 */
export function createStackIndex({ store, domain, refreshMs = 5000, clock = Date.now }: StackIndexOptions) {
  let hosts = new Map<string, string>();
  let services = new Map<string, string[]>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let lastMissRefresh = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  const refresh = () => {
    loading ??= (async () => {
      try {
        const stacks = await store.list(); // every state: a destroyed stack's host still answers 410
        const next = new Map<string, string>();
        const nextServices = new Map<string, string[]>();
        for (const stack of stacks) {
          if (!stack.spec) continue;
          for (const host of stackHosts(stack.spec, stack.id, domain)) next.set(host, stack.id);
          nextServices.set(stack.id, Object.keys(stack.spec.services));
        }
        hosts = next;
        services = nextServices;
        loadedAt = clock();
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  };

  const stackIdFor = async (host: string): Promise<string | undefined> => {
    if (clock() - loadedAt > refreshMs) await refresh();
    let id = hosts.get(host);
    if (!id && clock() - lastMissRefresh > 1000) {
      lastMissRefresh = clock();
      await refresh();
      id = hosts.get(host);
    }
    return id;
  };

  return {
    stackIdFor,
    /**
     * The stack of an access-log line: by its host, else by a Thaw router name (`resourceName`:
     * `thaw-<stack>-<service>`, or `thaw-<stack>--<service>` for a service with a hyphen), for a
     * request whose Host the map does not know, e.g. an alias routed by a custom rule.
     */
    async stackIdForLine(line: { host: string; router: string | null }): Promise<string | undefined> {
      const byHost = await stackIdFor(line.host);
      const named = line.router ? parseResourceName(line.router) : undefined;
      if (byHost || !named) return byHost;
      return services.get(named.stackId)?.includes(named.service) ? named.stackId : undefined;
    },
    refresh,
  };
}

export type StackIndex = ReturnType<typeof createStackIndex>;

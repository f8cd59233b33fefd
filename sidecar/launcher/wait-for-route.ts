import type { Context } from 'hono';
import type { Store } from '../../core/ports.ts';
import type { Stack } from '../../core/stack.ts';
import { isHoldable } from './decide.ts';
import { forwardedOrigin, type ProxyTrust } from './forwarded.ts';
import { createHoldRoom, createSharedReads } from './hold.ts';

/** The peer's address when the server adapter passes its socket (Hono node-server: `env.incoming`). */
export const socketAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress;

export interface RouteWaiterOptions {
  store: Pick<Store, 'load'>;
  clock: () => number;
  trust: ProxyTrust;
  domain: string;
  isRouted?: ((host: string) => Promise<boolean>) | undefined;
  /** Cap on `Prefer: wait=N` (default 30 s). */
  maxWaitSeconds?: number | undefined;
  maxHeldPerStack?: number | undefined;
  maxHeld?: number | undefined;
  waitPollMs?: number | undefined;
}

/** `Prefer: wait=N`: holds a request on a waking stack and sends it on once Traefik routes to it. */
export function createRouteWaiter(options: RouteWaiterOptions) {
  const { store, clock, trust, domain } = options;
  const maxWait = options.maxWaitSeconds ?? 30;
  const room = createHoldRoom({
    maxPerStack: options.maxHeldPerStack ?? 100,
    maxTotal: options.maxHeld ?? 1000,
  });
  const waitPollMs = options.waitPollMs ?? 250;
  const polledStack = createSharedReads<Stack | undefined>({ intervalMs: waitPollMs, clock });
  const polledRoute = createSharedReads<boolean>({ intervalMs: waitPollMs, clock });

  /**
   * Holds a `Prefer: wait=N` request until the stack is routed, then redirects it to itself. Held
   * requests are capped per stack and overall (past the cap: the usual 503 + Retry-After at once) and
   * share one store read (and one routing probe) per stack per poll interval.
   */
  const waitForRoute = async (c: Context, host: string, stackId: string): Promise<Response | undefined> => {
    const prefer = /(?:^|[,;\s])wait=(\d+)/.exec(c.req.header('prefer') ?? '');
    if (!prefer) return undefined;
    const wait = Math.min(maxWait, Number(prefer[1]));
    if (wait <= 0) return undefined;
    const release = room.enter(stackId);
    if (!release) return undefined;
    try {
      const deadline = clock() + wait * 1000;
      while (clock() < deadline) {
        const stack = await polledStack(stackId, () => store.load(stackId));
        const routed =
          stack?.state === 'RUNNING' &&
          (await (options.isRouted
            ? polledRoute(host, () => options.isRouted!(host))
            : Promise.resolve(true)));
        if (routed) return c.req.method === 'GET' || c.req.method === 'HEAD' ? redirectToSelf(c) : undefined;
        if (!stack || !isHoldable(stack.state)) return undefined;
        await new Promise((resolve) => setTimeout(resolve, waitPollMs));
      }
      return undefined;
    } finally {
      release();
    }
  };

  /** 307 to the same resource, at the scheme and host the client used (trusted forwarded headers). */
  const redirectToSelf = (c: Context) => {
    const origin = forwardedOrigin({
      trust,
      socketAddress: socketAddress(c),
      host: c.req.header('host'),
      forwardedProto: c.req.header('x-forwarded-proto'),
      forwardedHost: c.req.header('x-forwarded-host'),
      domain,
    });
    const { pathname, search } = new URL(c.req.url);
    c.header('cache-control', 'no-store');
    return c.redirect(`${origin}${pathname}${search}`, 307);
  };

  return waitForRoute;
}

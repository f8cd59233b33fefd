import type { Context } from 'hono';
import { Hono } from 'hono';
import type { StackIndex } from '../../core/access-log/stack-index.ts';
import type { EventSender, Log, Store } from '../../core/ports.ts';
import type { Stack } from '../../core/stack.ts';
import { type DynamicConfigOptions, dynamicConfig, type EndpointSource } from '../../core/traefik-routes.ts';
import { httpStatusFor, ResumeFailedError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { decide, etaPhaseOf, isHoldable, type LauncherView, wakesOn } from './decide.ts';
import { clientAddress, createProxyTrust, DEFAULT_TRUSTED_PROXIES, forwardedOrigin } from './forwarded.ts';
import { parseHostHeader } from './host.ts';
import { createWakeLimiter } from './rate-limit.ts';
import { createLauncherReads } from './reads.ts';
import { createResponder } from './respond.ts';
import { createResumer } from './resume.ts';
import { createRouteWaiter, socketAddress } from './wait-for-route.ts';

export interface LauncherOptions {
  store: Pick<Store, 'load' | 'list' | 'history'>;
  index: StackIndex;
  events: EventSender;
  log: Log;
  metrics: Metrics;
  /** Stacks answer on <host>.<domain>; other hosts reach the sidecar's own endpoints. */
  domain: string;
  retryAfterSeconds?: number;
  /** Retry-After when the stack is RUNNING but Traefik has not routed to it yet. */
  routingRetryAfterSeconds?: number;
  resumeCooldownMs?: number;
  /** Cap on `Prefer: wait=N`. */
  maxWaitSeconds?: number;
  /** ETA when a stack has no wake history yet. */
  defaultWakeSeconds?: number;
  defaultLaunchSeconds?: number;
  /** User agents that never wake a stack (link unfurlers, crawlers). */
  botPattern?: RegExp;
  /** Wake attempts per client per minute. */
  wakesPerMinute?: number;
  /** Clients the wake limiter remembers (a bounded LRU; default 10,000). */
  maxClients?: number;
  /**
   * CIDR ranges of the proxies in front (Traefik): only their `X-Forwarded-*` headers are believed.
   * Default: loopback and the private ranges.
   */
  trustedProxies?: readonly string[];
  /** Held `Prefer: wait` requests per stack, and overall; beyond either: 503 + Retry-After at once. */
  maxHeldPerStack?: number;
  maxHeld?: number;
  /** How often held requests re-read their stack (one read per stack for all of them; ms, default 250). */
  waitPollMs?: number;
  /** Answers whether Traefik routes a host to the stack now (probes Traefik); default: RUNNING means routed. */
  isRouted?: (host: string) => Promise<boolean>;
  /** For GET /traefik/dynamic (local mode, or Traefik's HTTP provider in production). */
  routes?: { source: EndpointSource } & DynamicConfigOptions;
  /** How long a stack read is reused across concurrent requests (ms, default 500). */
  stateTtlMs?: number;
  clock?: () => number;
}

/** Where the failure page's "Try again" button posts. */
export const RETRY_PATH = '/_thaw/retry';

export const DEFAULT_BOTS =
  /bot|crawl|spider|slurp|facebookexternalhit|embedly|slack|discord|telegram|whatsapp|skype|preview|unfurl|curl\/[\d.]+ \(bot\)/i;

/**
 * The launcher (the catch-all target) and the sidecar's own endpoints, as one Hono app. Every
 * response the launcher serves carries `x-thaw-launcher: 1`, which is how the waiting page knows when
 * Traefik routes to the stack again.
 */
export function createSidecarApp(options: LauncherOptions) {
  const { store, index, events, log, metrics, domain, clock = Date.now } = options;
  const retryAfter = options.retryAfterSeconds ?? 5;
  const routingRetryAfter = options.routingRetryAfterSeconds ?? 2;
  const bots = options.botPattern ?? DEFAULT_BOTS;
  const limiter = createWakeLimiter({
    limit: options.wakesPerMinute ?? 30,
    maxClients: options.maxClients ?? 10_000,
    clock,
  });
  const trust = createProxyTrust(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  const resumer = createResumer({
    events,
    cooldownMs: options.resumeCooldownMs ?? 10_000,
    clock,
    onSent: (stackId) => {
      metrics.wakes.inc();
      log.info('sent RESUME', { stackId });
    },
    onFailed: (stackId, error) =>
      log.warn('RESUME send failed', {
        stackId,
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  });
  const waitForRoute = createRouteWaiter({
    store,
    clock,
    trust,
    domain,
    isRouted: options.isRouted,
    maxWaitSeconds: options.maxWaitSeconds,
    maxHeldPerStack: options.maxHeldPerStack,
    maxHeld: options.maxHeld,
    waitPollMs: options.waitPollMs,
  });
  const { stackFor, etaFor } = createLauncherReads({
    store,
    index,
    clock,
    stateTtlMs: options.stateTtlMs,
    defaultWakeSeconds: options.defaultWakeSeconds,
    defaultLaunchSeconds: options.defaultLaunchSeconds,
  });

  /** Reads what the pure `decide` needs (the ETA for the stack's phase), then asks it. */
  const viewOf = async (stack: Stack, resumeSentAt?: number): Promise<LauncherView> => {
    const phase = etaPhaseOf(stack.state);
    return decide({
      stack,
      now: clock(),
      eta: phase ? await etaFor(stack, phase) : undefined,
      resumeSentAt,
      retryAfterSeconds: retryAfter,
      routingRetryAfterSeconds: routingRetryAfter,
    });
  };

  const { respond, notFound } = createResponder(metrics);

  /** The client a wake counts against: the trusted proxies' X-Forwarded-For, else the socket's peer. */
  const clientOf = (c: Context) => clientAddress(trust, c.req.header('x-forwarded-for'), socketAddress(c));

  const wake = async (c: Context, stack: Stack): Promise<number | undefined> => {
    if (bots.test(c.req.header('user-agent') ?? '')) return undefined;
    // Only a request that would send counts against its client: a herd waiting on the same RESUME
    // (in flight or within its cool-down) is never refused.
    if (resumer.wouldSend(stack.id, stack.transitionId)) limiter.hit(clientOf(c));
    return resumer.resume(stack.id, stack.transitionId);
  };

  /**
   * "Try again" on a failed stack's page: a POST (never a link a crawler follows) that sends one RESUME,
   * which starts a FAILED stack again with its images and spec. Every POST counts against its client's
   * wake limit; within the cool-down it sends nothing more. Answers 303 back to the page.
   */
  const retry = async (c: Context, stack: Stack): Promise<Response> => {
    if (c.req.method !== 'POST') return c.json({ error: 'use POST to try again' }, 405, { allow: 'POST' });
    if (stack.state === 'FAILED') {
      limiter.hit(clientOf(c));
      await resumer.resume(stack.id, stack.transitionId);
    }
    return c.body(null, 303, { location: '/', 'cache-control': 'no-store' });
  };

  const ops = createOpsApp({ store, metrics, routes: options.routes });
  const app = new Hono();

  app.onError((error, c) => {
    const { status, retryAfter: after, message } = httpStatusFor(error);
    // A failed RESUME is logged once per attempt by the resumer, not once per request of a herd.
    if (status >= 500 && !(error instanceof ResumeFailedError))
      log.error('launcher error', {
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    c.header('x-thaw-launcher', '1');
    c.header('cache-control', 'no-store');
    if (after) c.header('retry-after', String(after));
    return c.json({ error: message }, status);
  });

  app.all('*', async (c) => {
    // Every answer the launcher gives says so: the waiting page reloads when an answer does not.
    c.header('x-thaw-launcher', '1');
    const host = parseHostHeader(c.req.header('host'));
    if (host !== domain && !host.endsWith(`.${domain}`)) return ops.fetch(c.req.raw);
    const path = c.req.path;
    if (path === '/robots.txt')
      return c.text('User-agent: *\nDisallow: /\n', 200, { 'cache-control': 'public, max-age=3600' });
    const stack = await stackFor(host);
    if (!stack) return notFound(c);
    if (path === RETRY_PATH) return retry(c, stack);
    // The status endpoint only reports; any other request on a frozen stack wakes it (bots excepted).
    const statusOnly = path === '/_thaw/status';
    const sentAt = !wakesOn(stack.state)
      ? undefined
      : statusOnly
        ? resumer.recent(stack.id, stack.transitionId)
        : await wake(c, stack);
    const view = await viewOf(stack, sentAt);
    if (statusOnly) return c.json(view.status, 200);
    const held = view.holdable ? await waitForRoute(c, host, stack.id) : undefined;
    return held ?? respond(c, view.status, view.code);
  });

  return app;
}

/**
 * The sidecar's own endpoints, answered on any host outside the stack domain: health for the load
 * balancer, Prometheus metrics, and the dynamic configuration Traefik's HTTP provider polls.
 */
export function createOpsApp({
  store,
  metrics,
  routes,
}: Pick<LauncherOptions, 'metrics' | 'routes'> & { store: Pick<Store, 'list'> }) {
  const ops = new Hono();
  ops.get('/healthz', (c) => c.json({ ok: true }));
  ops.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  ops.get('/traefik/dynamic', async (c) => {
    if (!routes) return c.json({ error: 'no route source configured' }, 404);
    const stacks = await store.list({ states: ['RUNNING', 'UPDATING'] });
    return c.json(dynamicConfig(stacks, routes.source, routes));
  });
  ops.all('*', (c) => c.json({ error: 'not found' }, 404));
  return ops;
}

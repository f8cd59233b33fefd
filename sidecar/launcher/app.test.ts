import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { createStackIndex } from '../../core/access-log/stack-index.ts';
import type { ThawEvent } from '../../core/events.ts';
import { type EventSender, type Store, silentLog } from '../../core/ports.ts';
import { transition } from '../../core/transition.ts';
import { destroy, freeze, launch, noDbSpec, resume, satisfy, taskFailed } from '../../test/helpers/events.ts';
import { getVia } from '../../test/helpers/http.ts';
import { createMetrics } from '../metrics.ts';
import { createSidecarApp } from './app.ts';

const domain = 'qa.example.com';

async function apply(store: Store, event: ThawEvent) {
  const current = await store.load(event.stackId);
  const result = transition(current, event, new Date());
  if (result.kind !== 'ignored') await store.save(result.stack, current, result);
}
async function settle(store: Store, id: string) {
  for (let i = 0; i < 6; i++) {
    const s = (await store.load(id))!;
    const open = s.requirements.find((r) => !r.satisfied);
    if (!open) return;
    await apply(store, satisfy({ stackId: id, transitionId: s.transitionId, taskId: open.taskId }));
  }
}

async function frozenStack(store: Store, id: string) {
  await apply(store, launch(id, { web: 'w' }, noDbSpec));
  await settle(store, id);
  await apply(store, freeze(id, null));
  await settle(store, id);
}

/** A store with a stack in each interesting state, and the sidecar app over it. */
async function setup(overrides: Partial<Parameters<typeof createSidecarApp>[0]> = {}) {
  const store = createMemoryStore();
  const sent: ThawEvent[] = [];
  const events: EventSender = { sendEvents: async (e) => void sent.push(...e) };
  for (const id of ['frozen', 'running', 'launching', 'failed', 'gone', 'resuming'])
    await apply(store, launch(id, { web: 'w' }, noDbSpec));
  for (const id of ['frozen', 'running', 'gone', 'resuming']) await settle(store, id);
  for (const id of ['frozen', 'resuming']) {
    await apply(store, freeze(id, null));
    await settle(store, id);
  }
  await apply(store, resume('resuming'));
  await apply(store, destroy('gone'));
  await settle(store, 'gone');
  const failed = (await store.load('failed'))!;
  await apply(
    store,
    taskFailed(
      { stackId: 'failed', transitionId: failed.transitionId, taskId: 'services.deploy' },
      '<script>alert(1)</script> CannotPullContainerError: arn:aws:iam::123456789012:role/thaw-exec at db-1.abc.us-east-1.rds.amazonaws.com',
    ),
  );
  const metrics = createMetrics();
  const index = createStackIndex({ store, domain });
  const app = createSidecarApp({ store, index, events, log: silentLog, metrics, domain, ...overrides });
  const get = (host: string, path = '/', headers: Record<string, string> = {}) =>
    app.request(`http://${host}${path}`, { headers: { host, ...headers } });
  return { app, store, sent, get, metrics };
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('launcher', () => {
  it('FROZEN: sends one RESUME and shows the waiting page with 503 + Retry-After', async () => {
    const { get, sent } = await setup();
    const response = await get(`frozen.${domain}`, '/some/page', html);
    expect(response.status).toBe(503);
    expect(response.headers.get('x-thaw-launcher')).toBe('1');
    expect(response.headers.get('retry-after')).toBe('5');
    const body = await response.text();
    expect(body).toContain('Waking up');
    expect(body).toContain('role="progressbar"');
    expect(body).toContain("headers.get('x-thaw-launcher')");
    expect(sent).toMatchObject([{ type: 'RESUME', stackId: 'frozen' }]);
  });

  it('FROZEN under 1,000 concurrent requests: exactly one RESUME', async () => {
    const { get, sent } = await setup();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        get(`frozen.${domain}`, `/${i}`, { 'x-forwarded-for': `10.0.${i % 250}.1` }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([503]));
    expect(sent.filter((e) => e.type === 'RESUME')).toHaveLength(1);
  });

  it('FROZEN under 100 concurrent requests from ONE client: no 429, one RESUME, every answer 503 + Retry-After', async () => {
    const { get, sent } = await setup();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        get(`frozen.${domain}`, `/${i}`, { 'x-forwarded-for': '198.51.100.7' }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 503)).toEqual([]);
    expect(responses.every((r) => r.headers.get('retry-after') === '5')).toBe(true);
    expect(sent.filter((e) => e.type === 'RESUME')).toHaveLength(1);
  });

  it('a RESUME that fails to send: 503 + Retry-After, one attempt per cool-down however many requests', async () => {
    let now = 1_000_000;
    let attempts = 0;
    const events: EventSender = {
      sendEvents: async () => {
        attempts++;
        throw Object.assign(new Error('queue says no'), { name: 'QueueDoesNotExist' });
      },
    };
    const { get } = await setup({ events, clock: () => now, resumeCooldownMs: 10_000 });
    const request = () => get(`frozen.${domain}`, '/', { 'x-forwarded-for': '198.51.100.8' });
    const answers = await Promise.all(Array.from({ length: 15 }, request));
    for (let i = 0; i < 10; i++) {
      now += 500;
      answers.push(await request());
    }
    expect(answers).toHaveLength(25);
    expect(answers.map((r) => r.status).filter((s) => s !== 503)).toEqual([]);
    expect(answers.every((r) => Number(r.headers.get('retry-after')) > 0)).toBe(true);
    expect(attempts).toBe(1);
    now += 10_000;
    const after = await Promise.all(Array.from({ length: 5 }, request));
    expect(after.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
    expect(attempts).toBe(2);
  });

  it('API clients get JSON with the phase and ETA', async () => {
    const { get } = await setup();
    const response = await get(`frozen.${domain}`, '/api/things', { accept: 'application/json' });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      stack: 'frozen',
      state: 'FROZEN',
      phase: 'waking',
      etaSeconds: 60,
      retryAfterSeconds: 5,
    });
  });

  it.each([
    ['launching', 503, 'launching'],
    ['resuming', 503, 'waking'],
    ['running', 503, 'routing'],
    ['failed', 502, 'failed'],
    ['gone', 410, 'gone'],
  ])('%s → %i (%s), never a RESUME', async (id, status, phase) => {
    const { get, sent } = await setup();
    const response = await get(`${id}.${domain}`, '/', { accept: 'application/json' });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ stack: id, phase });
    expect(sent).toEqual([]);
  });

  it('RUNNING but still reaching the launcher: a short Retry-After', async () => {
    const { get } = await setup();
    expect((await get(`running.${domain}`)).headers.get('retry-after')).toBe('2');
  });

  it('FAILED shows strangers a failure category and an id, never the raw reason (page and status)', async () => {
    const { get, store } = await setup();
    const { transitionId } = (await store.load('failed'))!;
    const page = await get(`failed.${domain}`, '/', html);
    expect(page.status).toBe(502);
    const body = await page.text();
    expect(body).toContain('image could not be pulled');
    expect(body).toContain(`failed#${transitionId}`);
    const status = await (await get(`failed.${domain}`, '/_thaw/status')).json();
    expect(status.failure).toEqual({ category: 'image could not be pulled', id: `failed#${transitionId}` });
    const json = await (await get(`failed.${domain}`, '/', { accept: 'application/json' })).text();
    for (const text of [body, JSON.stringify(status), json])
      for (const secret of ['123456789012', 'arn:aws', 'amazonaws.com', 'alert(1)', 'CannotPull'])
        expect(text).not.toContain(secret);
  });

  it('"Try again" on a failed stack: the page has a POST button; a POST sends one RESUME and answers 303', async () => {
    const { app, get, sent } = await setup({ wakesPerMinute: 2 });
    const page = await (await get(`failed.${domain}`, '/', html)).text();
    expect(page).toContain('<form method="post" action="/_thaw/retry">');
    const post = (host: string, ip = '198.51.100.7') =>
      app.request(`http://${host}/_thaw/retry`, {
        method: 'POST',
        headers: { host, 'x-forwarded-for': ip },
      });
    const first = await post(`failed.${domain}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    expect(sent.filter((e) => e.type === 'RESUME').map((e) => e.stackId)).toEqual(['failed']);
    // Within the cool-down nothing more is sent; every POST counts against its client.
    expect((await post(`failed.${domain}`)).status).toBe(303);
    expect((await post(`failed.${domain}`)).status).toBe(429);
    expect(sent.filter((e) => e.type === 'RESUME')).toHaveLength(1);
    // A GET never retries (a crawler following links), nor does a POST on a stack that is not FAILED.
    expect((await get(`failed.${domain}`, '/_thaw/retry')).status).toBe(405);
    expect((await post(`running.${domain}`, '198.51.100.8')).status).toBe(303);
    expect(sent.filter((e) => e.type === 'RESUME')).toHaveLength(1);
  });

  it('an unknown host is a 404 that names no other stack', async () => {
    const { get } = await setup();
    const response = await get(`nope.${domain}`, '/', html);
    expect(response.status).toBe(404);
    const body = await response.text();
    for (const id of ['frozen', 'running', 'launching']) expect(body).not.toContain(id);
  });

  it('bots and link unfurlers never wake a stack', async () => {
    const { get, sent } = await setup();
    const response = await get(`frozen.${domain}`, '/', {
      'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      accept: 'application/json',
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ phase: 'asleep' });
    expect(sent).toEqual([]);
  });

  it('robots.txt disallows everything', async () => {
    const { get, sent } = await setup();
    expect(await (await get(`frozen.${domain}`, '/robots.txt')).text()).toBe('User-agent: *\nDisallow: /\n');
    expect(sent).toEqual([]);
  });

  it('GET /_thaw/status reports without waking', async () => {
    const { get, sent } = await setup();
    const response = await get(`frozen.${domain}`, '/_thaw/status');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      stack: 'frozen',
      state: 'FROZEN',
      phase: 'asleep',
      etaSeconds: 60,
      elapsedSeconds: expect.any(Number),
      retryAfterSeconds: 5,
      failure: null,
    });
    expect(sent).toEqual([]);
  });

  it.each([
    'evil.com/../x',
    'a b',
    'x.qa.example.com:99999',
    '<script>',
    'a..b',
    `${'a'.repeat(64)}.qa.example.com`,
  ])('refuses Host %j with 400', async (host) => {
    const { app } = await setup();
    const response = await app.request('http://x/', { headers: { host } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid Host header' });
  });

  it('limits wake attempts per client', async () => {
    const { get } = await setup({ wakesPerMinute: 2, resumeCooldownMs: 0 });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get(`frozen.${domain}`, '/', { 'x-forwarded-for': '203.0.113.9' })).status);
    expect(statuses).toEqual([503, 503, 429, 429]);
  });

  it('still limits a client that causes many real sends: one wake per stack, across many stacks', async () => {
    const { get, store, sent } = await setup({ wakesPerMinute: 3 });
    const ids = ['f1', 'f2', 'f3', 'f4', 'f5'];
    for (const id of ids) await frozenStack(store, id);
    const statuses = [];
    for (const id of ids)
      statuses.push((await get(`${id}.${domain}`, '/', { 'x-forwarded-for': '203.0.113.10' })).status);
    expect(statuses).toEqual([503, 503, 503, 429, 429]);
    expect(sent.map((e) => e.stackId)).toEqual(['f1', 'f2', 'f3']);
  });

  it('Prefer: wait=N holds the request until the stack is routed, then 307s to the same URL', async () => {
    const { get, store } = await setup();
    const pending = get(`resuming.${domain}`, '/report?x=1', { prefer: 'wait=5' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle(store, 'resuming');
    const response = await pending;
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`http://resuming.${domain}/report?x=1`);
  });

  it('keys the wake limit on the right-most X-Forwarded-For address that is not a trusted proxy', async () => {
    const { get } = await setup({ wakesPerMinute: 2, resumeCooldownMs: 0 });
    const statuses = [];
    // The client rotates what it writes; Traefik (10.0.0.5) appended the address it really saw.
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await get(`frozen.${domain}`, '/', { 'x-forwarded-for': `192.0.2.${i}, 203.0.113.9, 10.0.0.5` }))
          .status,
      );
    expect(statuses).toEqual([503, 503, 429, 429]);
  });

  it('a peer that is not a trusted proxy is keyed on its socket address; its X-Forwarded-For is ignored', async () => {
    const { app } = await setup({ wakesPerMinute: 2, resumeCooldownMs: 0 });
    const from = (remoteAddress: string, forwardedFor: string) =>
      app.request(
        `http://frozen.${domain}/`,
        { headers: { host: `frozen.${domain}`, 'x-forwarded-for': forwardedFor } },
        { incoming: { socket: { remoteAddress } } },
      );
    const direct = [];
    for (let i = 0; i < 4; i++) direct.push((await from('198.51.100.20', `192.0.2.${i}`)).status);
    expect(direct).toEqual([503, 503, 429, 429]);
    // Through Traefik on loopback, the forwarded address counts: another client is not limited.
    expect((await from('127.0.0.1', '198.51.100.21')).status).toBe(503);
    expect((await from('::ffff:127.0.0.1', '198.51.100.21')).status).toBe(503);
    expect((await from('127.0.0.1', '198.51.100.21')).status).toBe(429);
  });

  it('behind @hono/node-server (env passed through): a peer outside TRUSTED_PROXIES is keyed on its real socket, and its absolute-form target and forwarded headers do not steer the 307', async () => {
    const { app } = await setup({ wakesPerMinute: 2, resumeCooldownMs: 0, trustedProxies: [] });
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (await getVia(port, `frozen.${domain}`, '/', { 'x-forwarded-for': `192.0.2.${i}` })).status,
        );
      expect(statuses).toEqual([503, 503, 429, 429]);
      // An absolute-form target on the wire, with forwarded headers the peer may not set.
      const redirected = await getVia(port, `running.${domain}`, 'http://evil.example/report?x=1', {
        prefer: 'wait=5',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': `frozen.${domain}`,
      });
      expect(redirected.status).toBe(307);
      expect(redirected.headers.location).toBe(`http://running.${domain}/report?x=1`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('TRUSTED_PROXIES decides whose X-Forwarded-For is believed', async () => {
    const { app } = await setup({
      wakesPerMinute: 1,
      resumeCooldownMs: 0,
      trustedProxies: ['100.64.0.0/10'],
    });
    const via = (remoteAddress: string, forwardedFor: string) =>
      app.request(
        `http://frozen.${domain}/`,
        { headers: { host: `frozen.${domain}`, 'x-forwarded-for': forwardedFor } },
        { incoming: { socket: { remoteAddress } } },
      );
    expect((await via('100.64.1.1', '203.0.113.30')).status).toBe(503);
    expect((await via('100.64.1.2', '203.0.113.31')).status).toBe(503);
    // 127.0.0.1 is not trusted now: both of its requests count for 127.0.0.1 itself.
    expect((await via('127.0.0.1', '203.0.113.32')).status).toBe(503);
    expect((await via('127.0.0.1', '203.0.113.33')).status).toBe(429);
  });

  it('Prefer: wait is capped per stack and overall: past the cap, 503 + Retry-After at once', async () => {
    const { get, store } = await setup({ maxHeldPerStack: 2, maxHeld: 3 });
    const held = (id: string) => get(`${id}.${domain}`, '/', { prefer: 'wait=10' });
    const seated = () => new Promise((resolve) => setTimeout(resolve, 100));
    const first = [held('resuming'), held('resuming')];
    await seated();
    // The third on the same stack is answered while the first two are still held.
    const third = await held('resuming');
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    const launching = held('launching');
    await seated();
    // Overall cap (3); a RUNNING stack would be redirected at once if it got a seat: a request on a fourth seat is answered at once too.
    const fifth = await held('running');
    expect(fifth.status).toBe(503);
    expect(fifth.headers.get('retry-after')).toBe('2');
    await settle(store, 'resuming');
    await settle(store, 'launching');
    expect((await Promise.all([...first, launching])).map((r) => r.status)).toEqual([307, 307, 307]);
    // The seats are free again.
    const again = get(`resuming.${domain}`, '/', { prefer: 'wait=1' });
    expect((await again).status).toBe(307);
  });

  it('held requests share one store read per stack per interval', async () => {
    const { store } = await setup();
    let loads = 0;
    const counted: Store = {
      ...store,
      load: (id) => {
        if (id === 'resuming') loads++;
        return store.load(id);
      },
    };
    const app = createSidecarApp({
      store: counted,
      index: createStackIndex({ store: counted, domain }),
      events: { sendEvents: async () => {} },
      log: silentLog,
      metrics: createMetrics(),
      domain,
      waitPollMs: 100,
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app.request(`http://resuming.${domain}/${i}`, {
          headers: { host: `resuming.${domain}`, prefer: 'wait=1' },
        }),
      ),
    );
    expect(answers.map((r) => r.status).filter((s) => s !== 503)).toEqual([]);
    // Before: every held request read the store itself at every poll (40 requests × ~10 polls).
    expect(loads).toBeGreaterThan(0);
    expect(loads).toBeLessThan(40);
  });

  it('the 307 uses the trusted forwarded scheme and host, never an absolute-form request target', async () => {
    const { app, store } = await setup();
    const request = (remoteAddress: string) =>
      app.request(
        // What @hono/node-server makes of `GET http://evil.example/report?x=1 HTTP/1.1`.
        'http://evil.example/report?x=1',
        {
          headers: {
            host: `resuming.${domain}`,
            prefer: 'wait=5',
            'x-forwarded-proto': 'https',
            'x-forwarded-host': `resuming.${domain}`,
          },
        },
        { incoming: { socket: { remoteAddress } } },
      );
    const viaTraefik = request('127.0.0.1');
    const direct = request('203.0.113.50');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle(store, 'resuming');
    expect((await viaTraefik).headers.get('location')).toBe(`https://resuming.${domain}/report?x=1`);
    expect((await direct).headers.get('location')).toBe(`http://resuming.${domain}/report?x=1`);
  });

  it('the sidecar endpoints answer on other hosts: healthz, metrics', async () => {
    const { get } = await setup();
    expect(await (await get('127.0.0.1:8090', '/healthz')).json()).toEqual({ ok: true });
    await get(`frozen.${domain}`, '/');
    const metrics = await (await get('localhost', '/metrics')).text();
    expect(metrics).toContain('thaw_wakes_total 1');
    expect(metrics).toContain('thaw_launcher_responses_total{state="FROZEN",status="503"} 1');
  });
});

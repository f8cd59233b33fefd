import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { createStackIndex } from '../../core/access-log/stack-index.ts';
import type { ThawEvent } from '../../core/events.ts';
import { type Store, silentLog } from '../../core/ports.ts';
import { transition } from '../../core/transition.ts';
import { destroy, freeze, launch, noDbSpec, resume, satisfy, taskFailed } from '../../test/helpers/events.ts';
import { createMetrics } from '../metrics.ts';
import { createSidecarApp } from './app.ts';

/** Runs per property: THAW_PROPERTY_RUNS, else 200. */
const RUNS = Number(process.env.THAW_PROPERTY_RUNS ?? 200);
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

/** One stack in each state a stranger can meet, the failed one with a reason full of markup. */
async function stacks() {
  const store = createMemoryStore();
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
      '<i-reason>"\'&</i-reason> exit code 1',
    ),
  );
  return store;
}

/** A marker that must never appear unescaped in an HTML answer, wherever it was put. */
const MARK = '<i-mark>"\'';

const withMark = (inner: fc.Arbitrary<string>) =>
  fc.oneof(
    inner,
    fc.tuple(inner, inner).map(([a, b]) => `${a}${MARK}${b}`),
  );

/** Header values a client can actually send (no CR, LF or NUL; printable and Latin-1 bytes). */
const headerText = withMark(
  fc.string({
    unit: fc.constantFrom(...'ab.-:,;= /\t<>"\'&%é\u00ff0123456789WAIT'.split('')),
    maxLength: 60,
  }),
).map((text) => text.trim());

const stackHost = fc
  .tuple(
    fc.constantFrom('frozen', 'running', 'launching', 'failed', 'gone', 'resuming', 'nope', 'x-y'),
    fc.constantFrom('', ':80', ':8443', '.', ':0', ':99999'),
    fc.boolean(),
  )
  .map(([id, suffix, upper]) => {
    const host = `${id}.${domain}${suffix}`;
    return upper ? host.toUpperCase() : host;
  });

const request = fc.record({
  host: fc.oneof(
    { weight: 3, arbitrary: stackHost },
    headerText,
    fc.constantFrom('localhost', '127.0.0.1:8090'),
  ),
  path: fc.oneof(
    fc.webPath(),
    fc.constantFrom('/_thaw/status', '/robots.txt', '/healthz', '/metrics', '/traefik/dynamic'),
    withMark(fc.string({ maxLength: 40 })).map((text) => `/${encodeURIComponent(text)}`),
    withMark(fc.string({ maxLength: 40 })).map((text) => `/${text.replace(/[#?\s\\]/g, '')}`),
  ),
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
  accept: fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*', ''), headerText),
  userAgent: fc.oneof(fc.constantFrom('Mozilla/5.0', 'Slackbot 1.0', ''), headerText),
  prefer: fc.oneof(
    fc.constantFrom('', 'wait=1', 'wait=0', 'wait=99999999999999999999', 'respond-async, wait=1', 'wait=-1'),
    headerText,
  ),
  forwardedFor: fc.oneof(
    fc.constantFrom('', '203.0.113.9', '10.0.0.1, 203.0.113.9', '::1', '[2001:db8::1]:443, 127.0.0.1'),
    fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), headerText), { maxLength: 5 }).map((list) => list.join(', ')),
  ),
  forwardedProto: fc.oneof(fc.constantFrom('', 'https', 'http', 'javascript'), headerText),
  forwardedHost: fc.oneof(stackHost, headerText),
  socket: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('::ffff:127.0.0.1')), { nil: undefined }),
});

describe('the sidecar app under arbitrary requests', () => {
  it('never answers a 5xx but the designed 502/503, and never reflects input unescaped into HTML', async () => {
    const store = await stacks();
    let now = Date.parse('2026-11-30T12:00:00Z');
    const app = createSidecarApp({
      store,
      index: createStackIndex({ store, domain }),
      events: { sendEvents: async () => {} },
      log: silentLog,
      metrics: createMetrics(),
      domain,
      // Held requests end quickly: the clock runs 400 ms per reading, the poll waits 1 ms.
      clock: () => (now += 400),
      waitPollMs: 1,
      maxWaitSeconds: 2,
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers = new Headers();
        const set = (name: string, value: string) => {
          if (value) headers.set(name, value);
        };
        set('host', r.host);
        set('accept', r.accept);
        set('user-agent', r.userAgent);
        set('prefer', r.prefer);
        set('x-forwarded-for', r.forwardedFor);
        set('x-forwarded-proto', r.forwardedProto);
        set('x-forwarded-host', r.forwardedHost);
        let url: string;
        try {
          // As @hono/node-server builds it from a request line: scheme and host, then the target as
          // sent. Resolving the path against a base instead would read `//x@y` as another authority.
          const target = r.path.startsWith('/') ? r.path : `/${r.path}`;
          url = new URL(`http://${domain}${target}`).href;
        } catch {
          return;
        }
        const env = r.socket ? { incoming: { socket: { remoteAddress: r.socket } } } : undefined;
        const response = await app.request(url, { method: r.method, headers }, env);
        expect(response.status === 502 || response.status === 503 || response.status < 500).toBe(true);
        const body = await response.text();
        if ((response.headers.get('content-type') ?? '').includes('html')) {
          expect(body).not.toContain('<i-mark>');
          expect(body).not.toContain('<i-reason>');
        }
        // Raw failure text never leaves, in any format.
        expect(body).not.toContain('i-reason');
        const location = response.headers.get('location');
        // A redirect stays on the stack's own host, and is a URL a browser can follow.
        if (location) expect(new URL(location).hostname.replace(/\.$/, '').endsWith(`.${domain}`)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

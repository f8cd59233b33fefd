import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { stackCost } from '../core/cost.ts';
import { ValidationError } from '../core/errors.ts';
import { parseEvent, type ThawEvent } from '../core/events.ts';
import type { JanitorReport } from '../core/janitor.ts';
import { type PublicUrls, stackUrls } from '../core/orchestrator.ts';
import type { EventSender, Store } from '../core/ports.ts';
import { toHistory, toView } from '../core/views.ts';

/** The file in the data directory holding the control API's token (mode 0600, rewritten at each start). */
export const CONTROL_TOKEN_FILE = 'control-token';

/**
 * A fresh random token for the control API, written to `<dataDir>/control-token` readable by this
 * user only: other users on the machine cannot read it, and web pages cannot guess it.
 */
export function writeControlToken(dataDir: string): string {
  const token = randomBytes(32).toString('base64url');
  const file = join(dataDir, CONTROL_TOKEN_FILE);
  // A file left by another user or an older run keeps its mode on rewrite: start from nothing.
  rmSync(file, { force: true });
  writeFileSync(file, token, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return token;
}

/** The token a `thaw dev` running with this data directory expects, or undefined when there is none. */
export function readControlToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, CONTROL_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/** Equal-time comparison: hashing first makes both sides the same length whatever was sent. */
function sameToken(sent: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

/**
 * Why a request may not reach the control API, or undefined when it may. A web page in the developer's
 * browser can send requests here (a `text/plain` POST needs no preflight) and a DNS-rebinding page can
 * even read answers, so: the Host must be loopback, an Origin must be this API's own, the bearer token
 * must match, and a body must be JSON (which a cross-site form or a simple request cannot send).
 */
export function refusal(
  headers: { host?: string; origin?: string; authorization?: string; contentType?: string },
  method: string,
  token: string,
): { status: 401 | 403 | 415; error: string } | undefined {
  const host = headers.host ?? '';
  if (!LOOPBACK_HOST.test(host))
    return { status: 403, error: `Host ${JSON.stringify(host)} is not 127.0.0.1, localhost or [::1]` };
  if (headers.origin !== undefined && headers.origin.toLowerCase() !== `http://${host.toLowerCase()}`)
    return { status: 403, error: `requests from ${JSON.stringify(headers.origin)} are not accepted` };
  const bearer = /^Bearer (\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (!bearer || !sameToken(bearer, token))
    return {
      status: 401,
      error: `missing or wrong token (the CLI reads it from <data dir>/${CONTROL_TOKEN_FILE})`,
    };
  if (method !== 'GET' && method !== 'HEAD') {
    const mediaType = (headers.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json')
      return {
        status: 415,
        error: `expected content-type application/json, got ${JSON.stringify(headers.contentType ?? '')}`,
      };
  }
  return undefined;
}

/**
 * The local control API of `thaw dev`, for `thaw launch|destroy|freeze|wake|status|ls` in the same
 * directory. Events go through the same queue as everything else. Every request needs the token of
 * `writeControlToken`; see `refusal` for what else is checked.
 */
export function createControlApi({
  store,
  events,
  urls,
  idleOverride,
  token,
  queues,
  janitor,
}: {
  store: Store;
  events: EventSender;
  urls: PublicUrls;
  idleOverride?: string;
  token: string;
  /** The local SQS endpoint and queue URLs, for `thaw dlq` and `thaw doctor` (GET /queues). */
  queues?: { endpoint: string; eventsQueueUrl: string; tasksQueueUrl: string };
  /** Runs the janitor over this thaw dev's resources, for `thaw janitor` (POST /janitor {"dryRun"}). */
  janitor?: (options: { dryRun: boolean }) => Promise<JanitorReport>;
}) {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof ValidationError) return c.json({ error: error.message, issues: error.issues }, 400);
    return c.json({ error: String(error) }, 500);
  });
  app.use('*', async (c, next) => {
    const refused = refusal(
      {
        host: c.req.header('host'),
        origin: c.req.header('origin'),
        authorization: c.req.header('authorization'),
        contentType: c.req.header('content-type'),
      },
      c.req.method,
      token,
    );
    if (refused) return c.json({ error: refused.error }, refused.status);
    await next();
  });
  app.post('/events', async (c) => {
    const body = await c.req.json();
    const list: ThawEvent[] = (Array.isArray(body) ? body : [body]).map((raw) => {
      const event = parseEvent(raw);
      // `thaw dev --idle 30s`: stacks launched here freeze after that long.
      return event.type === 'LAUNCH' && idleOverride
        ? { ...event, spec: { ...event.spec, idleTimeout: idleOverride } }
        : event;
    });
    await events.sendEvents(list);
    return c.json({ sent: list.length });
  });
  app.get('/queues', (c) => (queues ? c.json(queues) : c.json({ error: 'queues not exposed' }, 404)));
  // Behind the same checks as every route: loopback Host, own Origin, token, and a JSON body.
  app.post('/janitor', async (c) => {
    if (!janitor) return c.json({ error: 'this thaw dev has no janitor' }, 404);
    const body = (await c.req.json()) as { dryRun?: unknown };
    if (body === null || typeof body !== 'object' || typeof (body.dryRun ?? false) !== 'boolean')
      return c.json({ error: `expected {"dryRun": true|false}, got ${JSON.stringify(body)}` }, 400);
    return c.json(await janitor({ dryRun: body.dryRun === true }));
  });
  app.get('/stacks', async (c) => {
    const stacks = await store.list();
    return c.json(
      stacks.map((s) => toView(s, s.spec ? stackUrls(s.spec, s.id, urls) : {}, { at: new Date() })),
    );
  });
  app.get('/stacks/:id/cost', async (c) => {
    const stack = await store.load(c.req.param('id'));
    if (!stack?.spec) return c.json({ error: 'no such stack' }, 404);
    return c.json({
      id: stack.id,
      state: stack.state,
      ...stackCost(await store.history(stack.id), stack.spec, new Date()),
    });
  });
  app.get('/stacks/:id', async (c) => {
    const stack = await store.load(c.req.param('id'));
    if (!stack) return c.json({ error: 'no such stack' }, 404);
    return c.json({
      ...toView(stack, stack.spec ? stackUrls(stack.spec, stack.id, urls) : {}, { at: new Date() }),
      history: toHistory(await store.history(stack.id)),
    });
  });
  return app;
}

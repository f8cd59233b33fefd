import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { applyEvent } from '../core/apply.ts';
import type { ThawEvent } from '../core/events.ts';
import { parseSpec } from '../core/spec.ts';
import { launch } from '../test/helpers/events.ts';
import { CONTROL_TOKEN_FILE, createControlApi, readControlToken, writeControlToken } from './control-api.ts';

const TOKEN = 'a-token-of-forty-three-characters-xxxxxxxxx';
const destroy = { v: 1, type: 'DESTROY', stackId: 'pr-1', at: '2026-01-01T00:00:00.000Z' };

function controlApi() {
  const sent: ThawEvent[] = [];
  const app = createControlApi({
    store: createMemoryStore(),
    events: { sendEvents: async (events) => void sent.push(...events) },
    urls: { domain: 'localhost', scheme: 'http', port: 8080 },
    token: TOKEN,
  });
  return { app, sent };
}

/** What the CLI sends; each test spoils one header. */
const good = {
  host: '127.0.0.1:41234',
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
};

const post = (app: ReturnType<typeof controlApi>['app'], headers: Record<string, string>, body = destroy) =>
  app.request('/events', { method: 'POST', headers, body: JSON.stringify(body) });

describe('the local control API of thaw dev', () => {
  it.each(['127.0.0.1:41234', 'localhost:41234', '[::1]:41234', 'LOCALHOST:9'])(
    'the CLI with the token, Host %s and a JSON body is served',
    async (host) => {
      const { app, sent } = controlApi();
      const response = await post(app, { ...good, host });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ sent: 1 });
      expect(sent).toMatchObject([{ type: 'DESTROY', stackId: 'pr-1' }]);
      const list = await app.request('/stacks', { headers: { host, authorization: good.authorization } });
      expect(list.status).toBe(200);
    },
  );

  it('a web page posting text/plain from a foreign origin (the attack of issue 13) is refused and sends nothing', async () => {
    const { app, sent } = controlApi();
    const response = await post(app, {
      host: '127.0.0.1:41234',
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(403);
    expect(sent).toEqual([]);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }, 403],
    ['an Origin of another local port', { origin: 'http://127.0.0.1:3000' }, 403],
    ['the string "null" as Origin (sandboxed frame)', { origin: 'null' }, 403],
    ['a Host that is not loopback (DNS rebinding)', { host: 'evil.example:41234' }, 403],
    ['a loopback-looking Host of another name', { host: '127.0.0.1.evil.example:41234' }, 403],
    ['no Host', { host: '' }, 403],
    ['no token', { authorization: '' }, 401],
    ['a wrong token', { authorization: `Bearer ${TOKEN.slice(0, -1)}y` }, 401],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, 10)}` }, 401],
    ['a text/plain body', { 'content-type': 'text/plain' }, 415],
    ['a form body', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['no content-type', { 'content-type': '' }, 415],
  ])('a POST with everything right but %s is refused (%s) and sends nothing', async (_, spoil, status) => {
    const { app, sent } = controlApi();
    const headers = Object.fromEntries(
      Object.entries({ ...good, ...spoil }).filter(([, value]) => value !== ''),
    ) as Record<string, string>;
    const response = await post(app, headers);
    expect(response.status).toBe(status);
    expect(sent).toEqual([]);
  });

  it('reads need the token and a loopback Host too', async () => {
    const { app } = controlApi();
    expect((await app.request('/stacks', { headers: { host: good.host } })).status).toBe(401);
    expect(
      (await app.request('/stacks', { headers: { host: 'evil.example', authorization: good.authorization } }))
        .status,
    ).toBe(403);
  });

  it('a stack with a schedule shows its next scheduled wake (thaw status)', async () => {
    const store = createMemoryStore();
    // A window opening about three hours from now: its wake is 5 min (wakeBefore) ahead of it.
    const hour = String((new Date().getUTCHours() + 3) % 24).padStart(2, '0');
    const spec = parseSpec({
      services: { web: { image: 'web', port: 3000 } },
      schedule: { timezone: 'UTC', warm: [{ days: 'daily', from: `${hour}:00`, to: `${hour}:30` }] },
    });
    await applyEvent(launch('pr-9', { web: 'w' }, spec), { store });
    const app = createControlApi({
      store,
      events: { sendEvents: async () => {} },
      urls: { domain: 'localhost', scheme: 'http', port: 8080 },
      token: TOKEN,
    });
    const headers = { host: good.host, authorization: good.authorization };
    const [listed] = await (await app.request('/stacks', { headers })).json();
    const one = await (await app.request('/stacks/pr-9', { headers })).json();
    const before = String((Number(hour) + 23) % 24).padStart(2, '0');
    for (const view of [listed, one]) expect(view.nextWakeAt).toMatch(new RegExp(`T${before}:55:00\\.000Z$`));
  });

  it('its own origin is accepted (the Host with http://)', async () => {
    const { app } = controlApi();
    expect((await post(app, { ...good, origin: 'http://127.0.0.1:41234' })).status).toBe(200);
  });
});

describe('the control token file', () => {
  it('is random, readable by its owner only (0600), and replaced at each start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thaw-token-'));
    const file = join(dir, CONTROL_TOKEN_FILE);
    writeFileSync(file, 'old', { mode: 0o644 });
    const first = writeControlToken(dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readControlToken(dir)).toBe(first);
    expect(first.length).toBeGreaterThanOrEqual(40);
    const second = writeControlToken(dir);
    expect(second).not.toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is undefined when there is none', () => {
    expect(readControlToken(mkdtempSync(join(tmpdir(), 'thaw-token-')))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import type { JanitorReport } from '../core/janitor.ts';
import { createControlApi } from './control-api.ts';

const TOKEN = 'a-token-of-forty-three-characters-xxxxxxxxx';
const good = {
  host: '127.0.0.1:41234',
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
};

function api(withJanitor = true) {
  const calls: boolean[] = [];
  const report = (dryRun: boolean): JanitorReport => ({
    dryRun,
    removed: [],
    spared: [],
    failed: [],
    deferred: 0,
  });
  const app = createControlApi({
    store: createMemoryStore(),
    events: { sendEvents: async () => {} },
    urls: { domain: 'localhost', scheme: 'http', port: 8080 },
    token: TOKEN,
    ...(withJanitor
      ? {
          janitor: async ({ dryRun }: { dryRun: boolean }) => {
            calls.push(dryRun);
            return report(dryRun);
          },
        }
      : {}),
  });
  const post = (headers: Record<string, string>, body: string) =>
    app.request('/janitor', { method: 'POST', headers, body });
  return { post, calls };
}

describe('POST /janitor on the control API of thaw dev', () => {
  it('runs the janitor, dry or for real, for the CLI with the token', async () => {
    const { post, calls } = api();
    const dry = await post(good, '{"dryRun":true}');
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true });
    expect((await post(good, '{}')).status).toBe(200);
    expect(calls).toEqual([true, false]);
  });

  it.each([
    ['no token', { ...good, authorization: '' }, 401],
    ['a wrong token', { ...good, authorization: 'Bearer nope' }, 401],
    ['a foreign Host (DNS rebinding)', { ...good, host: 'evil.example:41234' }, 403],
    ['a cross-site Origin', { ...good, origin: 'http://evil.example' }, 403],
    ['a text/plain body (a form or simple request)', { ...good, 'content-type': 'text/plain' }, 415],
  ])('refuses %s without running anything', async (_, headers, status) => {
    const { post, calls } = api();
    expect((await post(headers, '{"dryRun":false}')).status).toBe(status);
    expect(calls).toEqual([]);
  });

  it('refuses a dryRun that is not a boolean, saying what is allowed', async () => {
    const { post, calls } = api();
    const response = await post(good, '{"dryRun":"yes"}');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'expected {"dryRun": true|false}, got {"dryRun":"yes"}' });
    expect(calls).toEqual([]);
  });

  it('answers 404 when this thaw dev has no janitor', async () => {
    expect((await api(false).post(good, '{"dryRun":true}')).status).toBe(404);
  });
});

import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvent } from '../../core/events.ts';
import { silentLog } from '../../core/ports.ts';
import { type Dev, startDev } from '../../local/start-dev.ts';
import { devRouters, requireTraefik } from '../helpers/dev-routers.ts';
import { getVia } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';

const routers = devRouters();
const USERS = [`tester:${bcrypt.hashSync('s3cret', 4)}`];
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  accept: 'text/html',
});

it('runs the protection suite through real Traefik when CI asks for it', () => {
  if (requireTraefik) expect(routers.map((r) => r.name)).toContain('traefik');
});

describe.each(routers)('protected previews (basic auth): $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  const host = () => `demo.${dev.domain}:${dev.port}`;
  const state = async () => (await dev.store.load('demo'))?.state;
  const until = (wanted: string, timeoutMs = 60_000) =>
    waitFor(async () => (await state()) === wanted, { timeoutMs, what: `demo to be ${wanted}` });
  const wakes = async () => {
    const text = await (await fetch(`${dev.sidecar.url}/metrics`)).text();
    return Number(/^thaw_wakes_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
  };
  const routed = async () => {
    const config = (await (await fetch(`${dev.sidecar.url}/traefik/dynamic`)).json()) as {
      http: { routers: Record<string, unknown> };
    };
    return 'thaw-demo-web' in config.http.routers;
  };

  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-protect-')),
      port: 0,
      demo: true,
      // Long: only the test freezes demo.
      idle: '10m',
      router: name,
      traefikBin,
      protection: { modes: ['basic'], basicAuthUsers: USERS },
      log: silentLog,
    });
  }, 60_000);
  afterAll(() => dev?.stop(), 30_000);

  it('a RUNNING stack: no or wrong credentials → 401 from the router; the right ones → the app', async () => {
    await until('RUNNING');
    const ok = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', basic('tester', 's3cret'));
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { what: 'the router to route demo' },
    );
    expect(ok.body).toContain('Hello from');
    const none = await getVia(dev.port, host(), '/', { accept: 'text/html' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    expect(none.body).not.toContain('Hello from');
    expect((await getVia(dev.port, host(), '/', basic('tester', 'wrong'))).status).toBe(401);
    expect((await getVia(dev.port, host(), '/', basic('nobody', 's3cret'))).status).toBe(401);
  });

  it('a FROZEN stack: requests without credentials get 401 and do not wake it', async () => {
    await dev.plane.queues.sendEvents([newEvent({ type: 'FREEZE', stackId: 'demo', seenAccessAt: null })]);
    await until('FROZEN');
    await waitFor(async () => !(await routed()), { what: "demo's router to be gone" });
    const before = await wakes();
    // Enough requests, spread over a few of Traefik's 500 ms polls, that the catch-all is surely
    // serving them: every one is refused before it reaches the launcher.
    for (let i = 0; i < 8; i++) {
      const r = await getVia(dev.port, host(), `/try/${i}`, { accept: 'text/html' });
      expect(r.status).toBe(401);
      expect(r.fromLauncher).toBe(false);
      const wrong = await getVia(dev.port, host(), `/try/${i}`, basic('tester', 'guess'));
      expect(wrong.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(await wakes()).toBe(before);
    expect(await state()).toBe('FROZEN');
    expect((await dev.store.history('demo')).at(-1)?.to).toBe('FROZEN');
  }, 60_000);

  it('with credentials the launcher wakes it, and it answers', async () => {
    const before = await wakes();
    const first = await getVia(dev.port, host(), '/', basic('tester', 's3cret'));
    expect(first.fromLauncher).toBe(true);
    expect(await wakes()).toBe(before + 1);
    const ok = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', basic('tester', 's3cret'));
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { timeoutMs: 60_000, what: 'demo to answer again' },
    );
    expect(ok.body).toContain('Hello from');
    expect(await state()).toBe('RUNNING');
  }, 90_000);
});

describe.each(routers)('protected previews (IP allow-list): $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-protect-ip-')),
      port: 0,
      router: name,
      traefikBin,
      // Loopback is not in the list: every request of this test comes from a stranger.
      protection: { modes: ['ip'], ipAllowList: ['203.0.113.0/24'] },
      log: silentLog,
    });
  }, 60_000);
  afterAll(() => dev?.stop(), 30_000);

  it('a client outside the allow-list gets 403 from the launcher catch-all', async () => {
    const r = await waitFor(
      async () => {
        const got = await getVia(dev.port, `pr-9.${dev.domain}:${dev.port}`, '/', { accept: 'text/html' });
        return got.status === 403 ? got : undefined;
      },
      { what: 'the catch-all to refuse' },
    );
    expect(r.fromLauncher).toBe(false);
  });
});

describe.each(routers)('protected previews (forward auth): $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  let proxy: Server;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    // A stand-in for oauth2-proxy's /oauth2/auth: 202 with the user for a signed-in cookie, else 401.
    proxy = createServer((req, res) => {
      seen.push(req.headers);
      if ((req.headers.cookie ?? '').includes('_oauth2_proxy=ok'))
        res.writeHead(202, { 'x-auth-request-user': 'octocat' }).end();
      else res.writeHead(401, { 'content-type': 'text/plain' }).end('sign in with GitHub');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/oauth2/auth`;
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-protect-fa-')),
      port: 0,
      router: name,
      traefikBin,
      protection: { modes: ['forward-auth'], forwardAuthUrl: url },
      log: silentLog,
    });
  }, 60_000);
  afterAll(async () => {
    await dev?.stop();
    proxy?.close();
  }, 30_000);

  it("without the proxy's cookie the auth server's answer is returned; with it the launcher is reached", async () => {
    const host = `pr-9.${dev.domain}:${dev.port}`;
    const refused = await waitFor(
      async () => {
        const r = await getVia(dev.port, host, '/page?x=1', { accept: 'text/html' });
        return r.status === 401 ? r : undefined;
      },
      { what: 'the catch-all to ask the auth server' },
    );
    expect(refused.body).toBe('sign in with GitHub');
    expect(refused.fromLauncher).toBe(false);
    const asked = seen.at(-1)!;
    expect(asked['x-forwarded-host']).toBe(host);
    expect(asked['x-forwarded-uri']).toBe('/page?x=1');
    const allowed = await getVia(dev.port, host, '/', {
      accept: 'application/json',
      cookie: '_oauth2_proxy=ok',
    });
    expect(allowed.fromLauncher).toBe(true);
    expect(allowed.status).toBe(404);
  });
});

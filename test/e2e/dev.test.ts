import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dev, startDev } from '../../cli/dev/start-dev.ts';
import { silentLog } from '../../core/ports.ts';
import { devRouters, requireTraefik } from '../helpers/dev-routers.ts';
import { getVia } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';

const routers = devRouters();

it('runs the end-to-end suite through real Traefik when CI asks for it', () => {
  if (requireTraefik) expect(routers.map((r) => r.name)).toContain('traefik');
});

describe.each(routers)('thaw dev end to end: $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  const host = () => `demo.${dev.domain}:${dev.port}`;
  const state = async () => (await dev.store.load('demo'))?.state;
  const until = (wanted: string, timeoutMs = 30_000) =>
    waitFor(async () => (await state()) === wanted, { timeoutMs, what: `demo to be ${wanted}` });

  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-')),
      port: 0,
      demo: true,
      idle: '6s',
      freezerIntervalMs: 500,
      router: name,
      traefikBin,
      log: silentLog,
    });
  }, 60_000);
  afterAll(() => dev?.stop(), 30_000);

  it('launch → RUNNING → a request through the router reaches the app', async () => {
    await until('RUNNING');
    const response = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'text/html' });
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { what: 'the router to route demo' },
    );
    expect(response.body).toContain('Hello from <code>demo</code>');
    expect(response.headers['x-demo-service']).toBe('web');
  });

  it('requests through the router keep the stack awake: the access log becomes ACCESS events', async () => {
    const before = (await dev.store.load('demo'))!.lastAccessedAt!.getTime();
    for (let i = 0; i < 6; i++) {
      expect((await getVia(dev.port, host(), `/keep/${i}`)).fromLauncher).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const after = (await dev.store.load('demo'))!;
    expect(after.state).toBe('RUNNING');
    expect(after.lastAccessedAt!.getTime()).toBeGreaterThan(before + 2000);
  });

  it('no requests for the idle timeout → FROZEN → the launcher answers with the waiting page', async () => {
    await until('FROZEN', 30_000);
    const response = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'text/html' });
        return r.fromLauncher ? r : undefined;
      },
      { what: 'the route to be gone' },
    );
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.body).toContain('role="progressbar"');
  });

  it('the stack resumes and requests reach the app again', async () => {
    const response = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'text/html' });
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'demo to answer again' },
    );
    expect(response.body).toContain('Hello from');
    expect(await state()).toBe('RUNNING');
  });

  it('destroy → 410, and the processes are gone', async () => {
    const response = await fetch(`${dev.controlUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ v: 1, type: 'DESTROY', stackId: 'demo', at: new Date().toISOString() }]),
    });
    expect(response.status).toBe(200);
    await until('DESTROYED');
    const gone = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'application/json' });
        return r.fromLauncher && r.status === 410 ? r : undefined;
      },
      { what: 'a 410 from the launcher' },
    );
    expect(JSON.parse(gone.body)).toMatchObject({ stack: 'demo', phase: 'gone' });
    expect(dev.orchestrator.endpoints().filter((e) => e.urls.length > 0)).toEqual([]);
    expect(
      (await getVia(dev.port, `nothing-here.${dev.domain}:${dev.port}`, '/', { accept: 'application/json' }))
        .status,
    ).toBe(404);
  });
});

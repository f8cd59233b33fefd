import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../core/ports.ts';
import { type Dev, startDev } from '../../local/start-dev.ts';
import { devRouters, requireTraefik } from '../helpers/dev-routers.ts';
import { getVia } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { openEventStream, openWebSocket } from '../helpers/websocket.ts';

const routers = devRouters();
const IDLE_MS = 10_000;

it('runs the end-to-end suite through real Traefik when CI asks for it', () => {
  if (requireTraefik) expect(routers.map((r) => r.name)).toContain('traefik');
});

describe.each(routers)('thaw dev end to end: $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  const host = () => `demo.${dev.domain}:${dev.port}`;
  const state = async () => (await dev.store.load('demo'))?.state;
  const until = (wanted: string, timeoutMs = 30_000) =>
    waitFor(async () => (await state()) === wanted, { timeoutMs, what: `demo to be ${wanted}` });
  const freezes = async () => (await dev.store.history('demo')).filter((h) => h.to === 'FREEZING').length;

  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-')),
      port: 0,
      demo: true,
      // Long enough that a busy 2-core machine does not freeze the stack between two steps of a test.
      idle: `${IDLE_MS / 1000}s`,
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
    const freezesBefore = await freezes();
    const start = Date.now();
    let sent = 0;
    let fromLauncher = 0;
    // Keep requesting until the store holds an access from more than an idle timeout after the start:
    // the stack has then outlived its idle timeout on the strength of these requests alone.
    await waitFor(
      async () => {
        if ((await getVia(dev.port, host(), `/keep/${sent++}`)).fromLauncher) fromLauncher++;
        return (await dev.store.load('demo'))!.lastAccessedAt!.getTime() > start + IDLE_MS;
      },
      {
        timeoutMs: IDLE_MS + 30_000,
        intervalMs: 500,
        what: 'an access recorded an idle timeout after the start',
      },
    );
    expect(fromLauncher).toBe(0);
    expect(await freezes()).toBe(freezesBefore);
    expect(await state()).toBe('RUNNING');
  }, 90_000);

  it('no requests for the idle timeout → FROZEN → the launcher answers with the waiting page', async () => {
    await until('FROZEN', IDLE_MS + 30_000);
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
  }, 90_000);

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

  it(
    'a WebSocket held open for 3× the idle timeout with no other traffic keeps demo RUNNING; once closed, it freezes',
    async () => {
      await until('RUNNING');
      const freezesBefore = await freezes();
      const ws = await openWebSocket(dev.port, host(), '/ws');
      expect(ws.status).toBe(101);
      await waitFor(async () => ws.received().includes('hello'), { what: 'the greeting frame from demo' });
      // No request at all for three idle timeouts: only the open connection can keep demo awake.
      await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_MS));
      expect(await freezes()).toBe(freezesBefore);
      expect(await state()).toBe('RUNNING');
      await ws.close();
      // Then it freezes after the idle timeout (plus, behind Traefik, at most its idleConnTimeout of 90 s
      // for a pooled upstream connection: see docs/sidecar.md).
      await until('FROZEN', IDLE_MS + 120_000);
    },
    4 * IDLE_MS + 180_000,
  );

  it('the stack resumes again after the WebSocket test', async () => {
    const response = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'text/html' });
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'demo to answer again' },
    );
    expect(response.status).toBe(200);
  });

  it(
    'the same for a server-sent event stream: open 3× the idle timeout → RUNNING; closed → FROZEN',
    async () => {
      await until('RUNNING');
      const freezesBefore = await freezes();
      const stream = await openEventStream(dev.port, host(), '/events');
      expect(stream.status).toBe(200);
      await waitFor(async () => stream.received().includes('data: hello'), {
        what: 'the first event from demo',
      });
      await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_MS));
      expect(await freezes()).toBe(freezesBefore);
      expect(await state()).toBe('RUNNING');
      await stream.close();
      await until('FROZEN', IDLE_MS + 120_000);
    },
    4 * IDLE_MS + 180_000,
  );

  it('the stack resumes again after the event-stream test', async () => {
    const response = await waitFor(
      async () => {
        const r = await getVia(dev.port, host(), '/', { accept: 'text/html' });
        return !r.fromLauncher && r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'demo to answer again' },
    );
    expect(response.status).toBe(200);
  });

  it('destroy → 410, and the processes are gone', async () => {
    const response = await fetch(`${dev.controlUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dev.controlToken}` },
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

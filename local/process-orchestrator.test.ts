import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentTaskError } from '../core/errors.ts';
import { parseSpec } from '../core/spec.ts';
import { readEstablished } from '../sidecar/connections/read.ts';
import { tinyServerDir } from '../test/helpers/tiny-server.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { createProcessOrchestrator } from './process-orchestrator.ts';

const dir = tinyServerDir();
const urls = { domain: 'localhost', scheme: 'http' as const, port: 8080 };
const make = () =>
  createProcessOrchestrator({ dataDir: mkdtempSync(join(tmpdir(), 'thaw-data-')), urls, graceMs: 500 });
let current: ReturnType<typeof make> | undefined;
afterEach(async () => current?.stopAll());

describe('process orchestrator', () => {
  it('runs the command with PORT and the filled environment, and answers HTTP', async () => {
    current = make();
    const spec = parseSpec({
      services: {
        web: {
          run: 'node server.mjs web',
          cwd: dir,
          port: 1,
          env: { GREETING: 'hello {stack} at {url:web}' },
        },
      },
    });
    const target = { stackId: 'pr-5', spec, images: {} };
    await current.ensure(target);
    const status = await waitFor(async () => {
      const s = await current!.status(target, 'spec');
      return s.ready ? s : undefined;
    });
    const body = await (await fetch(status.services[0]!.endpoints[0]!)).text();
    expect(body).toBe('web hello pr-5 at http://pr-5.localhost:8080');
  });

  it('leaves no open connection to a service after its readiness checks (the connection watcher would count it as use)', async () => {
    current = make();
    const spec = parseSpec({ services: { web: { run: 'node server.mjs web', cwd: dir, port: 1 } } });
    const target = { stackId: 'pr-6', spec, images: {} };
    await current.ensure(target);
    const status = await waitFor(async () => {
      const s = await current!.status(target, 'spec');
      return s.ready ? s : undefined;
    });
    for (let i = 0; i < 3; i++) expect((await current.status(target, 'spec')).ready).toBe(true);
    const backend = new URL(status.services[0]!.endpoints[0]!).host;
    // What the sidecar's watcher reads: ESTABLISHED sockets whose remote end is the service.
    await waitFor(
      async () => ((await readEstablished()).some((s) => s.remote === backend) ? undefined : true),
      {
        timeoutMs: 2000,
        what: `no ESTABLISHED connection to ${backend}`,
      },
    );
  });

  it('reports a crashed process with its exit code and last output', async () => {
    current = make();
    const spec = parseSpec({
      services: { web: { run: 'echo "Error: cannot find module x"; exit 3', port: 1 } },
    });
    const target = { stackId: 'pr-6', spec, images: {} };
    await current.ensure(target);
    const failure = await waitFor(async () => (await current!.status(target, 'spec')).failure);
    expect(failure).toContain('web exited with code 3');
    expect(failure).toContain('Error: cannot find module x');
  });

  it('stops a process that ignores SIGTERM with SIGKILL after the grace period, leaving nothing behind', async () => {
    current = make();
    const spec = parseSpec({ services: { web: { run: 'node stubborn.mjs', cwd: dir, port: 1 } } });
    const target = { stackId: 'pr-7', spec, images: {} };
    await current.ensure(target);
    await waitFor(async () => (await current!.status(target, 'spec')).ready);
    const [endpoint] = current.endpoints();
    expect(endpoint?.urls).toHaveLength(1);
    const started = Date.now();
    await current.stopAll();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await expect(fetch(endpoint!.urls[0]!)).rejects.toThrow();
  });

  it('refuses a service without a run command', async () => {
    current = make();
    const spec = parseSpec({ services: { web: { image: 'ghcr.io/acme/web', port: 1 } } });
    await expect(current.ensure({ stackId: 'pr-8', spec, images: {} })).rejects.toBeInstanceOf(
      PermanentTaskError,
    );
  });

  it('restarts a service whose configuration changed, and keeps one that did not', async () => {
    current = make();
    const spec = parseSpec({
      services: {
        web: { run: 'node server.mjs web', cwd: dir, port: 1 },
        api: { run: 'node server.mjs api', cwd: dir, port: 2, host: 'api-{stack}' },
      },
    });
    const target = { stackId: 'pr-9', spec, images: { web: '1', api: '1' } };
    await current.ensure(target);
    const before = Object.fromEntries(current.endpoints().map((e) => [e.service, e.urls[0]]));
    await current.ensure({ ...target, images: { web: '2', api: '1' } });
    const after = Object.fromEntries(current.endpoints().map((e) => [e.service, e.urls[0]]));
    expect(after.api).toBe(before.api);
    expect(after.web).not.toBe(before.web);
  });
});

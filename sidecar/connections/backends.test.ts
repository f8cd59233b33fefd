import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { resourceName } from '../../core/orchestrator.ts';
import { freePort } from '../../local/free-port.ts';
import { devRouters } from '../../test/helpers/dev-routers.ts';
import { stackIn } from '../../test/helpers/drive.ts';
import { waitFor } from '../../test/helpers/wait.ts';
import { backendsFromRoutes, backendsFromTraefikApi } from './backends.ts';

const traefikBin = devRouters().find((r) => r.name === 'traefik')?.traefikBin;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function storeWith(...states: ('RUNNING' | 'FROZEN')[]) {
  const store = createMemoryStore();
  for (const [i, state] of states.entries()) {
    const stack = { ...stackIn(state)!, id: `pr-${i + 1}` };
    await store.save(stack, undefined, { history: [], tasks: [] });
  }
  return store;
}

describe('backend addresses of awake stacks', () => {
  it('from the route source: only awake stacks, with the smallest idle timeout', async () => {
    const store = await storeWith('RUNNING', 'FROZEN');
    const backends = await backendsFromRoutes({
      store,
      source: {
        endpoints: () => [
          { stackId: 'pr-1', service: 'web', urls: ['http://127.0.0.1:3000', 'http://[::1]:3001'] },
          { stackId: 'pr-2', service: 'web', urls: ['http://127.0.0.1:4000'] },
        ],
      },
    })();
    expect(backends.addresses).toEqual(
      new Map([
        ['127.0.0.1:3000', 'pr-1'],
        ['[::1]:3001', 'pr-1'],
      ]),
    );
    expect(backends.smallestIdleMs).toBeGreaterThan(0);
  });

  it("from Traefik's API: servers of thaw-<stack>-<service>@provider services", async () => {
    const store = await storeWith('RUNNING');
    const services = Object.keys(stackIn('RUNNING')!.spec!.services);
    const body = [
      {
        name: `${resourceName('pr-1', services[0]!)}@ecs`,
        loadBalancer: { servers: [{ url: 'http://10.0.3.4:3000' }] },
      },
      { name: 'thaw-launcher@file', loadBalancer: { servers: [{ url: 'http://127.0.0.1:8090' }] } },
      { name: 'api@internal' },
    ];
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(new URL(req.url!, 'http://x').pathname === '/api/http/services' ? JSON.stringify(body) : '[]');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const backends = await backendsFromTraefikApi({ store, apiUrl })();
    expect(backends.addresses).toEqual(new Map([['10.0.3.4:3000', 'pr-1']]));
  });

  it.runIf(traefikBin)(
    "from real Traefik's API, across its pages (X-Next-Page wraps to 1 after the last)",
    async () => {
      const store = createMemoryStore();
      const template = stackIn('RUNNING')!;
      const service = Object.keys(template.spec!.services)[0]!;
      for (const id of ['pr-1', 'pr-2', 'pr-3'])
        await store.save({ ...template, id }, undefined, { history: [], tasks: [] });
      const dir = mkdtempSync(join(tmpdir(), 'thaw-traefik-api-'));
      const services = Object.fromEntries(
        ['pr-1', 'pr-2', 'pr-3'].map((id, i) => [
          resourceName(id, service),
          { loadBalancer: { servers: [{ url: `http://10.0.0.${i + 1}:3000` }] } },
        ]),
      );
      writeFileSync(join(dir, 'dynamic.json'), JSON.stringify({ http: { services } }));
      const port = await freePort();
      const traefik = spawn(
        traefikBin!,
        [
          `--entryPoints.traefik.address=127.0.0.1:${port}`,
          '--api=true',
          '--api.insecure=true',
          '--api.dashboard=false',
          `--providers.file.filename=${join(dir, 'dynamic.json')}`,
          '--log.level=ERROR',
        ],
        { stdio: 'ignore' },
      );
      try {
        const apiUrl = `http://127.0.0.1:${port}`;
        const read = backendsFromTraefikApi({ store, apiUrl, perPage: 1 });
        const backends = await waitFor(
          async () => {
            const found = await read().catch(() => undefined);
            return found && found.addresses.size === 3 ? found : undefined;
          },
          { what: "three stacks' backends from Traefik's API", timeoutMs: 15_000 },
        );
        expect(backends.addresses).toEqual(
          new Map([
            ['10.0.0.1:3000', 'pr-1'],
            ['10.0.0.2:3000', 'pr-2'],
            ['10.0.0.3:3000', 'pr-3'],
          ]),
        );
      } finally {
        traefik.kill();
      }
    },
    30_000,
  );
});

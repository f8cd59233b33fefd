import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { resourceName } from '../../core/orchestrator.ts';
import { stackIn } from '../../test/helpers/drive.ts';
import { backendsFromRoutes, backendsFromTraefikApi } from './backends.ts';

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
      res.end(req.url === '/api/http/services' ? JSON.stringify(body) : '[]');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const backends = await backendsFromTraefikApi({ store, apiUrl })();
    expect(backends.addresses).toEqual(new Map([['10.0.3.4:3000', 'pr-1']]));
  });
});

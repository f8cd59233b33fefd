import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { ThawError } from '../core/errors.ts';
import type { ThawEvent } from '../core/events.ts';
import { createControlApi } from '../local/control-api.ts';
import { drive } from '../test/helpers/drive.ts';
import { destroy, launch } from '../test/helpers/events.ts';
import { ControlApiError, createDevClient } from './dev-client.ts';

const TOKEN = 'the-token-thaw-dev-wrote-to-its-data-dir';
const servers: ReturnType<typeof serve>[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The real control API of thaw dev, listening on a loopback port, with one launched stack pr-1. */
async function runningThawDev() {
  const store = createMemoryStore();
  const { stack } = drive(undefined, launch('pr-1'));
  await store.save(stack!, undefined, { history: [], tasks: [] });
  const sent: ThawEvent[] = [];
  const app = createControlApi({
    store,
    events: { sendEvents: async (events) => void sent.push(...events) },
    urls: { domain: 'localhost', scheme: 'http', port: 8080 },
    token: TOKEN,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { controlUrl: `http://127.0.0.1:${port}`, sent };
}

describe('the CLI client of the thaw dev control API (node:http)', () => {
  it('lists, reads and prices stacks with the token, and sends events as JSON', async () => {
    const { controlUrl, sent } = await runningThawDev();
    const client = createDevClient({ controlUrl, token: TOKEN });

    const stacks = await client.list();
    expect(stacks).toMatchObject([{ id: 'pr-1', state: 'LAUNCHING', url: 'http://pr-1.localhost:8080' }]);
    expect(await client.get('pr-1')).toMatchObject({ id: 'pr-1', history: expect.any(Array) });
    expect(await client.cost('pr-1')).toMatchObject({ id: 'pr-1', costUsd: expect.any(Number) });

    const event = destroy('pr-1');
    await client.send([event]);
    expect(sent).toEqual([event]);
    await client.close();
  });

  it('answers undefined for a stack that does not exist (404)', async () => {
    const { controlUrl } = await runningThawDev();
    const client = createDevClient({ controlUrl, token: TOKEN });
    expect(await client.get('pr-404')).toBeUndefined();
    expect(await client.cost('pr-404')).toBeUndefined();
  });

  it('a wrong token is refused with a typed error carrying the status and the API’s reason', async () => {
    const { controlUrl, sent } = await runningThawDev();
    const client = createDevClient({ controlUrl, token: 'not-the-token' });
    const error = await client.send([destroy('pr-1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlApiError);
    expect(error).toMatchObject({ status: 401, message: expect.stringContaining('missing or wrong token') });
    expect(sent).toEqual([]);
  });

  it('a thaw dev that is gone is a ThawError naming the address, not a crash', async () => {
    const { controlUrl } = await runningThawDev();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const error = await createDevClient({ controlUrl, token: TOKEN })
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThawError);
    expect((error as Error).message).toContain(controlUrl);
  });
});

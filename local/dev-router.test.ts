import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../core/ports.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { acceptFor, openWebSocket } from '../test/helpers/websocket.ts';
import { startDevRouter } from './dev-router.ts';

const servers: Server[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A backend that accepts WebSocket upgrades on /ws and sends one unmasked text frame, "hi". */
async function wsBackend(): Promise<number> {
  const server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req, socket) => {
    const accept = acceptFor(String(req.headers['sec-websocket-key']));
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
    );
    socket.write(Buffer.from([0x81, 2, 0x68, 0x69]));
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
  });
  return listen(server);
}

async function devRouterTo(backendPort: number | undefined) {
  const config = {
    http: {
      routers: { 'thaw-pr-1-web': { rule: 'Host(`pr-1.qa.test`)', service: 'thaw-pr-1-web' } },
      services: {
        'thaw-pr-1-web': {
          loadBalancer: { servers: backendPort ? [{ url: `http://127.0.0.1:${backendPort}` }] : [] },
        },
      },
    },
  };
  const configPort = await listen(createServer((_req, res) => res.end(JSON.stringify(config))));
  const accessLog = join(mkdtempSync(join(tmpdir(), 'thaw-devrouter-')), 'access.log');
  writeFileSync(accessLog, '');
  const router = await startDevRouter({
    configUrl: `http://127.0.0.1:${configPort}/`,
    port: 0,
    accessLog,
    log: silentLog,
  });
  stops.push(() => router.stop());
  return { port: router.port, accessLog };
}

describe('the built-in dev router and WebSocket upgrades', () => {
  it('proxies an upgrade like Traefik, and logs it with DownstreamStatus 0 when it closes', async () => {
    const { port, accessLog } = await devRouterTo(await wsBackend());
    const ws = await openWebSocket(port, 'pr-1.qa.test', '/ws', 5000);
    expect(ws.status).toBe(101);
    await waitFor(async () => ws.received().includes('hi'), {
      timeoutMs: 5000,
      what: 'the frame from the app',
    });
    expect(readFileSync(accessLog, 'utf8')).toBe(''); // Traefik writes the line only at close
    await ws.close();
    const line = await waitFor(
      async () =>
        readFileSync(accessLog, 'utf8')
          .split('\n')
          .find((l) => l.includes('/ws')),
      { timeoutMs: 5000, what: 'the access line of the WebSocket' },
    );
    expect(JSON.parse(line)).toMatchObject({
      DownstreamStatus: 0,
      RequestHost: 'pr-1.qa.test',
      RouterName: 'thaw-pr-1-web@http',
    });
  });

  it('answers an upgrade for a service without servers with 503, at once', async () => {
    const { port } = await devRouterTo(undefined);
    await expect(openWebSocket(port, 'pr-1.qa.test', '/ws', 5000)).rejects.toThrow('no upgrade: 503');
  });
});

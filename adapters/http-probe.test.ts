import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpProbe } from './http-probe.ts';

describe('createHttpProbe', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      res.end(req.headers.host);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const probe = createHttpProbe({ timeoutMs: 300 });
  it.each([
    [200, true],
    [302, true], // not followed: the app answered
    [404, true], // an API without "/" still answers
    [499, true],
    [500, false],
    [503, false],
  ])('status %i counts as up: %s', async (status, up) => {
    const result = await probe({ url: `${base}/${status}`, host: 'pr-1.qa.example.com' });
    expect(result).toEqual(up ? { up, detail: String(status) } : { up, detail: `answered ${status}` });
  });

  it('a refused connection and a server that never answers are not up, and say why', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await probe({ url: `http://127.0.0.1:${port}/`, host: 'x' })).toEqual({
      up: false,
      detail: 'connection refused',
    });
    expect(await probe({ url: `${base}/hang`, host: 'x' })).toEqual({
      up: false,
      detail: 'no answer within 300 ms',
    });
  });
});

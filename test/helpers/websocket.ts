import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** The Sec-WebSocket-Accept a server answers for a key (RFC 6455 §4.2.2). */
export const acceptFor = (key: string) =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

/**
 * Opens a WebSocket through a router by hand (no client library is a dependency: `ws` is not
 * installed and undici only comes in transitively): the upgrade request, the 101 with the right
 * accept, and the raw socket, kept open until the test closes it.
 */
export function openWebSocket(
  port: number,
  host: string,
  path = '/ws',
  timeoutMs = 10_000,
): Promise<{ socket: Socket; status: number; received: () => string; close: () => Promise<void> }> {
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: '127.0.0.1',
      port,
      path,
      headers: {
        host,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': key,
        'sec-websocket-version': '13',
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no WebSocket upgrade answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('upgrade', (res, socket, head) => {
      clearTimeout(timer);
      if (res.headers['sec-websocket-accept'] !== acceptFor(key)) {
        socket.destroy();
        reject(new Error('wrong Sec-WebSocket-Accept'));
        return;
      }
      let data = head.toString('latin1');
      socket.on('data', (chunk: Buffer) => {
        data += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      resolve({
        socket,
        status: res.statusCode ?? 0,
        received: () => data,
        close: () =>
          new Promise<void>((done) => {
            socket.once('close', () => done());
            socket.end();
            setTimeout(() => socket.destroy(), 1000).unref();
          }),
      });
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      reject(new Error(`no upgrade: ${res.statusCode}`));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** Opens a server-sent event stream (a GET that stays open) through a router; `close` leaves it. */
export function openEventStream(
  port: number,
  host: string,
  path = '/events',
  timeoutMs = 10_000,
): Promise<{ status: number; received: () => string; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: '127.0.0.1',
      port,
      path,
      headers: { host, accept: 'text/event-stream' },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        data += chunk;
      });
      res.on('error', () => {});
      resolve({
        status: res.statusCode ?? 0,
        received: () => data,
        close: () =>
          new Promise<void>((done) => {
            req.socket?.once('close', () => done());
            req.destroy();
            setTimeout(done, 1000).unref();
          }),
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

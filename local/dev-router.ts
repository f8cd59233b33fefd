import { createWriteStream } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxyServer } from 'httpxy';
import type { Log } from '../core/ports.ts';
import type { Middleware } from '../core/protection.ts';
import { applyMiddlewares } from './middlewares.ts';
import { type RouteTable, routeTable } from './router-rules.ts';

interface DevRoute {
  rule: string;
  service: string;
  priority?: number;
  middlewares?: string[];
}

interface DynamicConfig {
  http: {
    routers: Record<string, DevRoute>;
    services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
    middlewares?: Record<string, Middleware>;
  };
}

export interface DevRouterOptions {
  /** Where the dynamic configuration comes from (the sidecar's /traefik/dynamic), as Traefik's HTTP provider. */
  configUrl: string;
  port: number;
  host?: string;
  /** Traefik v3-format JSON access log, tailed by the sidecar. */
  accessLog: string;
  log: Log;
  /** How often it loads the routes (default 50 ms, as thaw dev's Traefik polls). */
  pollMs?: number;
}

/**
 * The built-in dev router, for machines without Traefik: the same dynamic configuration and the same
 * semantics (Host/HostRegexp/PathPrefix, priority = rule length unless set, highest wins, no
 * fall-through past the chosen router, its middlewares — ipAllowList, basicAuth, forwardAuth — run
 * before anything else, 503 when its service has no servers), proxied with httpxy
 * (WebSocket upgrades included), and a Traefik v3 JSON access log. Production uses Traefik.
 */
export async function startDevRouter(options: DevRouterOptions) {
  const { log, pollMs = 50 } = options;
  let table: RouteTable<DevRoute & { name: string }> = routeTable({});
  let services: DynamicConfig['http']['services'] = {};
  let middlewares: Record<string, Middleware> = {};
  const cursors = new Map<string, number>();
  const accessLog = createWriteStream(options.accessLog, { flags: 'a' });
  const proxy = createProxyServer({ xfwd: true, changeOrigin: false });
  let running = true;

  const refresh = async () => {
    try {
      const response = await fetch(options.configUrl, { signal: AbortSignal.timeout(2000) });
      const config = (await response.json()) as DynamicConfig;
      table = routeTable(config.http.routers);
      services = config.http.services;
      middlewares = config.http.middlewares ?? {};
    } catch (error) {
      log.warn('dev router could not load its configuration; keeping the last one', {
        reason: String(error),
      });
    }
  };
  await refresh();
  const poll = async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      if (running) await refresh();
    }
  };
  const polling = poll();

  const writeAccess = (
    req: IncomingMessage,
    res: Pick<ServerResponse, 'statusCode'>,
    started: number,
    startedAt: Date,
    host: string,
    router?: string,
    service?: string,
    serviceUrl?: string,
  ) => {
    const duration = Math.round((performance.now() - started) * 1e6);
    accessLog.write(
      `${JSON.stringify({
        ClientHost: req.socket.remoteAddress,
        DownstreamStatus: res.statusCode,
        Duration: duration,
        RequestHost: host,
        RequestMethod: req.method,
        RequestPath: req.url,
        RequestProtocol: `HTTP/${req.httpVersion}`,
        ...(router ? { RouterName: `${router}@http`, ServiceName: `${service}@http` } : {}),
        ...(serviceUrl ? { ServiceURL: serviceUrl } : {}),
        StartUTC: startedAt.toISOString(),
        entryPointName: 'web',
        level: 'info',
        msg: '',
        time: new Date().toISOString(),
      })}\n`,
    );
  };

  const upgraded = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    const started = performance.now();
    const startedAt = new Date();
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').split('?')[0]!;
    const router = table.match(host, path);
    if (!router) {
      res.on('finish', () => writeAccess(req, res, started, startedAt, host));
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const verdict = await applyMiddlewares(req, router.middlewares, middlewares, host);
    if (!verdict.pass) {
      res.on('finish', () => writeAccess(req, res, started, startedAt, host, router.name, router.service));
      res.writeHead(verdict.status, verdict.headers).end(verdict.body);
      return;
    }
    const servers = services[router.service]?.loadBalancer.servers ?? [];
    if (servers.length === 0) {
      res.on('finish', () => writeAccess(req, res, started, startedAt, host, router.name, router.service));
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('no available server\n');
      return;
    }
    const index = (cursors.get(router.service) ?? 0) % servers.length;
    cursors.set(router.service, index + 1);
    const target = servers[index]!.url;
    res.on('finish', () =>
      writeAccess(req, res, started, startedAt, host, router.name, router.service, target),
    );
    proxy.web(req, res, { target }).catch(() => {
      if (!res.headersSent)
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad Gateway\n');
    });
  });
  // WebSocket upgrades, like Traefik: the same routing, proxied by httpxy; the access line is written
  // when the socket closes, with DownstreamStatus 0 as Traefik writes it.
  server.on('upgrade', async (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const started = performance.now();
    const startedAt = new Date();
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').split('?')[0]!;
    const router = table.match(host, path);
    socket.on('error', () => {});
    const refuse = (status: number, text: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${text.length + 1}\r\nconnection: close\r\n\r\n${text}\n`,
      );
      writeAccess(req, { statusCode: status }, started, startedAt, host, router?.name, router?.service);
    };
    if (!router) return refuse(404, 'Not Found');
    const verdict = await applyMiddlewares(req, router.middlewares, middlewares, host);
    if (!verdict.pass) {
      const lines = Object.entries(verdict.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${verdict.status} ${STATUS_CODES[verdict.status] ?? ''}\r\n${lines}content-length: ${Buffer.byteLength(verdict.body)}\r\nconnection: close\r\n\r\n${verdict.body}`,
      );
      writeAccess(req, { statusCode: verdict.status }, started, startedAt, host, router.name, router.service);
      return;
    }
    const servers = services[router.service]?.loadBalancer.servers ?? [];
    if (servers.length === 0) return refuse(503, 'Service Unavailable');
    const index = (cursors.get(router.service) ?? 0) % servers.length;
    cursors.set(router.service, index + 1);
    const target = servers[index]!.url;
    upgraded.add(socket);
    socket.once('close', () => {
      upgraded.delete(socket);
      writeAccess(req, { statusCode: 0 }, started, startedAt, host, router.name, router.service, target);
    });
    proxy.ws(req, socket, { target }, head).catch(() => socket.destroy());
  });
  proxy.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    async stop() {
      running = false;
      await polling;
      for (const socket of upgraded) socket.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      proxy.close();
      await new Promise<void>((resolve) => accessLog.end(resolve));
    },
  };
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createAccessAggregator } from '../core/access-log/aggregator.ts';
import { parseAccessLine } from '../core/access-log/parse.ts';
import { createStackIndex } from '../core/access-log/stack-index.ts';
import type { EventSender, Log, Store } from '../core/ports.ts';
import { createTailer } from './access-log/tailer.ts';
import { backendsFromRoutes, backendsFromTraefikApi } from './connections/backends.ts';
import { createConnectionWatcher } from './connections/keep-awake.ts';
import { readEstablished } from './connections/read.ts';
import { createSidecarApp, type LauncherOptions } from './launcher/app.ts';
import { createMetrics } from './metrics.ts';

export interface SidecarOptions
  extends Omit<LauncherOptions, 'index' | 'metrics' | 'store' | 'events' | 'log'> {
  store: Store;
  events: EventSender;
  log: Log;
  port?: number;
  host?: string;
  accessLog?: {
    path: string;
    fromStart?: boolean;
    flushSeconds?: number;
    launcherRouter: string;
    pollMs?: number;
  };
  /**
   * Open connections keep a stack awake (sidecar/connections): on by default when a backend source is
   * known — the route source (`routes`) or Traefik's API (`traefikApiUrl`); `false` turns it off.
   */
  connections?:
    | false
    | {
        pollSeconds?: number;
        maxConnectionHours?: number;
        /** Where /proc is (tests). */
        procRoot?: string;
        traefikApiUrl?: string;
      };
}

/**
 * The accept queue of the sidecar's listening socket. Node's default (511) is less than one herd:
 * a thousand clients connecting at once to a launcher busy answering the first of them overflowed it,
 * the kernel dropped the extra handshakes, and those clients waited out their timeouts (bench/launcher.ts
 * saw 200-400 timeouts a run; bare Hono drains the queue fast enough not to). Linux caps it at
 * net.core.somaxconn (4096 by default since 5.4).
 */
export const LISTEN_BACKLOG = 4096;

/** Starts the sidecar: the HTTP app (launcher + endpoints) and, when configured, the access-log tailer. */
export async function startSidecar(options: SidecarOptions) {
  const { store, events, log } = options;
  const metrics = createMetrics();
  const index = createStackIndex({ store, domain: options.domain });
  // The app needs the sidecar's own URL (for the catch-all route), known once the server listens.
  let app: ReturnType<typeof createSidecarApp> | undefined;
  // The env (node-server's incoming request) carries the socket address the wake limit keys on.
  const server = createAdaptorServer({ fetch: (request, env) => app!.fetch(request, env) }) as Server;
  await new Promise<void>((resolve) =>
    server.listen(
      { port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: LISTEN_BACKLOG },
      resolve,
    ),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // The catch-all route points at this sidecar unless told otherwise (known once it listens).
  const routes = options.routes
    ? { ...options.routes, launcherUrl: options.routes.launcherUrl || url }
    : undefined;
  const ready = createSidecarApp({ ...options, routes, index, metrics });
  app = ready;

  let stopTailing = async () => {};
  if (options.accessLog) {
    const { accessLog } = options;
    const aggregator = createAccessAggregator({
      events,
      log,
      launcherRouter: accessLog.launcherRouter,
      windowMs: (accessLog.flushSeconds ?? 10) * 1000,
      stackIdFor: (line) => index.stackIdForLine(line),
      onSent: (count) => metrics.accessSent.inc(count),
    });
    const tailer = createTailer({
      path: accessLog.path,
      fromStart: accessLog.fromStart,
      pollMs: accessLog.pollMs,
      onLine: (text) => {
        const parsed = parseAccessLine(text, { readAt: new Date() });
        if (parsed.kind === 'skipped') {
          metrics.linesRead.inc({ result: 'skipped' });
          metrics.linesSkipped.inc({ reason: parsed.reason });
          return;
        }
        metrics.linesRead.inc({ result: 'access' });
        aggregator
          .record(parsed.line)
          .catch((error) => log.warn('could not map an access line', { reason: String(error) }));
      },
      onOversized: () => {
        metrics.linesRead.inc({ result: 'oversized' });
        metrics.linesSkipped.inc({ reason: 'oversized line' });
      },
    });
    await tailer.start();
    aggregator.start();
    log.info('tailing the access log', { path: accessLog.path });
    stopTailing = async () => {
      await tailer.stop();
      await aggregator.stop();
    };
  }

  let stopWatching = async () => {};
  const watch = options.connections === false ? undefined : (options.connections ?? {});
  const backends = !watch
    ? undefined
    : routes
      ? backendsFromRoutes({ store, source: routes.source })
      : watch.traefikApiUrl
        ? backendsFromTraefikApi({ store, apiUrl: watch.traefikApiUrl })
        : undefined;
  if (watch && backends) {
    const watcher = createConnectionWatcher({
      events,
      log,
      backends,
      readSockets: () => readEstablished(watch.procRoot),
      pollMs: (watch.pollSeconds ?? 30) * 1000,
      maxConnectionMs: (watch.maxConnectionHours ?? 8) * 3600_000,
      onTick: ({ counted, capped, sent }) => {
        const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
        metrics.openConnections.set({ result: 'counted' }, sum(counted));
        metrics.openConnections.set({ result: 'capped' }, sum(capped));
        metrics.connectionAccessSent.inc(sent);
      },
    });
    watcher.start();
    log.info('open connections keep stacks awake', { pollSeconds: watch.pollSeconds ?? 30 });
    stopWatching = () => watcher.stop();
  }

  return {
    app: ready,
    port,
    url,
    metrics,
    async stop() {
      await stopWatching();
      await stopTailing();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

export type Sidecar = Awaited<ReturnType<typeof startSidecar>>;

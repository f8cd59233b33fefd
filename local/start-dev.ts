import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createGitHubNotifier } from '../adapters/github-notifier.ts';
import { createPostgresDatabases } from '../adapters/postgres-databases.ts';
import { loadSpecFile } from '../adapters/spec-file.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { openPgliteStore } from '../adapters/store/pglite.ts';
import { parseDuration } from '../core/duration.ts';
import { newEvent } from '../core/events.ts';
import type { PublicUrls } from '../core/orchestrator.ts';
import type { EventSender, Log, Store, TaskSender } from '../core/ports.ts';
import type { DeploymentProtection } from '../core/protection.ts';
import { stackExecutors } from '../core/stack-executors.ts';
import { openTasks } from '../core/transition.ts';
import { startSidecar } from '../sidecar/sidecar.ts';
import { CONTROL_TOKEN_FILE, createControlApi, writeControlToken } from './control-api.ts';
import { startLocalControlPlane } from './control-plane.ts';
import { JANITOR_DEFAULT_INTERVAL_MINUTES, startDevJanitor } from './dev-janitor.ts';
import { startDevRouter } from './dev-router.ts';
import { freePort } from './free-port.ts';
import { startInProcessSqs } from './in-process-sqs.ts';
import { createProcessOrchestrator, endLeftoverProcesses } from './process-orchestrator.ts';
import { startTraefik, traefikVersion } from './traefik.ts';

export const DEMO_SPEC = new URL('../examples/demo/thaw.yml', import.meta.url).pathname;

export interface DevOptions {
  /** Data directory: the PGlite store, logs, the access log (default .thaw). */
  dataDir?: string;
  /** The router's port (default 8080; 0 picks a free one). */
  port?: number;
  /** Stacks answer on <host>.<domain>:<port> (default localhost). */
  domain?: string;
  /** Idle timeout for stacks launched here, e.g. "30s" (default: each spec's own). */
  idle?: string;
  router?: 'builtin' | 'traefik';
  /** A traefik binary (with router "traefik"). */
  traefikBin?: string;
  /** Launch examples/demo as stack "demo". */
  demo?: boolean;
  /** A PostgreSQL server for per-stack databases (the demo api counts visits there). */
  databaseUrl?: string;
  /** Databases a spec's databaseTemplate may name on that server (THAW_DATABASE_TEMPLATES). */
  databaseTemplates?: string[];
  /** How often the freezer runs (default: a quarter of --idle, between 1 s and 60 s). */
  freezerIntervalMs?: number;
  /** Seconds between readiness checks of a starting stack (default 1). */
  readyPollSeconds?: number;
  /** How often Traefik polls the sidecar for routes (default 50ms). */
  traefikPollInterval?: string;
  /** Who may see and wake stacks (basic auth, IP allow-list, forward auth); default: public. */
  protection?: DeploymentProtection;
  log: Log;
}

/**
 * The whole system on one machine: PGlite, the in-process SQS endpoint, the Lambda handlers behind a
 * Lambda-like runner, the freezer, the process orchestrator, the sidecar (tailer + launcher + routes)
 * and a router (real Traefik or the built-in one) on one port.
 */
export async function startDev(options: DevOptions) {
  const { log } = options;
  const dataDir = resolve(options.dataDir ?? '.thaw');
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const domain = options.domain ?? 'localhost';
  const requestedPort = options.port ?? 8080;
  const idleMs = options.idle ? parseDuration(options.idle) : undefined;
  const stops: (() => Promise<void>)[] = [];
  // Every step runs even when one fails; then the failures are thrown, so nobody is told
  // "nothing left running" when something may be.
  const stopAll = async () => {
    const failures: unknown[] = [];
    for (const stop of stops.reverse())
      await stop().catch((error) => {
        log.warn('stop failed', { reason: String(error) });
        failures.push(error);
      });
    stops.length = 0;
    if (failures.length)
      throw new AggregateError(
        failures,
        `stopping thaw dev failed: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ')}`,
      );
  };

  try {
    const { store } = await openPgliteStore({ dataDir: join(dataDir, 'db') });
    stops.push(() => store.close());
    const sqsServer = await startInProcessSqs();
    stops.push(() => sqsServer.close());
    const sqs = createSqsClient({ endpoint: sqsServer.endpoint, localCredentials: true });
    stops.push(async () => sqs.destroy());

    // The router's port decides the public URLs; pick it first when asked for any free port.
    const port = requestedPort === 0 ? await freePort() : requestedPort;
    const urls: PublicUrls = { domain, scheme: 'http', port };
    const databases = options.databaseUrl
      ? createPostgresDatabases({ adminUrl: options.databaseUrl, templates: options.databaseTemplates })
      : undefined;
    if (databases) stops.push(() => databases.close());
    // A run that was killed (kill -9, a crash) left its services running: end them before anything
    // starts new copies, so a stack never runs twice.
    await endLeftoverProcesses(dataDir, { graceMs: 3000, log });
    const orchestrator = createProcessOrchestrator({ dataDir, urls, databases, log, graceMs: 3000 });
    stops.push(() => orchestrator.stopAll());

    const freezerIntervalMs =
      options.freezerIntervalMs ?? Math.min(60_000, Math.max(1000, Math.floor((idleMs ?? 240_000) / 4)));
    const plane = await startLocalControlPlane({
      sqs,
      store,
      executors: {
        ...stackExecutors({
          orchestrator,
          databases,
          readyPollSeconds: options.readyPollSeconds ?? 1,
          readyTimeoutSeconds: 120,
          // Two loopback health checks every 20 ms while a woken stack starts: it is routed sooner.
          inlineIntervalMs: 20,
        }),
        // Local stacks have no pull request; the notifier says once that it is off.
        notify: createGitHubNotifier({ urls: { domain, scheme: 'http', port }, store, log }),
      },
      log,
      visibilityTimeoutSeconds: 5,
      // Short polls, each answered at once with what is there (scripts/patch-local-sqs.mjs); an idle
      // poller pauses 20 ms, or until this process sends to its queue (local/doorbell.ts).
      waitTimeSeconds: 0,
      idlePollMs: 20,
      batchWindowMs: 0,
      freezerIntervalMs,
    });
    stops.push(() => plane.stop());
    // The janitor: this thaw dev's stack databases that no stack owns, hourly and on `thaw janitor`.
    const janitor = startDevJanitor({
      databases,
      store,
      log,
      intervalMinutes: JANITOR_DEFAULT_INTERVAL_MINUTES,
    });
    stops.push(async () => janitor.stop());

    await recoverAfterRestart(store, plane.queues);

    const accessLog = join(dataDir, 'access.log');
    writeFileSync(accessLog, '', { flag: 'a' });
    const sidecar = await startSidecar({
      store,
      events: plane.queues,
      log,
      domain,
      retryAfterSeconds: 2,
      routingRetryAfterSeconds: 1,
      resumeCooldownMs: 5000,
      defaultWakeSeconds: 5,
      defaultLaunchSeconds: 10,
      accessLog: { path: accessLog, flushSeconds: 1, launcherRouter: 'thaw-launcher', pollMs: 200 },
      routes: {
        source: orchestrator,
        domain,
        launcherUrl: '',
        launcherRouter: 'thaw-launcher',
        protection: options.protection,
      },
    });
    stops.push(() => sidecar.stop());
    const configUrl = `${sidecar.url}/traefik/dynamic`;

    const router = await startRouter(options, { port, configUrl, accessLog, dataDir, log });
    stops.push(router.stop);
    const routerInfo = router.info;

    // Only this user (the token file is 0600) and only over loopback reach the control API.
    const controlToken = writeControlToken(dataDir);
    stops.push(async () => rmSync(join(dataDir, CONTROL_TOKEN_FILE), { force: true }));
    const control = await listenOnLoopback(
      createControlApi({
        store,
        events: plane.queues,
        urls,
        idleOverride: options.idle,
        token: controlToken,
        queues: { endpoint: sqsServer.endpoint, ...plane.urls },
        janitor: janitor.run,
      }).fetch,
    );
    stops.push(control.stop);
    const controlUrl = control.url;
    const stateFile = join(dataDir, 'dev.json');
    writeFileSync(
      stateFile,
      JSON.stringify({ pid: process.pid, controlUrl, port, domain, router: routerInfo }, null, 2),
    );
    stops.push(async () => rmSync(stateFile, { force: true }));

    if (options.demo) {
      const spec = await loadSpecFile(DEMO_SPEC);
      if (options.idle) spec.idleTimeout = options.idle;
      await plane.queues.sendEvents([newEvent({ type: 'LAUNCH', stackId: 'demo', images: {}, spec })]);
    }

    return {
      store,
      plane,
      orchestrator,
      sidecar,
      port,
      domain,
      routerInfo,
      controlUrl,
      controlToken,
      dataDir,
      urlOf: (stackId: string, service = '') =>
        `http://${service ? `${service}-` : ''}${stackId}.${domain}:${port}`,
      stop: stopAll,
    };
  } catch (error) {
    // The start failed: that is the error to report; stop failures are logged by stopAll.
    await stopAll().catch(() => undefined);
    throw error;
  }
}

export type Dev = Awaited<ReturnType<typeof startDev>>;

/**
 * A restart reuses the data directory, but the queues were in memory: stacks that were awake are
 * frozen (they wake on the next request), and tasks of transitions in flight are sent again.
 */
async function recoverAfterRestart(store: Pick<Store, 'list'>, queues: EventSender & TaskSender) {
  const previous = await store.list();
  const awake = previous.filter((s) => s.state === 'RUNNING' || s.state === 'UPDATING');
  if (awake.length)
    await queues.sendEvents(
      // manual: their processes are gone with the old thaw dev, so a keep (KEEP) ends here too.
      awake.map((s) => newEvent({ type: 'FREEZE', stackId: s.id, seenAccessAt: null, manual: true })),
    );
  const redrive = previous.flatMap(openTasks);
  if (redrive.length) await queues.sendTasks(redrive);
}

/** The router on the public port: real Traefik (HTTP provider on the sidecar's routes) or the built-in one. */
async function startRouter(
  options: Pick<DevOptions, 'router' | 'traefikBin' | 'traefikPollInterval'>,
  where: { port: number; configUrl: string; accessLog: string; dataDir: string; log: Log },
): Promise<{ info: string; stop: () => Promise<void> }> {
  const { port, configUrl, accessLog, dataDir, log } = where;
  if ((options.router ?? 'builtin') === 'builtin') {
    const devRouter = await startDevRouter({ configUrl, port, accessLog, log });
    return { info: 'built-in dev router', stop: () => devRouter.stop() };
  }
  const bin = options.traefikBin ?? 'traefik';
  const version = traefikVersion(bin);
  if (!version)
    throw new Error(`${bin} is not a working traefik binary (set --traefik-bin, or use --router builtin)`);
  const traefik = await startTraefik({
    bin,
    port,
    configUrl,
    accessLog,
    logFile: join(dataDir, 'traefik.log'),
    log,
    pollInterval: options.traefikPollInterval,
  });
  return { info: `traefik ${version}`, stop: () => traefik.stop() };
}

/** Serves an app on 127.0.0.1 (a free port): only this machine reaches it. */
async function listenOnLoopback(fetch: (request: Request) => Response | Promise<Response>) {
  const server = createAdaptorServer({ fetch }) as Server;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsOrchestrator } from '../adapters/ecs-orchestrator.ts';
import { createPostgresDatabases, databaseName } from '../adapters/postgres-databases.ts';
import { loadSpecFile } from '../adapters/spec-file.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { openStore } from '../adapters/store/open-store.ts';
import { parseEvent } from '../core/events.ts';
import { type Store, silentLog } from '../core/ports.ts';
import { stackExecutors } from '../core/stack-executors.ts';
import { type LocalControlPlane, startLocalControlPlane } from '../local/control-plane.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { createProcessOrchestrator } from '../local/process-orchestrator.ts';
import { nextAt } from './helpers/events.ts';
import { motoEnvironment, motoSchedule, motoUrl } from './helpers/moto.ts';
import { waitFor } from './helpers/wait.ts';

const urls = { domain: 'localhost', scheme: 'http' as const, port: 8080 };
const databaseUrl = process.env.DATABASE_URL;

/** Starts the control plane on the in-process queue endpoint and PGlite with the given executors. */
async function controlPlane(executors: ReturnType<typeof stackExecutors>) {
  const sqsServer = await startInProcessSqs();
  const sqs = createSqsClient({ endpoint: sqsServer.endpoint, localCredentials: true });
  const { store } = await openStore();
  const plane = await startLocalControlPlane({
    sqs,
    store,
    executors,
    log: silentLog,
    prefix: 'life',
    visibilityTimeoutSeconds: 2,
    waitTimeSeconds: 0,
    idlePollMs: 20,
    freezerIntervalMs: 3_600_000,
  });
  const stop = async () => {
    await plane.stop();
    await store.close();
    sqs.destroy();
    await sqsServer.close();
  };
  return { plane, store, stop };
}

const send = (plane: LocalControlPlane, event: Record<string, unknown>) =>
  plane.queues.sendEvents([parseEvent({ v: 1, at: nextAt(), ...event })]);
const until = (store: Store, id: string, state: string, timeoutMs = 30_000) =>
  waitFor(async () => (await store.load(id))?.state === state, { what: `${id} to be ${state}`, timeoutMs });

describe('lifecycle of examples/demo as local processes, through the pipeline', () => {
  const databases = databaseUrl ? createPostgresDatabases({ adminUrl: databaseUrl }) : undefined;
  const orchestrator = createProcessOrchestrator({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-life-')),
    urls,
    databases,
    graceMs: 2000,
  });
  let cp: Awaited<ReturnType<typeof controlPlane>>;
  beforeAll(async () => {
    cp = await controlPlane(
      stackExecutors({ orchestrator, databases, readyPollSeconds: 1, readyTimeoutSeconds: 30 }),
    );
  });
  afterAll(async () => {
    await cp.stop();
    await orchestrator.stopAll();
    await databases?.close();
  });

  const endpoint = (id: string, service: string) =>
    orchestrator.endpoints().find((e) => e.stackId === id && e.service === service)?.urls[0];

  it('LAUNCH runs processes that answer HTTP; FREEZE stops them; RESUME starts them; DESTROY removes them and the database', async () => {
    const id = `demo-${Date.now().toString(36)}`;
    const spec = await loadSpecFile('examples/demo/thaw.yml');
    await send(cp.plane, { type: 'LAUNCH', stackId: id, images: {}, spec });
    await until(cp.store, id, 'RUNNING');

    const web = endpoint(id, 'web')!;
    expect(await (await fetch(web)).text()).toContain(`Hello from <code>${id}</code>`);
    const visit = async () =>
      (await fetch(`${endpoint(id, 'api')}/api/visits`, { method: 'POST' })).json() as Promise<{
        visits: number;
        database: boolean;
      }>;
    expect(await visit()).toMatchObject({ visits: 1, database: Boolean(databaseUrl) });

    const running = (await cp.store.load(id))!;
    await send(cp.plane, {
      type: 'FREEZE',
      stackId: id,
      seenAccessAt: running.lastAccessedAt!.toISOString(),
    });
    await until(cp.store, id, 'FROZEN');
    expect(endpoint(id, 'web')).toBeUndefined();
    await expect(fetch(web)).rejects.toThrow();

    await send(cp.plane, { type: 'RESUME', stackId: id });
    await until(cp.store, id, 'RUNNING');
    expect((await fetch(endpoint(id, 'web')!)).status).toBe(200);
    // With a database the count survives the freeze; in memory it starts over.
    expect((await visit()).visits).toBe(databaseUrl ? 2 : 1);

    await send(cp.plane, { type: 'DESTROY', stackId: id });
    await until(cp.store, id, 'DESTROYED');
    expect(orchestrator.endpoints().filter((e) => e.stackId === id && e.urls.length > 0)).toEqual([]);
    if (databaseUrl) {
      const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      expect(await admin`SELECT 1 FROM pg_database WHERE datname = ${databaseName(id)}`).toHaveLength(0);
      await admin.end();
    }
  });

  it('a command that exits at once sends the stack to FAILED with the reason; DESTROY leaves nothing behind', async () => {
    const id = `broken-${Date.now().toString(36)}`;
    const spec = { services: { web: { run: 'echo "listen EADDRINUSE"; exit 1', port: 3000 } } };
    await send(cp.plane, { type: 'LAUNCH', stackId: id, images: {}, spec });
    await until(cp.store, id, 'FAILED');
    expect((await cp.store.load(id))?.failureReason).toMatch(
      /web exited with code 1; last output:\nlisten EADDRINUSE/,
    );
    await send(cp.plane, { type: 'DESTROY', stackId: id });
    await until(cp.store, id, 'DESTROYED');
    expect(orchestrator.endpoints().filter((e) => e.stackId === id && e.urls.length > 0)).toEqual([]);
  });
});

describe('a failed stack does not keep running (local processes, through the pipeline)', () => {
  const orchestrator = createProcessOrchestrator({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-failed-')),
    urls,
    graceMs: 2000,
  });
  let cp: Awaited<ReturnType<typeof controlPlane>>;
  beforeAll(async () => {
    cp = await controlPlane(stackExecutors({ orchestrator, readyPollSeconds: 1, readyTimeoutSeconds: 30 }));
  });
  afterAll(async () => {
    await cp.stop();
    await orchestrator.stopAll();
  });
  const serve = `node -e "require('http').createServer((q, r) => r.end('ok')).listen(process.env.PORT)"`;
  const running = (id: string) =>
    orchestrator
      .endpoints()
      .filter((e) => e.stackId === id && e.urls.length > 0)
      .map((e) => e.service)
      .sort();

  it('a failed update → services at zero (said in history) and a retry brings it back', async () => {
    const id = `upd-${Date.now().toString(36)}`;
    const good = {
      services: { web: { run: serve, port: 3000 }, api: { run: serve, port: 4000, host: 'api-{stack}' } },
    };
    await send(cp.plane, { type: 'LAUNCH', stackId: id, images: {}, spec: good });
    await until(cp.store, id, 'RUNNING');
    expect(running(id)).toEqual(['api', 'web']);

    // An update whose web exits at once: the stack fails, and the api left running is scaled to zero.
    const broken = { services: { ...good.services, web: { run: 'exit 1', port: 3000 } } };
    await send(cp.plane, { type: 'LAUNCH', stackId: id, images: {}, spec: broken });
    await until(cp.store, id, 'FAILED');
    await waitFor(
      async () => (await cp.store.history(id)).some((h) => h.detail === 'services scaled to zero'),
      { what: `${id}: services scaled to zero, in history`, timeoutMs: 30_000 },
    );
    expect(running(id)).toEqual([]);

    await send(cp.plane, { type: 'LAUNCH', stackId: id, images: {}, spec: good }); // the fix, pushed
    await until(cp.store, id, 'RUNNING');
    expect(running(id)).toEqual(['api', 'web']);
    const web = orchestrator.endpoints().find((e) => e.stackId === id && e.service === 'web')!.urls[0]!;
    expect(await (await fetch(web)).text()).toBe('ok');
    await send(cp.plane, { type: 'DESTROY', stackId: id });
    await until(cp.store, id, 'DESTROYED');
  });
});

describe.runIf(motoUrl)("the same lifecycle driving moto's ECS API", () => {
  it('LAUNCH creates services, FREEZE scales them to 0, RESUME back to 1, DESTROY deletes them', async () => {
    const cluster = `thaw-life-${Date.now()}`;
    const env = await motoEnvironment(motoUrl!, cluster);
    const orchestrator = createEcsOrchestrator({ ...env, cluster, region: 'us-east-1', urls });
    const cp = await controlPlane(
      stackExecutors({ orchestrator, readyPollSeconds: 1, readyTimeoutSeconds: 30 }),
    );
    // moto starts no tasks; play ECS's scheduler while the test runs.
    const scheduler = setInterval(() => void motoSchedule(env.ecs, cluster).catch(() => {}), 200);
    const desired = async () => {
      const { services = [] } = await env.ecs.send(
        new DescribeServicesCommand({ cluster, services: ['thaw-pr-7-web', 'thaw-pr-7-api'] }),
      );
      return services.map((s) => `${s.status}:${s.desiredCount}`);
    };
    try {
      const spec = await loadSpecFile('examples/demo/thaw.yml');
      await send(cp.plane, { type: 'LAUNCH', stackId: 'pr-7', images: { web: 'sha-1', api: 'sha-1' }, spec });
      await until(cp.store, 'pr-7', 'RUNNING');
      expect(await desired()).toEqual(['ACTIVE:1', 'ACTIVE:1']);
      await send(cp.plane, { type: 'FREEZE', stackId: 'pr-7', seenAccessAt: null });
      await until(cp.store, 'pr-7', 'FROZEN');
      expect(await desired()).toEqual(['ACTIVE:0', 'ACTIVE:0']);
      await send(cp.plane, { type: 'RESUME', stackId: 'pr-7' });
      await until(cp.store, 'pr-7', 'RUNNING');
      expect(await desired()).toEqual(['ACTIVE:1', 'ACTIVE:1']);
      await send(cp.plane, { type: 'DESTROY', stackId: 'pr-7' });
      await until(cp.store, 'pr-7', 'DESTROYED');
      expect((await desired()).map((d) => d.split(':')[0])).toEqual(['INACTIVE', 'INACTIVE']);
      const defs = await env.ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: 'thaw-pr-7', status: 'ACTIVE' }),
      );
      expect(defs.taskDefinitionArns).toEqual([]);
    } finally {
      clearInterval(scheduler);
      await cp.stop();
      env.ecs.destroy();
    }
  });
});

import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsOrchestrator, createEcsOwnedResources } from '../adapters/ecs-orchestrator.ts';
import { createPostgresDatabases } from '../adapters/postgres-databases.ts';
import { openStore } from '../adapters/store/open-store.ts';
import { applyEvent } from '../core/apply.ts';
import { type OwnedResources, runJanitor } from '../core/janitor.ts';
import type { Store } from '../core/ports.ts';
import { parseSpec } from '../core/spec.ts';
import { destroy, launch } from './helpers/events.ts';
import { motoEnvironment, motoUrl } from './helpers/moto.ts';
import { createTestDatabase } from './helpers/stores.ts';

const serverUrl = process.env.DATABASE_URL;
const spec = parseSpec({ services: { web: { image: 'ghcr.io/acme/web', port: 3000 } } });
const urls = { domain: 'qa.example.com', scheme: 'https' as const };

/**
 * The PostgreSQL server and moto are shared with other tests running at the same time: the janitor here
 * sees only this file's stacks (unique ids), so a real run never removes another test's resources.
 */
const scoped = (source: OwnedResources, ids: Set<string>): OwnedResources => ({
  listOwned: async (options) => (await source.listOwned(options)).filter((r) => ids.has(r.stackId)),
  removeOwned: (resource) => source.removeOwned(resource),
});

describe.runIf(serverUrl && motoUrl)('janitor on real PostgreSQL and moto ECS', () => {
  const tag = `j${Date.now().toString(36)}`;
  const id = (name: string) => `${tag}-${name}`;
  const [live, gone, missing, nodb] = ['live', 'gone', 'missing', 'nodb'].map(id) as [
    string,
    string,
    string,
    string,
  ];
  const cluster = `thaw-janitor-${tag}`;
  let store: Store;
  let dropStore: () => Promise<void>;
  let admin: postgres.Sql;
  let databases: ReturnType<typeof createPostgresDatabases>;
  let env: Awaited<ReturnType<typeof motoEnvironment>>;

  beforeAll(async () => {
    const db = await createTestDatabase(serverUrl!);
    ({ store } = await openStore({ databaseUrl: db.url, maxConnections: 4 }));
    dropStore = async () => {
      await store.close();
      await db.drop();
    };
    admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    databases = createPostgresDatabases({ adminUrl: serverUrl! });
    env = await motoEnvironment(motoUrl!, cluster);
    const orchestrator = createEcsOrchestrator({ ...env, cluster, region: 'us-east-1', urls });
    // A live stack (LAUNCHING), one DESTROYED three hours ago, one the store never heard of.
    await applyEvent(launch(live), { store });
    await applyEvent(destroy(gone), { store, clock: () => new Date(Date.now() - 3 * 3_600_000) });
    for (const stackId of [live, gone, missing])
      await orchestrator.ensure({ stackId, spec, images: { web: '1' } });
    for (const stackId of [live, missing]) await databases.create(stackId);
    // Not Thaw's though named like it: a service and family without the thaw:stack tag, a database of
    // the stack-name shape owned by the admin with no stack role, and a role-less database of a tester.
    const family = `thaw-${nodb}-web`;
    const registered = await env.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }],
      }),
    );
    await env.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: family,
        taskDefinition: registered.taskDefinition!.taskDefinitionArn,
        desiredCount: 0,
      }),
    );
    await admin.unsafe(`CREATE DATABASE thaw_${nodb.replaceAll('-', '_')}`);
  });

  afterAll(async () => {
    for (const stackId of [live, gone, missing]) await databases?.drop(stackId);
    await admin?.unsafe(`DROP DATABASE IF EXISTS thaw_${nodb.replaceAll('-', '_')}`);
    await databases?.close();
    await admin?.end();
    env?.ecs.destroy();
    await dropStore?.();
  });

  const ids = () => new Set([live, gone, missing, nodb]);
  const sources = () => [
    scoped(createEcsOwnedResources({ ecs: env.ecs, cluster }), ids()),
    scoped(databases, ids()),
  ];
  const listed = (report: { removed: { resource: { kind: string; name: string } }[] }) =>
    report.removed.map((i) => `${i.resource.kind} ${i.resource.name}`);
  const later = () => new Date(Date.now() + 2 * 3_600_000);

  it('just deployed: the ECS services are inside the grace period and spared; what has no age is not', async () => {
    const report = await runJanitor({ sources: sources(), store }, { dryRun: true });
    expect(report.spared.map((i) => `${i.resource.kind} ${i.resource.name}`)).toEqual([
      `ecs-service thaw-${gone}-web`,
      `ecs-service thaw-${missing}-web`,
    ]);
    expect(report.spared[0]!.reason).toMatch(
      /^stack .* was destroyed 3 h ago, but it changed 0 min ago \(grace period 60 min\)$/,
    );
    // moto keeps no registeredAt for task definitions (ECS does); PostgreSQL no creation time at all.
    expect(listed(report)).toEqual([
      `task-definition thaw-${gone}-web`,
      `task-definition thaw-${missing}-web`,
      `database thaw_${missing.replaceAll('-', '_')}`,
      `database-role thaw_stack_${missing.replaceAll('-', '_')}`,
    ]);
  });

  it('the dry run lists exactly the orphans, with why, and removes nothing', async () => {
    const report = await runJanitor({ sources: sources(), store, clock: later }, { dryRun: true });
    expect(listed(report)).toEqual([
      `ecs-service thaw-${gone}-web`,
      `ecs-service thaw-${missing}-web`,
      `task-definition thaw-${gone}-web`,
      `task-definition thaw-${missing}-web`,
      `database thaw_${missing.replaceAll('-', '_')}`,
      `database-role thaw_stack_${missing.replaceAll('-', '_')}`,
    ]);
    expect(report.removed[0]!.reason).toBe(`stack ${gone} was destroyed 5 h ago`);
    expect(report.removed[1]!.reason).toBe(`stack ${missing} does not exist`);
    const again = await runJanitor({ sources: sources(), store, clock: later }, { dryRun: true });
    expect(listed(again)).toEqual(listed(report));
  });

  it("the real run removes the orphans and leaves the live stack and what is not Thaw's", async () => {
    const report = await runJanitor({ sources: sources(), store, clock: later });
    expect(report.failed).toEqual([]);
    expect(report.removed).toHaveLength(6);
    const { services = [] } = await env.ecs.send(
      new DescribeServicesCommand({
        cluster,
        services: [live, gone, missing, nodb].map((s) => `thaw-${s}-web`),
      }),
    );
    expect(
      services
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => s.serviceName)
        .sort(),
    ).toEqual([`thaw-${live}-web`, `thaw-${nodb}-web`].sort());
    // Families with an ACTIVE revision (moto's ListTaskDefinitionFamilies ignores its status filter).
    const active: string[] = [];
    for (const stackId of [live, gone, missing, nodb]) {
      const family = `thaw-${stackId}-web`;
      const page = await env.ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }),
      );
      if (page.taskDefinitionArns?.length) active.push(family);
    }
    expect(active).toEqual([`thaw-${live}-web`, `thaw-${nodb}-web`]);
    const dbs = await admin<
      { datname: string }[]
    >`SELECT datname FROM pg_database WHERE datname LIKE ${`thaw_${tag}%`} ORDER BY 1`;
    expect(dbs.map((d) => d.datname)).toEqual([
      `thaw_${live.replaceAll('-', '_')}`,
      `thaw_${nodb.replaceAll('-', '_')}`,
    ]);
    const roles = await admin<
      { rolname: string }[]
    >`SELECT rolname FROM pg_roles WHERE rolname LIKE ${`thaw_stack_${tag}%`}`;
    expect(roles.map((r) => r.rolname)).toEqual([`thaw_stack_${live.replaceAll('-', '_')}`]);
    const after = await runJanitor({ sources: sources(), store, clock: later }, { dryRun: true });
    expect(after.removed).toEqual([]);
  });
});

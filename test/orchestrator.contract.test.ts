import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsOrchestrator } from '../adapters/ecs-orchestrator.ts';
import type { Orchestrator, StackTarget } from '../core/orchestrator.ts';
import { parseSpec } from '../core/spec.ts';
import { createProcessOrchestrator } from '../local/process-orchestrator.ts';
import { motoEnvironment, motoSchedule, motoUrl, requireMoto } from './helpers/moto.ts';
import { tinyServerDir } from './helpers/tiny-server.ts';
import { waitFor } from './helpers/wait.ts';

const urls = { domain: 'localhost', scheme: 'http' as const, port: 8080 };
const dir = tinyServerDir();
const spec = parseSpec({
  services: {
    web: {
      image: 'ghcr.io/acme/web',
      run: 'node server.mjs web',
      cwd: dir,
      port: 3000,
      health: '/healthz',
      env: { GREETING: 'hi {stack}' },
    },
    api: {
      image: 'ghcr.io/acme/api',
      run: 'node server.mjs api',
      cwd: dir,
      port: 4000,
      host: 'api-{stack}',
      replicas: 2,
    },
  },
});

interface Driver {
  name: string;
  setup: () => Promise<{
    orchestrator: Orchestrator;
    settle: () => Promise<void>;
    teardown: () => Promise<void>;
  }>;
}

const drivers: Driver[] = [
  {
    name: 'processes',
    setup: async () => {
      const orchestrator = createProcessOrchestrator({
        dataDir: mkdtempSync(join(tmpdir(), 'thaw-data-')),
        urls,
        graceMs: 2000,
      });
      return { orchestrator, settle: async () => {}, teardown: () => orchestrator.stopAll() };
    },
  },
];
const moto = motoUrl;
if (moto) {
  drivers.push({
    name: 'ecs (moto)',
    setup: async () => {
      const cluster = `thaw-contract-${Date.now()}`;
      const env = await motoEnvironment(moto, cluster);
      const orchestrator = createEcsOrchestrator({ ...env, cluster, region: 'us-east-1', urls });
      return {
        orchestrator,
        settle: () => motoSchedule(env.ecs, cluster),
        teardown: async () => env.ecs.destroy(),
      };
    },
  });
}

it('runs the orchestrator contract on moto when CI asks for it', () => {
  if (requireMoto) expect(drivers.map((d) => d.name)).toContain('ecs (moto)');
});

describe.each(drivers)('Orchestrator contract: $name', (driver) => {
  let orchestrator: Orchestrator;
  let settle: () => Promise<void>;
  let teardown: () => Promise<void>;
  beforeAll(async () => {
    ({ orchestrator, settle, teardown } = await driver.setup());
  });
  afterAll(() => teardown());

  const target = (stackId: string): StackTarget => ({ stackId, spec, images: { web: '1.0', api: '1.0' } });
  const readyAs = (t: StackTarget, to: 'zero' | 'spec') =>
    waitFor(
      async () => {
        await settle();
        const status = await orchestrator.status(t, to);
        if (status.failure) throw new Error(status.failure);
        return status.ready ? status : undefined;
      },
      { timeoutMs: 15_000, what: `${t.stackId} ready at ${to}` },
    );

  it('ensure → ready at the spec counts; ensure again changes nothing', async () => {
    const t = target('c-one');
    await orchestrator.ensure(t);
    const status = await readyAs(t, 'spec');
    expect(status.services.map((s) => [s.service, s.desired])).toEqual([
      ['web', 1],
      ['api', 2],
    ]);
    await orchestrator.ensure(t);
    const again = await readyAs(t, 'spec');
    expect(again.services.map((s) => s.running)).toEqual([1, 2]);
  });

  it('scale to zero and back', async () => {
    const t = target('c-two');
    await orchestrator.ensure(t);
    await readyAs(t, 'spec');
    await orchestrator.scale(t, 'zero');
    const frozen = await readyAs(t, 'zero');
    expect(frozen.services.every((s) => s.running === 0)).toBe(true);
    expect((await orchestrator.status(t, 'spec')).ready).toBe(false);
    await orchestrator.scale(t, 'spec');
    await readyAs(t, 'spec');
  });

  it("stack a-b's service c and stack a's service b-c are two services: removing one leaves the other", async () => {
    const service = (name: string) =>
      parseSpec({
        services: {
          [name]: { image: 'ghcr.io/acme/x', run: `node server.mjs ${name}`, cwd: dir, port: 3000 },
        },
      });
    const one: StackTarget = { stackId: 'c-a-b', spec: service('c'), images: { c: '1.0' } };
    const two: StackTarget = { stackId: 'c-a', spec: service('b-c'), images: { 'b-c': '1.0' } };
    await orchestrator.ensure(one);
    await orchestrator.ensure(two);
    await readyAs(one, 'spec');
    await readyAs(two, 'spec');
    await orchestrator.remove(one);
    expect((await orchestrator.status(one, 'spec')).ready).toBe(false);
    expect((await readyAs(two, 'spec')).services.map((s) => s.running)).toEqual([1]);
    await orchestrator.remove(two);
  });

  it('scale up creates what is missing; remove deletes everything and is idempotent', async () => {
    const t = target('c-three');
    await orchestrator.scale(t, 'spec');
    await readyAs(t, 'spec');
    await orchestrator.remove(t);
    await orchestrator.remove(t);
    const after = await orchestrator.status(t, 'spec');
    expect(after.ready).toBe(false);
    expect(after.services.every((s) => s.running === 0)).toBe(true);
    expect((await orchestrator.status(t, 'zero')).ready).toBe(true);
  });
});

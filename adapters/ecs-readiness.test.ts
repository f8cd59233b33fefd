import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../core/spec.ts';
import { createFakeEcs } from '../test/helpers/fake-ecs.ts';
import { createEcsOrchestrator } from './ecs-orchestrator.ts';
import { createHttpProbe } from './http-probe.ts';

/**
 * Readiness on ECS against the fake ECS, with a local HTTP server standing in for the tasks: every
 * task's private IP is 127.0.0.1, and both services listen on the server's port.
 */
describe('ECS readiness: ready only when every task answers its health path', () => {
  let server: Server;
  let port: number;
  /** Status per path; anything else answers 404. */
  const answers = new Map<string, number>();
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      res.statusCode = answers.get(req.url ?? '') ?? 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const setup = (services = ['web', 'api']) => {
    const spec = parseSpec({
      services: {
        web: { image: 'ghcr.io/acme/web', port }, // health: the default "/"
        api: { image: 'ghcr.io/acme/api', port, host: 'api-{stack}', health: '/healthz', replicas: 2 },
      },
    });
    const target = {
      stackId: 'pr-5',
      spec: { ...spec, services: Object.fromEntries(services.map((s) => [s, spec.services[s]!])) },
      images: { web: '1', api: '1' },
    };
    const fake = createFakeEcs(['c']);
    const orchestrator = createEcsOrchestrator({
      ecs: fake.ecs,
      cluster: 'c',
      subnets: ['s'],
      securityGroups: ['g'],
      region: 'us-east-1',
      urls: { domain: 'qa.example.com', scheme: 'https' },
      probe: createHttpProbe({ timeoutMs: 1000 }),
    });
    /** ECS at steady state with `running` tasks at 127.0.0.1. */
    const start = (service: string, running: number) => {
      const name = `thaw-pr-5-${service}`;
      fake.patchService('c', name, {
        runningCount: running,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: running }],
      });
      for (let i = 0; i < running; i++)
        fake.addTask('c', name, {
          desiredStatus: 'RUNNING',
          lastStatus: 'RUNNING',
          attachments: [{ details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }],
        });
    };
    const callsOf = () => fake.calls.map((c) => c.command.replace(/Command$/, ''));
    return { fake, orchestrator, target, start, callsOf };
  };

  it('while ECS is still starting tasks: one DescribeServices, no ListTasks, no DescribeTasks, no GET', async () => {
    const { fake, orchestrator, target, start, callsOf } = setup();
    await orchestrator.ensure(target);
    start('web', 1); // api still starting
    fake.calls.length = 0;
    seen.length = 0;
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(callsOf()).toEqual(['DescribeServices']);
    expect(seen).toEqual([]);
  });

  it('steady in ECS but the api answers 503: not ready, and the progress says which GET answered what', async () => {
    const { fake, orchestrator, target, start, callsOf } = setup();
    await orchestrator.ensure(target);
    start('web', 1);
    start('api', 2);
    answers.set('/healthz', 503);
    fake.calls.length = 0;
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(status.failure).toBeUndefined(); // waiting, not failed
    expect(status.services.find((s) => s.service === 'api')).toMatchObject({
      ready: false,
      running: 2,
      waiting: `GET http://127.0.0.1:${port}/healthz: answered 503`,
    });
    // One DescribeServices for both services, a ListTasks per service, one DescribeTasks for all tasks.
    expect(callsOf().sort()).toEqual(['DescribeServices', 'DescribeTasks', 'ListTasks', 'ListTasks']);
  });

  it('ready once every task answers below 500; a 404 on the default "/" counts as answering', async () => {
    const { orchestrator, target, start } = setup();
    await orchestrator.ensure(target);
    start('web', 1);
    start('api', 2);
    answers.set('/healthz', 200);
    seen.length = 0;
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(true);
    expect(status.services.map((s) => [s.service, s.endpoints.length])).toEqual([
      ['web', 1],
      ['api', 2],
    ]);
    // web has no health path: "/" answered 404. Each GET carries the service's public host.
    expect(seen.map((r) => [r.path, r.headers.host]).sort()).toEqual([
      ['/', 'pr-5.qa.example.com'],
      ['/healthz', 'api-pr-5.qa.example.com'],
      ['/healthz', 'api-pr-5.qa.example.com'],
    ]);
  });

  it('fewer task addresses than desired (a task still PENDING) is not ready', async () => {
    const { fake, orchestrator, target, start } = setup(['api']);
    await orchestrator.ensure(target);
    start('api', 1);
    fake.patchService('c', 'thaw-pr-5-api', {
      runningCount: 2,
      deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: 2 }],
    });
    fake.addTask('c', 'thaw-pr-5-api', { desiredStatus: 'RUNNING', lastStatus: 'PENDING' });
    answers.set('/healthz', 200);
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(status.services[0]?.waiting).toBe('1 of 2 tasks have an address');
  });

  it('scaled to zero is ready with no task and no GET', async () => {
    const { fake, orchestrator, target, callsOf } = setup();
    await orchestrator.ensure(target);
    await orchestrator.scale(target, 'zero');
    for (const name of ['thaw-pr-5-web', 'thaw-pr-5-api'])
      fake.patchService('c', name, { runningCount: 0, deployments: [{ status: 'PRIMARY' }] });
    fake.calls.length = 0;
    seen.length = 0;
    expect((await orchestrator.status(target, 'zero')).ready).toBe(true);
    expect(callsOf()).toEqual(['DescribeServices']);
    expect(seen).toEqual([]);
  });
});

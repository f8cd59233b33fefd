import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSServiceException,
  InvalidParameterException,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { PermanentTaskError } from '../core/errors.ts';
import type { Orchestrator } from '../core/orchestrator.ts';
import { parseSpec } from '../core/spec.ts';
import { createFakeEcs } from '../test/helpers/fake-ecs.ts';
import { motoEnvironment, motoUrl, requireMoto } from '../test/helpers/moto.ts';
import {
  createEcsOrchestrator,
  createServiceToken,
  type EcsOrchestratorOptions,
  traefikLabels,
} from './ecs-orchestrator.ts';
import { createStackSecrets } from './stack-secrets.ts';

const urls = { domain: 'qa.example.com', scheme: 'https' as const };
const registrySecret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:thaw/registry-AbCdEf';
const spec = parseSpec({
  services: {
    web: { image: 'ghcr.io/acme/web', port: 3000, health: '/healthz', env: { API: '{url:api}' } },
    api: {
      image: 'ghcr.io/acme/api',
      port: 4000,
      host: 'api-{stack}',
      pathPrefix: '/v1',
      database: true,
      cpu: 512,
      memory: 1024,
    },
  },
});

describe('traefikLabels', () => {
  it('gives each stack service its own router and service, with the Host rule and health check', () => {
    expect(traefikLabels('pr-42', 'api', spec.services.api!, { domain: 'qa.example.com' })).toEqual({
      'traefik.enable': 'true',
      'traefik.http.routers.thaw-pr-42-api.rule': 'Host(`api-pr-42.qa.example.com`) && PathPrefix(`/v1`)',
      'traefik.http.routers.thaw-pr-42-api.entrypoints': 'web',
      'traefik.http.routers.thaw-pr-42-api.service': 'thaw-pr-42-api',
      'traefik.http.services.thaw-pr-42-api.loadbalancer.server.port': '4000',
      'traefik.http.services.thaw-pr-42-api.loadbalancer.healthcheck.path': '/',
      'traefik.http.services.thaw-pr-42-api.loadbalancer.healthcheck.interval': '5s',
      'thaw.managed': 'true',
      'thaw.stack': 'pr-42',
      'thaw.service': 'api',
    });
  });
});

describe('ECS orchestrator against a fake ECS that honours the API parameters', () => {
  const target = {
    stackId: 'pr-1',
    spec: parseSpec({ services: { web: { image: 'ghcr.io/acme/web', port: 80 } } }),
    images: { web: '1.0' },
  };
  const options = { cluster: 'c', subnets: ['s'], securityGroups: ['g'], region: 'us-east-1', urls };
  const setup = () => {
    const fake = createFakeEcs(['c', 'other']);
    return { fake, orchestrator: createEcsOrchestrator({ ...options, ecs: fake.ecs }) };
  };
  /** ECS at steady state: the tasks started, the rollout completed. */
  const steady = (fake: ReturnType<typeof createFakeEcs>, name: string, running: number) =>
    fake.patchService('c', name, {
      runningCount: running,
      deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: running }],
    });
  const task = (desiredStatus: 'RUNNING' | 'STOPPED', ip: string, extra: Record<string, unknown> = {}) => ({
    desiredStatus,
    lastStatus: desiredStatus,
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] }],
    ...extra,
  });

  it('asks only for its own services in its cluster: a same-named service elsewhere is not its own', async () => {
    const { fake, orchestrator } = setup();
    // pr-10's service and pr-1's namesake in another cluster exist; pr-1 has nothing in cluster c.
    await createEcsOrchestrator({ ...options, ecs: fake.ecs }).ensure({ ...target, stackId: 'pr-10' });
    await createEcsOrchestrator({ ...options, cluster: 'other', ecs: fake.ecs }).ensure(target);
    fake.patchService('other', 'thaw-pr-1-web', { runningCount: 1, deployments: [{ status: 'PRIMARY' }] });
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(status.services[0]).toMatchObject({ service: 'web', running: 0 });
    expect((await orchestrator.status(target, 'zero')).ready).toBe(true);
  });

  it('is ready at steady state once the RUNNING tasks of its own service answer (the probe knocks on them only)', async () => {
    const knocked: string[] = [];
    const fake = createFakeEcs(['c', 'other']);
    const orchestrator = createEcsOrchestrator({
      ...options,
      ecs: fake.ecs,
      probe: async ({ url }) => {
        knocked.push(url);
        return { up: true, detail: '200' };
      },
    });
    await orchestrator.ensure(target);
    expect((await orchestrator.status(target, 'spec')).ready).toBe(false);
    steady(fake, 'thaw-pr-1-web', 1);
    fake.addTask('c', 'thaw-pr-1-web', task('RUNNING', '10.0.0.5'));
    fake.addTask(
      'c',
      'thaw-pr-1-web',
      task('STOPPED', '10.0.0.9', { stopCode: 'ServiceSchedulerInitiated' }),
    );
    fake.addTask('c', 'thaw-pr-10-web', task('RUNNING', '10.0.0.7'));
    const status = await orchestrator.status(target, 'spec');
    expect(status).toMatchObject({
      ready: true,
      services: [{ running: 1, endpoints: ['http://10.0.0.5:80'] }],
    });
    expect(knocked).toEqual(['http://10.0.0.5:80/']);
  });

  it('is not ready while a second deployment is rolling', async () => {
    const { fake, orchestrator } = setup();
    await orchestrator.ensure(target);
    fake.patchService('c', 'thaw-pr-1-web', {
      runningCount: 1,
      deployments: [{ status: 'PRIMARY' }, { status: 'ACTIVE' }],
    });
    expect((await orchestrator.status(target, 'spec')).ready).toBe(false);
  });

  it("reports why this service's newest STOPPED task failed (e.g. an image that does not exist)", async () => {
    const { fake, orchestrator } = setup();
    await orchestrator.ensure(target);
    fake.patchService('c', 'thaw-pr-1-web', {
      runningCount: 0,
      deployments: [{ status: 'PRIMARY', failedTasks: 3, rolloutState: 'IN_PROGRESS' }],
    });
    const stopped = (reason: string, at: number) =>
      task('STOPPED', '10.0.0.9', {
        stopCode: 'TaskFailedToStart',
        stoppedAt: new Date(at),
        stoppedReason: reason,
      });
    fake.addTask(
      'c',
      'thaw-pr-1-web',
      stopped('CannotPullContainerError: ghcr.io/acme/web:1.0: not found', 2),
    );
    fake.addTask('c', 'thaw-pr-1-web', stopped('an older failure', 1));
    // Newer, but not a stopped task of this service: a task still RUNNING and another service's.
    fake.addTask(
      'c',
      'thaw-pr-1-web',
      task('RUNNING', '10.0.0.8', {
        stopCode: 'TaskFailedToStart',
        stoppedAt: new Date(3),
        stoppedReason: 'still running',
      }),
    );
    fake.addTask('c', 'thaw-pr-10-web', stopped('ResourceInitializationError: of pr-10', 4));
    const status = await orchestrator.status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(status.failure).toBe('web: CannotPullContainerError: ghcr.io/acme/web:1.0: not found');
  });

  it.each([1, 2])(
    '%i failed start(s) of a deployment are not a failure yet (ECS retries them)',
    async (failed) => {
      const { fake, orchestrator } = setup();
      await orchestrator.ensure(target);
      fake.patchService('c', 'thaw-pr-1-web', {
        runningCount: 0,
        deployments: [{ status: 'PRIMARY', failedTasks: failed, rolloutState: 'IN_PROGRESS' }],
      });
      fake.addTask(
        'c',
        'thaw-pr-1-web',
        task('STOPPED', '10.0.0.9', {
          stopCode: 'TaskFailedToStart',
          stoppedAt: new Date(1),
          stoppedReason: 'x',
        }),
      );
      const status = await orchestrator.status(target, 'spec');
      expect(status).toMatchObject({ ready: false });
      expect(status.failure).toBeUndefined();
    },
  );

  it('reports a FAILED rollout as a failure, with the reason ECS gives', async () => {
    const { fake, orchestrator } = setup();
    await orchestrator.ensure(target);
    fake.patchService('c', 'thaw-pr-1-web', {
      runningCount: 0,
      deployments: [
        {
          status: 'PRIMARY',
          failedTasks: 0,
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
    });
    const status = await orchestrator.status(target, 'spec');
    expect(status).toMatchObject({
      ready: false,
      failure: 'web: ECS deployment circuit breaker: tasks failed to start.',
    });
  });

  it('a same-name service still DRAINING: scaling up waits (retryable), creates nothing, then creates one', async () => {
    const { fake, orchestrator } = setup();
    await orchestrator.ensure(target);
    await orchestrator.remove(target);
    expect(fake.services.map((s) => s.status)).toEqual(['DRAINING']);

    for (const attempt of [() => orchestrator.scale(target, 'spec'), () => orchestrator.ensure(target)]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentTaskError);
    }
    expect(await orchestrator.status(target, 'spec')).toMatchObject({ ready: false });
    expect((await orchestrator.status(target, 'spec')).failure).toBeUndefined();
    expect(fake.created('thaw-pr-1-web')).toBe(1);

    fake.finishDraining();
    await orchestrator.scale(target, 'spec');
    await orchestrator.scale(target, 'spec');
    expect(fake.services.map((s) => s.status)).toEqual(['INACTIVE', 'ACTIVE']);
  });

  it('two deliveries of the same deploy racing: the loser retries instead of failing the stack, one service', async () => {
    const { fake, orchestrator } = setup();
    const results = await Promise.allSettled([orchestrator.ensure(target), orchestrator.ensure(target)]);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(errors).toHaveLength(1); // ECS refused the second create as "not idempotent"
    expect(errors[0]).not.toBeInstanceOf(PermanentTaskError);
    await orchestrator.ensure(target); // the redelivered task updates the service the winner created
    expect(fake.services.map((s) => s.status)).toEqual(['ACTIVE']);
    expect(fake.calls.filter((c) => c.command === 'UpdateServiceCommand')).toHaveLength(1);
  });

  it("stack a-b's service c and stack a's service b-c get an ECS service, a family and a router each", async () => {
    const { fake, orchestrator } = setup();
    const one = {
      stackId: 'a-b',
      spec: parseSpec({ services: { c: { image: 'x', port: 80 } } }),
      images: {},
    };
    const two = {
      stackId: 'a',
      spec: parseSpec({ services: { 'b-c': { image: 'y', port: 81 } } }),
      images: {},
    };
    await orchestrator.ensure(one);
    await orchestrator.ensure(two);
    expect(fake.services.filter((s) => s.status === 'ACTIVE')).toHaveLength(2);
    const families = fake.calls
      .filter((c) => c.command === 'RegisterTaskDefinitionCommand')
      .map((c) => c.input.family);
    expect(new Set(families).size).toBe(2);
    const routers = (stackId: string, service: string, spec: typeof one.spec) =>
      Object.keys(
        traefikLabels(stackId, service, spec.services[service]!, { domain: 'qa.example.com' }),
      ).filter((k) => k.startsWith('traefik.http.'));
    const shared = routers('a-b', 'c', one.spec).filter((k) => routers('a', 'b-c', two.spec).includes(k));
    expect(shared).toEqual([]);
    // Removing one stack leaves the other's service alone.
    await orchestrator.remove(one);
    expect(fake.services.filter((s) => s.status === 'ACTIVE').map((s) => s.serviceName)).toEqual([
      'thaw-a--b-c',
    ]);
  });

  it('a create whose answer was lost: the SDK retry repeats the client token and gets the service, not "not idempotent"', async () => {
    const fake = createFakeEcs(['c']);
    // What the SDK does on a timeout: send the very same request again.
    const retrying: typeof fake.ecs = {
      send: (async (command: never) => {
        try {
          return await fake.ecs.send(command);
        } catch (error) {
          if ((error as Error).name !== 'TimeoutError') throw error;
          return fake.ecs.send(command);
        }
      }) as never,
    };
    const orchestrator = createEcsOrchestrator({ ...options, ecs: retrying });
    fake.loseNextAnswer('CreateServiceCommand');
    await orchestrator.ensure({ ...target, transitionId: 3 });
    const creates = fake.calls.filter((c) => c.command === 'CreateServiceCommand');
    expect(creates).toHaveLength(2);
    expect(creates[0]!.input.clientToken).toMatch(/^[\x21-\x7e]{1,36}$/);
    expect(creates[1]!.input.clientToken).toBe(creates[0]!.input.clientToken);
    expect(fake.services.filter((s) => s.status === 'ACTIVE')).toHaveLength(1);
  });

  it('derives the client token from stack, service, transition and task definition: same request, same token', () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/thaw-pr-1-web:4';
    const token = createServiceToken('pr-1', 'web', 3, arn);
    expect(token).toMatch(/^[\x21-\x7e]{1,36}$/);
    expect(createServiceToken('pr-1', 'web', 3, arn)).toBe(token);
    for (const other of [
      createServiceToken('pr-2', 'web', 3, arn),
      createServiceToken('pr-1', 'api', 3, arn),
      createServiceToken('pr-1', 'web', 4, arn),
      createServiceToken('pr-1', 'web', 3, arn.replace(/:4$/, ':5')),
    ])
      expect(other).not.toBe(token);
  });

  it('hands DATABASE_URL through ECS secrets (the stack secret ARN), never in the environment; without a secret store it refuses', async () => {
    const two = { stackId: 'pr-3', spec, images: { web: '1', api: '1' } };
    const databases = { urlFor: (id: string) => `postgres://thaw_stack_${id}:pw@db:5432/${id}` };
    const stored = new Map<string, string>();
    const secrets = {
      put: async (stackId: string, value: string) => {
        stored.set(stackId, value);
        return `arn:aws:secretsmanager:us-east-1:123456789012:secret:thaw/stacks/${stackId}/database-url-AbCdEf`;
      },
    };
    const fake = createFakeEcs(['c']);
    await createEcsOrchestrator({ ...options, ecs: fake.ecs, databases, secrets }).ensure(two);
    const containers = fake.calls
      .filter((c) => c.command === 'RegisterTaskDefinitionCommand')
      .flatMap(
        (c) =>
          c.input.containerDefinitions as {
            name: string;
            environment: { name: string; value: string }[];
            secrets?: unknown;
          }[],
      );
    const api = containers.find((c) => c.name === 'api')!;
    const web = containers.find((c) => c.name === 'web')!;
    expect(api.environment.map((e) => e.name)).not.toContain('DATABASE_URL');
    expect(JSON.stringify(containers)).not.toContain('postgres://');
    expect(api.secrets).toEqual([
      {
        name: 'DATABASE_URL',
        valueFrom:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:thaw/stacks/pr-3/database-url-AbCdEf',
      },
    ]);
    expect(web.secrets).toBeUndefined();
    expect(stored.get('pr-3')).toBe('postgres://thaw_stack_pr-3:pw@db:5432/pr-3');
    const refused = createEcsOrchestrator({ ...options, ecs: createFakeEcs(['c']).ecs, databases }).ensure(
      two,
    );
    await expect(refused).rejects.toBeInstanceOf(PermanentTaskError);
  });

  it('puts repositoryCredentials on every container when a registry secret is configured, and none otherwise', async () => {
    const two = { stackId: 'pr-3', spec, images: { web: '1', api: '1' } };
    const containers = async (repositoryCredentialsArn?: string) => {
      const fake = createFakeEcs(['c']);
      await createEcsOrchestrator({ ...options, ecs: fake.ecs, repositoryCredentialsArn }).ensure(two);
      return fake.calls
        .filter((c) => c.command === 'RegisterTaskDefinitionCommand')
        .flatMap((c) => c.input.containerDefinitions as { repositoryCredentials?: unknown }[]);
    };
    const withSecret = await containers(registrySecret);
    expect(withSecret).toHaveLength(2);
    expect(withSecret.map((c) => c.repositoryCredentials)).toEqual([
      { credentialsParameter: registrySecret },
      { credentialsParameter: registrySecret },
    ]);
    expect((await containers()).map((c) => 'repositoryCredentials' in c)).toEqual([false, false]);
  });

  it('creates services on the configured capacity-provider strategy (Spot), else with launchType FARGATE', async () => {
    const created = async (capacityProviderStrategy?: EcsOrchestratorOptions['capacityProviderStrategy']) => {
      const fake = createFakeEcs(['c']);
      await createEcsOrchestrator({ ...options, ecs: fake.ecs, capacityProviderStrategy }).ensure(target);
      return fake.calls.filter((c) => c.command === 'CreateServiceCommand').map((c) => c.input);
    };
    const spot = [
      { capacityProvider: 'FARGATE_SPOT' as const, weight: 1, base: 0 },
      { capacityProvider: 'FARGATE' as const, weight: 0, base: 0 },
    ];
    for (const input of await created(spot)) {
      expect(input.capacityProviderStrategy).toEqual(spot);
      expect(input).not.toHaveProperty('launchType'); // ECS refuses both together
    }
    for (const input of [...(await created()), ...(await created([]))]) {
      expect(input.launchType).toBe('FARGATE');
      expect(input).not.toHaveProperty('capacityProviderStrategy');
    }
  });

  it('refuses a service with neither image in the spec nor in the launch', async () => {
    const noImage = {
      stackId: 'pr-1',
      spec: parseSpec({ services: { web: { run: 'x', port: 80 } } }),
      images: {},
    };
    await expect(setup().orchestrator.ensure(noImage)).rejects.toBeInstanceOf(PermanentTaskError);
  });

  // Messages are deliberately misleading: the translation must go by the error's name only.
  const throttling = new ECSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: {},
    message: 'Rate exceeded; AccessDeniedException',
  });
  it.each([
    ['ThrottlingException', 'retryable', throttling],
    [
      'ServerException',
      'retryable',
      new ServerException({ $metadata: {}, message: 'InvalidParameterException' }),
    ],
    ['a network error', 'retryable', Object.assign(new Error('ClientException'), { name: 'TimeoutError' })],
    [
      'AccessDeniedException',
      'permanent',
      new AccessDeniedException({ $metadata: {}, message: 'throttled' }),
    ],
    [
      'InvalidParameterException',
      'permanent',
      new InvalidParameterException({ $metadata: {}, message: 'x' }),
    ],
    ['ClientException', 'permanent', new ClientException({ $metadata: {}, message: 'token not idempotent' })],
    ['ClusterNotFoundException', 'permanent', new ClusterNotFoundException({ $metadata: {}, message: 'x' })],
  ] satisfies [string, 'retryable' | 'permanent', Error][])(
    '%s from ECS is %s',
    async (_name, kind, error) => {
      for (const [command, run] of [
        ['RegisterTaskDefinitionCommand', (o: Orchestrator) => o.ensure(target)],
        ['DescribeServicesCommand', (o: Orchestrator) => o.status(target, 'spec')],
        ['UpdateServiceCommand', (o: Orchestrator) => o.scale(target, 'zero')],
        ['DeleteServiceCommand', (o: Orchestrator) => o.remove(target)],
      ] as const) {
        const { fake, orchestrator } = setup();
        await orchestrator.ensure(target);
        fake.failNext(command, error);
        const thrown = await run(orchestrator).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (kind === 'permanent') {
          expect(thrown, command).toBeInstanceOf(PermanentTaskError);
          expect((thrown as PermanentTaskError).cause, command).toBe(error);
        } else expect(thrown, command).toBe(error);
      }
    },
  );

  it('a refused create with the service still missing is a permanent failure, not a retry loop', async () => {
    const { fake, orchestrator } = setup();
    fake.failNext(
      'CreateServiceCommand',
      new InvalidParameterException({ $metadata: {}, message: 'bad subnet' }),
    );
    await expect(orchestrator.ensure(target)).rejects.toBeInstanceOf(PermanentTaskError);
  });
});

it("runs against moto's ECS API when CI asks for it", () => {
  if (requireMoto) expect(motoUrl, 'THAW_REQUIRE_MOTO=1 but THAW_TEST_MOTO_URL is not set').toBeDefined();
});

describe.runIf(motoUrl)("ECS orchestrator against moto's ECS API", () => {
  it('a stack removed and launched again has exactly one ACTIVE service per name', async () => {
    const cluster = `thaw-again-${Date.now()}`;
    const env = await motoEnvironment(motoUrl!, cluster);
    const orchestrator = createEcsOrchestrator({ ...env, cluster, region: 'us-east-1', urls });
    const target = { stackId: 'pr-7', spec, images: { web: '1', api: '1' } };
    await orchestrator.ensure(target);
    await orchestrator.remove(target);
    await orchestrator.scale(target, 'spec');
    await orchestrator.ensure(target);
    const { serviceArns = [] } = await env.ecs.send(new ListServicesCommand({ cluster }));
    const { services = [] } = await env.ecs.send(
      new DescribeServicesCommand({ cluster, services: serviceArns }),
    );
    expect(
      services
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => s.serviceName)
        .sort(),
    ).toEqual(['thaw-pr-7-api', 'thaw-pr-7-web']);
    env.ecs.destroy();
  });

  it("moto's ClusterNotFoundException is a permanent failure", async () => {
    const env = await motoEnvironment(motoUrl!, `thaw-exists-${Date.now()}`);
    const orchestrator = createEcsOrchestrator({
      ...env,
      cluster: 'no-such-cluster',
      region: 'us-east-1',
      urls,
    });
    const target = { stackId: 'pr-8', spec, images: { web: '1', api: '1' } };
    const error = await orchestrator.ensure(target).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentTaskError);
    expect((error as PermanentTaskError).cause).toMatchObject({ name: 'ClusterNotFoundException' });
    env.ecs.destroy();
  });

  it('registers task definitions with labels, env and tags; creates tagged services; remove deregisters them', async () => {
    const cluster = `thaw-ecs-${Date.now()}`;
    const env = await motoEnvironment(motoUrl!, cluster);
    const databases = {
      urlFor: (id: string) => `postgres://app@db.internal:5432/thaw_${id.replaceAll('-', '_')}`,
    };
    const secretsManager = new SecretsManagerClient({
      endpoint: motoUrl!,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const prefix = `${cluster}/stacks`;
    const secrets = createStackSecrets({ secrets: secretsManager, prefix });
    const orchestrator = createEcsOrchestrator({
      ...env,
      cluster,
      region: 'us-east-1',
      urls,
      databases,
      secrets,
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      logGroup: '/thaw/stacks',
      repositoryCredentialsArn: registrySecret,
    });
    const target = { stackId: 'pr-42', spec, images: { web: 'sha-1', api: 'ghcr.io/acme/api:2.0' } };
    await orchestrator.ensure(target);

    const { taskDefinition, tags } = await env.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'thaw-pr-42-api', include: ['TAGS'] }),
    );
    const container = taskDefinition!.containerDefinitions![0]!;
    expect(container.image).toBe('ghcr.io/acme/api:2.0');
    expect(container.dockerLabels).toMatchObject({
      'traefik.http.routers.thaw-pr-42-api.rule': 'Host(`api-pr-42.qa.example.com`) && PathPrefix(`/v1`)',
      'thaw.stack': 'pr-42',
    });
    // The URL is not in the task definition: ECS reads it from the stack's secret at task start.
    expect(container.environment?.map((e) => e.name)).not.toContain('DATABASE_URL');
    expect(JSON.stringify(taskDefinition)).not.toContain('postgres://');
    expect(container.secrets).toHaveLength(1);
    expect(container.secrets![0]!.name).toBe('DATABASE_URL');
    const stored = await secretsManager.send(
      new GetSecretValueCommand({ SecretId: container.secrets![0]!.valueFrom }),
    );
    expect(stored.SecretString).toBe('postgres://app@db.internal:5432/thaw_pr_42');
    expect(stored.Name).toBe(`${prefix}/pr-42/database-url`);
    await secrets.remove('pr-42');
    secretsManager.destroy();
    expect(taskDefinition).toMatchObject({
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
    });
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: 'thaw:stack', value: 'pr-42' },
        { key: 'thaw:service', value: 'api' },
      ]),
    );
    const web = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'thaw-pr-42-web' }));
    expect(web.taskDefinition!.containerDefinitions![0]!.image).toBe('ghcr.io/acme/web:sha-1');
    // Both containers pull with the registry secret.
    for (const definition of [taskDefinition!, web.taskDefinition!])
      expect(definition.containerDefinitions!.map((c) => c.repositoryCredentials)).toEqual([
        { credentialsParameter: registrySecret },
      ]);
    expect(web.taskDefinition!.containerDefinitions![0]!.environment).toEqual(
      expect.arrayContaining([{ name: 'API', value: 'https://api-pr-42.qa.example.com/v1' }]),
    );

    const { services } = await env.ecs.send(
      new DescribeServicesCommand({
        cluster,
        services: ['thaw-pr-42-web', 'thaw-pr-42-api'],
        include: ['TAGS'],
      }),
    );
    expect(services?.map((s) => [s.serviceName, s.status, s.desiredCount])).toEqual([
      ['thaw-pr-42-web', 'ACTIVE', 1],
      ['thaw-pr-42-api', 'ACTIVE', 1],
    ]);
    expect(services?.[0]?.tags).toEqual(expect.arrayContaining([{ key: 'thaw:stack', value: 'pr-42' }]));

    await orchestrator.scale(target, 'zero');
    const frozen = await env.ecs.send(new DescribeServicesCommand({ cluster, services: ['thaw-pr-42-web'] }));
    expect(frozen.services?.[0]?.desiredCount).toBe(0);

    await orchestrator.remove(target);
    const gone = await env.ecs.send(
      new DescribeServicesCommand({ cluster, services: ['thaw-pr-42-web', 'thaw-pr-42-api'] }),
    );
    expect(gone.services?.map((s) => s.status)).toEqual(['INACTIVE', 'INACTIVE']);
    const defs = await env.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'thaw-pr-42', status: 'ACTIVE' }),
    );
    expect(defs.taskDefinitionArns).toEqual([]);
    env.ecs.destroy();
  });
});

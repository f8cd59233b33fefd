import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../core/spec.ts';
import { motoEnvironment, motoUrl } from '../../test/helpers/moto.ts';
import { PermanentTaskError } from '../shared/errors.ts';
import { createEcsOrchestrator, traefikLabels } from './ecs-orchestrator.ts';

const urls = { domain: 'qa.example.com', scheme: 'https' as const };
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

describe('ECS orchestrator, status from ECS answers', () => {
  const fake = (services: unknown[], tasks: unknown[] = []) => ({
    send: (async (command: { constructor: { name: string } }) => {
      switch (command.constructor.name) {
        case 'DescribeServicesCommand':
          return { services };
        case 'ListTasksCommand':
          return { taskArns: tasks.length ? ['arn:task/1'] : [] };
        case 'DescribeTasksCommand':
          return { tasks };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    }) as never,
  });
  const target = {
    stackId: 'pr-1',
    spec: parseSpec({ services: { web: { image: 'ghcr.io/acme/web', port: 80 } } }),
    images: { web: 'nope' },
  };
  const options = { cluster: 'c', subnets: ['s'], securityGroups: ['g'], region: 'us-east-1', urls };

  it('reports the stopped reason when tasks fail to start (e.g. an image that does not exist)', async () => {
    const ecs = fake(
      [
        {
          serviceName: 'thaw-pr-1-web',
          status: 'ACTIVE',
          desiredCount: 1,
          runningCount: 0,
          deployments: [{ status: 'PRIMARY', failedTasks: 2, rolloutState: 'IN_PROGRESS' }],
        },
      ],
      [
        {
          stopCode: 'TaskFailedToStart',
          stoppedAt: new Date(),
          stoppedReason:
            'CannotPullContainerError: pull image manifest has been retried 5 time(s): ghcr.io/acme/web:nope: not found',
          containers: [],
        },
      ],
    );
    const status = await createEcsOrchestrator({ ...options, ecs }).status(target, 'spec');
    expect(status.ready).toBe(false);
    expect(status.failure).toContain('CannotPullContainerError');
  });

  it('is ready at steady state: one deployment and runningCount == desiredCount', async () => {
    const ecs = fake([
      {
        serviceName: 'thaw-pr-1-web',
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        deployments: [{ status: 'PRIMARY' }],
      },
    ]);
    const orchestrator = createEcsOrchestrator({ ...options, ecs });
    expect((await orchestrator.status(target, 'spec')).ready).toBe(true);
  });

  it('is not ready while a second deployment is rolling', async () => {
    const ecs = fake([
      {
        serviceName: 'thaw-pr-1-web',
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        deployments: [{ status: 'PRIMARY' }, { status: 'ACTIVE' }],
      },
    ]);
    expect((await createEcsOrchestrator({ ...options, ecs }).status(target, 'spec')).ready).toBe(false);
  });

  it('refuses a service with neither image in the spec nor in the launch', async () => {
    const noImage = {
      stackId: 'pr-1',
      spec: parseSpec({ services: { web: { run: 'x', port: 80 } } }),
      images: {},
    };
    const ecs = fake([]);
    await expect(createEcsOrchestrator({ ...options, ecs }).ensure(noImage)).rejects.toBeInstanceOf(
      PermanentTaskError,
    );
  });
});

describe.runIf(motoUrl)("ECS orchestrator against moto's ECS API", () => {
  it('registers task definitions with labels, env and tags; creates tagged services; remove deregisters them', async () => {
    const cluster = `thaw-ecs-${Date.now()}`;
    const env = await motoEnvironment(motoUrl!, cluster);
    const databases = {
      urlFor: (id: string) => `postgres://app@db.internal:5432/thaw_${id.replaceAll('-', '_')}`,
    };
    const orchestrator = createEcsOrchestrator({
      ...env,
      cluster,
      region: 'us-east-1',
      urls,
      databases,
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      logGroup: '/thaw/stacks',
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
    expect(container.environment).toEqual(
      expect.arrayContaining([{ name: 'DATABASE_URL', value: 'postgres://app@db.internal:5432/thaw_pr_42' }]),
    );
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

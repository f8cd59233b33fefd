import { createHash } from 'node:crypto';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PermanentTaskError } from '../core/errors.ts';
import {
  type HealthProbe,
  imageReference,
  type Orchestrator,
  type PublicUrls,
  type ReplicaTarget,
  resourceName,
  type StackDatabases,
  type StackSecrets,
  type StackTarget,
} from '../core/orchestrator.ts';
import type { ServiceSpec } from '../core/spec.ts';
import { call, deleteService, deregisterFamily, translateEcsError } from './ecs-calls.ts';
import { createEcsReadiness } from './ecs-readiness.ts';
import { containerDefinition } from './ecs-task-definition.ts';

/** One entry of a capacity-provider strategy (docs/cost.md: stacks on Fargate Spot). */
export interface CapacityProviderItem {
  capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
  weight: number;
  base: number;
}

export interface EcsOrchestratorOptions {
  ecs: Pick<ECSClient, 'send'>;
  cluster: string;
  subnets: string[];
  securityGroups: string[];
  /** Role ECS uses to pull images and write logs. */
  executionRoleArn?: string | undefined;
  /** Role the stack's containers run as. */
  taskRoleArn?: string | undefined;
  /** CloudWatch Logs group for stack containers (stream prefix: the stack id). */
  logGroup?: string | undefined;
  region: string;
  assignPublicIp?: boolean;
  /** Traefik entry point the stack routers attach to (default "web"). */
  entryPoint?: string;
  urls: PublicUrls;
  databases?: Pick<StackDatabases, 'urlFor'>;
  /**
   * Where each stack's DATABASE_URL is kept (Secrets Manager: createStackSecrets): a service that asks
   * for a database gets it through the container's `secrets` (ECS reads it with the execution role at
   * task start), never in its `environment`, so DescribeTaskDefinition does not show it. Required when
   * `databases` is given and a service asks for one.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html
   */
  secrets?: Pick<StackSecrets, 'put'>;
  /**
   * Where stack tasks run: a capacity-provider strategy (e.g. FARGATE_SPOT weight 1, FARGATE base 0).
   * Empty: `launchType: FARGATE` (on-demand). ECS refuses a launch type and a strategy together.
   */
  capacityProviderStrategy?: readonly CapacityProviderItem[];
  /** CPU architecture of the stacks (default X86_64). */
  architecture?: 'X86_64' | 'ARM64';
  /**
   * A Secrets Manager secret (`{"username","password"}`) ECS pulls every stack image with
   * (`repositoryCredentials` on every container), for private registries other than ECR. The execution
   * role must be allowed to read it.
   */
  repositoryCredentialsArn?: string | undefined;
  /**
   * Knocks on each running task's health path: a service is ready only when every task answers
   * (createHttpProbe in production). Without it, readiness is ECS's alone (runningCount): only for ECS
   * emulators that run no tasks (moto) and deployments that turn the check off.
   */
  probe?: HealthProbe | undefined;
}

/**
 * CreateService's client token (ECS: up to 36 ASCII characters): the same for the same request, so the
 * SDK's retry of a create whose answer was lost succeeds instead of failing as "not idempotent"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html). It is derived from
 * the stack, the service, the transition and the task definition revision: ECS refuses a token reused
 * with other parameters, and a stack id can come back (destroyed, launched again from transition 0),
 * while a task definition revision is never reused.
 */
export function createServiceToken(
  stackId: string,
  service: string,
  transitionId: number | undefined,
  taskDefinition: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([stackId, service, transitionId ?? null, taskDefinition]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Runs stacks on ECS Fargate: one task definition family and one ECS service per stack service, tagged
 * thaw:stack / thaw:service, carrying the Traefik labels. Scaling is desiredCount; a frozen stack keeps
 * its services at 0, so Traefik (which lists only running tasks) has no router for it.
 */
export function createEcsOrchestrator(options: EcsOrchestratorOptions): Orchestrator {
  const { ecs, cluster } = options;
  const { serviceStatus, probeServices } = createEcsReadiness({ ecs, cluster, domain: options.urls.domain });
  const tags = (stackId: string, service: string) => [
    { key: 'thaw:stack', value: stackId },
    { key: 'thaw:service', value: service },
  ];

  /** The stack's DATABASE_URL as an ECS secret: its Secrets Manager secret, created or updated now. */
  const databaseSecret = async (stackId: string) => {
    if (!options.secrets)
      throw new PermanentTaskError(
        'a service asks for a database, but the ECS orchestrator has no secret store to hand DATABASE_URL through ECS secrets',
      );
    const valueFrom = await options.secrets.put(stackId, options.databases!.urlFor(stackId));
    return { name: 'DATABASE_URL', valueFrom };
  };

  const register = async (target: StackTarget, service: string) => {
    const spec = target.spec.services[service]!;
    const image = imageReference(spec, service, target.images);
    if (!image)
      throw new PermanentTaskError(
        `service ${service} has no image: set "image" in thaw.yml or pass images ${service}=<ref>`,
      );
    const secrets = spec.database && options.databases ? [await databaseSecret(target.stackId)] : [];
    const container = containerDefinition(target, service, image, secrets, options);
    const result = await call(() =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: resourceName(target.stackId, service),
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: String(spec.cpu),
          memory: String(spec.memory),
          runtimePlatform: {
            cpuArchitecture: options.architecture ?? 'X86_64',
            operatingSystemFamily: 'LINUX',
          },
          executionRoleArn: options.executionRoleArn,
          taskRoleArn: options.taskRoleArn,
          containerDefinitions: [container],
          tags: tags(target.stackId, service),
        }),
      ),
    );
    return result.taskDefinition!.taskDefinitionArn!;
  };

  const describe = async (stackId: string, services: string[]): Promise<Map<string, Service>> => {
    const found = new Map<string, Service>();
    for (let i = 0; i < services.length; i += 10) {
      const names = services.slice(i, i + 10).map((s) => resourceName(stackId, s));
      const result = await call(() => ecs.send(new DescribeServicesCommand({ cluster, services: names })));
      for (const service of result.services ?? []) found.set(service.serviceName!, service);
    }
    return found;
  };

  const deploy = async (target: StackTarget, desired: (spec: ServiceSpec) => number) => {
    const names = Object.keys(target.spec.services);
    const existing = await describe(target.stackId, names);
    for (const service of names) {
      const spec = target.spec.services[service]!;
      const name = resourceName(target.stackId, service);
      const current = existing.get(name);
      if (current?.status === 'DRAINING')
        throw new Error(`service ${name} is still draining from an earlier delete; retrying`);
      const taskDefinition = await register(target, service);
      if (current?.status === 'ACTIVE') {
        await call(() =>
          ecs.send(
            new UpdateServiceCommand({ cluster, service: name, taskDefinition, desiredCount: desired(spec) }),
          ),
        );
        continue;
      }
      await create(
        target.stackId,
        service,
        new CreateServiceCommand({
          cluster,
          serviceName: name,
          clientToken: createServiceToken(target.stackId, service, target.transitionId, taskDefinition),
          taskDefinition,
          desiredCount: desired(spec),
          ...(options.capacityProviderStrategy?.length
            ? { capacityProviderStrategy: options.capacityProviderStrategy.map((item) => ({ ...item })) }
            : { launchType: 'FARGATE' as const }),
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: options.subnets,
              securityGroups: options.securityGroups,
              assignPublicIp: options.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
          tags: tags(target.stackId, service),
          propagateTags: 'SERVICE',
          enableECSManagedTags: true,
        }),
      );
    }
  };

  /**
   * ECS refuses a same-name service (InvalidParameterException, "not idempotent") while the old one is
   * still DRAINING, or when another delivery of the same task created it a moment ago. Both pass: say
   * so as a transient error, so the task is retried (and then updates the service) instead of failing.
   */
  const create = async (stackId: string, service: string, command: CreateServiceCommand) => {
    try {
      await ecs.send(command);
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidParameterException') {
        const name = resourceName(stackId, service);
        const status = (await describe(stackId, [service])).get(name)?.status;
        if (status === 'ACTIVE' || status === 'DRAINING')
          throw new Error(`service ${name} is ${status} after a concurrent change; retrying`, {
            cause: error,
          });
      }
      throw translateEcsError(error);
    }
  };

  return {
    ensure: (target) => deploy(target, (spec) => spec.replicas),

    async scale(target, to: ReplicaTarget) {
      const names = Object.keys(target.spec.services);
      const existing = await describe(target.stackId, names);
      const missing = names.some((s) => existing.get(resourceName(target.stackId, s))?.status !== 'ACTIVE');
      if (to === 'spec' && missing) return deploy(target, (spec) => spec.replicas);
      for (const service of names) {
        const name = resourceName(target.stackId, service);
        if (existing.get(name)?.status !== 'ACTIVE') continue; // scaling a missing service to 0 is already done
        const desiredCount = to === 'zero' ? 0 : target.spec.services[service]!.replicas;
        await call(() => ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount })));
      }
    },

    async status(target, to) {
      const names = Object.keys(target.spec.services);
      const existing = await describe(target.stackId, names);
      let statuses = await Promise.all(
        names.map((service) =>
          serviceStatus(target, service, existing.get(resourceName(target.stackId, service)), to),
        ),
      );
      const steady = statuses.every((s) => s.ready);
      if (steady && options.probe) statuses = await probeServices(target, statuses, options.probe);
      const failure = statuses.find((s) => s.failure)?.failure;
      return { ready: statuses.every((s) => s.ready), ...(failure ? { failure } : {}), services: statuses };
    },

    async remove(target) {
      for (const service of Object.keys(target.spec.services)) {
        const name = resourceName(target.stackId, service);
        await deleteService(ecs, cluster, name);
        await deregisterFamily(ecs, name);
      }
    },
  };
}

export { translateEcsError } from './ecs-calls.ts';
export { createEcsOwnedResources } from './ecs-owned-resources.ts';
export { FAILED_STARTS_BEFORE_FAILURE } from './ecs-readiness.ts';
export { containerDefinition, traefikLabels } from './ecs-task-definition.ts';

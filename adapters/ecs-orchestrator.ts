import { createHash } from 'node:crypto';
import {
  type ContainerDefinition,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type Tag,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PermanentTaskError } from '../core/errors.ts';
import type { OwnedResource, OwnedResources } from '../core/janitor.ts';
import {
  type HealthProbe,
  imageReference,
  type Orchestrator,
  type PublicUrls,
  parseResourceName,
  type ReplicaTarget,
  resourceName,
  type ServiceStatus,
  type StackDatabases,
  type StackSecrets,
  type StackTarget,
  serviceEnvironment,
} from '../core/orchestrator.ts';
import { type SpecProtection, specMiddlewares } from '../core/protection.ts';
import { type ServiceSpec, serviceHost } from '../core/spec.ts';

/**
 * Failed task starts of a deployment before its stack counts as failed: the minimum failure threshold
 * of ECS's deployment circuit breaker (which the services use), so a transient failure is retried.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
 * ("a minimum threshold of 3 and a maximum threshold of 200", 0.5 × desired count).
 */
export const FAILED_STARTS_BEFORE_FAILURE = 3;

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
 * ECS errors that retrying cannot fix, by their type name (never by message text). Everything else —
 * ThrottlingException, ServerException, network errors — is transient: the SDK already retried with
 * backoff, and SQS redelivers the task.
 */
const PERMANENT = new Set([
  'InvalidParameterException',
  'ClientException',
  'ClusterNotFoundException',
  'AccessDeniedException',
  'PlatformUnknownException',
  'UnsupportedFeatureException',
]);

/** The error a task should see: PermanentTaskError for what retrying cannot fix, else the error itself. */
export function translateEcsError(error: unknown): unknown {
  if (error instanceof Error && PERMANENT.has(error.name))
    return new PermanentTaskError(`${error.name}: ${error.message}`, { cause: error });
  return error;
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateEcsError(error);
  }
}

/**
 * The Traefik ECS provider labels that route a stack service: a router and a service unique to it.
 * The deployment's guard sits on the edge's entry point (infra/modules/edge); a spec's `protection`
 * adds middlewares here: its own IP allow-list defined in the labels, and the edge's basic / forward
 * auth by reference (`@file`), so no credential ever lands in a task definition. Label values are
 * not shell-evaluated, so `$` in values is not doubled (that is a docker-compose rule):
 * https://doc.traefik.io/reference/routing-configuration/http/middlewares/basicauth
 */
export function traefikLabels(
  stackId: string,
  service: string,
  spec: ServiceSpec,
  {
    domain,
    entryPoint = 'web',
    protection,
  }: { domain: string; entryPoint?: string; protection?: SpecProtection },
): Record<string, string> {
  const name = resourceName(stackId, service);
  const guard = specMiddlewares(stackId, protection, undefined, 'file');
  const middlewareLabels: Record<string, string> = {};
  for (const [mw, definition] of Object.entries(guard.definitions))
    if ('ipAllowList' in definition) {
      middlewareLabels[`traefik.http.middlewares.${mw}.ipallowlist.sourcerange`] =
        definition.ipAllowList.sourceRange.join(',');
      // Behind the ALB: the client is the address it appended to X-Forwarded-For, not RemoteAddr.
      middlewareLabels[`traefik.http.middlewares.${mw}.ipallowlist.ipstrategy.depth`] = '1';
    }
  if (guard.names.length)
    middlewareLabels[`traefik.http.routers.${name}.middlewares`] = guard.names
      .map((mw) => (mw.includes('@') ? mw : `${mw}@ecs`))
      .join(',');
  const host = serviceHost(spec, stackId, domain);
  const rule = spec.pathPrefix
    ? `Host(\`${host}\`) && PathPrefix(\`${spec.pathPrefix}\`)`
    : `Host(\`${host}\`)`;
  return {
    'traefik.enable': 'true',
    [`traefik.http.routers.${name}.rule`]: rule,
    [`traefik.http.routers.${name}.entrypoints`]: entryPoint,
    [`traefik.http.routers.${name}.service`]: name,
    [`traefik.http.services.${name}.loadbalancer.server.port`]: String(spec.port),
    [`traefik.http.services.${name}.loadbalancer.healthcheck.path`]: spec.health,
    [`traefik.http.services.${name}.loadbalancer.healthcheck.interval`]: '5s',
    ...middlewareLabels,
    'thaw.managed': 'true',
    'thaw.stack': stackId,
    'thaw.service': service,
  };
}

/**
 * Runs stacks on ECS Fargate: one task definition family and one ECS service per stack service, tagged
 * thaw:stack / thaw:service, carrying the Traefik labels. Scaling is desiredCount; a frozen stack keeps
 * its services at 0, so Traefik (which lists only running tasks) has no router for it.
 */
export function createEcsOrchestrator(options: EcsOrchestratorOptions): Orchestrator {
  const { ecs, cluster } = options;
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
    // DATABASE_URL is not in the environment: ECS puts it there from the stack's secret at task start.
    const environment = serviceEnvironment(target, service, { urls: options.urls });
    const secrets = spec.database && options.databases ? [await databaseSecret(target.stackId)] : [];
    const container: ContainerDefinition = {
      name: service,
      image,
      essential: true,
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RepositoryCredentials.html
      ...(options.repositoryCredentialsArn
        ? { repositoryCredentials: { credentialsParameter: options.repositoryCredentialsArn } }
        : {}),
      portMappings: [{ containerPort: spec.port, protocol: 'tcp' }],
      environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
      ...(secrets.length ? { secrets } : {}),
      dockerLabels: traefikLabels(target.stackId, service, spec, {
        domain: options.urls.domain,
        entryPoint: options.entryPoint,
        protection: target.spec.protection,
      }),
      ...(options.logGroup
        ? {
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': options.logGroup,
                'awslogs-region': options.region,
                'awslogs-stream-prefix': target.stackId,
              },
            },
          }
        : {}),
    };
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

  /** Why the newest stopped task of a service stopped, if it failed (image pull error, essential container exited). */
  const stoppedReason = async (serviceName: string): Promise<string | undefined> => {
    const listed = await call(() =>
      ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'STOPPED', maxResults: 10 })),
    );
    if (!listed.taskArns?.length) return undefined;
    const described = await call(() =>
      ecs.send(new DescribeTasksCommand({ cluster, tasks: listed.taskArns })),
    );
    const failed = (described.tasks ?? [])
      .filter((t) => t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited')
      .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))[0];
    if (!failed) return undefined;
    const container = failed.containers?.find((c) => c.reason || c.exitCode);
    return [
      failed.stoppedReason,
      container?.reason,
      container?.exitCode !== undefined ? `exit code ${container.exitCode}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
  };

  /**
   * The private IPv4 address of every RUNNING task of the named services: one ListTasks per service
   * (it filters by one serviceName) and one DescribeTasks per 100 tasks.
   */
  const taskAddresses = async (serviceNames: string[]): Promise<Map<string, string[]>> => {
    const arns = new Map<string, string[]>();
    for (const serviceName of serviceNames) {
      const listed = await call(() =>
        ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' })),
      );
      arns.set(serviceName, listed.taskArns ?? []);
    }
    const all = [...arns.values()].flat();
    const addressOf = new Map<string, string>();
    for (let i = 0; i < all.length; i += 100) {
      const described = await call(() =>
        ecs.send(new DescribeTasksCommand({ cluster, tasks: all.slice(i, i + 100) })),
      );
      for (const task of described.tasks ?? []) {
        const address = (task.attachments ?? [])
          .flatMap((a) => a.details ?? [])
          .find((d) => d.name === 'privateIPv4Address')?.value;
        if (task.lastStatus === 'RUNNING' && task.taskArn && address) addressOf.set(task.taskArn, address);
      }
    }
    return new Map([...arns].map(([name, list]) => [name, list.flatMap((arn) => addressOf.get(arn) ?? [])]));
  };

  /** ECS's view of one service: desired and running counts, a steady single deployment, or why it fails. */
  const serviceStatus = async (
    target: StackTarget,
    service: string,
    current: Service | undefined,
    to: ReplicaTarget,
  ): Promise<ServiceStatus> => {
    const spec = target.spec.services[service]!;
    const desired = to === 'zero' ? 0 : spec.replicas;
    if (current?.status !== 'ACTIVE')
      return { service, desired, running: 0, ready: desired === 0, endpoints: [] };
    const running = current.runningCount ?? 0;
    const steady =
      (current.deployments?.length ?? 0) === 1 &&
      (current.desiredCount ?? 0) === desired &&
      running === desired;
    const rollout = current.deployments?.find((d) => d.status === 'PRIMARY');
    let failure: string | undefined;
    if (!steady && desired > 0) {
      if (rollout?.rolloutState === 'FAILED')
        failure = `${service}: ${rollout.rolloutStateReason ?? 'deployment failed'}`;
      else if (running === 0 && (rollout?.failedTasks ?? 0) >= FAILED_STARTS_BEFORE_FAILURE) {
        // Tasks keep failing to start: say why (CannotPullContainerError, essential container exited…).
        // One failed start (a Spot interruption, a transient pull error) is not a failed stack.
        const reason = await stoppedReason(current.serviceName!);
        if (reason) failure = `${service}: ${reason}`;
      }
    }
    return { service, desired, running, ready: steady, endpoints: [], ...(failure ? { failure } : {}) };
  };

  /**
   * Steady services count as ready only once every task answers its health path. Asked only when the
   * whole stack is steady in ECS's eyes (else it is not ready anyway and the check would cost calls).
   */
  const probeServices = async (target: StackTarget, statuses: ServiceStatus[], probe: HealthProbe) => {
    const awake = statuses.filter((s) => s.desired > 0);
    const addresses = await taskAddresses(awake.map((s) => resourceName(target.stackId, s.service)));
    return Promise.all(
      statuses.map(async (status): Promise<ServiceStatus> => {
        if (status.desired === 0) return status;
        const spec = target.spec.services[status.service]!;
        const found = addresses.get(resourceName(target.stackId, status.service)) ?? [];
        const endpoints = found.map((ip) => `http://${ip}:${spec.port}`);
        if (endpoints.length < status.desired)
          return {
            ...status,
            ready: false,
            endpoints,
            waiting: `${endpoints.length} of ${status.desired} tasks have an address`,
          };
        const host = serviceHost(spec, target.stackId, options.urls.domain);
        const results = await Promise.all(
          endpoints.map(async (endpoint) => ({
            endpoint,
            ...(await probe({ url: `${endpoint}${spec.health}`, host })),
          })),
        );
        const down = results.find((r) => !r.up);
        return down
          ? {
              ...status,
              ready: false,
              endpoints,
              waiting: `GET ${down.endpoint}${spec.health}: ${down.detail}`,
            }
          : { ...status, endpoints };
      }),
    );
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

/** Deletes a service (force: at any desired count); one already gone or draining is done. */
async function deleteService(ecs: Pick<ECSClient, 'send'>, cluster: string, name: string) {
  try {
    await call(() => ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true })));
  } catch (error) {
    if (
      !(
        error instanceof Error &&
        (error.name === 'ServiceNotFoundException' || error.name === 'ServiceNotActiveException')
      )
    )
      throw error;
  }
}

/** Every ACTIVE revision of a task definition family, by ARN (exactly this family, not its prefix). */
async function familyRevisions(ecs: Pick<ECSClient, 'send'>, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() =>
      ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken })),
    );
    // familyPrefix matches by prefix: thaw-pr-1-web would also match thaw-pr-1-web2.
    arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => familyOf(arn) === family));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** arn:aws:ecs:…:task-definition/thaw-pr-1-web:3 → thaw-pr-1-web */
const familyOf = (arn: string) => arn.split('/').at(-1)?.replace(/:\d+$/, '');

async function deregisterFamily(ecs: Pick<ECSClient, 'send'>, family: string) {
  for (const arn of await familyRevisions(ecs, family))
    await call(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
}

const newest = (dates: (Date | undefined)[]) =>
  dates.reduce<Date | undefined>((a, b) => (b && (!a || b > a) ? b : a), undefined);

/** The thaw:stack tag of a tag list, when present. */
const stackTag = (tags: readonly Tag[] | undefined) => tags?.find((t) => t.key === 'thaw:stack')?.value;

/**
 * The janitor's view of ECS: services in the cluster tagged thaw:stack whose name is that stack's
 * (resourceName), and ACTIVE task definition families named and tagged the same way. Both the name and
 * the tag must agree, so a service or family of the control plane itself (`thaw-traefik`, a
 * `thaw-prod-traefik` edge) is never taken for a stack's. Task definitions are per account and region,
 * not per cluster: two deployments sharing one account and region see each other's families.
 */
export function createEcsOwnedResources({
  ecs,
  cluster,
}: {
  ecs: Pick<ECSClient, 'send'>;
  cluster: string;
}): OwnedResources {
  const ownedBy = (name: string, tags: readonly Tag[] | undefined) => {
    const stackId = stackTag(tags);
    return stackId !== undefined && parseResourceName(name)?.stackId === stackId ? stackId : undefined;
  };

  const services = async (skip: (stackId: string) => boolean): Promise<OwnedResource[]> => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call(() =>
        ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken })),
      );
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const owned: OwnedResource[] = [];
    for (let i = 0; i < arns.length; i += 10) {
      const described = await call(() =>
        ecs.send(
          new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10), include: ['TAGS'] }),
        ),
      );
      for (const service of described.services ?? []) {
        const name = service.serviceName ?? '';
        const stackId = ownedBy(name, service.tags);
        if (stackId === undefined || service.status !== 'ACTIVE' || skip(stackId)) continue;
        owned.push({
          kind: 'ecs-service',
          name,
          stackId,
          detail: `cluster ${cluster}, desired ${service.desiredCount ?? 0}, running ${service.runningCount ?? 0}`,
          // Made or last deployed: an update moments ago (a launch in progress) counts as young too.
          changedAt: newest([
            service.createdAt,
            ...(service.deployments ?? []).map((d) => d.updatedAt ?? d.createdAt),
          ]),
        });
      }
    }
    return owned;
  };

  const taskDefinitions = async (skip: (stackId: string) => boolean): Promise<OwnedResource[]> => {
    // ListTaskDefinitionFamilies takes a true prefix; ListTaskDefinitions' familyPrefix is a full family.
    const families: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call(() =>
        ecs.send(
          new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'thaw-', status: 'ACTIVE', nextToken }),
        ),
      );
      families.push(...(page.families ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const owned: OwnedResource[] = [];
    for (const family of families) {
      const named = parseResourceName(family)?.stackId;
      if (named === undefined || skip(named)) continue;
      const arns = await familyRevisions(ecs, family);
      if (arns.length === 0) continue;
      const described = await call(() =>
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arns.at(-1), include: ['TAGS'] })),
      );
      const stackId = ownedBy(family, described.tags);
      if (stackId === undefined) continue;
      owned.push({
        kind: 'task-definition',
        name: family,
        stackId,
        detail: `${arns.length} ACTIVE revision${arns.length === 1 ? '' : 's'}`,
        changedAt: described.taskDefinition?.registeredAt,
      });
    }
    return owned;
  };

  return {
    async listOwned({ skip = () => false } = {}) {
      return [...(await services(skip)), ...(await taskDefinitions(skip))];
    },
    async removeOwned(resource) {
      if (resource.kind === 'ecs-service') await deleteService(ecs, cluster, resource.name);
      else if (resource.kind === 'task-definition') await deregisterFamily(ecs, resource.name);
    },
  };
}

import {
  ClusterNotFoundException,
  type ECSClient,
  InvalidParameterException,
  type Service,
  ServiceNotActiveException,
  ServiceNotFoundException,
  type Task,
} from '@aws-sdk/client-ecs';

const account = 'arn:aws:ecs:us-east-1:123456789012';
const meta = { $metadata: {} };

/**
 * A small in-memory ECS for the adapter's edge, for what moto cannot show: DRAINING services, rollout
 * states, stopped tasks, injected errors. It honours the parameters the adapter relies on:
 * DescribeServices answers only the names asked for, in the cluster asked for, with `failures`
 * (reason MISSING) for the rest; ListTasks filters by cluster, serviceName and desiredStatus (default
 * RUNNING, as ECS); CreateService refuses a same-name service that is still ACTIVE or DRAINING ("not
 * idempotent", InvalidParameterException, as ECS), unless the request repeats an earlier one with the
 * same client token and the same parameters, which answers the service it created (ECS's documented
 * idempotency: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html);
 * DeleteService leaves the service DRAINING until `finishDraining()`.
 */
export function createFakeEcs(clusters: string[] = ['c']) {
  const services: (Service & { clusterName: string })[] = [];
  const tasks: (Task & { clusterName: string; serviceName: string })[] = [];
  const definitions: { arn: string; family: string; active: boolean }[] = [];
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const injected = new Map<string, Error[]>();
  const lost = new Map<string, number>();
  const tokens = new Map<string, { params: string; service: Service }>();

  const current = (cluster: string, name: string) =>
    services.find((s) => s.clusterName === cluster && s.serviceName === name && s.status !== 'INACTIVE') ??
    services.findLast((s) => s.clusterName === cluster && s.serviceName === name);
  const needCluster = (cluster: unknown) => {
    if (!clusters.includes(String(cluster)))
      throw new ClusterNotFoundException({ ...meta, message: 'Cluster not found.' });
    return String(cluster);
  };

  // biome-ignore lint/suspicious/noExplicitAny: each command's input is read field by field below
  const handlers: Record<string, (input: any) => unknown> = {
    RegisterTaskDefinitionCommand: ({ family }) => {
      const revision = definitions.filter((d) => d.family === family).length + 1;
      const arn = `${account}:task-definition/${family}:${revision}`;
      definitions.push({ arn, family, active: true });
      return { taskDefinition: { taskDefinitionArn: arn, family, revision } };
    },
    DescribeServicesCommand: ({ cluster, services: names }) => {
      const name = needCluster(cluster);
      if (!Array.isArray(names) || names.length === 0 || names.length > 10)
        throw new InvalidParameterException({ ...meta, message: 'services must hold 1 to 10 names' });
      const found = names.map((n: string) => current(name, n));
      return {
        services: found.filter(Boolean),
        failures: names
          .filter((_: string, i: number) => !found[i])
          .map((n: string) => ({ arn: `${account}:service/${name}/${n}`, reason: 'MISSING' })),
      };
    },
    CreateServiceCommand: (input) => {
      const { cluster, serviceName, taskDefinition, desiredCount, clientToken } = input;
      const name = needCluster(cluster);
      if (clientToken !== undefined && !/^[\x21-\x7e]{1,36}$/.test(clientToken))
        throw new InvalidParameterException({
          ...meta,
          message: 'clientToken: up to 36 ASCII characters 33-126',
        });
      // ECS: a retry with the same client token and the same parameters succeeds without a change.
      const params = JSON.stringify({ ...input, clientToken: undefined });
      const earlier = clientToken === undefined ? undefined : tokens.get(clientToken);
      if (earlier && earlier.params === params) return { service: earlier.service };
      if (earlier)
        throw new InvalidParameterException({ ...meta, message: 'Creation of service was not idempotent.' });
      const existing = current(name, serviceName);
      if (existing?.status === 'ACTIVE' || existing?.status === 'DRAINING')
        throw new InvalidParameterException({ ...meta, message: 'Creation of service was not idempotent.' });
      const service: Service & { clusterName: string } = {
        clusterName: name,
        serviceName,
        serviceArn: `${account}:service/${name}/${serviceName}`,
        status: 'ACTIVE',
        taskDefinition,
        desiredCount,
        runningCount: 0,
        deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount, failedTasks: 0 }],
      };
      services.push(service);
      if (clientToken !== undefined) tokens.set(clientToken, { params, service });
      return { service };
    },
    UpdateServiceCommand: ({ cluster, service: serviceName, taskDefinition, desiredCount }) => {
      const existing = current(needCluster(cluster), serviceName);
      if (!existing) throw new ServiceNotFoundException({ ...meta, message: 'Service not found.' });
      if (existing.status !== 'ACTIVE')
        throw new ServiceNotActiveException({ ...meta, message: 'Service was not ACTIVE.' });
      if (taskDefinition) existing.taskDefinition = taskDefinition;
      if (desiredCount !== undefined) existing.desiredCount = desiredCount;
      return { service: existing };
    },
    DeleteServiceCommand: ({ cluster, service: serviceName }) => {
      const existing = current(needCluster(cluster), serviceName);
      if (!existing) throw new ServiceNotFoundException({ ...meta, message: 'Service not found.' });
      if (existing.status !== 'ACTIVE')
        throw new ServiceNotActiveException({ ...meta, message: 'Service was not ACTIVE.' });
      existing.status = 'DRAINING';
      existing.desiredCount = 0;
      return { service: existing };
    },
    ListTasksCommand: ({ cluster, serviceName, desiredStatus = 'RUNNING', maxResults = 100 }) => {
      const name = needCluster(cluster);
      return {
        taskArns: tasks
          .filter(
            (t) =>
              t.clusterName === name &&
              (!serviceName || t.serviceName === serviceName) &&
              t.desiredStatus === desiredStatus,
          )
          .slice(0, maxResults)
          .map((t) => t.taskArn),
      };
    },
    DescribeTasksCommand: ({ cluster, tasks: arns }) => {
      const name = needCluster(cluster);
      return { tasks: tasks.filter((t) => t.clusterName === name && arns.includes(t.taskArn)) };
    },
    ListTaskDefinitionsCommand: ({ familyPrefix, status }) => ({
      taskDefinitionArns: definitions
        .filter((d) => d.family.startsWith(familyPrefix) && d.active === (status !== 'INACTIVE'))
        .map((d) => d.arn),
    }),
    DeregisterTaskDefinitionCommand: ({ taskDefinition }) => {
      const definition = definitions.find((d) => d.arn === taskDefinition);
      if (definition) definition.active = false;
      return {};
    },
  };

  const ecs: Pick<ECSClient, 'send'> = {
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      calls.push({ command: name, input: command.input });
      const error = injected.get(name)?.shift();
      if (error) throw error;
      const handler = handlers[name];
      if (!handler) throw new Error(`the fake ECS does not know ${name}`);
      const result = structuredClone(handler(command.input));
      if (lost.get(name)) {
        lost.set(name, lost.get(name)! - 1);
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $retryable: {} });
      }
      return result;
    }) as never,
  };

  return {
    ecs,
    calls,
    /** The services, every status, as ECS keeps them (an INACTIVE one stays listed for a while). */
    services,
    /** The next `command` call throws `error` (errors queue up in order). */
    failNext(command: string, error: Error) {
      injected.set(command, [...(injected.get(command) ?? []), error]);
    },
    /** The next `command` call is carried out, but its answer is lost (the caller sees a timeout). */
    loseNextAnswer(command: string) {
      lost.set(command, (lost.get(command) ?? 0) + 1);
    },
    /** Puts a task of a service on the cluster (RUNNING or STOPPED, with its details). */
    addTask(cluster: string, serviceName: string, task: Task) {
      tasks.push({
        taskArn: `${account}:task/${cluster}/${tasks.length + 1}`,
        ...task,
        clusterName: cluster,
        serviceName,
      });
    },
    /** ECS stopped every task of a service (a scale to zero took effect): they leave the RUNNING lists. */
    stopTasks(cluster: string, serviceName: string) {
      for (const task of tasks)
        if (task.clusterName === cluster && task.serviceName === serviceName) {
          task.desiredStatus = 'STOPPED';
          task.lastStatus = 'STOPPED';
        }
    },
    /** Sets fields of the current service of that name (running counts, deployments …). */
    patchService(cluster: string, serviceName: string, patch: Partial<Service>) {
      Object.assign(current(cluster, serviceName)!, patch);
    },
    /** ECS has finished stopping the tasks of deleted services: DRAINING becomes INACTIVE. */
    finishDraining() {
      for (const service of services) if (service.status === 'DRAINING') service.status = 'INACTIVE';
    },
    created: (serviceName: string) =>
      calls.filter((c) => c.command === 'CreateServiceCommand' && c.input.serviceName === serviceName).length,
  };
}

import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import {
  type HealthProbe,
  type ReplicaTarget,
  resourceName,
  type ServiceStatus,
  type StackTarget,
} from '../core/orchestrator.ts';
import { serviceHost } from '../core/spec.ts';
import { call } from './ecs-calls.ts';

/**
 * Failed task starts of a deployment before its stack counts as failed: the minimum failure threshold
 * of ECS's deployment circuit breaker (which the services use), so a transient failure is retried.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
 * ("a minimum threshold of 3 and a maximum threshold of 200", 0.5 × desired count).
 */
export const FAILED_STARTS_BEFORE_FAILURE = 3;

/**
 * Readiness on ECS: each service's status from DescribeServices (steady single deployment, counts,
 * why a rollout failed), then — only once the whole stack is steady — each task's health path.
 */
export function createEcsReadiness({
  ecs,
  cluster,
  domain,
}: {
  ecs: Pick<ECSClient, 'send'>;
  cluster: string;
  domain: string;
}) {
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
        const host = serviceHost(spec, target.stackId, domain);
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

  return { serviceStatus, probeServices };
}

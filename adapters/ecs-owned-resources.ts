import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  type Tag,
} from '@aws-sdk/client-ecs';
import type { OwnedResource, OwnedResources } from '../core/janitor.ts';
import { parseResourceName } from '../core/orchestrator.ts';
import { call, deleteService, deregisterFamily, familyRevisions } from './ecs-calls.ts';

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

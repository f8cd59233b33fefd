import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { type PublicUrls, resourceName, type StackTarget, serviceEnvironment } from '../core/orchestrator.ts';
import { type SpecProtection, specMiddlewares } from '../core/protection.ts';
import { type ServiceSpec, serviceHost } from '../core/spec.ts';

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

/** What a stack service's container needs from the orchestrator's settings. */
export interface ContainerSettings {
  urls: PublicUrls;
  entryPoint?: string | undefined;
  repositoryCredentialsArn?: string | undefined;
  logGroup?: string | undefined;
  region: string;
}

/**
 * The container of a stack service's task definition (pure): its image, environment (DATABASE_URL
 * is not in it: ECS puts it there from the stack's secret at task start), secrets, Traefik labels,
 * registry credentials and logs.
 */
export function containerDefinition(
  target: StackTarget,
  service: string,
  image: string,
  secrets: { name: string; valueFrom: string }[],
  options: ContainerSettings,
): ContainerDefinition {
  const spec = target.spec.services[service]!;
  const environment = serviceEnvironment(target, service, { urls: options.urls });
  return {
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
}

import { resourceName } from './orchestrator.ts';
import {
  type DeploymentProtection,
  deploymentMiddlewares,
  launcherMiddlewares,
  type Middleware,
  NO_PROTECTION,
  stackRouterMiddlewares,
} from './protection.ts';
import { serviceHost } from './spec.ts';
import type { Stack } from './stack.ts';

export interface EndpointSource {
  /** Where each awake stack service answers (the process orchestrator knows; so do ECS task IPs). */
  endpoints(): { stackId: string; service: string; urls: string[] }[];
}

export interface DynamicConfigOptions {
  domain: string;
  launcherUrl: string;
  /** Name of the catch-all router (its requests are not counted as activity). */
  launcherRouter: string;
  entryPoints?: string[];
  /** Who may see and wake stacks (default: nobody is asked; previews are public). */
  protection?: DeploymentProtection;
}

interface Router {
  rule: string;
  service: string;
  priority?: number;
  entryPoints?: string[];
  middlewares?: string[];
}

/**
 * Traefik dynamic configuration (HTTP provider): a router + service per awake stack service, and the
 * priority-1 catch-all to the launcher. A stack that is not RUNNING (or UPDATING, still serving its
 * old version) gets no router at all, so its requests fall through to the launcher: a router whose
 * service has no servers would answer 503 instead of falling through. With protection on, every
 * router carries its guard middlewares, the launcher's too: a stranger can neither see nor wake.
 */
export function dynamicConfig(stacks: Stack[], source: EndpointSource, options: DynamicConfigOptions) {
  const routers: Record<string, Router> = {};
  const services: Record<string, { loadBalancer: { servers: { url: string }[]; passHostHeader: boolean } }> =
    {};
  const entry = options.entryPoints ? { entryPoints: options.entryPoints } : {};
  const protection = options.protection ?? NO_PROTECTION;
  const middlewares: Record<string, Middleware> = deploymentMiddlewares(protection);
  const guarded = (names: string[]) => (names.length ? { middlewares: names } : {});
  const awake = new Map(
    stacks.filter((s) => (s.state === 'RUNNING' || s.state === 'UPDATING') && s.spec).map((s) => [s.id, s]),
  );
  function guard(stackId: string, spec: Parameters<typeof stackRouterMiddlewares>[2]) {
    const { names, definitions } = stackRouterMiddlewares(stackId, protection, spec);
    Object.assign(middlewares, definitions);
    return names;
  }
  for (const { stackId, service, urls } of source.endpoints()) {
    const stack = awake.get(stackId);
    const spec = stack?.spec?.services[service];
    if (!spec || urls.length === 0) continue;
    const name = resourceName(stackId, service);
    const host = serviceHost(spec, stackId, options.domain);
    routers[name] = {
      rule: spec.pathPrefix ? `Host(\`${host}\`) && PathPrefix(\`${spec.pathPrefix}\`)` : `Host(\`${host}\`)`,
      service: name,
      ...entry,
      ...guarded(guard(stackId, stack!.spec!.protection)),
    };
    services[name] = { loadBalancer: { servers: urls.map((url) => ({ url })), passHostHeader: true } };
  }
  const domain = options.domain.replaceAll('.', '\\.');
  routers[options.launcherRouter] = {
    rule: `HostRegexp(\`^.+\\.${domain}$\`)`,
    service: options.launcherRouter,
    priority: 1,
    ...entry,
    ...guarded(launcherMiddlewares(protection)),
  };
  services[options.launcherRouter] = {
    loadBalancer: { servers: [{ url: options.launcherUrl }], passHostHeader: true },
  };
  return { http: { routers, services, ...(Object.keys(middlewares).length ? { middlewares } : {}) } };
}

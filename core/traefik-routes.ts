import { resourceName } from './orchestrator.ts';
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
}

interface Router {
  rule: string;
  service: string;
  priority?: number;
  entryPoints?: string[];
}

/**
 * Traefik dynamic configuration (HTTP provider): a router + service per awake stack service, and the
 * priority-1 catch-all to the launcher. A stack that is not RUNNING (or UPDATING, still serving its
 * old version) gets no router at all, so its requests fall through to the launcher: a router whose
 * service has no servers would answer 503 instead of falling through.
 */
export function dynamicConfig(stacks: Stack[], source: EndpointSource, options: DynamicConfigOptions) {
  const routers: Record<string, Router> = {};
  const services: Record<string, { loadBalancer: { servers: { url: string }[]; passHostHeader: boolean } }> =
    {};
  const entry = options.entryPoints ? { entryPoints: options.entryPoints } : {};
  const awake = new Map(
    stacks.filter((s) => (s.state === 'RUNNING' || s.state === 'UPDATING') && s.spec).map((s) => [s.id, s]),
  );
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
    };
    services[name] = { loadBalancer: { servers: urls.map((url) => ({ url })), passHostHeader: true } };
  }
  const domain = options.domain.replaceAll('.', '\\.');
  routers[options.launcherRouter] = {
    rule: `HostRegexp(\`^.+\\.${domain}$\`)`,
    service: options.launcherRouter,
    priority: 1,
    ...entry,
  };
  services[options.launcherRouter] = {
    loadBalancer: { servers: [{ url: options.launcherUrl }], passHostHeader: true },
  };
  return { http: { routers, services } };
}

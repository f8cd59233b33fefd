import { fillPlaceholders, type ServiceSpec, type StackSpec, serviceHost } from './spec.ts';

/** What to run: a stack's spec and the images of this launch. */
export interface StackTarget {
  stackId: string;
  spec: StackSpec;
  images: Record<string, string>;
}

export type ReplicaTarget = 'zero' | 'spec';

export interface ServiceStatus {
  service: string;
  desired: number;
  running: number;
  ready: boolean;
  /** Why the service cannot start (image pull error, process exited…), when known. */
  failure?: string;
  /** Where the service answers, where the adapter knows it (local ports, task IPs). */
  endpoints: string[];
}

export interface StackStatus {
  /** Every service has reached the replica target. */
  ready: boolean;
  /** A service failed in a way waiting will not fix. */
  failure?: string;
  services: ServiceStatus[];
}

/**
 * Runs stacks: ECS Fargate in production, local processes in `thaw dev`. Every call is idempotent.
 */
export interface Orchestrator {
  /** Creates or updates every service with these images, at the spec's replica counts. */
  ensure(target: StackTarget): Promise<void>;
  /** Scales every service: 0 to freeze, the spec's counts to wake (creating what is missing). */
  scale(target: StackTarget, to: ReplicaTarget): Promise<void>;
  /** Readiness against a replica target. */
  status(target: StackTarget, to: ReplicaTarget): Promise<StackStatus>;
  /** Deletes every service of the stack and what belongs to it. */
  remove(target: Pick<StackTarget, 'stackId' | 'spec'>): Promise<void>;
}

/** The database side of a stack: one PostgreSQL database per stack. */
export interface StackDatabases {
  create(stackId: string, template?: string): Promise<void>;
  drop(stackId: string): Promise<void>;
  /** The DATABASE_URL the stack's services get. */
  urlFor(stackId: string): string;
}

/** How public URLs of stack services look (for `{url:<service>}` and the PR comment). */
export interface PublicUrls {
  domain: string;
  /** "https" in production, "http" locally. */
  scheme: 'http' | 'https';
  /** A non-default port (8080 locally). */
  port?: number | undefined;
}

export function publicUrl(
  service: Pick<ServiceSpec, 'host' | 'pathPrefix'>,
  stackId: string,
  urls: PublicUrls,
): string {
  const port =
    urls.port &&
    !((urls.scheme === 'http' && urls.port === 80) || (urls.scheme === 'https' && urls.port === 443))
      ? `:${urls.port}`
      : '';
  return `${urls.scheme}://${serviceHost(service, stackId, urls.domain)}${port}${service.pathPrefix ?? ''}`;
}

/** Every public URL of a stack, by service. */
export function stackUrls(spec: StackSpec, stackId: string, urls: PublicUrls): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.services).map(([name, service]) => [name, publicUrl(service, stackId, urls)]),
  );
}

/** The environment a service runs with: its spec env with placeholders filled, and DATABASE_URL when asked. */
export function serviceEnvironment(
  target: Pick<StackTarget, 'stackId' | 'spec'>,
  service: string,
  { urls, databaseUrl }: { urls: PublicUrls; databaseUrl?: string | undefined },
): Record<string, string> {
  const spec = target.spec.services[service]!;
  const context = {
    stackId: target.stackId,
    domain: urls.domain,
    urlOf: (name: string) => publicUrl(target.spec.services[name]!, target.stackId, urls),
  };
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([key, value]) => [key, fillPlaceholders(value, context)]),
  );
  env.THAW_STACK = target.stackId;
  env.THAW_SERVICE = service;
  if (spec.database && databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

/**
 * The image to run: a LAUNCH's `images` entry is a tag ("1.4", "sha-abc"), a digest ("sha256:…") or
 * a full reference ("ghcr.io/acme/web:1.4"); a tag or digest is joined to the spec's repository.
 */
export function imageReference(
  spec: ServiceSpec,
  service: string,
  images: Record<string, string>,
): string | undefined {
  const given = images[service];
  if (!given) return spec.image ? `${spec.image}:latest` : undefined;
  if (given.includes('/') || (given.includes(':') && !given.startsWith('sha256:'))) return given;
  if (!spec.image) return undefined;
  return given.startsWith('sha256:') ? `${spec.image}@${given}` : `${spec.image}:${given}`;
}

/** A name unique per stack and service, safe for ECS services, task families and Traefik routers. */
export function resourceName(stackId: string, service: string): string {
  return `thaw-${stackId}-${service}`;
}

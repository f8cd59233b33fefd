import { SERVICE_NAME_PATTERN, STACK_ID_PATTERN } from './ids.ts';
import { fillPlaceholders, type ServiceSpec, type StackSpec, serviceHost } from './spec.ts';

/** What to run: a stack's spec and the images of this launch. */
export interface StackTarget {
  stackId: string;
  spec: StackSpec;
  images: Record<string, string>;
  /** The stack transition this work belongs to, when known (part of ECS's CreateService client token). */
  transitionId?: number | undefined;
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
  /** Why a service at its replica count is not ready yet (its health path does not answer), when known. */
  waiting?: string;
}

/** The outcome of one readiness check: `up` when the app answered its health path. */
export interface ProbeResult {
  up: boolean;
  /** The status it answered, or why it did not ("answered 503", "connection refused"). */
  detail: string;
}

/** Knocks on a task's health path: `url` is the task's own address, `host` the service's public host. */
export type HealthProbe = (target: { url: string; host: string }) => Promise<ProbeResult>;

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

/**
 * Where an orchestrator keeps a stack's DATABASE_URL when it hands it to containers by reference (ECS
 * `secrets` from Secrets Manager) instead of in their environment.
 */
export interface StackSecrets {
  /** Creates or updates the stack's secret with `value`; returns its ARN. */
  put(stackId: string, value: string): Promise<string>;
  /** Deletes the stack's secret; one already gone is done. */
  remove(stackId: string): Promise<void>;
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

/**
 * A name unique per stack and service, safe for ECS services, task families and Traefik routers (ECS:
 * up to 255 letters, digits, hyphens and underscores; this is at most 5 + 40 + 2 + 20 = 67).
 *
 * `thaw-<stack>-<service>` alone is ambiguous: stack `a-b`'s service `c` and stack `a`'s service `b-c`
 * would both be `thaw-a-b-c`, one ECS service and one Traefik router for two stacks. Stack ids and
 * service names never hold `--` and never start or end with `-`, so: a hyphen-free service is joined
 * with `-` (the last hyphen is the separator: `thaw-pr-42-web`, the names Thaw always gave them), a
 * service with a hyphen with `--` (`thaw-a--b-c`), which no name of the first kind contains.
 */
export function resourceName(stackId: string, service: string): string {
  return `thaw-${stackId}${service.includes('-') ? '--' : '-'}${service}`;
}

/** The stack and service of a name made by `resourceName` (undefined for any other name). */
export function parseResourceName(name: string): { stackId: string; service: string } | undefined {
  if (!name.startsWith('thaw-')) return undefined;
  const rest = name.slice('thaw-'.length);
  const double = rest.indexOf('--');
  const cut = double >= 0 ? double : rest.lastIndexOf('-');
  if (cut <= 0) return undefined;
  const stackId = rest.slice(0, cut);
  const service = rest.slice(cut + (double >= 0 ? 2 : 1));
  return resourceName(stackId, service) === name &&
    STACK_ID_PATTERN.test(stackId) &&
    SERVICE_NAME_PATTERN.test(service)
    ? { stackId, service }
    : undefined;
}

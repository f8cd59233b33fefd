import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { DURATION_RULE, parseDuration } from './duration.ts';
import { ValidationError } from './errors.ts';
import { SERVICE_NAME_PATTERN, SERVICE_NAME_RULE, STACK_ID_MAX } from './ids.ts';
import { specProtectionSchema } from './protection.ts';
import { type Schedule, scheduleSchema } from './schedule.ts';
import { parseWith } from './validation.ts';

/** Fargate's valid cpu (units) → memory (MiB) combinations. */
export const FARGATE_SIZES: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

const PLACEHOLDER = /\{([a-z]+)(?::([a-z0-9-]+))?\}/g;
/**
 * One DNS label (the wildcard certificate covers `*.<domain>` only: one level) in which `{stack}` is
 * the whole label or joined to a prefix/suffix by `-`: `{stack}`, `api-{stack}`, `{stack}-api`. Never
 * `{stack}0` or `x{stack}`: pr-1's `{stack}0` would be pr-10's host (issue 13, host ownership).
 */
const AFFIX = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST_PATTERN = new RegExp(`^(?:${AFFIX}-)?\\{stack\\}(?:-${AFFIX})?$`);
/** With the longest stack id (40) filled in, the label stays within DNS's 63 characters. */
const HOST_PATTERN_MAX = 63 - STACK_ID_MAX + '{stack}'.length;
const HOST_RULE =
  'one DNS label of lowercase letters, digits and hyphens with "{stack}" once, as the whole label or joined by "-" to a prefix or suffix: "{stack}", "api-{stack}", "{stack}-api"';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH_PREFIX = /^\/[A-Za-z0-9._~\-/]*$/;

const SCHEDULE_RULE =
  'expected false or { timezone, warm: [{ days, from, to }], wakeBefore?, onlyIfUsedWithin? }';

const intIn = (min: number, max: number, what = 'an integer') => {
  const error = `expected ${what} ${min}-${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const durationSchema = z
  .string({ error: `expected ${DURATION_RULE}` })
  .refine((text) => parseDuration(text) !== undefined, { error: `expected ${DURATION_RULE}` });

export const serviceSpecSchema = z
  .strictObject(
    {
      image: z
        .string({ error: 'expected an image repository such as "ghcr.io/acme/web"' })
        .min(1, { error: 'expected an image repository such as "ghcr.io/acme/web"' })
        .optional(),
      run: z.string({ error: 'expected a shell command, e.g. "node server.js"' }).min(1).optional(),
      cwd: z.string({ error: 'expected a directory relative to thaw.yml' }).optional(),
      port: intIn(1, 65535),
      host: z
        .string({ error: `expected a host pattern: ${HOST_RULE}` })
        .refine((host) => host.includes('{stack}'), { error: 'expected a host pattern containing "{stack}"' })
        .refine((host) => !host.includes('.'), {
          error:
            'expected a host pattern without dots: the wildcard certificate covers only one level under the domain (use "api-{stack}", not "api.{stack}")',
        })
        .refine((host) => host.includes('.') || !host.includes('{stack}') || HOST_PATTERN.test(host), {
          error: `expected a host pattern: ${HOST_RULE}`,
        })
        .refine((host) => host.length <= HOST_PATTERN_MAX, {
          error: `expected a host pattern of at most ${HOST_PATTERN_MAX} characters, so that with a stack id of ${STACK_ID_MAX} the label fits DNS's 63`,
        })
        .default('{stack}'),
      pathPrefix: z
        .string({ error: 'expected a path prefix starting with "/"' })
        .regex(PATH_PREFIX, { error: 'expected a path prefix starting with "/", e.g. "/api"' })
        .optional(),
      health: z
        .string({ error: 'expected an HTTP path starting with "/"' })
        .regex(/^\/\S*$/, { error: 'expected an HTTP path starting with "/"' })
        .default('/'),
      cpu: z
        .number({ error: 'expected Fargate cpu units: 256, 512, 1024, 2048 or 4096' })
        .refine((cpu) => cpu in FARGATE_SIZES, {
          error: 'expected Fargate cpu units: 256, 512, 1024, 2048 or 4096',
        })
        .default(256),
      memory: intIn(512, 30720, 'memory in MiB').default(512),
      replicas: intIn(1, 10).default(1),
      env: z
        .record(
          z.string().regex(ENV_NAME),
          z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
          {
            error: (issue) =>
              issue.code === 'invalid_key'
                ? 'expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)'
                : 'expected a map of name to value',
          },
        )
        .transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])))
        .default({}),
      database: z.boolean({ error: 'expected true or false' }).default(false),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? 'allowed: image, run, cwd, port, host, pathPrefix, health, cpu, memory, replicas, env, database'
          : undefined,
    },
  )
  .superRefine((service, ctx) => {
    const sizes = FARGATE_SIZES[service.cpu];
    if (sizes && !sizes.includes(service.memory)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memory'],
        message: `expected one of ${sizes.join(', ')} MiB for cpu ${service.cpu}`,
      });
    }
    if (!service.image && !service.run) {
      ctx.addIssue({
        code: 'custom',
        path: ['image'],
        message: 'expected "image" (for ECS) or "run" (for local mode)',
      });
    }
  });

export const specSchema = z
  .strictObject(
    {
      version: z.literal(1, { error: 'expected 1 (the only spec version so far)' }).default(1),
      idleTimeout: durationSchema.default('30m'),
      keepAwake: z.boolean({ error: 'expected true or false' }).default(false),
      /** Warm windows (see core/schedule.ts); false: none, not even the deployment's default. */
      schedule: z
        .union([z.literal(false, { error: SCHEDULE_RULE }), scheduleSchema], {
          error: (issue) => (issue.code === 'invalid_union' ? SCHEDULE_RULE : undefined),
        })
        .optional(),
      /** Destroy the stack after this long without access; false: never (default: the deployment's STACK_TTL_DAYS). */
      ttl: z
        .union(
          [
            z.literal(false),
            z.string().refine((text) => parseDuration(text) !== undefined, {
              error: `expected false or ${DURATION_RULE}`,
            }),
          ],
          { error: `expected false or ${DURATION_RULE}` },
        )
        .optional(),
      /** Who may see and wake this stack (core/protection.ts); replaces the deployment's setting. */
      protection: specProtectionSchema.optional(),
      databaseTemplate: z
        .string({ error: 'expected a database name' })
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
          error: 'expected a database name of lowercase letters, digits and underscores',
        })
        .optional(),
      services: z
        .record(z.string().regex(SERVICE_NAME_PATTERN), serviceSpecSchema, {
          error: (issue) =>
            issue.code === 'invalid_key'
              ? `expected a service name: ${SERVICE_NAME_RULE}`
              : 'expected a map of service name to service',
        })
        .refine((services) => Object.keys(services).length > 0, { error: 'expected at least one service' }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? 'allowed: version, idleTimeout, keepAwake, schedule, ttl, protection, databaseTemplate, services'
          : undefined,
    },
  )
  .superRefine((spec, ctx) => {
    const routes = new Map<string, string>();
    for (const [name, service] of Object.entries(spec.services)) {
      const key = `${service.host}${service.pathPrefix ?? ''}`;
      const other = routes.get(key);
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'host'],
          message: `expected a host/pathPrefix not already used by service "${other}"`,
        });
      }
      routes.set(key, name);
      for (const [envName, value] of Object.entries(service.env)) {
        for (const match of value.matchAll(PLACEHOLDER)) {
          const [, kind, arg] = match;
          const known = (kind === 'stack' || kind === 'domain') && !arg;
          const url = kind === 'url' && arg !== undefined && arg in spec.services;
          if (!known && !url) {
            ctx.addIssue({
              code: 'custom',
              path: ['services', name, 'env', envName],
              message: `expected placeholders {stack}, {domain} or {url:<service>} naming a service of this spec (${match[0]} is not one)`,
            });
          }
        }
      }
    }
  });

export type StackSpec = z.infer<typeof specSchema>;
export type ServiceSpec = StackSpec['services'][string];
export type StackSpecInput = z.input<typeof specSchema>;

/** Validates an already-parsed spec object (from an event or JSON). */
export function parseSpec(input: unknown, subject = 'spec'): StackSpec {
  return parseWith(specSchema, input, subject);
}

/** Parses the text of a thaw.yml; YAML syntax errors carry line and column. */
/** Where the first alias without an anchor stands, as `line L, column C`. */
function unresolvedAliasAt(doc: Document, lineCounter: LineCounter): string {
  let where = '';
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined || !node.range) return;
      const { line, col } = lineCounter.linePos(node.range[0]);
      where = `line ${line}, column ${col}`;
      return visit.BREAK;
    },
  });
  return where;
}

export function parseSpecYaml(text: string, source = 'thaw.yml'): StackSpec {
  const lineCounter = new LineCounter();
  // logLevel 'error': a warning goes into doc.warnings, not to process.emitWarning on stderr.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter, logLevel: 'error' });
  // An unknown tag (`!Ref x`, a CloudFormation habit) would silently become the plain string `x`.
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    throw new ValidationError(
      source,
      problems.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '',
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // The yaml package resolves aliases here and throws a ReferenceError for one with no anchor.
    if (!(error instanceof ReferenceError)) throw error;
    throw new ValidationError(source, [
      {
        path: unresolvedAliasAt(doc, lineCounter),
        message: `${error.message}: an alias *name needs an anchor &name before it`,
      },
    ]);
  }
  return parseSpec(data, source);
}

/**
 * The warm windows that apply to a stack: its own `schedule`, else the deployment's default; none
 * when the spec says `schedule: false`.
 */
export function effectiveSchedule(spec: StackSpec, deploymentDefault?: Schedule): Schedule | undefined {
  if (spec.schedule === false) return undefined;
  return spec.schedule ?? deploymentDefault;
}

/** Milliseconds without access after which a stack is destroyed; undefined: never. */
export function ttlMs(spec: StackSpec, deploymentDefaultDays?: number): number | undefined {
  if (spec.ttl === false) return undefined;
  if (spec.ttl !== undefined) return parseDuration(spec.ttl);
  return deploymentDefaultDays ? deploymentDefaultDays * 86_400_000 : undefined;
}

/** Milliseconds of idleness after which a RUNNING stack is frozen. */
export function idleTimeoutMs(spec: StackSpec): number {
  return parseDuration(spec.idleTimeout)!;
}

export interface PlaceholderContext {
  stackId: string;
  domain: string;
  /** Public base URL of a service of the same stack, e.g. http://api-pr-1.localhost:8080 */
  urlOf: (service: string) => string;
}

/** Fills {stack}, {domain} and {url:<service>} in a value. */
export function fillPlaceholders(value: string, context: PlaceholderContext): string {
  return value.replace(PLACEHOLDER, (whole, kind: string, arg?: string) => {
    if (kind === 'stack' && !arg) return context.stackId;
    if (kind === 'domain' && !arg) return context.domain;
    if (kind === 'url' && arg) return context.urlOf(arg);
    return whole;
  });
}

/** The host a service answers on: its host pattern filled, under the domain. */
export function serviceHost(service: Pick<ServiceSpec, 'host'>, stackId: string, domain: string): string {
  return `${service.host.replaceAll('{stack}', stackId)}.${domain}`;
}

/** Every host a stack answers on, for lookups from a request's Host header. */
export function stackHosts(spec: StackSpec, stackId: string, domain: string): string[] {
  return [...new Set(Object.values(spec.services).map((service) => serviceHost(service, stackId, domain)))];
}

/** Whether any service of the stack asked for its own database. */
export function needsDatabase(spec: StackSpec): boolean {
  return Object.values(spec.services).some((service) => service.database);
}

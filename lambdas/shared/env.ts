import { z } from 'zod';
import {
  commaList,
  domainName,
  integer,
  itemList,
  parseEnv,
  postgresUrl,
  roleArn,
  secretArn,
} from '../../core/env.ts';
import { DEADLINE_GRACE_SECONDS, DEADLINES } from '../../core/machine.ts';
import { parseScheduleSetting, SCHEDULE_SETTING_RULE, type Schedule } from '../../core/schedule.ts';

/**
 * Every environment variable a Thaw Lambda reads, with its rule and default. Each entry point picks
 * the ones it needs (see its config.ts) and parses them once, at cold start.
 */
export const lambdaEnv = {
  /** The events queue (FIFO). */
  EVENTS_QUEUE_URL: z.url({ error: 'expected the URL of the events queue (…/thaw-events.fifo)' }),
  /** The tasks queue (standard). */
  TASKS_QUEUE_URL: z.url({ error: 'expected the URL of the tasks queue' }),
  /** postgres://user:password@host:5432/thaw — or leave it out and give DATABASE_SECRET_ARN. */
  DATABASE_URL: postgresUrl().optional(),
  /** A Secrets Manager secret whose string is the postgres:// URL, read once at cold start (AWS default). */
  DATABASE_SECRET_ARN: secretArn().optional(),
  /** postgres.js pool size per Lambda instance. */
  DATABASE_POOL_SIZE: integer(1, 20, 2),
  /** Override the SQS endpoint (ElasticMQ, tests). AWS_ENDPOINT_URL_SQS works too. */
  SQS_ENDPOINT: z.url({ error: 'expected a URL' }).optional(),
  /** Deliveries of a failing task before TASK_FAILED; match the tasks queue's maxReceiveCount. */
  TASK_MAX_RECEIVES: integer(1, 1000, 5),
  /** Most FREEZE events per freezer run. */
  FREEZER_LIMIT: integer(1, 10_000, 100),
  /** Outbox entries older than this many seconds are re-sent by the freezer. */
  OUTBOX_SWEEP_SECONDS: integer(10, 3600, 60),
  /** Deadlines of the in-flight states, in seconds (defaults in docs/state-machine.md): the freezer re-sends an overdue transition's open tasks once, then fails it. */
  LAUNCHING_TIMEOUT_SECONDS: integer(60, 86_400, DEADLINES.LAUNCHING),
  UPDATING_TIMEOUT_SECONDS: integer(60, 86_400, DEADLINES.UPDATING),
  FREEZING_TIMEOUT_SECONDS: integer(60, 86_400, DEADLINES.FREEZING),
  RESUMING_TIMEOUT_SECONDS: integer(60, 86_400, DEADLINES.RESUMING),
  DESTROYING_TIMEOUT_SECONDS: integer(60, 86_400, DEADLINES.DESTROYING),
  /** After re-sending an overdue transition's open tasks, seconds before the freezer fails it. */
  DEADLINE_GRACE_SECONDS: integer(30, 86_400, DEADLINE_GRACE_SECONDS),
  /**
   * Warm windows for stacks whose thaw.yml has no `schedule` (docs/spec.md#schedule), as JSON or
   * compact: "Europe/Berlin mon-fri 08:30-18:00 wakeBefore=5m onlyIfUsedWithin=7d". Empty: none.
   */
  DEFAULT_SCHEDULE: z
    .string()
    .optional()
    .transform((text, ctx): Schedule | undefined => {
      if (!text?.trim()) return undefined;
      const result = parseScheduleSetting(text);
      if ('schedule' in result) return result.schedule;
      ctx.addIssue({
        code: 'custom',
        message: `expected ${SCHEDULE_SETTING_RULE}; ${result.problems.join('; ')}`,
      });
      return z.NEVER;
    }),
  /** Days without a request or push after which the freezer destroys a stack whose thaw.yml has no `ttl`; 0: never. */
  STACK_TTL_DAYS: integer(0, 3650, 14),
  /** Minutes between janitor runs in the freezer (ECS services, task definitions, databases of no live stack); 0: off. */
  JANITOR_INTERVAL_MINUTES: integer(0, 10_080, 60),
  /** ECS cluster the stacks run in. */
  ECS_CLUSTER: z.string({ error: 'expected an ECS cluster name or ARN' }).min(1),
  /** Comma-separated private subnets for stack tasks. */
  STACK_SUBNETS: commaList('expected comma-separated subnet ids (subnet-…)'),
  /** Comma-separated security groups for stack tasks (reachable from Traefik only). */
  STACK_SECURITY_GROUPS: commaList('expected comma-separated security group ids (sg-…)'),
  STACK_EXECUTION_ROLE_ARN: roleArn().optional(),
  STACK_TASK_ROLE_ARN: roleArn().optional(),
  /** CloudWatch Logs group for stack containers. */
  STACK_LOG_GROUP: z.string().min(1).optional(),
  /** Stacks answer on <host>.<STACK_DOMAIN>, e.g. qa.example.com */
  STACK_DOMAIN: domainName(),
  PUBLIC_SCHEME: z.enum(['http', 'https'], { error: 'expected http or https' }).default('https'),
  /** Traefik entry point the stack routers attach to. */
  TRAEFIK_ENTRYPOINT: z.string().min(1).default('web'),
  /**
   * Where stack tasks run, as provider:weight:base[,…] (Terraform sets FARGATE_SPOT:1:0 by default);
   * empty: on-demand Fargate (launchType FARGATE).
   */
  STACK_CAPACITY_PROVIDER_STRATEGY: z
    .string()
    .regex(/^((FARGATE|FARGATE_SPOT):\d{1,4}:\d{1,5}(,(FARGATE|FARGATE_SPOT):\d{1,4}:\d{1,5})*)?$/, {
      error: 'expected provider:weight:base[,provider:weight:base], e.g. FARGATE_SPOT:1:0,FARGATE:0:0',
    })
    .default('')
    .transform((text) =>
      text === ''
        ? []
        : text.split(',').map((item) => {
            const [capacityProvider, weight, base] = item.split(':');
            return {
              capacityProvider: capacityProvider as 'FARGATE' | 'FARGATE_SPOT',
              weight: Number(weight),
              base: Number(base),
            };
          }),
    ),
  STACK_ARCHITECTURE: z.enum(['X86_64', 'ARM64'], { error: 'expected X86_64 or ARM64' }).default('X86_64'),
  /**
   * A role with CREATEDB and CREATEROLE (RDS's master user), never the control plane's own URL; without
   * it, a stack whose spec asks for a database fails at launch.
   */
  STACK_DATABASE_ADMIN_URL: postgresUrl().optional(),
  /**
   * Or a Secrets Manager secret holding that URL, read once at cold start (Terraform: the RDS master
   * user's, which has CREATEDB and CREATEROLE). Stacks never see it: each gets a role of its own.
   */
  STACK_DATABASE_ADMIN_SECRET_ARN: secretArn().optional(),
  /** Where stacks connect (host, port, sslmode), when not the admin URL's; user, password and database are the stack's. */
  STACK_DATABASE_URL: postgresUrl().optional(),
  /**
   * Name prefix of the Secrets Manager secrets holding each stack's DATABASE_URL
   * (`<prefix>/<stack>/database-url`), handed to containers as ECS secrets; Terraform: `<name>/stacks`.
   */
  STACK_SECRET_PREFIX: z
    .string()
    .regex(/^[\w/+=.@-]{1,400}$/, { error: 'expected a Secrets Manager name prefix, e.g. thaw/stacks' })
    .default('thaw/stacks'),
  /** Databases a spec's databaseTemplate may name (comma-separated); default none. */
  STACK_DATABASE_TEMPLATES: itemList().default([]),
  /** Seconds between readiness checks of a waking stack (each costs ECS calls: at least 2). */
  READY_POLL_SECONDS: integer(2, 900, 10),
  /**
   * `http`: a stack is ready only when every task answers its health path (status < 500) — the stack
   * tasks' security group must admit the control plane's. `ecs`: runningCount alone (for ECS emulators
   * that run no tasks).
   */
  READY_CHECK: z.enum(['http', 'ecs'], { error: 'expected http or ecs' }).default('http'),
  /** A Secrets Manager secret ({"username","password"}) ECS pulls stack images with (repositoryCredentials). */
  REGISTRY_CREDENTIALS_ARN: secretArn().optional(),
  READY_TIMEOUT_SECONDS: integer(30, 7200, 900),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** A long-lived token (fine-grained, pull-requests write) for the PR comment; without it the notifier only logs. */
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** Or a Secrets Manager secret holding that token, read once at cold start (Terraform: when github_token is set). */
  GITHUB_TOKEN_SECRET_ARN: secretArn().optional(),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  /** Fargate prices for the cost shown on the PR (default us-east-1 Linux/x86). */
  FARGATE_VCPU_HOUR: z.coerce.number({ error: 'expected USD per vCPU-hour' }).positive().default(0.04048),
  FARGATE_GB_HOUR: z.coerce.number({ error: 'expected USD per GB-hour' }).positive().default(0.004445),
  /** The router name of the catch-all, so its access lines map to a stack by host. */
  LAUNCHER_ROUTER: z.string({ error: 'expected a router name' }).min(1).default('thaw-launcher'),
} as const;

type LambdaEnv = typeof lambdaEnv;

/** Parses the named variables from `env`; throws ConfigError listing every problem. */
export function loadLambdaConfig<K extends keyof LambdaEnv>(keys: readonly K[], env: NodeJS.ProcessEnv) {
  // A function that needs the database takes its URL directly or from a secret: one of the two is required.
  const needsDatabase = keys.includes('DATABASE_URL' as K);
  const picked: readonly (keyof LambdaEnv)[] = needsDatabase ? [...keys, 'DATABASE_SECRET_ARN'] : keys;
  const shape = Object.fromEntries(picked.map((key) => [key, lambdaEnv[key]])) as { [P in K]: LambdaEnv[P] };
  const databaseGiven = (e: NodeJS.ProcessEnv) =>
    !needsDatabase || e.DATABASE_URL || e.DATABASE_SECRET_ARN
      ? []
      : [
          {
            key: 'DATABASE_URL',
            message: 'expected a postgres:// URL (or DATABASE_SECRET_ARN naming a secret that holds one)',
          },
        ];
  return parseEnv(z.object(shape), env, 'configuration', databaseGiven) as z.infer<
    z.ZodObject<{ [P in K]: LambdaEnv[P] }>
  > & {
    DATABASE_SECRET_ARN?: string;
  };
}

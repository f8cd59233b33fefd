import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Every environment variable a Thaw Lambda reads, with its rule and default. Each entry point picks
 * the ones it needs (see its config.ts) and parses them once, at cold start.
 */
export const lambdaEnv = {
  /** The events queue (FIFO). */
  EVENTS_QUEUE_URL: z.url({ error: 'expected the URL of the events queue (…/thaw-events.fifo)' }),
  /** The tasks queue (standard). */
  TASKS_QUEUE_URL: z.url({ error: 'expected the URL of the tasks queue' }),
  /** postgres://user:password@host:5432/thaw */
  DATABASE_URL: z
    .string({ error: 'expected a postgres:// URL' })
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' }),
  /** postgres.js pool size per Lambda instance. */
  DATABASE_POOL_SIZE: z.coerce.number({ error: 'expected an integer 1-20' }).int().min(1).max(20).default(2),
  /** Override the SQS endpoint (ElasticMQ, tests). AWS_ENDPOINT_URL_SQS works too. */
  SQS_ENDPOINT: z.url({ error: 'expected a URL' }).optional(),
  /** Deliveries of a failing task before TASK_FAILED; match the tasks queue's maxReceiveCount. */
  TASK_MAX_RECEIVES: z.coerce
    .number({ error: 'expected an integer 1-1000' })
    .int()
    .min(1)
    .max(1000)
    .default(5),
  /** Most FREEZE events per freezer run. */
  FREEZER_LIMIT: z.coerce
    .number({ error: 'expected an integer 1-10000' })
    .int()
    .min(1)
    .max(10_000)
    .default(500),
  /** Outbox entries older than this many seconds are re-sent by the freezer. */
  OUTBOX_SWEEP_SECONDS: z.coerce
    .number({ error: 'expected an integer 10-3600' })
    .int()
    .min(10)
    .max(3600)
    .default(60),
} as const;

type LambdaEnv = typeof lambdaEnv;

/** Parses the named variables from `env`; throws ConfigError listing every problem. */
export function loadLambdaConfig<K extends keyof LambdaEnv>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
) {
  const shape = Object.fromEntries(keys.map((key) => [key, lambdaEnv[key]])) as { [P in K]: LambdaEnv[P] };
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const value = env[key];
    return `  - ${key}: ${issue.message}, got ${value === undefined ? 'nothing' : JSON.stringify(key === 'DATABASE_URL' ? '<redacted>' : value)}`;
  });
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

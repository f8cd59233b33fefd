import { z } from 'zod';
import { parseEnv } from '../core/env.ts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting of the sidecar, from the environment (see docs/sidecar.md). */
export const sidecarEnv = z.object({
  /** Stacks answer on <host>.<THAW_DOMAIN>. */
  THAW_DOMAIN: z
    .string({ error: 'expected a domain such as qa.example.com' })
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/, { error: 'expected a domain such as qa.example.com' }),
  PORT: z.coerce.number({ error: 'expected a port 1-65535' }).int().min(1).max(65535).default(8090),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string({ error: 'expected a postgres:// URL' })
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' }),
  EVENTS_QUEUE_URL: z.url({ error: 'expected the URL of the events queue' }),
  SQS_ENDPOINT: z.url().optional(),
  /** Traefik's JSON access log; unset: no tailing (e.g. the CloudWatch Logs path is used). */
  ACCESS_LOG: z.string().min(1).optional(),
  ACCESS_LOG_FROM_START: bool.default(false),
  ACCESS_FLUSH_SECONDS: z.coerce
    .number({ error: 'expected seconds 1-300' })
    .int()
    .min(1)
    .max(300)
    .default(10),
  LAUNCHER_ROUTER: z.string().min(1).default('thaw-launcher'),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(120).default(5),
  ROUTING_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(60).default(2),
  RESUME_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(120).default(30),
  DEFAULT_WAKE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  WAKES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  BOT_PATTERN: z
    .string()
    .refine(
      (text) => {
        try {
          new RegExp(text, 'i');
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected a regular expression' },
    )
    .optional(),
  /** Traefik's own address, to check a host is routed before answering `Prefer: wait`. */
  TRAEFIK_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

export type SidecarConfig = z.infer<typeof sidecarEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SidecarConfig {
  return parseEnv(sidecarEnv, env, 'sidecar configuration');
}

import { z } from 'zod';
import { boolean, domainName, integer, parseEnv, postgresUrl } from '../core/env.ts';
import { DEFAULT_TRUSTED_PROXIES, parseCidr } from './launcher/forwarded.ts';

const CIDR_LIST_ERROR =
  'expected CIDR ranges separated by commas (e.g. "10.0.0.0/8, 127.0.0.1/32, ::1/128"), or "none"';

/** Every setting of the sidecar, from the environment (see docs/sidecar.md). */
export const sidecarEnv = z.object({
  /** Stacks answer on <host>.<STACK_DOMAIN> (the same setting as the Lambdas'). */
  STACK_DOMAIN: domainName(),
  PORT: integer(1, 65535, 8090, 'a port'),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: postgresUrl(),
  EVENTS_QUEUE_URL: z.url({ error: 'expected the URL of the events queue' }),
  SQS_ENDPOINT: z.url().optional(),
  /** Region of the events queue; default: the SDK's (AWS_REGION, set by ECS). */
  AWS_REGION: z.string().min(1).optional(),
  /** Traefik's JSON access log; unset: no tailing (e.g. the CloudWatch Logs path is used). */
  ACCESS_LOG: z.string().min(1).optional(),
  ACCESS_LOG_FROM_START: boolean().default(false),
  ACCESS_FLUSH_SECONDS: integer(1, 300, 10, 'seconds'),
  LAUNCHER_ROUTER: z.string().min(1).default('thaw-launcher'),
  RETRY_AFTER_SECONDS: integer(1, 120, 5),
  ROUTING_RETRY_AFTER_SECONDS: integer(1, 60, 2),
  RESUME_COOLDOWN_SECONDS: integer(0, 600, 10),
  MAX_WAIT_SECONDS: integer(0, 120, 30),
  DEFAULT_WAKE_SECONDS: integer(1, 3600, 60),
  WAKES_PER_MINUTE: integer(1, 10_000, 30),
  /**
   * The proxies in front of the sidecar (Traefik) whose X-Forwarded-For/-Proto/-Host are believed;
   * default: loopback and the private ranges. `none` believes no forwarded header.
   */
  TRUSTED_PROXIES: z
    .string({ error: CIDR_LIST_ERROR })
    .transform((text) =>
      text.trim() === 'none'
        ? []
        : text
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
    )
    .refine((items) => items.every((item) => parseCidr(item) !== undefined), { error: CIDR_LIST_ERROR })
    .default([...DEFAULT_TRUSTED_PROXIES]),
  /** Held `Prefer: wait` requests per stack, and in all; past either: 503 + Retry-After at once. */
  MAX_HELD_PER_STACK: integer(0, 100_000, 100),
  MAX_HELD: integer(0, 1_000_000, 1000),
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
  /** Open connections through Traefik keep their stack awake (needs Traefik's network namespace). */
  OPEN_CONNECTIONS: boolean().default(true),
  /** How often /proc/net/tcp{,6} is read; at least three times per the smallest idle timeout anyway. */
  CONNECTIONS_POLL_SECONDS: integer(1, 3600, 30, 'seconds'),
  /** A connection keeps its stack awake at most this long (a forgotten tab). */
  CONNECTIONS_MAX_HOURS: integer(1, 168, 8, 'hours'),
  /** Traefik's API (GET /api/http/services), for the backend addresses of each stack. */
  TRAEFIK_API_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

export type SidecarConfig = z.infer<typeof sidecarEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SidecarConfig {
  return parseEnv(sidecarEnv, env, 'sidecar configuration');
}

import { z } from 'zod';
import { itemList, parseEnv, postgresUrl } from '../core/env.ts';

/** The environment variables the `thaw` command reads (flags win over them; see docs/local-mode.md). */
export const cliEnv = z.object({
  /** The Traefik binary `thaw dev` runs when the router is Traefik (default: `traefik` on PATH). */
  THAW_TRAEFIK_BIN: z.string().min(1).optional(),
  /** A PostgreSQL server for the stacks' databases in `thaw dev` (default: none, stacks get no database). */
  THAW_DATABASE_URL: postgresUrl().optional(),
  /** Databases a spec's databaseTemplate may name on THAW_DATABASE_URL's server (comma-separated). */
  THAW_DATABASE_TEMPLATES: itemList().optional(),
  /** `thaw dev`: off, or guards for every stack and the launcher: basic, ip, forward-auth (comma-separated). */
  THAW_PROTECTION: z.string().min(1).optional(),
  /** `thaw dev`: an htpasswd file of bcrypt lines (htpasswd -nbB name password) for basic auth. */
  THAW_BASIC_AUTH_FILE: z.string().min(1).optional(),
  /** `thaw dev`: CIDRs allowed with protection ip (comma-separated). */
  THAW_IP_ALLOWLIST: z.string().min(1).optional(),
  /** `thaw dev`: the OAuth2 proxy's auth URL for protection forward-auth. */
  THAW_FORWARD_AUTH_URL: z.url().optional(),
});

export type CliConfig = z.infer<typeof cliEnv>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return parseEnv(cliEnv, env, 'environment');
}

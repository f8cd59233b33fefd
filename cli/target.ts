import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ThawError } from '../core/errors.ts';
import type { ControlPlaneClient } from '../core/views.ts';
import { CONTROL_TOKEN_FILE, readControlToken } from '../local/control-api.ts';
import { lazyDeploymentClient } from './deployment-client.ts';
import { createDevClient } from './dev-client.ts';

export class NoControlPlaneError extends ThawError {
  override name = 'NoControlPlaneError';
}

/** Finds the control plane for CLI commands: a `thaw dev` running with this data directory. */
export function resolveClient(options: { dataDir?: string; deployment?: string }): ControlPlaneClient {
  // --deployment / THAW_DEPLOYMENT: a deployed control plane (events queue + store), see docs/operate.md.
  if (options.deployment) return lazyDeploymentClient(options.deployment);
  const dataDir = resolve(options.dataDir ?? '.thaw');
  const file = join(dataDir, 'dev.json');
  if (!existsSync(file)) {
    throw new NoControlPlaneError(
      `no running "thaw dev" found (${file} does not exist). Start one with "npx thaw dev" in this directory, or pass --data-dir.`,
    );
  }
  const { controlUrl, pid } = JSON.parse(readFileSync(file, 'utf8')) as { controlUrl: string; pid: number };
  try {
    process.kill(pid, 0);
  } catch {
    throw new NoControlPlaneError(
      `"thaw dev" (pid ${pid}) is no longer running; start it again with "npx thaw dev".`,
    );
  }
  const token = readControlToken(dataDir);
  if (!token)
    throw new NoControlPlaneError(
      `"thaw dev" (pid ${pid}) is running but ${join(dataDir, CONTROL_TOKEN_FILE)} cannot be read: run the command as the user who started "thaw dev".`,
    );
  return createDevClient({ controlUrl, token });
}

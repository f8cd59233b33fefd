import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import type { Log } from '../core/ports.ts';

export interface TraefikOptions {
  bin: string;
  port: number;
  host?: string;
  /** The sidecar's /traefik/dynamic (HTTP provider). */
  configUrl: string;
  accessLog: string;
  logFile: string;
  /** How often Traefik polls the HTTP provider (default 50ms: a woken stack is routed within it). */
  pollInterval?: string;
  log: Log;
}

/** The version a traefik binary reports, or undefined when it is not one. */
export function traefikVersion(bin: string): string | undefined {
  try {
    return /Version:\s+(\S+)/.exec(execFileSync(bin, ['version'], { encoding: 'utf8', timeout: 5000 }))?.[1];
  } catch {
    return undefined;
  }
}

function portOpen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs a real Traefik v3 for local mode: one entry point, the HTTP provider pointed at the sidecar,
 * and the JSON access log the sidecar tails.
 */
export async function startTraefik(options: TraefikOptions) {
  const host = options.host ?? '127.0.0.1';
  const out = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(
    options.bin,
    [
      `--entryPoints.web.address=${host}:${options.port}`,
      `--providers.http.endpoint=${options.configUrl}`,
      // How soon a woken stack is routed: each poll is one loopback request to the sidecar.
      `--providers.http.pollInterval=${options.pollInterval ?? '50ms'}`,
      '--accesslog=true',
      '--accesslog.format=json',
      `--accesslog.filepath=${options.accessLog}`,
      // Apply new routes at once (the default throttles provider updates to one per 2 s).
      '--providers.providersThrottleDuration=100ms',
      '--log.level=ERROR',
      '--global.checkNewVersion=false',
      '--global.sendAnonymousUsage=false',
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(options.port, host))) {
    if (exited !== null) throw new Error(`traefik exited with code ${exited}; see ${options.logFile}`);
    if (Date.now() > deadline)
      throw new Error(`traefik did not open port ${options.port}; see ${options.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  options.log.info('traefik started', { pid: child.pid, port: options.port });
  return {
    port: options.port,
    async stop() {
      if (exited !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}

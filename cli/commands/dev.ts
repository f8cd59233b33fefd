import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Log } from '../../core/ports.ts';
import {
  type DeploymentProtection,
  htpasswdLines,
  parseProtectionModes,
  protectionProblems,
} from '../../core/protection.ts';
import { type CliConfig, loadCliConfig } from '../config.ts';
import { paint } from '../output.ts';

interface DevFlags {
  port: string;
  domain: string;
  idle?: string;
  router?: 'builtin' | 'traefik';
  traefikBin?: string;
  demo?: boolean;
  databaseUrl?: string;
  dataDir: string;
  verbose?: boolean;
  protection?: string;
  basicAuthFile?: string;
  ipAllowlist?: string;
  forwardAuthUrl?: string;
}

/** The guard settings from flags (which win) and the environment, checked all at once. */
function devProtection(flags: DevFlags, config: CliConfig): DeploymentProtection {
  const modesText = flags.protection ?? config.THAW_PROTECTION ?? 'off';
  const modes = parseProtectionModes(modesText);
  const file = flags.basicAuthFile ?? config.THAW_BASIC_AUTH_FILE;
  const ips = flags.ipAllowlist ?? config.THAW_IP_ALLOWLIST;
  let users: string[] | undefined;
  const problems: { path: string; message: string }[] = [];
  if (!modes)
    problems.push({
      path: '--protection',
      message: `expected off or a comma-separated list of basic, ip, forward-auth, got ${JSON.stringify(modesText)}`,
    });
  if (file) {
    try {
      users = htpasswdLines(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push({
        path: '--basic-auth-file',
        message: `cannot read ${file}: ${(error as Error).message}`,
      });
    }
  }
  const protection: DeploymentProtection = {
    modes: modes ?? [],
    ...(users ? { basicAuthUsers: users } : {}),
    ...(ips
      ? {
          ipAllowList: ips
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
        }
      : {}),
    ...((flags.forwardAuthUrl ?? config.THAW_FORWARD_AUTH_URL)
      ? { forwardAuthUrl: flags.forwardAuthUrl ?? config.THAW_FORWARD_AUTH_URL }
      : {}),
  };
  const flagOf = {
    BASIC_AUTH_USERS: '--basic-auth-file',
    IP_ALLOWLIST: '--ip-allowlist',
    FORWARD_AUTH_URL: '--forward-auth-url',
  };
  for (const problem of protectionProblems(protection))
    problems.push({ ...problem, path: flagOf[problem.path as keyof typeof flagOf] ?? problem.path });
  if (problems.length) throw new ValidationError('flag', problems);
  return protection;
}

/** Log lines go to <data dir>/thaw.log as JSON (and to stderr with --verbose). */
function fileLog(file: string, verbose: boolean): Log {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...data });
    appendFileSync(file, `${line}\n`);
    if (verbose) process.stderr.write(`${line}\n`);
  };
  return {
    debug: verbose ? write('debug') : () => {},
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

export function registerDev(program: Command) {
  program
    .command('dev')
    .description(
      'run the whole system on this machine: store, queues, Lambdas, freezer, sidecar and a router',
    )
    .option('-p, --port <port>', 'router port: stacks answer at http://<stack>.<domain>:<port>', '8080')
    .option('--domain <domain>', 'stack domain', 'localhost')
    .option('--idle <duration>', "idle timeout for stacks launched here, e.g. 30s (default: each spec's own)")
    .option(
      '--router <router>',
      'builtin or traefik (default: traefik when a traefik binary is on PATH or given)',
    )
    .option('--traefik-bin <path>', 'the traefik binary to run (v3)')
    .option('--demo', 'launch examples/demo as stack "demo" and print its URL')
    .option('--database-url <url>', 'a PostgreSQL server for per-stack databases (env THAW_DATABASE_URL)')
    .option(
      '--protection <modes>',
      'off, or who may see and wake stacks: basic, ip, forward-auth, comma-separated (env THAW_PROTECTION)',
    )
    .option(
      '--basic-auth-file <path>',
      'htpasswd file with bcrypt lines for basic auth (env THAW_BASIC_AUTH_FILE)',
    )
    .option('--ip-allowlist <cidrs>', 'CIDRs allowed with --protection ip (env THAW_IP_ALLOWLIST)')
    .option(
      '--forward-auth-url <url>',
      'OAuth2 proxy auth URL for --protection forward-auth (env THAW_FORWARD_AUTH_URL)',
    )
    .action(async (flags: DevFlags, command: Command) => {
      const { dataDir } = command.optsWithGlobals() as { dataDir?: string };
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ValidationError('flag', [
          { path: '--port', message: `expected a port 0-65535, got ${JSON.stringify(flags.port)}` },
        ]);
      if (flags.idle && parseDuration(flags.idle) === undefined)
        throw new ValidationError('flag', [
          {
            path: '--idle',
            message: `expected a duration such as 30s or 5m, got ${JSON.stringify(flags.idle)}`,
          },
        ]);
      if (flags.router && flags.router !== 'builtin' && flags.router !== 'traefik')
        throw new ValidationError('flag', [
          { path: '--router', message: `expected builtin or traefik, got ${JSON.stringify(flags.router)}` },
        ]);
      const config = loadCliConfig();
      const protection = devProtection(flags, config);
      // Loaded here, not at the top: `thaw --help` and `thaw ls` need none of PGlite, Traefik or the AWS SDK.
      const { startDev } = await import('../../local/start-dev.ts');
      const { traefikVersion } = await import('../../local/traefik.ts');
      const traefikBin = flags.traefikBin ?? config.THAW_TRAEFIK_BIN ?? 'traefik';
      const router = flags.router ?? (traefikVersion(traefikBin) ? 'traefik' : 'builtin');
      const dir = resolve(dataDir ?? '.thaw');
      mkdirSync(dir, { recursive: true });
      const log = fileLog(
        join(dir, 'thaw.log'),
        Boolean(flags.verbose ?? (command.optsWithGlobals() as { verbose?: boolean }).verbose),
      );
      process.stderr.write(`thaw dev: starting (data in ${dir})…\n`);
      const dev = await startDev({
        dataDir: dir,
        port,
        domain: flags.domain,
        idle: flags.idle,
        router,
        traefikBin,
        demo: flags.demo,
        databaseUrl: flags.databaseUrl ?? config.THAW_DATABASE_URL,
        databaseTemplates: config.THAW_DATABASE_TEMPLATES,
        protection,
        log,
      });
      process.stderr.write(
        [
          `thaw dev: ready — ${dev.routerInfo} on port ${dev.port}, store PGlite in ${dev.dataDir}`,
          `  stacks answer at http://<stack>.${dev.domain}:${dev.port}`,
          `  in another terminal: npx thaw launch pr-1 --spec examples/demo/thaw.yml --wait   |   npx thaw ls`,
          flags.demo
            ? `  demo: ${dev.urlOf('demo')}  (web) and ${dev.urlOf('demo', 'api')}/api/visits  (api)`
            : '',
          '  Ctrl-C stops everything.',
        ]
          .filter(Boolean)
          .join('\n') + '\n',
      );
      // Print every state change as it happens.
      const seen = new Map<string, string>();
      const watch = setInterval(async () => {
        try {
          for (const stack of await dev.store.list()) {
            if (seen.get(stack.id) === stack.state) continue;
            seen.set(stack.id, stack.state);
            process.stderr.write(
              `${new Date().toISOString().slice(11, 19)}  ${stack.id}  ${paint(stack.state)}${stack.failureReason ? `  ${stack.failureReason}` : ''}\n`,
            );
          }
        } catch {
          // the store is closing
        }
      }, 500);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      clearInterval(watch);
      process.stderr.write('\nthaw dev: stopping…\n');
      await dev.stop();
      process.stderr.write('thaw dev: stopped; nothing left running.\n');
    });
}

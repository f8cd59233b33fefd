import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { isAbsolute, join, resolve } from 'node:path';
import { PermanentTaskError } from '../core/errors.ts';
import {
  type Orchestrator,
  type PublicUrls,
  type ReplicaTarget,
  type ServiceStatus,
  type StackDatabases,
  type StackTarget,
  serviceEnvironment,
} from '../core/orchestrator.ts';
import { type Log, silentLog } from '../core/ports.ts';
import { stableStringify } from '../core/stable-json.ts';
import { freePort } from './free-port.ts';

interface Instance {
  child: ChildProcess;
  port: number;
  configKey: string;
  logFile: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stopping: boolean;
}

/** What a service inherits from Thaw's own environment: enough to run, none of Thaw's settings or secrets. */
const INHERITED = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'TERM',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
];
function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    INHERITED.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]])),
  );
}

/**
 * One GET of the health path, on a connection closed after the answer: a pooled keep-alive
 * connection (fetch keeps one for seconds) would look to the sidecar's connection watcher like a
 * user holding the stack open, so a wake would count as use.
 */
function answersHealthy(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent: false,
        headers: { 'user-agent': 'thaw-readiness', connection: 'close' },
      },
      (res) => {
        const ok = (res.statusCode ?? 500) < 400;
        res.resume();
        req.destroy();
        resolve(ok);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(false));
    req.on('close', () => resolve(false));
    req.end();
  });
}

/** Where each running service's process group is recorded, so a restart after a crash can end it. */
const groupsDir = (dataDir: string) => join(dataDir, 'processes');

/** The kernel's start time of a process (Linux), so a recorded pid that was reused is not taken for ours. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to a process group, then SIGKILL after `graceMs`; resolves once the group is gone. */
async function endGroup(group: number, graceMs: number, log: Log): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-group, sig);
    } catch {
      // already gone
    }
  };
  if (!groupAlive(group)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(group) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (groupAlive(group)) {
    log.warn('service process ignored SIGTERM; killing it', { pid: group });
    signal('SIGKILL');
    while (groupAlive(group)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Ends the service processes an earlier run recorded under `dataDir` and left behind (it was killed
 * before it could stop them). Returns what it ended, as { pid, stackId, service }.
 */
export async function endLeftoverProcesses(
  dataDir: string,
  { graceMs = 5000, log = silentLog }: { graceMs?: number; log?: Log } = {},
): Promise<{ pid: number; stackId: string; service: string }[]> {
  let files: string[];
  try {
    files = readdirSync(groupsDir(dataDir));
  } catch {
    return [];
  }
  const ended: { pid: number; stackId: string; service: string }[] = [];
  await Promise.all(
    files.map(async (file) => {
      const path = join(groupsDir(dataDir), file);
      try {
        const record = JSON.parse(readFileSync(path, 'utf8')) as {
          pid: number;
          stackId: string;
          service: string;
          startTime?: string;
        };
        // A pid reused by another process since then is not ours to end.
        const same = record.startTime === undefined || startTimeOf(record.pid) === record.startTime;
        if (same && groupAlive(record.pid)) {
          log.warn('ending a service process left by an earlier run', record);
          await endGroup(record.pid, graceMs, log);
          ended.push({ pid: record.pid, stackId: record.stackId, service: record.service });
        }
      } catch (error) {
        log.warn('unreadable process record; ignoring it', { file: path, reason: String(error) });
      }
      rmSync(path, { force: true });
    }),
  );
  return ended;
}

export interface ProcessOrchestratorOptions {
  /** Per-service log files go under `<dataDir>/logs/<stack>/<service>.log`. */
  dataDir: string;
  /** Where `run` commands run when a service has no absolute `cwd` (default: this process's cwd). */
  baseDir?: string;
  urls: PublicUrls;
  databases?: Pick<StackDatabases, 'urlFor'>;
  log?: Log;
  /** SIGTERM, then SIGKILL after this long (default 5 s). */
  graceMs?: number;
  /** Per health check request (default 1 s). */
  healthTimeoutMs?: number;
}

export interface LocalEndpoint {
  stackId: string;
  service: string;
  urls: string[];
}

/**
 * Runs each service's `run` command as a local process with PORT and its environment set; health is
 * an HTTP GET on the service's health path. Output goes to a log file per service. A crashed process
 * is reported with its exit code and last log lines. `stopAll()` leaves nothing running.
 */
export function createProcessOrchestrator(options: ProcessOrchestratorOptions): Orchestrator & {
  endpoints(): LocalEndpoint[];
  stopAll(): Promise<void>;
  logFile(stackId: string, service: string): string;
} {
  const { dataDir, urls, databases, log = silentLog, graceMs = 5000, healthTimeoutMs = 1000 } = options;
  const baseDir = options.baseDir ?? process.cwd();
  const stacks = new Map<string, Map<string, Instance[]>>();
  const logFile = (stackId: string, service: string) => join(dataDir, 'logs', stackId, `${service}.log`);

  const configOf = (target: StackTarget, service: string) => {
    const spec = target.spec.services[service]!;
    if (!spec.run)
      throw new PermanentTaskError(`service ${service} has no "run" command, so it cannot run locally`);
    const cwd = spec.cwd ? (isAbsolute(spec.cwd) ? spec.cwd : resolve(baseDir, spec.cwd)) : baseDir;
    const env = serviceEnvironment(target, service, { urls, databaseUrl: databases?.urlFor(target.stackId) });
    return {
      run: spec.run,
      cwd,
      env,
      key: stableStringify({ run: spec.run, cwd, env, image: target.images[service] ?? null }),
    };
  };

  const start = async (
    target: StackTarget,
    service: string,
    config: ReturnType<typeof configOf>,
  ): Promise<Instance> => {
    const port = await freePort();
    const file = logFile(target.stackId, service);
    mkdirSync(join(dataDir, 'logs', target.stackId), { recursive: true });
    const fd = openSync(file, 'a');
    const child = spawn('sh', ['-c', config.run], {
      cwd: config.cwd,
      env: { ...inheritedEnv(), ...config.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', fd, fd],
      detached: true, // its own process group, so stopping it stops its children too
    });
    closeSync(fd);
    const group = child.pid;
    if (group) {
      mkdirSync(groupsDir(dataDir), { recursive: true });
      writeFileSync(
        join(groupsDir(dataDir), String(group)),
        JSON.stringify({ pid: group, stackId: target.stackId, service, startTime: startTimeOf(group) }),
      );
    }
    const instance: Instance = { child, port, configKey: config.key, logFile: file, stopping: false };
    child.on('exit', (code, signal) => {
      instance.exit = { code, signal };
      if (!instance.stopping)
        log.warn('service process exited', { stackId: target.stackId, service, code, signal });
    });
    child.on('error', (error) => {
      instance.exit = { code: null, signal: null };
      log.error('could not start service process', {
        stackId: target.stackId,
        service,
        reason: error.message,
      });
    });
    log.info('service process started', { stackId: target.stackId, service, port, pid: child.pid });
    return instance;
  };

  const stop = async (instance: Instance): Promise<void> => {
    instance.stopping = true;
    const group = instance.child.pid;
    if (!group) return;
    // The shell may be gone while what it started lives on: end the whole process group.
    await endGroup(group, graceMs, log);
    rmSync(join(groupsDir(dataDir), String(group)), { force: true });
  };

  const stopStack = async (stackId: string) => {
    const services = stacks.get(stackId);
    if (!services) return;
    await Promise.all([...services.values()].flat().map(stop));
    for (const name of services.keys()) services.set(name, []);
  };

  const ensure = async (target: StackTarget) => {
    const services = stacks.get(target.stackId) ?? new Map<string, Instance[]>();
    stacks.set(target.stackId, services);
    for (const [name, instances] of services) {
      if (!(name in target.spec.services)) {
        await Promise.all(instances.map(stop));
        services.delete(name);
      }
    }
    // Services start side by side, as they would on ECS.
    const configs = Object.keys(target.spec.services).map((name) => [name, configOf(target, name)] as const);
    await Promise.all(
      configs.map(async ([name, config]) => {
        const replicas = target.spec.services[name]!.replicas;
        const current = services.get(name) ?? [];
        const keep = current
          .filter((i) => !i.exit && !i.stopping && i.configKey === config.key)
          .slice(0, replicas);
        await Promise.all(current.filter((i) => !keep.includes(i)).map(stop));
        const started = await Promise.all(
          Array.from({ length: replicas - keep.length }, () => start(target, name, config)),
        );
        services.set(name, [...keep, ...started]);
      }),
    );
  };

  const lastLines = (file: string, count = 5) => {
    try {
      return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
    } catch {
      return '';
    }
  };

  return {
    ensure,
    async scale(target, to: ReplicaTarget) {
      if (to === 'zero') await stopStack(target.stackId);
      else await ensure(target);
    },
    async status(target, to) {
      const services = stacks.get(target.stackId);
      const statuses: ServiceStatus[] = await Promise.all(
        Object.entries(target.spec.services).map(async ([name, spec]): Promise<ServiceStatus> => {
          const instances = services?.get(name) ?? [];
          const live = instances.filter((i) => !i.exit);
          const desired = to === 'zero' ? 0 : spec.replicas;
          const crashed = instances.find((i) => i.exit && !i.stopping);
          const endpoints = live.map((i) => `http://127.0.0.1:${i.port}`);
          if (crashed) {
            const how = crashed.exit!.signal
              ? `was killed by ${crashed.exit!.signal}`
              : `exited with code ${crashed.exit!.code}`;
            const tail = lastLines(crashed.logFile);
            return {
              service: name,
              desired,
              running: live.length,
              ready: false,
              endpoints,
              failure: `${name} ${how}${tail ? `; last output:\n${tail}` : ''}`,
            };
          }
          if (desired === 0)
            return { service: name, desired, running: live.length, ready: live.length === 0, endpoints };
          const checks = await Promise.all(
            live.map((i) => answersHealthy(i.port, spec.health, healthTimeoutMs)),
          );
          const running = checks.filter(Boolean).length;
          return { service: name, desired, running, ready: running >= desired, endpoints };
        }),
      );
      const failure = statuses.find((s) => s.failure)?.failure;
      return { ready: statuses.every((s) => s.ready), ...(failure ? { failure } : {}), services: statuses };
    },
    async remove(target) {
      await stopStack(target.stackId);
      stacks.delete(target.stackId);
    },
    endpoints() {
      return [...stacks.entries()].flatMap(([stackId, services]) =>
        [...services.entries()].map(([service, instances]) => ({
          stackId,
          service,
          urls: instances.filter((i) => !i.exit && !i.stopping).map((i) => `http://127.0.0.1:${i.port}`),
        })),
      );
    },
    async stopAll() {
      await Promise.all([...stacks.keys()].map(stopStack));
      stacks.clear();
    },
    logFile,
  };
}

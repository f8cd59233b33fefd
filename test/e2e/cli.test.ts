import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { devRouters } from '../helpers/dev-routers.ts';
import { isAlive } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const bin = new URL('../../cli/bin/thaw.mjs', import.meta.url).pathname;
const demoSpec = new URL('../../examples/demo/thaw.yml', import.meta.url).pathname;
const cwd = mkdtempSync(join(tmpdir(), 'thaw-cli-'));
const thaw = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });

describe('the thaw command line against a running thaw dev', () => {
  let dev: ChildProcess;
  afterAll(() => {
    if (dev?.exitCode === null) dev.kill('SIGKILL');
  });

  // Through real Traefik when it is available, else the built-in router.
  const router = devRouters().at(-1)!;

  it(`dev starts (${router.name} router); launch --wait, status --json, ls, freeze --wait, keep, wake --wait work; Ctrl-C leaves nothing running`, async () => {
    const routerArgs = router.traefikBin ? ['--traefik-bin', router.traefikBin] : [];
    dev = spawn(process.execPath, [bin, 'dev', '--port', '0', '--router', router.name, ...routerArgs], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    dev.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(() => stderr.includes('thaw dev: ready'), {
      timeoutMs: 60_000,
      what: 'thaw dev to be ready',
    });
    expect(stderr).not.toContain('NodeVersionSupportWarning');

    const launched = await thaw('launch', 'pr-9', '--spec', demoSpec, '--wait');
    expect(launched.stderr).toContain('pr-9: RUNNING');

    const { stdout } = await thaw('status', 'pr-9', '--json');
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({
      id: 'pr-9',
      state: 'RUNNING',
      urls: {
        web: expect.stringMatching(/^http:\/\/pr-9\.localhost:\d+$/),
        api: expect.stringMatching(/^http:\/\/api-pr-9\.localhost:\d+$/),
      },
    });
    expect(status.lastAccessedAt).toEqual(expect.any(String));
    expect(status.history.map((h: { to: string }) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);

    const list = JSON.parse((await thaw('ls', '--json')).stdout);
    expect(list.map((s: { id: string }) => s.id)).toEqual(['pr-9']);

    expect((await thaw('freeze', 'pr-9', '--wait')).stderr).toContain('pr-9: FROZEN');
    // A keep wakes the frozen stack (the only wake of this run) and shows in status until it ends.
    expect((await thaw('keep', 'pr-9', '2h')).stderr).toContain('KEEP sent for pr-9: awake until');
    expect((await thaw('wake', 'pr-9', '--wait')).stderr).toContain('pr-9: RUNNING');
    const kept = JSON.parse((await thaw('status', 'pr-9', '--json')).stdout);
    expect(Date.parse(kept.keepUntil) - Date.now()).toBeGreaterThan(3_600_000);
    expect((await thaw('status', 'pr-9')).stdout).toContain(`kept awake until ${kept.keepUntil}`);

    const cost = JSON.parse((await thaw('cost', 'pr-9', '--json')).stdout);
    expect(cost).toMatchObject({
      id: 'pr-9',
      state: 'RUNNING',
      wakes: 1,
      hourlyUsd: expect.any(Number),
      costUsd: expect.any(Number),
      savedUsd: expect.any(Number),
    });

    // Every process of the run, before stopping (the stack's services, and Traefik when it routes):
    // they must all be gone after Ctrl-C.
    const pids = await servicePids('pr-9');
    expect(await serviceNames(pids)).toEqual(['api', 'web']);
    const children = await descendantsOf(dev.pid!);
    expect(pids.filter((pid) => !children.some((c) => c.pid === pid))).toEqual([]);
    if (router.name === 'traefik')
      expect(children.filter((c) => c.args.startsWith(router.traefikBin!))).toHaveLength(1);

    dev.kill('SIGINT');
    await waitFor(() => dev.exitCode !== null, { timeoutMs: 20_000, what: 'thaw dev to exit' });
    expect(dev.exitCode).toBe(0);
    expect(stderr).toContain('nothing left running');
    // The services and Traefik are ended before thaw dev exits; the loader's esbuild helper ends
    // when it sees its parent's pipe close, which may be just after.
    const loader = (c: { args: string }) => /\/esbuild --service/.test(c.args);
    expect(children.filter((c) => !loader(c) && isAlive(c.pid))).toEqual([]);
    await waitFor(() => children.every((c) => !isAlive(c.pid)), {
      timeoutMs: 10_000,
      what: `every process of the run to be gone: ${children.map((c) => c.args).join(', ')}`,
    });

    await expect(thaw('ls')).rejects.toMatchObject({
      stderr: expect.stringContaining('no running "thaw dev" found'),
    });
  }, 120_000);

  it('bad input names the field and what is allowed', async () => {
    await expect(thaw('launch', 'Bad_Id')).rejects.toMatchObject({
      stderr: expect.stringContaining('expected lowercase letters'),
    });
    await expect(thaw('dev', '--port', 'eighty')).rejects.toMatchObject({
      stderr: expect.stringContaining('--port: expected a port 0-65535, got "eighty"'),
    });
  });
});

describe('thaw dev restarted after kill -9 on the same data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-restart-'));
  const secrets = {
    DATABASE_URL: 'postgres://thaw:control-plane-secret@127.0.0.1:1/thaw',
    THAW_DATABASE_URL: 'postgres://thaw:control-plane-secret@127.0.0.1:1/thaw',
    GITHUB_TOKEN: 'ghs_secret_token_of_thaw',
    AWS_ACCESS_KEY_ID: 'AKIASECRETOFTHAW',
    AWS_SECRET_ACCESS_KEY: 'secret-key-of-thaw',
    THAW_NOTIFIER_TOKEN: 'thaw-setting-secret',
  };
  const inDir = (...args: string[]) =>
    run(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const started: ChildProcess[] = [];
  const startDevIn = async () => {
    // Thaw's own secrets are in its environment; THAW_DATABASE_URL is unset so the demo needs no server.
    const { THAW_DATABASE_URL: _, ...env } = { ...process.env, ...secrets };
    const child = spawn(process.execPath, [bin, 'dev', '--port', '0', '--router', 'builtin'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(() => stderr.includes('thaw dev: ready') || child.exitCode !== null, {
      timeoutMs: 60_000,
      what: 'thaw dev to be ready',
    });
    expect(stderr).toContain('thaw dev: ready');
    return child;
  };
  afterAll(async () => {
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await waitFor(() => started.every((c) => c.exitCode !== null || c.signalCode !== null), {
      timeoutMs: 20_000,
      what: 'every thaw dev of this suite to exit',
    });
  }, 30_000);

  it('the next start ends the services the killed run left, marks the stack FROZEN, and a wake runs one copy of each', async () => {
    const first = await startDevIn();
    expect((await inDir('launch', 'pr-3', '--spec', demoSpec, '--wait')).stderr).toContain('pr-3: RUNNING');
    const old = await servicePids('pr-3');
    expect(await serviceNames(old)).toEqual(['api', 'web']);

    // Services never inherit Thaw's secrets: only their spec's environment, PORT and the basics.
    for (const pid of old) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      for (const [name, value] of Object.entries(secrets)) {
        expect(environ.split('\0').filter((line) => line.startsWith(`${name}=`))).toEqual([]);
        expect(environ).not.toContain(value);
      }
    }

    first.kill('SIGKILL');
    await waitFor(() => first.signalCode === 'SIGKILL', { what: 'the first thaw dev to be killed' });
    // Killed without a chance to stop anything: its services live on.
    expect(old.filter(isAlive)).toEqual(old);

    await startDevIn();
    expect(old.filter(isAlive)).toEqual([]);
    await waitFor(
      async () => JSON.parse((await inDir('status', 'pr-3', '--json')).stdout).state === 'FROZEN',
      {
        timeoutMs: 30_000,
        what: 'pr-3 to be FROZEN after the restart',
      },
    );
    expect((await inDir('wake', 'pr-3', '--wait')).stderr).toContain('pr-3: RUNNING');
    const now = await servicePids('pr-3');
    expect(now.filter((pid) => old.includes(pid))).toEqual([]);
    expect(await serviceNames(now)).toEqual(['api', 'web']);
  }, 120_000);
});

/** Every process below `pid` (children, their children, …), with its command line. */
async function descendantsOf(pid: number): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const all = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [p, pp, ...args] = line.trim().split(/\s+/);
      return { pid: Number(p), ppid: Number(pp), args: args.join(' ') };
    });
  const found: { pid: number; args: string }[] = [];
  const parents = [pid];
  while (parents.length) {
    const parent = parents.pop()!;
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push({ pid: p.pid, args: p.args });
      parents.push(p.pid);
    }
  }
  return found;
}

/** The demo service (web or api) each node process among `pids` runs, sorted (its sh wrapper left out). */
async function serviceNames(pids: number[]): Promise<string[]> {
  return pids
    .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('node\0'))
    .map(
      (pid) =>
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .find((line) => line.startsWith('THAW_SERVICE='))
          ?.slice('THAW_SERVICE='.length) ?? '?',
    )
    .sort();
}

/** PIDs of the demo's web.mjs / api.mjs processes that run for this stack (THAW_STACK in their environment). */
async function servicePids(stackId: string): Promise<number[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']);
  return stdout
    .split('\n')
    .filter((line) => /node (web|api)\.mjs/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`THAW_STACK=${stackId}`);
      } catch {
        return false;
      }
    });
}

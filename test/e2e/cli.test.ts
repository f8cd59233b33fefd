import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('dev starts; launch --wait, status --json, ls, freeze --wait, wake --wait work; Ctrl-C leaves nothing running', async () => {
    dev = spawn(process.execPath, [bin, 'dev', '--port', '0', '--router', 'builtin'], {
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
    expect((await thaw('wake', 'pr-9', '--wait')).stderr).toContain('pr-9: RUNNING');

    const cost = JSON.parse((await thaw('cost', 'pr-9', '--json')).stdout);
    expect(cost).toMatchObject({
      id: 'pr-9',
      state: 'RUNNING',
      wakes: 1,
      hourlyUsd: expect.any(Number),
      costUsd: expect.any(Number),
      savedUsd: expect.any(Number),
    });

    // The stack's processes, before stopping: they must all be gone after Ctrl-C.
    const pids = await servicePids('pr-9');
    expect(pids.length).toBeGreaterThanOrEqual(2);

    dev.kill('SIGINT');
    await waitFor(() => dev.exitCode !== null, { timeoutMs: 20_000, what: 'thaw dev to exit' });
    expect(stderr).toContain('nothing left running');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);

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

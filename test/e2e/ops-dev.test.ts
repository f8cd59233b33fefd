// `thaw dlq` and `thaw doctor` against a running `thaw dev` (issue 20): the CLI learns the local queues
// from the control API (GET /queues, behind its token) and works on the in-process SQS endpoint.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../adapters/sqs.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const bin = new URL('../../cli/bin/thaw.mjs', import.meta.url).pathname;
const cwd = mkdtempSync(join(tmpdir(), 'thaw-ops-dev-'));
const env = { ...process.env, NO_COLOR: '1', THAW_DEPLOYMENT: '' };
async function thaw(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('thaw dlq and thaw doctor against thaw dev', () => {
  let dev: ChildProcess;
  afterAll(() => {
    if (dev?.exitCode === null) dev.kill('SIGINT');
  });

  it('a dead letter in thaw dev’s events DLQ is listed with its reason and redriven; doctor passes', async () => {
    dev = spawn(process.execPath, [bin, 'dev', '--port', '0', '--router', 'builtin'], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    dev.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(() => stderr.includes('thaw dev: ready'), {
      timeoutMs: 60_000,
      what: 'thaw dev to be ready',
    });

    // GET /queues refuses a request without the token, like every other route.
    const { controlUrl } = JSON.parse(readFileSync(join(cwd, '.thaw', 'dev.json'), 'utf8'));
    expect((await fetch(`${controlUrl}/queues`)).status).toBe(401);
    const token = readFileSync(join(cwd, '.thaw', 'control-token'), 'utf8').trim();
    const queues = await (
      await fetch(`${controlUrl}/queues`, { headers: { authorization: `Bearer ${token}` } })
    ).json();

    const sqs = createSqsClient({ endpoint: queues.endpoint, localCredentials: true });
    const poison = JSON.stringify({ v: 1, type: 'LAUNCH', stackId: 'pr-5', at: new Date().toISOString() });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.eventsDlqUrl,
        MessageBody: poison,
        MessageGroupId: 'pr-5',
        MessageDeduplicationId: 'poison',
      }),
    );
    sqs.destroy();

    const listing = JSON.parse((await thaw('dlq', 'ls', 'events', '--json')).stdout);
    expect(listing.messages).toEqual([
      expect.objectContaining({
        stackId: 'pr-5',
        type: 'LAUNCH',
        reason: expect.stringMatching(/^not a valid event/),
      }),
    ]);
    const doctorWarns = await thaw('doctor', '--json');
    expect(doctorWarns.code).toBe(0);
    expect(JSON.parse(doctorWarns.stdout)).toContainEqual(
      expect.objectContaining({
        check: 'events DLQ',
        status: 'warn',
        detail: expect.stringContaining('1 message'),
      }),
    );

    const dry = JSON.parse((await thaw('dlq', 'redrive', 'events', '--dry-run', '--json')).stdout);
    expect(dry).toMatchObject({
      dryRun: true,
      moved: 0,
      messages: [expect.objectContaining({ stackId: 'pr-5' })],
    });
    const redriven = JSON.parse((await thaw('dlq', 'redrive', 'events', '--json')).stdout);
    expect(redriven.moved).toBe(1);
    expect(JSON.parse((await thaw('dlq', 'ls', 'events', '--json')).stdout).messages).toEqual([]);

    const healthy = await thaw('doctor');
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/events redrive policy\s+ok/);
    expect(healthy.stdout).toMatch(/events DLQ\s+ok/);
    expect(healthy.stdout).toMatch(/tasks DLQ\s+ok/);
  }, 120_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureQueues } from '../local/provision.ts';
import { startFakeGitHub } from './helpers/fake-github.ts';
import { queueBackends, uniquePrefix } from './helpers/queues.ts';

const run = promisify(execFile);
const bundle = new URL('../action/dist/index.js', import.meta.url).pathname;
const fixture = (name: string) => new URL(`./fixtures/github/${name}.json`, import.meta.url).pathname;
const marker = '<!-- thaw:preview stack=pr-42 -->';

/** The bundled Action on the in-process queue: pull_request_target and a planted sticky-comment marker. */
describe('the bundled GitHub Action against strangers', () => {
  const backend = queueBackends()[0]!;
  let queue: Awaited<ReturnType<typeof backend.start>>;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let queueUrl: string;
  const workspace = mkdtempSync(join(tmpdir(), 'thaw-action-forks-'));
  writeFileSync(
    join(workspace, 'thaw.yml'),
    'services:\n  web:\n    image: ghcr.io/acme/web\n    port: 3000\n',
  );

  beforeAll(async () => {
    queue = await backend.start();
    queueUrl = (await ensureQueues({ sqs: queue.sqs, prefix: uniquePrefix('forks') })).eventsQueueUrl;
    github = await startFakeGitHub();
  });
  afterAll(async () => {
    await queue.stop();
    await github.close();
  });

  async function runAction(eventName: string, event: string, inputs: Record<string, string> = {}) {
    writeFileSync(join(workspace, 'output'), '');
    const env: Record<string, string> = {
      PATH: process.env.PATH!,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: fixture(event),
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: github.url,
      GITHUB_OUTPUT: join(workspace, 'output'),
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: workspace,
      THAW_SQS_ENDPOINT: queue.endpoint,
      AWS_REGION: 'us-east-1',
      'INPUT_QUEUE-URL': queueUrl,
      INPUT_DOMAIN: 'qa.example.com',
      'INPUT_GITHUB-TOKEN': 'ghs_faketoken123',
      INPUT_SPEC: 'thaw.yml',
    };
    for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.toUpperCase()}`] = value;
    return run(process.execPath, [bundle], { cwd: workspace, env }).then(
      (r) => ({ stdout: r.stdout, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => ({
        stdout: `${e.stdout}${e.stderr}`,
        code: e.code,
      }),
    );
  }

  async function received() {
    const r = await queue.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const m of r.Messages ?? [])
      await queue.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    return (r.Messages ?? []).map((m) => JSON.parse(m.Body!));
  }

  it.each(['pull_request_target.opened', 'pull_request_target.fork'])(
    'pull_request_target (%s) is refused without allow-forks, with the reason in the log; nothing sent, no comment',
    async (event) => {
      const calls = github.calls.length;
      const result = await runAction('pull_request_target', event);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('refusing to run on pull_request_target');
      expect(result.stdout).toContain('allow-forks: true');
      expect(await received()).toEqual([]);
      expect(github.calls.length).toBe(calls);
    },
  );

  it('pull_request_target from a fork is sent when allow-forks is set (the refusal above is what stops it)', async () => {
    const result = await runAction('pull_request_target', 'pull_request_target.fork', {
      'allow-forks': 'true',
    });
    expect(result.code, result.stdout).toBe(0);
    expect(await received()).toMatchObject([{ type: 'LAUNCH', stackId: 'pr-42' }]);
  });

  it("a stranger's comment carrying the marker is left untouched; the Action (github-actions[bot]) writes its own", async () => {
    const planted = {
      id: 1,
      body: `${marker}\n**Preview ready:** [open](https://phish.example/login)`,
      user: { login: 'stranger', type: 'User' as const },
    };
    github.seed('acme/shop', 42, [{ ...planted, user: { ...planted.user } }]);
    const first = await runAction('pull_request', 'pull_request.opened');
    expect(first.code, first.stdout).toBe(0);
    const second = await runAction('pull_request', 'pull_request.synchronize');
    expect(second.code).toBe(0);
    const [stranger, ...ours] = github.commentsOn('acme/shop', 42);
    expect(stranger).toEqual(planted);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.user?.login).toBe('github-actions[bot]');
    expect(ours[0]!.body).toContain(marker);
    expect(ours[0]!.body).toContain('https://pr-42.qa.example.com');
    expect(ours[0]!.body).not.toContain('phish.example');
    await received();
  });
});

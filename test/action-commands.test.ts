import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureQueues } from '../local/provision.ts';
import { type FakePull, startFakeGitHub } from './helpers/fake-github.ts';
import { queueBackends, uniquePrefix } from './helpers/queues.ts';

const run = promisify(execFile);
const bundle = new URL('../action/dist/index.js', import.meta.url).pathname;
const basePayload = JSON.parse(
  readFileSync(new URL('./fixtures/github/issue_comment.created.json', import.meta.url), 'utf8'),
);
const spec = 'services:\n  web:\n    image: ghcr.io/acme/web\n    port: 3000\n';
const HEAD = '3f9a1c2b4d5e6f708192a3b4c5d6e7f809a1b2c3';
const pull = (number: number, headRepo: string | null): FakePull => ({
  number,
  html_url: `https://github.com/acme/shop/pull/${number}`,
  head: { sha: HEAD, repo: headRepo ? { full_name: headRepo } : null },
  base: { repo: { full_name: 'acme/shop' } },
});

/** The bundled Action on `issue_comment`, run the way the runner runs it, against each SQS server. */
describe.each(queueBackends())('/thaw comment commands in the bundled Action: $name queue', (backend) => {
  let queue: Awaited<ReturnType<typeof backend.start>>;
  let sqs: SQSClient;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let queueUrl: string;
  let nextCommentId = 9001;
  const workspace = mkdtempSync(join(tmpdir(), 'thaw-commands-'));
  writeFileSync(join(workspace, 'thaw.yml'), spec);

  beforeAll(async () => {
    queue = await backend.start();
    sqs = queue.sqs;
    queueUrl = (await ensureQueues({ sqs, prefix: uniquePrefix('commands') })).eventsQueueUrl;
    github = await startFakeGitHub({
      permissions: { carol: 'write', dave: 'read' },
      pulls: { 42: pull(42, 'acme/shop'), 43: pull(43, 'stranger/shop') },
    });
  });
  afterAll(async () => {
    await queue.stop();
    await github.close();
  });
  beforeEach(() => {
    github.seed('acme/shop', 42, []);
    github.seed('acme/shop', 43, []);
  });

  /** Runs the bundle for one new comment; returns the exit code, stdout and what GitHub saw. */
  async function comment(
    body: string,
    {
      login = 'alice',
      association = 'COLLABORATOR',
      number = 42,
      inputs = {},
      issue = {},
    }: {
      login?: string;
      association?: string;
      number?: number;
      inputs?: Record<string, string>;
      issue?: Record<string, unknown>;
    } = {},
  ) {
    const id = nextCommentId++;
    const payload = structuredClone(basePayload);
    payload.issue = { ...payload.issue, number, ...issue };
    payload.comment = {
      ...payload.comment,
      id,
      body,
      author_association: association,
      user: { login, type: 'User' },
    };
    const eventPath = join(workspace, `event-${id}.json`);
    writeFileSync(eventPath, JSON.stringify(payload));
    const output = join(workspace, `output-${id}`);
    writeFileSync(output, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH!,
      GITHUB_EVENT_NAME: 'issue_comment',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_OUTPUT: output,
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
    const calls = github.calls.length;
    const result = await run(process.execPath, [bundle], { cwd: workspace, env }).then(
      (r) => ({ stdout: r.stdout, code: 0 }),
      (e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }),
    );
    const replies = github
      .commentsOn('acme/shop', number)
      .filter((c) => !c.body.includes('thaw:preview'))
      .map((c) => c.body);
    return {
      ...result,
      reactions: github.reactionsOn(id),
      replies,
      calls: github.calls.slice(calls),
    };
  }

  async function received() {
    const messages = [];
    for (let i = 0; i < 3; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
        }),
      );
      messages.push(...(r.Messages ?? []));
      for (const m of r.Messages ?? [])
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    return [...new Map(messages.map((m) => [m.MessageId, m])).values()].map((m) => JSON.parse(m.Body!));
  }

  it.each([
    ['/thaw wake', { type: 'RESUME' }],
    ['/thaw freeze', { type: 'FREEZE', seenAccessAt: null, manual: true }],
    ['/thaw destroy\nit is broken anyway', { type: 'DESTROY' }],
  ])('%j from a collaborator sends %j, reacts 👀 then 🎉 and replies', async (body, event) => {
    const result = await comment(body);
    expect(result.code).toBe(0);
    expect(await received()).toEqual([expect.objectContaining({ ...event, stackId: 'pr-42', v: 1 })]);
    expect(result.reactions).toEqual(['eyes', 'hooray']);
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]).toContain(`${event.type} sent for \`pr-42\``);
    // No preview comment on the PR: the reply says the stack probably does not exist.
    expect(result.replies[0]).toContain('There is no preview comment for `pr-42`');
  });

  it('when the preview comment exists, the reply links it; /thaw status links it and sends nothing', async () => {
    github.seed('acme/shop', 42, [
      {
        id: 77,
        body: '<!-- thaw:preview stack=pr-42 -->\nstate',
        user: { login: 'github-actions[bot]', type: 'Bot' },
      },
    ]);
    const woken = await comment('/thaw wake');
    expect(woken.replies[0]).toContain(
      '[The preview comment](https://github.com/acme/shop/pull/42#issuecomment-77)',
    );
    expect(await received()).toHaveLength(1);
    const status = await comment('/thaw status');
    expect(status.code).toBe(0);
    expect(status.reactions).toEqual(['eyes', 'hooray']);
    expect(status.replies.at(-1)).toContain('https://github.com/acme/shop/pull/42#issuecomment-77');
    expect(await received()).toEqual([]);
  });

  it.each([
    ['a contributor who is not a collaborator', 'mallory', 'CONTRIBUTOR'],
    ['a first-time contributor', 'mallory', 'FIRST_TIME_CONTRIBUTOR'],
    ['somebody with read access only', 'dave', 'NONE'],
  ])('the same command from %s sends nothing and says why', async (_who, login, association) => {
    const result = await comment('/thaw destroy', { login, association });
    expect(result.code).toBe(0);
    expect(await received()).toEqual([]);
    expect(result.reactions).toEqual(['eyes', 'confused']);
    expect(result.replies).toEqual([expect.stringContaining('only people with write access')]);
    expect(result.calls.map((c) => `${c.method} ${c.path}`)).toContain(
      `GET /repos/acme/shop/collaborators/${login}/permission`,
    );
    // The pull request is not even looked at.
    expect(result.calls.some((c) => c.path.includes('/pulls/'))).toBe(false);
  });

  it('an association that says nothing, with write access by the permission API, acts', async () => {
    const result = await comment('/thaw wake', { login: 'carol', association: 'NONE' });
    expect(await received()).toEqual([expect.objectContaining({ type: 'RESUME' })]);
    expect(result.reactions).toEqual(['eyes', 'hooray']);
  });

  it('an unknown command gets the help text, never the comment echoed, and nothing is sent', async () => {
    const result = await comment('/thaw <img src=x onerror=alert(1)> @everyone');
    expect(result.code).toBe(0);
    expect(await received()).toEqual([]);
    expect(result.reactions).toEqual(['eyes', 'confused']);
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]).toContain('That is not a Thaw command');
    expect(result.replies[0]).toContain('`/thaw wake`');
    expect(result.replies[0]).not.toContain('img');
    expect(result.replies[0]).not.toContain('@everyone');
  });

  it('/thaw help replies with every command and sends nothing', async () => {
    const result = await comment('/thaw help');
    expect(await received()).toEqual([]);
    expect(result.reactions).toEqual(['eyes', 'hooray']);
    for (const command of ['wake', 'freeze', 'keep', 'relaunch', 'destroy', 'status', 'help'])
      expect(result.replies[0]).toContain(`\`/thaw ${command}`);
  });

  it('/thaw keep 4h sends a KEEP until four hours on, by the commenter, and says until when', async () => {
    const before = Date.now();
    const result = await comment('/thaw keep 4h', { login: 'alice' });
    expect(result.code).toBe(0);
    const [event] = await received();
    expect(event).toMatchObject({ type: 'KEEP', stackId: 'pr-42', by: 'alice', v: 1 });
    expect(Date.parse(event.until) - Date.parse(event.at)).toBe(4 * 3_600_000);
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(result.reactions).toEqual(['eyes', 'hooray']);
    expect(result.replies[0]).toContain(
      `stays awake until ${event.until.slice(0, 16).replace('T', ' ')} UTC`,
    );
  });

  it('/thaw keep off sends a KEEP that ends the keep', async () => {
    const result = await comment('/thaw keep off');
    const [event] = await received();
    expect(event).toMatchObject({ type: 'KEEP', stackId: 'pr-42' });
    expect(event.until).toBe(event.at);
    expect(result.replies[0]).toContain('The keep is off');
  });

  it("a keep longer than max-keep (8h by default, or the workflow's) is refused, and nothing is sent", async () => {
    const long = await comment('/thaw keep 2d');
    expect(await received()).toEqual([]);
    expect(long.reactions).toEqual(['eyes', 'confused']);
    expect(long.replies[0]).toContain('longer than this workflow allows (max-keep: 8h)');
    const allowed = await comment('/thaw keep 2d', { inputs: { 'max-keep': '3d' } });
    expect(allowed.reactions).toEqual(['eyes', 'hooray']);
    expect(await received()).toEqual([expect.objectContaining({ type: 'KEEP' })]);
  });

  it('a malformed max-keep fails the step naming the input, before anything is sent', async () => {
    const result = await comment('/thaw keep 1h', { inputs: { 'max-keep': 'forever' } });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('max-keep');
    expect(await received()).toEqual([]);
  });

  it('/thaw relaunch without images says a push relaunches; with them, LAUNCH of the head commit and a deployment', async () => {
    const without = await comment('/thaw relaunch');
    expect(await received()).toEqual([]);
    expect(without.reactions).toEqual(['eyes', 'confused']);
    expect(without.replies[0]).toContain('Push a commit');

    const deployments = github.deployments.length;
    const result = await comment('/thaw relaunch', {
      inputs: { images: 'web=ghcr.io/acme/web:sha-3f9a1c2', deployments: 'true' },
    });
    expect(result.code).toBe(0);
    expect(await received()).toEqual([
      expect.objectContaining({
        type: 'LAUNCH',
        stackId: 'pr-42',
        images: { web: 'ghcr.io/acme/web:sha-3f9a1c2' },
        pr: expect.objectContaining({ repo: 'acme/shop', number: 42, headSha: HEAD }),
      }),
    ]);
    expect(result.reactions).toEqual(['eyes', 'hooray']);
    expect(github.deployments.slice(deployments)).toEqual([
      expect.objectContaining({
        environment: 'preview/pr-42',
        sha: HEAD,
        statuses: [expect.objectContaining({ state: 'in_progress' })],
      }),
    ]);
  });

  it('on a pull request from a fork, /thaw wake follows the fork rule; /thaw freeze still works', async () => {
    const woken = await comment('/thaw wake', { number: 43 });
    expect(woken.code).toBe(0);
    expect(await received()).toEqual([]);
    expect(woken.reactions).toEqual(['eyes', 'confused']);
    expect(woken.replies[0]).toContain('comes from a fork');
    // A keep wakes a frozen stack, so it follows the same rule.
    const kept = await comment('/thaw keep 1h', { number: 43 });
    expect(await received()).toEqual([]);
    expect(kept.replies[0]).toContain('comes from a fork');
    const frozen = await comment('/thaw freeze', { number: 43 });
    expect(await received()).toEqual([expect.objectContaining({ type: 'FREEZE', stackId: 'pr-43' })]);
    expect(frozen.reactions).toEqual(['eyes', 'hooray']);
    await comment('/thaw wake', { number: 43, inputs: { 'allow-forks': 'true' } });
    expect(await received()).toEqual([expect.objectContaining({ type: 'RESUME', stackId: 'pr-43' })]);
  });

  it('comments that are not commands, and commands on issues, touch nothing', async () => {
    const chat = await comment('LGTM, but /thaw wake it later');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('::notice::Thaw: nothing to do');
    expect(chat.calls).toEqual([]);
    const onIssue = await comment('/thaw destroy', { issue: { pull_request: undefined } });
    expect(onIssue.code).toBe(0);
    expect(onIssue.calls).toEqual([]);
    expect(await received()).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureQueues } from '../local/provision.ts';
import { startFakeGitHub } from './helpers/fake-github.ts';
import { queueBackends, uniquePrefix } from './helpers/queues.ts';

const run = promisify(execFile);
const bundle = new URL('../action/dist/index.js', import.meta.url).pathname;
const fixture = (name: string) =>
  new URL(`./fixtures/github/pull_request.${name}.json`, import.meta.url).pathname;
const spec = `services:\n  web:\n    image: ghcr.io/acme/web\n    port: 3000\n  api:\n    image: ghcr.io/acme/api\n    port: 4000\n    host: api-{stack}\n`;

describe.each(queueBackends())(
  'the bundled GitHub Action, run the way the runner runs it: $name queue',
  (backend) => {
    let queue: Awaited<ReturnType<typeof backend.start>>;
    let sqs: SQSClient;
    let github: Awaited<ReturnType<typeof startFakeGitHub>>;
    let queueUrl: string;
    const workspace = mkdtempSync(join(tmpdir(), 'thaw-action-'));
    writeFileSync(join(workspace, 'thaw.yml'), spec);

    beforeAll(async () => {
      queue = await backend.start();
      sqs = queue.sqs;
      queueUrl = (await ensureQueues({ sqs, prefix: uniquePrefix('action') })).eventsQueueUrl;
      github = await startFakeGitHub();
    });
    afterAll(async () => {
      await queue.stop();
      await github.close();
    });

    /** Runs action/dist/index.js as a child process with INPUT_* variables and an event payload. */
    async function runAction(
      event: string,
      inputs: Record<string, string>,
      { eventName = 'pull_request', apiUrl = github.url } = {},
    ) {
      const output = join(workspace, `output-${Math.random()}`);
      writeFileSync(output, '');
      const env: Record<string, string> = {
        PATH: process.env.PATH!,
        GITHUB_EVENT_NAME: eventName,
        GITHUB_EVENT_PATH: fixture(event),
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_API_URL: apiUrl,
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
      const result = await run(process.execPath, [bundle], { cwd: workspace, env }).then(
        (r) => ({ ...r, code: 0 }),
        (e: { stdout: string; stderr: string; code: number }) => ({
          stdout: e.stdout,
          stderr: e.stderr,
          code: e.code,
        }),
      );
      const outputs = Object.fromEntries(
        [...readFileSync(output, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [
          m[1],
          m[3],
        ]),
      );
      return { ...result, outputs };
    }

    /**
     * Every message the queue holds now, deleted once read: a message left in flight would come back
     * after its visibility timeout, and on a FIFO queue it would hold back the rest of its group.
     */
    async function received() {
      const messages = [];
      for (let i = 0; i < 3; i++) {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 60,
            AttributeNames: ['All'],
          }),
        );
        messages.push(...(r.Messages ?? []));
        for (const m of r.Messages ?? [])
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      return [...new Map(messages.map((m) => [m.MessageId, m])).values()].map((m) => ({
        groupId: m.Attributes?.MessageGroupId,
        event: JSON.parse(m.Body!),
      }));
    }

    it('opened → LAUNCH with the images, the spec and the PR; one comment; outputs set', async () => {
      const result = await runAction('opened', {
        images: 'web=ghcr.io/acme/web:sha-3f9a1c2\napi = ghcr.io/acme/api:sha-3f9a1c2\n',
      });
      expect(result.code).toBe(0);
      const [message, ...rest] = await received();
      expect(rest).toEqual([]);
      expect(message!.groupId).toBe('pr-42');
      expect(message!.event).toMatchObject({
        type: 'LAUNCH',
        stackId: 'pr-42',
        images: { web: 'ghcr.io/acme/web:sha-3f9a1c2', api: 'ghcr.io/acme/api:sha-3f9a1c2' },
        spec: { services: { web: { port: 3000 }, api: { host: 'api-{stack}' } } },
        pr: {
          repo: 'acme/shop',
          number: 42,
          headSha: '3f9a1c2b4d5e6f708192a3b4c5d6e7f809a1b2c3',
          url: 'https://github.com/acme/shop/pull/42',
        },
      });
      expect(result.outputs).toMatchObject({
        'stack-id': 'pr-42',
        url: 'https://pr-42.qa.example.com',
        'message-id': expect.any(String),
      });
      const comments = github.commentsOn('acme/shop', 42);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain('<!-- thaw:preview stack=pr-42 -->');
      expect(comments[0]!.body).toContain('https://api-pr-42.qa.example.com');
      expect(comments[0]!.body).toContain('Launching');
      expect(comments[0]!.body).toContain('3f9a1c2');
      // The token is only ever printed inside the runner's mask command.
      expect(result.stdout.replace('::add-mask::ghs_faketoken123', '')).not.toContain('ghs_faketoken123');
    });

    it('synchronize → LAUNCH with the new images; the same comment is updated', async () => {
      const result = await runAction('synchronize', { images: 'web=ghcr.io/acme/web:sha-9b8a7c6' });
      expect(result.code).toBe(0);
      const [message] = await received();
      expect(message!.event).toMatchObject({
        type: 'LAUNCH',
        images: { web: 'ghcr.io/acme/web:sha-9b8a7c6' },
        pr: { headSha: '9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b' },
      });
      const comments = github.commentsOn('acme/shop', 42);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain('9b8a7c6');
    });

    it('closed → DESTROY; the comment says so', async () => {
      const result = await runAction('closed', {});
      expect(result.code).toBe(0);
      const [message] = await received();
      expect(message!.event).toMatchObject({ type: 'DESTROY', stackId: 'pr-42' });
      expect(github.commentsOn('acme/shop', 42)).toHaveLength(1);
      expect(github.commentsOn('acme/shop', 42)[0]!.body).toContain('Destroying');
    });

    it('a PR from a fork is refused, with why, and nothing is sent', async () => {
      const calls = github.calls.length;
      const result = await runAction('fork', {});
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(
        'refusing to launch a preview for a pull request from a fork (stranger/shop)',
      );
      expect(await received()).toEqual([]);
      expect(github.calls.length).toBe(calls);
    });

    it('a PR from a fork that was deleted (no head repository) is refused too, and nothing is sent', async () => {
      const calls = github.calls.length;
      const result = await runAction('deleted-fork', {});
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(
        'refusing to launch a preview for a pull request from a fork (a deleted fork)',
      );
      expect(await received()).toEqual([]);
      expect(github.calls.length).toBe(calls);
    });

    it('a PR from a fork is sent when allow-forks is set (the refusal above is the only thing stopping it)', async () => {
      const result = await runAction('fork', { 'allow-forks': 'true' });
      expect(result.code).toBe(0);
      const [message, ...rest] = await received();
      expect(rest).toEqual([]);
      expect(message!.event).toMatchObject({ type: 'LAUNCH', stackId: 'pr-42' });
    });

    it('other pull_request actions: a notice and success without side effects', async () => {
      const result = await runAction('labeled', {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('::notice::Thaw: nothing to do');
      expect(await received()).toEqual([]);
    });

    it.each([
      [{ 'queue-url': '' }, 'queue-url: expected the URL'],
      [{ images: 'web ghcr.io/acme/web:1\nnot a line' }, 'images (line 1): expected service=image:tag'],
      [{ images: 'worker=ghcr.io/acme/worker:1' }, 'service worker is not in thaw.yml (it has web, api)'],
      [{ command: 'explode' }, 'command: expected auto, launch or destroy, got "explode"'],
      [{ spec: 'missing.yml' }, 'no such file'],
    ])('bad input %j fails with a clear message and sends nothing', async (inputs, message) => {
      const result = await runAction('opened', inputs);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(message);
      expect(await received()).toEqual([]);
    });

    it('a spec that fails validation fails the step with the path', async () => {
      writeFileSync(join(workspace, 'bad.yml'), 'services:\n  web:\n    port: 80a\n    image: x\n');
      const result = await runAction('opened', { spec: 'bad.yml' });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(
        'services.web.port: expected an integer 1-65535, got \\"80a\\"'.replaceAll('\\', ''),
      );
    });

    it('a bad thaw.yml fails the run before anything is sent, with an annotation on the offending line', async () => {
      writeFileSync(
        join(workspace, 'annotated.yml'),
        'idleTimeout: 30m\nservices:\n  web:\n    image: ghcr.io/acme/web\n    port: 80a\n    colour: blue\n',
      );
      const calls = github.calls.length;
      const result = await runAction('opened', { spec: 'annotated.yml' });
      expect(result.code).not.toBe(0);
      const annotations = [...result.stdout.matchAll(/^::error (.*?)::(.*)$/gm)].map((m) => ({
        properties: m[1],
        message: m[2],
      }));
      expect(annotations).toContainEqual({
        properties: 'title=Invalid thaw.yml,file=annotated.yml,line=5,col=5',
        message: expect.stringContaining('services.web.port: expected an integer 1-65535'),
      });
      expect(annotations).toContainEqual({
        properties: 'title=Invalid thaw.yml,file=annotated.yml,line=6,col=5',
        message: expect.stringContaining('services.web.colour: unknown field'),
      });
      expect(await received()).toEqual([]);
      expect(github.calls.length).toBe(calls);
    });

    it('a YAML syntax error is annotated at its line and column', async () => {
      writeFileSync(
        join(workspace, 'broken.yml'),
        'services:\n  web:\n    image: [unclosed\n    port: 3000\n',
      );
      const result = await runAction('opened', { spec: 'broken.yml' });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toMatch(/^::error title=Invalid thaw\.yml,file=broken\.yml,line=\d+,col=\d+::/m);
      expect(await received()).toEqual([]);
    });

    it('deployments: true creates a transient deployment of the head commit for preview/<stack>, in_progress with the URL', async () => {
      const before = github.deployments.length;
      const result = await runAction('opened', { deployments: 'true' });
      expect(result.code).toBe(0);
      const [message] = await received();
      expect(message!.event).toMatchObject({ type: 'LAUNCH', stackId: 'pr-42' });
      expect(github.deployments.slice(before)).toEqual([
        expect.objectContaining({
          ref: '3f9a1c2b4d5e6f708192a3b4c5d6e7f809a1b2c3',
          environment: 'preview/pr-42',
          transient_environment: true,
          auto_merge: false,
          required_contexts: [],
          statuses: [
            expect.objectContaining({
              state: 'in_progress',
              environment_url: 'https://pr-42.qa.example.com',
            }),
          ],
        }),
      ]);
    });

    it('without the deployments input no deployment API is called (no extra permission needed)', async () => {
      const calls = github.calls.length;
      const result = await runAction('synchronize', {});
      expect(result.code).toBe(0);
      await received();
      expect(github.calls.slice(calls).filter((c) => c.path.includes('deployments'))).toEqual([]);
    });

    it('deployments: true with a token refused the deployments API fails naming the permission; nothing is sent', async () => {
      const denied = await startFakeGitHub({ denyPaths: /\/deployments/ });
      try {
        const result = await runAction('opened', { deployments: 'true' }, { apiUrl: denied.url });
        expect(result.code).not.toBe(0);
        expect(result.stdout).toContain('deployments: write');
        expect(await received()).toEqual([]);
      } finally {
        await denied.close();
      }
    });

    it('a token without permission fails naming the permission it needs', async () => {
      const denied = await startFakeGitHub({ deny: true });
      try {
        const result = await runAction('opened', {}, { apiUrl: denied.url });
        expect(result.code).not.toBe(0);
        expect(result.stdout).toContain('pull-requests: write');
        expect(await received()).toEqual([]);
      } finally {
        await denied.close();
      }
    });
  },
);

it('the committed bundle is what the sources build to', async () => {
  const fresh = join(mkdtempSync(join(tmpdir(), 'thaw-bundle-')), 'index.js');
  await run(process.execPath, ['scripts/build-action.mjs', '--outfile', fresh]);
  expect(
    readFileSync(fresh, 'utf8') === readFileSync(bundle, 'utf8'),
    'action/dist/index.js is stale: run npm run build:action',
  ).toBe(true);
}, 60_000);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchDeploymentsApi } from '../adapters/github-deployments.ts';
import { createGitHubNotifier } from '../adapters/github-notifier.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { openStore } from '../adapters/store/open-store.ts';
import { parseEvent } from '../core/events.ts';
import { silentLog } from '../core/ports.ts';
import { parseSpec } from '../core/spec.ts';
import { startLocalControlPlane } from '../local/control-plane.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { noDbSpec } from './helpers/events.ts';
import { startFakeGitHub } from './helpers/fake-github.ts';
import { createRecordingExecutors } from './helpers/recording-executors.ts';
import { waitFor } from './helpers/wait.ts';

describe('the notifier keeps the PR comment current through a whole lifecycle', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let cleanup: () => Promise<void>;
  let send: (event: Record<string, unknown>) => Promise<void>;
  let stateOf: (id: string) => Promise<string | undefined>;

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.seed('acme/shop', 7, [{ id: 1, body: 'LGTM' }]);
    const sqsServer = await startInProcessSqs();
    const sqs = createSqsClient({ endpoint: sqsServer.endpoint, localCredentials: true });
    const { store } = await openStore();
    const executors = createRecordingExecutors().registry;
    executors.notify = createGitHubNotifier({
      token: 'ghs_x',
      apiUrl: github.url,
      urls: { domain: 'qa.example.com', scheme: 'https' },
      store,
      log: silentLog,
    });
    const plane = await startLocalControlPlane({
      sqs,
      store,
      executors,
      log: silentLog,
      prefix: 'notify',
      visibilityTimeoutSeconds: 2,
      waitTimeSeconds: 0,
      idlePollMs: 20,
      freezerIntervalMs: 3_600_000,
    });
    send = (event) => plane.queues.sendEvents([parseEvent({ v: 1, at: new Date().toISOString(), ...event })]);
    stateOf = async (id) => (await store.load(id))?.state;
    cleanup = async () => {
      await plane.stop();
      await store.close();
      sqs.destroy();
      await sqsServer.close();
      await github.close();
    };
  });
  afterAll(() => cleanup());

  const thawComments = () => github.commentsOn('acme/shop', 7).filter((c) => c.body.includes('thaw:preview'));
  const commentSays = (text: string) =>
    waitFor(() => thawComments()[0]?.body.includes(text), { what: `the comment to say ${text}` });

  it('ready → frozen → ready → destroyed, always one comment, with the cost', async () => {
    const pr = { repo: 'acme/shop', number: 7, headSha: 'abcdef1234567' };
    // What the Action does with deployments: true, before it sends the LAUNCH.
    const deployments = fetchDeploymentsApi({ apiUrl: github.url, token: 'ghs_x', repo: 'acme/shop' });
    const deploymentId = await deployments.create({ stackId: 'pr-7', ref: pr.headSha, description: 'x' });
    await deployments.setStatus(deploymentId, { state: 'in_progress' });
    await send({
      type: 'LAUNCH',
      stackId: 'pr-7',
      images: { web: 'ghcr.io/acme/web:abc' },
      spec: noDbSpec,
      pr,
    });
    await commentSays('✅ Ready');
    expect(thawComments()[0]!.body).not.toContain('Last woken');
    expect(thawComments()[0]!.body).toContain('https://pr-7.qa.example.com');
    expect(thawComments()[0]!.body).toContain('abcdef1');
    expect(thawComments()[0]!.body).toMatch(/Cost so far .* freezing saved/);
    const deployment = () => github.deployments.find((d) => d.id === deploymentId)!;
    await waitFor(() => deployment().statuses.length === 2, { what: 'the deployment to succeed' });
    expect(deployment().environment).toBe('preview/pr-7');
    expect(deployment().statuses[1]).toMatchObject({
      state: 'success',
      environment_url: 'https://pr-7.qa.example.com',
    });

    await send({ type: 'FREEZE', stackId: 'pr-7', seenAccessAt: null });
    await commentSays('🧊 Frozen');
    await send({ type: 'RESUME', stackId: 'pr-7' });
    await waitFor(
      async () => (await stateOf('pr-7')) === 'RUNNING' && thawComments()[0]?.body.includes('✅ Ready'),
      { what: 'ready again' },
    );
    expect(thawComments()[0]!.body).toMatch(/1 wake\b/);
    expect(thawComments()[0]!.body).toMatch(/\| Last woken \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|/);
    await send({ type: 'DESTROY', stackId: 'pr-7' });
    await commentSays('🗑️ Destroyed');
    await waitFor(() => deployment().statuses.at(-1)?.state === 'inactive', {
      what: 'the deployment to end inactive',
    });
    expect(thawComments()).toHaveLength(1);
    expect(github.commentsOn('acme/shop', 7)[0]).toEqual({ id: 1, body: 'LGTM' });
  });
});

describe('the notifier and GitHub Deployments', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(() => github.close());

  const task = (state: string, reason: string | null = null) => ({
    v: 1 as const,
    kind: 'notify' as const,
    stackId: 'pr-9',
    transitionId: 1,
    taskId: `notify-${state.toLowerCase()}`,
    spec: parseSpec(noDbSpec),
    attempt: 0,
    state,
    reason,
    pr: { repo: 'acme/shop', number: 9, headSha: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
    images: {},
  });
  const notifier = (token = 'ghs_x', apiUrl = github.url) =>
    createGitHubNotifier({
      token,
      apiUrl,
      urls: { domain: 'qa.example.com', scheme: 'https' },
      store: { history: async () => [] },
      log: silentLog,
    });
  const context = { receiveCount: 1, log: silentLog };

  it('FAILED marks the deployment of the head commit failure with the reason; older ones become inactive', async () => {
    const api = fetchDeploymentsApi({ apiUrl: github.url, token: 'ghs_x', repo: 'acme/shop' });
    const older = await api.create({ stackId: 'pr-9', ref: 'a'.repeat(40), description: 'x' });
    const current = await api.create({ stackId: 'pr-9', ref: 'b'.repeat(40), description: 'x' });
    const newerOtherStack = await api.create({ stackId: 'pr-10', ref: 'b'.repeat(40), description: 'x' });
    const result = await notifier()(task('FAILED', 'services.deploy: image not found'), context);
    expect(result).toMatchObject({
      kind: 'done',
      note: expect.stringContaining(`deployment ${current} failure`),
    });
    const byId = (id: number) => github.deployments.find((d) => d.id === id)!;
    expect(byId(current).statuses).toEqual([
      expect.objectContaining({ state: 'failure', description: expect.stringContaining('image not found') }),
    ]);
    expect(byId(older).statuses).toEqual([expect.objectContaining({ state: 'inactive' })]);
    expect(byId(newerOtherStack).statuses).toEqual([]);
  });

  it('without a deployment (the input is off) nothing is created; FROZEN leaves deployments alone', async () => {
    const before = github.calls.length;
    await notifier()({ ...task('RUNNING'), stackId: 'pr-11' }, context);
    await notifier()(task('FROZEN'), context);
    const deploymentCalls = github.calls.slice(before).filter((c) => c.path.includes('/deployments'));
    expect(deploymentCalls.map((c) => c.method)).toEqual(['GET']);
  });

  it('a token refused the deployments API still updates the comment, and the task succeeds', async () => {
    const denied = await startFakeGitHub({ denyPaths: /\/deployments/ });
    try {
      const result = await notifier('ghs_x', denied.url)(task('RUNNING'), context);
      expect(result).toMatchObject({ kind: 'done', note: expect.stringContaining('deployment not updated') });
      expect(denied.commentsOn('acme/shop', 9)).toHaveLength(1);
    } finally {
      await denied.close();
    }
  });
});

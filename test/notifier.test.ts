import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubNotifier } from '../adapters/github-notifier.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { openStore } from '../adapters/store/open-store.ts';
import { parseEvent } from '../core/events.ts';
import { silentLog } from '../core/ports.ts';
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
    await send({
      type: 'LAUNCH',
      stackId: 'pr-7',
      images: { web: 'ghcr.io/acme/web:abc' },
      spec: noDbSpec,
      pr,
    });
    await commentSays('✅ Ready');
    expect(thawComments()[0]!.body).toContain('https://pr-7.qa.example.com');
    expect(thawComments()[0]!.body).toContain('abcdef1');
    expect(thawComments()[0]!.body).toMatch(/Cost so far .* freezing saved/);

    await send({ type: 'FREEZE', stackId: 'pr-7', seenAccessAt: null });
    await commentSays('🧊 Frozen');
    await send({ type: 'RESUME', stackId: 'pr-7' });
    await waitFor(
      async () => (await stateOf('pr-7')) === 'RUNNING' && thawComments()[0]?.body.includes('✅ Ready'),
      { what: 'ready again' },
    );
    expect(thawComments()[0]!.body).toMatch(/1 wake\b/);
    await send({ type: 'DESTROY', stackId: 'pr-7' });
    await commentSays('🗑️ Destroyed');
    expect(thawComments()).toHaveLength(1);
    expect(github.commentsOn('acme/shop', 7)[0]).toEqual({ id: 1, body: 'LGTM' });
  });
});

import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqsSend } from '../adapters/sqs.ts';
import { deduplicationId } from '../adapters/sqs.ts';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { openStore } from '../adapters/store/open-store.ts';
import type { ExecutorRegistry } from '../core/executors.ts';
import type { Clock, Log, Store } from '../core/ports.ts';
import { type LocalControlPlane, startLocalControlPlane } from '../local/control-plane.ts';
import { destroy, freeze, launch, noDbSpec, resume } from './helpers/events.ts';
import { queueBackends, requireElasticMq, uniquePrefix } from './helpers/queues.ts';
import { createRecordingExecutors } from './helpers/recording-executors.ts';
import { waitFor } from './helpers/wait.ts';

const backends = queueBackends();

/** What a freezer run did about overdue transitions (its result names only what happened). */
const deadlineCounts = (result: { resent?: number; timedOut?: number } | undefined) => ({
  resent: result?.resent ?? 0,
  timedOut: result?.timedOut ?? 0,
});

it('runs the pipeline on ElasticMQ when CI asks for it', () => {
  if (requireElasticMq) expect(backends.map((b) => b.name)).toContain('elasticmq');
});

/** A log that keeps every line, so tests can assert what was logged and why. */
function memoryLog() {
  const lines: { level: string; message: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push({ level, message, data });
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

describe.each(backends)('pipeline through real queues: $name', (backend) => {
  let sqs: SQSClient;
  let stopBackend: () => Promise<void>;
  let plane: LocalControlPlane | undefined;
  let store: Store;
  let closeStore: () => Promise<void>;

  beforeAll(async () => {
    ({ sqs, stop: stopBackend } = await backend.start());
    const opened = await openStore();
    store = opened.store;
    closeStore = () => opened.store.close();
  });
  afterEach(async () => {
    await plane?.stop();
    plane = undefined;
  });
  afterAll(async () => {
    await closeStore();
    await stopBackend();
  });

  const start = async (
    options: {
      executors?: ReturnType<typeof createRecordingExecutors>;
      store?: Store;
      log?: Log;
      maxReceiveCount?: number;
      sqs?: SqsSend;
      clock?: Clock;
      registry?: ExecutorRegistry;
    } = {},
  ) => {
    const executors = options.executors ?? createRecordingExecutors();
    const logged = memoryLog();
    plane = await startLocalControlPlane({
      sqs: options.sqs ?? sqs,
      store: options.store ?? store,
      executors: options.registry ?? executors.registry,
      log: options.log ?? logged.log,
      ...(options.clock ? { clock: options.clock } : {}),
      prefix: uniquePrefix('p'),
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: options.maxReceiveCount ?? 3,
      freezerIntervalMs: 3_600_000,
      batchWindowMs: 20,
      ...backend.polling,
    });
    return { plane, executors, ...logged };
  };
  const stateOf = async (id: string, s = store) => (await s.load(id))?.state;
  const until = (id: string, state: string, s = store) =>
    waitFor(async () => (await stateOf(id, s)) === state, { what: `${id} to be ${state}` });

  it('LAUNCH → RUNNING, FREEZE → FROZEN, RESUME → RUNNING, DESTROY → DESTROYED', async () => {
    const { plane, executors } = await start();
    const id = `life-${backend.name}`;
    await plane.queues.sendEvents([launch(id)]);
    await until(id, 'RUNNING');
    const running = (await store.load(id))!;
    await plane.queues.sendEvents([freeze(id, running.lastAccessedAt!.toISOString())]);
    await until(id, 'FROZEN');
    await plane.queues.sendEvents([resume(id)]);
    await until(id, 'RUNNING');
    await plane.queues.sendEvents([destroy(id)]);
    await until(id, 'DESTROYED');
    const path = (await store.history(id)).map((h) => h.to);
    expect(path).toEqual([
      'LAUNCHING',
      'RUNNING',
      'FREEZING',
      'FROZEN',
      'RESUMING',
      'RUNNING',
      'DESTROYING',
      'DESTROYED',
    ]);
    const kinds = executors.calls.filter((c) => c.stackId === id).map((c) => c.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'database.create',
        'services.deploy',
        'services.await-ready',
        'services.scale',
        'services.delete',
        'database.drop',
        'notify',
      ]),
    );
  });

  it('the freezer freezes a stack idle past its timeout', async () => {
    const { plane } = await start();
    const id = `idle-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, { ...noDbSpec, idleTimeout: '1ms' })]);
    await until(id, 'RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await plane.runFreezer();
    expect(result?.freezes).toBeGreaterThanOrEqual(1);
    await until(id, 'FROZEN');
  });

  it('bad messages are logged with their reason, go to the DLQ, and the rest of the batch goes on', async () => {
    const { plane, lines } = await start({ maxReceiveCount: 2 });
    const good = launch(`good-${backend.name}`, { web: 'w:1' }, noDbSpec);
    const bodies = [
      '{not json',
      JSON.stringify({ v: 1, type: 'EXPLODE', stackId: 'pr-1', at: good.at }),
      JSON.stringify({ v: 1, type: 'LAUNCH', stackId: 'x' }),
    ];
    for (const [i, body] of bodies.entries()) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: plane.urls.eventsQueueUrl,
          MessageBody: body,
          MessageGroupId: `bad-${i}`,
          MessageDeduplicationId: deduplicationId(body),
        }),
      );
    }
    await plane.queues.sendEvents([good]);
    await until(good.stackId, 'RUNNING');
    const dead = await waitFor(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 5 && seen.size < 3; i++) {
          const r = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: plane.urls.eventsDlqUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              VisibilityTimeout: 30,
            }),
          );
          for (const m of r.Messages ?? []) seen.add(m.Body!);
        }
        return seen.size === 3 ? seen : undefined;
      },
      { timeoutMs: 30_000, what: 'three messages in the events DLQ' },
    );
    expect([...dead].sort()).toEqual([...bodies].sort());
    const rejected = lines.filter((l) => l.message === 'rejected event');
    expect(rejected.some((l) => String(l.data?.reason).includes('not valid JSON') && l.data?.messageId)).toBe(
      true,
    );
    expect(rejected.some((l) => String(l.data?.reason).includes('expected "type" to be one of'))).toBe(true);
    expect(rejected.some((l) => String(l.data?.reason).includes('spec'))).toBe(true);
  });

  it('the database failing mid-batch: records are redelivered, none lost or applied twice', async () => {
    const real = createMemoryStore();
    let failures = 3;
    const flaky: Store = {
      ...real,
      load: async (id) => {
        if (id.startsWith('flaky') && failures-- > 0) throw new Error('ECONNREFUSED: database unreachable');
        return real.load(id);
      },
    };
    const { plane } = await start({ store: flaky, maxReceiveCount: 10 });
    const ids = [`flaky-a`, `steady-b`];
    await plane.queues.sendEvents(ids.map((id) => launch(id, { web: 'w:1' }, noDbSpec)));
    for (const id of ids) await until(id, 'RUNNING', real);
    for (const id of ids) expect((await real.history(id)).map((h) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);
  });

  it('a task that crashes after its work is redelivered harmlessly and the stack advances once', async () => {
    const executors = createRecordingExecutors({ crashAfterWork: ['services.deploy'] });
    const { plane } = await start({ executors });
    const id = `crash-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'RUNNING');
    const deploys = executors.calls.filter((c) => c.stackId === id && c.kind === 'services.deploy');
    expect(deploys.length).toBeGreaterThanOrEqual(2);
    expect(deploys.at(-1)?.receiveCount).toBeGreaterThanOrEqual(2);
    expect((await store.history(id)).map((h) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);
  });

  it('await-ready re-queues itself with a delay instead of blocking', async () => {
    const executors = createRecordingExecutors({ waits: 2 });
    const { plane } = await start({ executors });
    const id = `wait-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'RUNNING');
    const checks = executors.calls.filter((c) => c.stackId === id && c.kind === 'services.await-ready');
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect((await store.history(id)).map((h) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);
  });

  it('a failing task ends in FAILED with the reason', async () => {
    const executors = createRecordingExecutors({
      fail: { 'services.deploy': 'image ghcr.io/acme/web:nope not found' },
    });
    const { plane } = await start({ executors });
    const id = `fail-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'FAILED');
    expect((await store.load(id))?.failureReason).toContain('image ghcr.io/acme/web:nope not found');
  });

  it('a failed send of the tasks with no later event: the freezer sweep re-sends them and the stack runs', async () => {
    // The first send to the tasks queue fails (a crash between the write and the send looks the same).
    const sends = { failed: 0, tasks: 0 };
    const flaky: SqsSend = {
      send: ((command: unknown) => {
        if (command instanceof SendMessageBatchCommand && command.input.QueueUrl?.endsWith('-tasks')) {
          if (sends.failed === 0) {
            sends.failed++;
            return Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
          }
          sends.tasks++;
        }
        return sqs.send(command as never);
      }) as SqsSend['send'],
    };
    let offsetMs = 0;
    plane = await startLocalControlPlane({
      sqs: flaky,
      store,
      executors: createRecordingExecutors().registry,
      log: memoryLog().log,
      clock: () => new Date(Date.now() + offsetMs),
      prefix: uniquePrefix('sweep'),
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 3,
      freezerIntervalMs: 3_600_000,
      batchWindowMs: 20,
      ...backend.polling,
    });
    const id = `sweep-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    const open = await waitFor(
      async () => {
        const pending = await store.pendingTasks({ stackIds: [id] });
        return sends.failed === 1 && pending.length > 0 ? pending : undefined;
      },
      { what: `${id}: the first send of its tasks failed and they wait in the outbox` },
    );
    expect(sends.tasks).toBe(0);
    expect((await store.load(id))?.state).toBe('LAUNCHING');
    offsetMs = 61_000; // older than the sweep age (60 s)
    const result = await plane.runFreezer();
    expect(result?.swept).toBe(open.length);
    await until(id, 'RUNNING');
    expect((await store.history(id)).map((h) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);
  });

  it('duplicated and reordered deliveries across both queues end where in-order delivery does', async () => {
    const { plane } = await start();
    const id = `dup-${backend.name}`;
    const l1 = launch(id, { web: 'w:1' }, noDbSpec);
    const l2 = launch(id, { web: 'w:2' }, noDbSpec);
    // Out of order and twice each; FIFO dedup may drop copies, the in-process endpoint may not.
    await plane.queues.sendEvents([l2, l1]);
    await plane.queues.sendEvents([l1, l2]);
    await waitFor(
      async () => {
        const s = await store.load(id);
        return s?.state === 'RUNNING' && s.images.web === 'w:2';
      },
      { what: `${id} RUNNING with w:2` },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.load(id)).toMatchObject({ state: 'RUNNING', images: { web: 'w:2' }, deferred: [] });
  });
  it('a task lost to the DLQ → the stack leaves RESUMING by itself within its deadline', async () => {
    const id = `lost-${backend.name}`;
    const own = createMemoryStore();
    // While `dropping`, every report of this stack's tasks (SATISFY_REQ, TASK_FAILED) fails to send, on
    // every delivery: the task ends in the DLQ with nothing told to the stack (a Lambda timeout looks the same).
    let dropping = false;
    const lossy: SqsSend = {
      send: ((command: unknown) => {
        if (dropping && command instanceof SendMessageBatchCommand) {
          const reports = (command.input.Entries ?? []).some((e) => {
            const body = JSON.parse(e.MessageBody ?? '{}');
            const report =
              body.type === 'SATISFY_REQ' || (body.type === 'TASK_FAILED' && body.taskId !== 'deadline');
            return body.stackId === id && report;
          });
          if (reports)
            return Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
        }
        return sqs.send(command as never);
      }) as SqsSend['send'],
    };
    let offsetMs = 0;
    const { plane } = await start({ store: own, sqs: lossy, clock: () => new Date(Date.now() + offsetMs) });
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'RUNNING', own);
    await plane.queues.sendEvents([freeze(id, (await own.load(id))!.lastAccessedAt!.toISOString())]);
    await until(id, 'FROZEN', own);
    dropping = true;
    await plane.queues.sendEvents([resume(id)]);
    await waitFor(
      async () => {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: plane.urls.tasksDlqUrl,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 60,
          }),
        );
        return (r.Messages ?? []).some((m) => JSON.parse(m.Body!).stackId === id) || undefined;
      },
      { timeoutMs: 30_000, what: `${id}: its services.scale task in the tasks DLQ` },
    );
    expect(await stateOf(id, own)).toBe('RESUMING');
    expect(deadlineCounts(await plane.runFreezer())).toEqual({ resent: 0, timedOut: 0 }); // not overdue yet

    offsetMs = 20 * 60_000 + 1000; // past RESUMING's deadline (20 min)
    expect(deadlineCounts(await plane.runFreezer())).toEqual({ resent: 1, timedOut: 0 });
    await waitFor(async () => (await own.load(id))?.resentAt != null, { what: `${id}: open tasks re-sent` });
    expect(await stateOf(id, own)).toBe('RESUMING');
    expect(deadlineCounts(await plane.runFreezer())).toEqual({ resent: 0, timedOut: 0 }); // re-sent once only

    offsetMs += 5 * 60_000 + 1000; // and still in flight after the grace (5 min)
    expect(deadlineCounts(await plane.runFreezer())).toEqual({ resent: 0, timedOut: 1 });
    await until(id, 'FAILED', own);
    expect((await own.load(id))?.failureReason).toMatch(/^timed out in RESUMING after 2\d min$/);
    const details = (await own.history(id)).map((h) => `${h.from}→${h.to} ${h.detail ?? ''}`);
    expect(
      details.some((d) => d.startsWith('RESUMING→RESUMING') && d.includes('open tasks re-sent once')),
    ).toBe(true);
    expect(details.at(-1)).toMatch(/^RESUMING→FAILED timed out in RESUMING/);
  }, 60_000);

  it('a LAUNCH whose host another live stack serves fails naming it, sends no task, and succeeds once that stack is destroyed', async () => {
    const { plane, executors } = await start();
    const first = `hosts-${backend.name}`;
    const second = `${first}-api`;
    const web = { image: 'ghcr.io/acme/web', run: 'node web.js', port: 3000 };
    // {stack}-api of the first stack is the same host as {stack} of the second.
    await plane.queues.sendEvents([
      launch(first, { web: 'w:1' }, { services: { web: { ...web, host: '{stack}-api' } } }),
    ]);
    await until(first, 'RUNNING');
    await plane.queues.sendEvents([
      launch(second, { web: 'w:1' }, { services: { web: { ...web, host: '{stack}' } } }),
    ]);
    await until(second, 'FAILED');
    const refused = (await store.load(second))!;
    expect(refused.failureReason).toContain(
      `host ${second} (service web) is already served by live stack ${first}`,
    );
    const history = await store.history(second);
    expect(history.slice(0, 2).map((h) => [h.event, h.from, h.to])).toEqual([
      ['LAUNCH', null, 'LAUNCHING'],
      ['TASK_FAILED', 'LAUNCHING', 'FAILED'],
    ]);
    expect(history[1]!.detail).toContain(`live stack ${first}`);
    // Nothing of the second stack was deployed: it failed as a failed task does (scale to zero, tell the PR).
    await waitFor(async () => executors.calls.some((c) => c.stackId === second && c.kind === 'notify'), {
      what: `${second}: the failure told`,
    });
    expect(
      executors.calls
        .filter((c) => c.stackId === second)
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['notify', 'services.scale']);
    expect((await store.load(first))!.state).toBe('RUNNING');

    // The host is free again once the first stack is gone: a new push of the second stack runs.
    await plane.queues.sendEvents([destroy(first)]);
    await until(first, 'DESTROYED');
    await plane.queues.sendEvents([
      launch(second, { web: 'w:2' }, { services: { web: { ...web, host: '{stack}' } } }),
    ]);
    await until(second, 'RUNNING');
  });

  it('3 pushes during LAUNCHING → exactly one update, to the newest images', async () => {
    const executors = createRecordingExecutors();
    // await-ready of the first launch waits until the three pushes are in (no timing involved).
    let gateOpen = false;
    const registry: ExecutorRegistry = {
      ...executors.registry,
      'services.await-ready': async (task, context) =>
        gateOpen
          ? executors.registry['services.await-ready']!(task as never, context)
          : { kind: 'wait', delaySeconds: 1 },
    };
    const own = createMemoryStore();
    const { plane } = await start({ store: own, registry });
    const id = `burst-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'LAUNCHING', own);
    for (const n of [2, 3, 4]) await plane.queues.sendEvents([launch(id, { web: `w:${n}` }, noDbSpec)]);
    await waitFor(
      async () => {
        const s = await own.load(id);
        return (
          s?.deferred.length === 1 && s.deferred[0]?.type === 'LAUNCH' && s.deferred[0].images.web === 'w:4'
        );
      },
      { what: `${id}: the newest push waiting` },
    );
    gateOpen = true;
    await waitFor(
      async () => {
        const s = await own.load(id);
        return s?.state === 'RUNNING' && s.images.web === 'w:4';
      },
      { what: `${id} RUNNING with w:4` },
    );
    const path = (await own.history(id)).map((h) => h.to);
    expect(path).toEqual(['LAUNCHING', 'RUNNING', 'UPDATING', 'RUNNING']);
    const deploys = executors.calls.filter((c) => c.stackId === id && c.kind === 'services.deploy');
    expect(new Set(deploys.map((d) => d.transitionId)).size).toBe(2); // the launch and one update
  }, 60_000);

  it('a failed update → services at zero (in history) and a retry, RESUME or LAUNCH, brings it back', async () => {
    const executors = createRecordingExecutors();
    const scaled: { stackId: string; to: string }[] = [];
    let failNext = true;
    const registry: ExecutorRegistry = {
      ...executors.registry,
      'services.deploy': async (task, context) => {
        if (task.images.web === 'w:2' && failNext) {
          failNext = false;
          return { kind: 'failed', reason: 'CannotPullContainerError: w:2 not found' };
        }
        return executors.registry['services.deploy']!(task as never, context);
      },
      'services.scale': async (task, context) => {
        scaled.push({ stackId: task.stackId, to: task.to });
        return executors.registry['services.scale']!(task as never, context);
      },
    };
    const own = createMemoryStore();
    const { plane } = await start({ store: own, registry });
    const id = `retry-${backend.name}`;
    await plane.queues.sendEvents([launch(id, { web: 'w:1' }, noDbSpec)]);
    await until(id, 'RUNNING', own);
    await plane.queues.sendEvents([launch(id, { web: 'w:2' }, noDbSpec)]);
    await until(id, 'FAILED', own);
    await waitFor(
      async () =>
        (await own.history(id)).some((h) => h.to === 'FAILED' && h.detail === 'services scaled to zero'),
      { what: `${id}: the scale-down recorded in history` },
    );
    expect(scaled).toEqual([{ stackId: id, to: 'zero' }]);
    expect((await own.load(id))?.failureReason).toContain('w:2 not found');

    await plane.queues.sendEvents([resume(id)]); // thaw wake, "Try again"
    await waitFor(
      async () => {
        const s = await own.load(id);
        return s?.state === 'RUNNING' && s.images.web === 'w:2';
      },
      { what: `${id} RUNNING again with w:2` },
    );
    const path = (await own.history(id)).map((h) => h.to);
    expect(path).toEqual(['LAUNCHING', 'RUNNING', 'UPDATING', 'FAILED', 'FAILED', 'LAUNCHING', 'RUNNING']);

    // And a LAUNCH (a new push) recovers from FAILED too.
    failNext = true;
    await plane.queues.sendEvents([launch(id, { web: 'w:2', api: 'x' }, noDbSpec)]);
    await until(id, 'FAILED', own);
    await plane.queues.sendEvents([launch(id, { web: 'w:3' }, noDbSpec)]);
    await waitFor(
      async () => {
        const s = await own.load(id);
        return s?.state === 'RUNNING' && s.images.web === 'w:3';
      },
      { what: `${id} RUNNING with w:3` },
    );
  }, 60_000);
});

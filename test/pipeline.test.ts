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
import type { Log, Store } from '../core/ports.ts';
import { type LocalControlPlane, startLocalControlPlane } from '../local/control-plane.ts';
import { destroy, freeze, launch, noDbSpec, resume } from './helpers/events.ts';
import { queueBackends, requireElasticMq, uniquePrefix } from './helpers/queues.ts';
import { createRecordingExecutors } from './helpers/recording-executors.ts';
import { waitFor } from './helpers/wait.ts';

const backends = queueBackends();

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
    } = {},
  ) => {
    const executors = options.executors ?? createRecordingExecutors();
    const logged = memoryLog();
    plane = await startLocalControlPlane({
      sqs,
      store: options.store ?? store,
      executors: executors.registry,
      log: options.log ?? logged.log,
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
});

import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventQueue, createSqsClient, createTaskQueue, type SqsSend } from '../adapters/sqs.ts';
import type { Log, Store } from '../core/ports.ts';
import { parseTask, type Task } from '../core/tasks.ts';
import { createEventsHandler } from '../lambdas/events/handler.ts';
import { createFreezerHandler } from '../lambdas/freezer/handler.ts';
import { createTasksHandler } from '../lambdas/tasks/handler.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { ensureQueues, type QueueUrls } from '../local/provision.ts';
import { launch, noDbSpec } from './helpers/events.ts';
import { createRecordingExecutors } from './helpers/recording-executors.ts';
import { sqsEvent, sqsRecord } from './helpers/sqs-records.ts';
import { requirePostgres, storeDrivers } from './helpers/stores.ts';

/**
 * Crash recovery through the outbox: a transition is written, the send of its tasks fails, and no later
 * event for the stack arrives. Only the freezer's sweep can send the tasks; it must, once.
 */
const drivers = storeDrivers({ includeMemory: false });

it('runs the outbox sweep on PostgreSQL when CI asks for it', () => {
  if (requirePostgres) expect(drivers.map((d) => d.name)).toContain('postgres');
});

const quiet: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const key = (task: Task) => `${task.transitionId}/${task.taskId}`;

describe.each(drivers)('outbox sweep after a failed send: $name', (driver) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let sqs: SQSClient;
  let stopSqs: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await driver.open());
    const server = await startInProcessSqs();
    sqs = createSqsClient({ endpoint: server.endpoint, localCredentials: true });
    stopSqs = async () => {
      sqs.destroy();
      await server.close();
    };
  });
  afterAll(async () => {
    await cleanup();
    await stopSqs();
  });

  /** The real queue, except that the next `failures` sends to the tasks queue fail (a network error). */
  const flakyTasksQueue = (urls: QueueUrls, failures: number) => {
    const counts = { failed: 0, sent: 0 };
    const flaky: SqsSend = {
      send: ((command: unknown) => {
        if (command instanceof SendMessageBatchCommand && command.input.QueueUrl === urls.tasksQueueUrl) {
          if (counts.failed < failures) {
            counts.failed++;
            return Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
          }
          counts.sent += command.input.Entries?.length ?? 0;
        }
        return sqs.send(command as never);
      }) as SqsSend['send'],
    };
    const queues = {
      ...createEventQueue({ sqs: flaky, queueUrl: urls.eventsQueueUrl }),
      ...createTaskQueue({ sqs: flaky, queueUrl: urls.tasksQueueUrl }),
    };
    return { queues, counts };
  };

  /** Everything on a queue right now, deleted as it is read. */
  const drain = async (queueUrl: string): Promise<Message[]> => {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
      );
      if (Messages.length === 0) return all;
      for (const m of Messages)
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      all.push(...Messages);
    }
  };

  it('the sweep re-sends the open tasks exactly once, and the stack then reaches RUNNING', async () => {
    const urls = await ensureQueues({ sqs, prefix: `outbox-${driver.name}-${Date.now()}` });
    const { queues, counts } = flakyTasksQueue(urls, 1);
    let now = Date.parse('2027-03-01T00:00:00Z');
    const clock = () => new Date(now);
    const events = createEventsHandler({ store, tasks: queues, log: quiet, clock });
    const freezer = createFreezerHandler({ store, events: queues, tasks: queues, log: quiet, clock });
    const id = `sweep-${driver.name}`;

    await events(sqsEvent(sqsRecord(launch(id, { web: 'w:1' }, noDbSpec), { groupId: id })));
    expect((await store.load(id))?.state).toBe('LAUNCHING');
    const open = await store.pendingTasks({ stackIds: [id] });
    expect(open.length).toBeGreaterThan(0);
    expect(counts).toEqual({ failed: 1, sent: 0 });
    expect(await drain(urls.tasksQueueUrl)).toEqual([]);

    // Too young for the sweep: a send may still be under way.
    expect(await freezer()).toEqual({ freezes: 0, swept: 0 });
    now += 61_000;
    expect(await freezer()).toEqual({ freezes: 0, swept: open.length });
    expect(await freezer()).toEqual({ freezes: 0, swept: 0 });
    expect(await store.pendingTasks({ stackIds: [id] })).toEqual([]);

    const onQueue = (await drain(urls.tasksQueueUrl)).map((m) => parseTask(JSON.parse(m.Body!)));
    expect(onQueue.map(key).sort()).toEqual(open.map((entry) => key(entry.task)).sort());

    // The pipeline runs on what the queue holds: tasks → SATISFY_REQ → events → next tasks …
    const tasks = createTasksHandler({
      executors: createRecordingExecutors().registry,
      events: queues,
      tasks: queues,
      store,
      log: quiet,
      clock,
    });
    let pendingTasks = onQueue;
    for (let round = 0; round < 20 && (await store.load(id))?.state !== 'RUNNING'; round++) {
      await tasks(sqsEvent(...pendingTasks.map((task) => sqsRecord(task))));
      const satisfied = await drain(urls.eventsQueueUrl);
      await events(sqsEvent(...satisfied.map((m) => sqsRecord(m.Body!, { groupId: id }))));
      pendingTasks = (await drain(urls.tasksQueueUrl)).map((m) => parseTask(JSON.parse(m.Body!)));
    }
    expect((await store.load(id))?.state).toBe('RUNNING');
    expect((await store.history(id)).map((h) => h.to)).toEqual(['LAUNCHING', 'RUNNING']);
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { PermanentTaskError } from '../../core/errors.ts';
import type { ThawEvent } from '../../core/events.ts';
import type { ExecutorRegistry } from '../../core/executors.ts';
import { type EventSender, silentLog, type TaskSender } from '../../core/ports.ts';
import type { Task } from '../../core/tasks.ts';
import { transition } from '../../core/transition.ts';
import { launch, noDbSpec } from '../../test/helpers/events.ts';
import { sqsEvent, sqsRecord } from '../../test/helpers/sqs-records.ts';
import { createTasksHandler } from './handler.ts';

async function setup(executors: ExecutorRegistry) {
  const store = createMemoryStore();
  const result = transition(undefined, launch('pr-1', { web: 'w' }, noDbSpec), new Date());
  if (result.kind === 'ignored') throw new Error('unexpected');
  await store.save(result.stack, undefined, result);
  const task = result.tasks[0]!;
  const events: ThawEvent[] = [];
  const requeued: { task: Task; delaySeconds?: number }[] = [];
  const eventSender: EventSender = { sendEvents: async (e) => void events.push(...e) };
  const taskSender: TaskSender = {
    sendTasks: async (t, o) =>
      void requeued.push(...t.map((task) => ({ task, delaySeconds: o?.delaySeconds }))),
  };
  const handler = createTasksHandler({
    executors,
    events: eventSender,
    tasks: taskSender,
    store,
    log: silentLog,
    maxReceives: 3,
  });
  return { handler, task, events, requeued, store };
}

describe('tasks handler', () => {
  it('sends SATISFY_REQ when the executor is done', async () => {
    const { handler, task, events } = await setup({ 'services.deploy': async () => ({ kind: 'done' }) });
    const response = await handler(sqsEvent(sqsRecord(task)));
    expect(response.batchItemFailures).toEqual([]);
    expect(events).toMatchObject([
      { type: 'SATISFY_REQ', stackId: 'pr-1', transitionId: task.transitionId, taskId: 'services.deploy' },
    ]);
  });

  it('re-queues with a delay and a higher attempt when the executor says wait', async () => {
    const { handler, task, events, requeued } = await setup({
      'services.deploy': async () => ({ kind: 'wait', delaySeconds: 5 }),
    });
    await handler(sqsEvent(sqsRecord(task)));
    expect(events).toEqual([]);
    expect(requeued).toMatchObject([{ delaySeconds: 5, task: { taskId: 'services.deploy', attempt: 1 } }]);
  });

  it('sends TASK_FAILED for a permanent error at once', async () => {
    const { handler, task, events } = await setup({
      'services.deploy': async () => {
        throw new PermanentTaskError('CannotPullContainerError: image not found');
      },
    });
    const response = await handler(sqsEvent(sqsRecord(task)));
    expect(response.batchItemFailures).toEqual([]);
    expect(events).toMatchObject([
      { type: 'TASK_FAILED', reason: 'CannotPullContainerError: image not found' },
    ]);
  });

  it('lets a transient error retry through SQS, then reports TASK_FAILED when receives run out', async () => {
    const flaky = { 'services.deploy': async () => Promise.reject(new Error('ThrottlingException')) };
    const { handler, task, events } = await setup(flaky);
    const first = await handler(sqsEvent(sqsRecord(task, { receiveCount: 1 })));
    expect(first.batchItemFailures).toHaveLength(1);
    expect(events).toEqual([]);
    const last = await handler(sqsEvent(sqsRecord(task, { receiveCount: 3 })));
    expect(last.batchItemFailures).toEqual([]);
    expect(events).toMatchObject([
      { type: 'TASK_FAILED', reason: expect.stringContaining('ThrottlingException (after 3 attempts)') },
    ]);
  });

  it('fails a task whose kind has no executor, naming the kind', async () => {
    const { handler, task, events } = await setup({});
    await handler(sqsEvent(sqsRecord(task)));
    expect(events).toMatchObject([
      { type: 'TASK_FAILED', reason: 'no executor is configured for services.deploy' },
    ]);
  });

  it('skips a task of a transition that is no longer current', async () => {
    let ran = false;
    const { handler, task, events } = await setup({
      'services.deploy': async () => {
        ran = true;
        return { kind: 'done' };
      },
    });
    await handler(sqsEvent(sqsRecord({ ...task, transitionId: task.transitionId - 1 })));
    expect(ran).toBe(false);
    expect(events).toEqual([]);
  });

  it('a database outage: retried by SQS, and on the last delivery still reported as TASK_FAILED', async () => {
    const { task, events, store } = await setup({ 'services.deploy': async () => ({ kind: 'done' }) });
    const down = { ...store, load: () => Promise.reject(new Error('ECONNREFUSED: database unreachable')) };
    const handler = createTasksHandler({
      executors: { 'services.deploy': async () => ({ kind: 'done' }) },
      events: { sendEvents: async (e) => void events.push(...e) },
      tasks: { sendTasks: async () => {} },
      store: down,
      log: silentLog,
      maxReceives: 3,
    });
    const early = await handler(sqsEvent(sqsRecord(task, { receiveCount: 2 })));
    expect(early.batchItemFailures).toHaveLength(1);
    expect(events).toEqual([]);
    const last = await handler(sqsEvent(sqsRecord(task, { receiveCount: 3 })));
    expect(last.batchItemFailures).toEqual([]);
    expect(events).toMatchObject([
      {
        type: 'TASK_FAILED',
        taskId: task.taskId,
        transitionId: task.transitionId,
        reason: expect.stringContaining('database unreachable (after 3 attempts)'),
      },
    ]);
  });

  it('a re-queue that fails on the last delivery is reported as TASK_FAILED, not lost', async () => {
    const { task, events, store } = await setup({});
    const handler = createTasksHandler({
      executors: { 'services.deploy': async () => ({ kind: 'wait', delaySeconds: 5 }) },
      events: { sendEvents: async (e) => void events.push(...e) },
      tasks: { sendTasks: () => Promise.reject(new Error('socket hang up')) },
      store,
      log: silentLog,
      maxReceives: 3,
    });
    expect((await handler(sqsEvent(sqsRecord(task, { receiveCount: 1 })))).batchItemFailures).toHaveLength(1);
    expect((await handler(sqsEvent(sqsRecord(task, { receiveCount: 3 })))).batchItemFailures).toEqual([]);
    expect(events).toMatchObject([
      { type: 'TASK_FAILED', reason: expect.stringContaining('socket hang up') },
    ]);
  });

  it('reports a malformed task as a failure for the DLQ', async () => {
    const { handler } = await setup({});
    const response = await handler(sqsEvent(sqsRecord({ v: 1, kind: 'services.explode' })));
    expect(response.batchItemFailures).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { silentLog, type TaskSender } from '../../core/ports.ts';
import type { Task } from '../../core/tasks.ts';
import { launch, noDbSpec, resume } from '../../test/helpers/events.ts';
import { sqsEvent, sqsRecord } from '../../test/helpers/sqs-records.ts';
import { createEventsHandler } from './handler.ts';

function recordingSender() {
  const sent: Task[] = [];
  let failNext = 0;
  const sender: TaskSender = {
    async sendTasks(tasks) {
      if (failNext-- > 0) throw new Error('SQS unavailable');
      sent.push(...tasks);
    },
  };
  const failOnce = () => {
    failNext = 1;
  };
  return { sender, sent, failOnce };
}

describe('events handler', () => {
  it('fails a bad record and the later records of its stack only; other stacks go on', async () => {
    const store = createMemoryStore();
    const { sender, sent } = recordingSender();
    const handler = createEventsHandler({ store, tasks: sender, log: silentLog });
    const a1 = sqsRecord('{broken', { groupId: 'pr-a' });
    const a2 = sqsRecord(launch('pr-a', { web: 'w' }, noDbSpec), { groupId: 'pr-a' });
    const b1 = sqsRecord(launch('pr-b', { web: 'w' }, noDbSpec), { groupId: 'pr-b' });
    const response = await handler(sqsEvent(a1, a2, b1));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([a1.messageId, a2.messageId]);
    expect(await store.load('pr-a')).toBeUndefined();
    expect((await store.load('pr-b'))?.state).toBe('LAUNCHING');
    expect(sent.map((t) => `${t.stackId}:${t.kind}`)).toEqual(['pr-b:services.deploy']);
  });

  it('reports every record when all fail, instead of throwing', async () => {
    const handler = createEventsHandler({
      store: createMemoryStore(),
      tasks: recordingSender().sender,
      log: silentLog,
    });
    const response = await handler(sqsEvent(sqsRecord('x', { groupId: 'g' })));
    expect(response.batchItemFailures).toHaveLength(1);
  });

  it('keeps tasks in the outbox when sending fails, and sends them with the next event of the stack', async () => {
    const store = createMemoryStore();
    const { sender, sent, failOnce } = recordingSender();
    const handler = createEventsHandler({ store, tasks: sender, log: silentLog });
    const event = launch('pr-c', { web: 'w' }, noDbSpec);
    failOnce();
    const first = await handler(sqsEvent(sqsRecord(event, { groupId: 'pr-c' })));
    expect(first.batchItemFailures).toEqual([]); // the state is saved; the task waits in the outbox
    expect(sent).toEqual([]);
    expect(await store.pendingTasks({ stackIds: ['pr-c'] })).toHaveLength(1);
    // SQS redelivers nothing here; a duplicate of the event (or any later event) flushes the outbox.
    await handler(sqsEvent(sqsRecord(event, { groupId: 'pr-c' })));
    expect(sent.map((t) => t.kind)).toEqual(['services.deploy']);
    expect(await store.pendingTasks({ stackIds: ['pr-c'] })).toEqual([]);
  });

  it('a stack refused for a host collision stays refused on a retry (RESUME) while the other stack lives, and deploys nothing', async () => {
    const store = createMemoryStore();
    const { sender, sent } = recordingSender();
    const handler = createEventsHandler({ store, tasks: sender, log: silentLog });
    const web = { image: 'ghcr.io/acme/web', run: 'node web.js', port: 3000 };
    const send = (event: Parameters<typeof sqsRecord>[0], groupId: string) =>
      handler(sqsEvent(sqsRecord(event, { groupId })));
    await send(launch('pr-1', { web: 'w' }, { services: { web: { ...web, host: '{stack}-api' } } }), 'pr-1');
    const before = sent.length;
    await send(
      launch('pr-1-api', { web: 'w' }, { services: { web: { ...web, host: '{stack}' } } }),
      'pr-1-api',
    );
    await send(resume('pr-1-api'), 'pr-1-api');
    const refused = (await store.load('pr-1-api'))!;
    expect(refused.state).toBe('FAILED');
    expect(refused.failureReason).toContain('is already served by live stack pr-1');
    const history = await store.history('pr-1-api');
    // The LAUNCH and the RESUME each fail like a failed task; neither deploys anything.
    expect(history.filter((h) => h.to === 'FAILED' && h.detail?.includes('live stack pr-1'))).toHaveLength(2);
    expect(history.map((h) => h.event)).toContain('RESUME');
    const kinds = sent
      .slice(before)
      .filter((t) => t.stackId === 'pr-1-api')
      .map((t) => t.kind);
    expect(kinds).not.toContain('services.deploy');
    expect(kinds).not.toContain('database.create');
    expect(kinds).toContain('services.scale');
  });
});

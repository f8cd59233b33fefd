import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import type { ThawEvent } from '../core/events.ts';
import type { ExecutorRegistry } from '../core/executors.ts';
import { isStackId } from '../core/ids.ts';
import { type EventSender, silentLog, type TaskSender } from '../core/ports.ts';
import { TASK_KINDS, type Task } from '../core/tasks.ts';
import { transition } from '../core/transition.ts';
import { cloudWatchLogsEvent } from '../test/helpers/cloudwatch.ts';
import { launch, noDbSpec } from '../test/helpers/events.ts';
import { sqsEvent, sqsRecord } from '../test/helpers/sqs-records.ts';
import { createAccessLogsHandler } from './access-logs/handler.ts';
import { createEventsHandler } from './events/handler.ts';
import { createTasksHandler } from './tasks/handler.ts';

/** Runs per property: THAW_PROPERTY_RUNS, else 200. */
const RUNS = Number(process.env.THAW_PROPERTY_RUNS ?? 200);

const anyValue = fc.anything({ maxDepth: 3, withNullPrototype: true });

/** `base` with one top-level field replaced by anything, or removed. */
const nearly = (base: Record<string, unknown>) =>
  fc
    .tuple(fc.constantFrom(...Object.keys(base), 'extra'), fc.option(anyValue, { nil: undefined }))
    .map(([key, value]) => {
      const copy: Record<string, unknown> = { ...base };
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      return JSON.stringify(copy) ?? 'null';
    });

/** A record body nobody should trust: random text, random JSON, or a valid message with one field broken. */
const junkBody = (base: Record<string, unknown>) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    nearly(base),
    fc.constantFrom('', '{', 'null', '[]', '{"type":"LAUNCH"}', '{"kind":"services.deploy"}', '\u0000'),
  );

/** Valid records (ids) and junk (ids) shuffled into one batch. */
const batch = <T>(valid: T[], junk: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.array(junk, { maxLength: 6 }),
      fc.array(fc.nat(), { minLength: valid.length + 6, maxLength: valid.length + 6 }),
    )
    .map(([junkBodies, order]) => ({ junkBodies, order }));

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

function shuffle<T>(items: T[], order: number[]): T[] {
  return items
    .map((item, i) => ({ item, key: order[i] ?? i }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

describe('the Lambda handlers under arbitrary bodies', () => {
  it('events: never throws; each bad record fails alone (its own FIFO group), every good one is applied', async () => {
    const ids = ['pr-a', 'pr-b', 'pr-c'];
    const junkBase = launch('junk', { web: 'w' }, noDbSpec) as unknown as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(batch(ids, junkBody(junkBase)), async ({ junkBodies, order }) => {
        const store = createMemoryStore();
        const sent: Task[] = [];
        const tasks: TaskSender = { sendTasks: async (t) => void sent.push(...t) };
        const handler = createEventsHandler({ store, tasks, log: silentLog });
        const good = ids.map((id) => sqsRecord(launch(id, { web: 'w' }, noDbSpec), { groupId: id }));
        const bad = junkBodies.map((body, i) => sqsRecord(body, { groupId: `junk-${i}` }));
        const response = await handler(sqsEvent(...shuffle([...good, ...bad], order)));
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const record of good) expect(failed.has(record.messageId)).toBe(false);
        for (const record of bad) if (!parses(record.body)) expect(failed.has(record.messageId)).toBe(true);
        for (const id of ids) expect((await store.load(id))?.state).toBe('LAUNCHING');
        expect(
          sent
            .filter((t) => ids.includes(t.stackId))
            .map((t) => t.stackId)
            .sort(),
        ).toEqual(ids);
      }),
      { numRuns: RUNS },
    );
  });

  it('tasks: never throws; each bad record fails alone, every good task is run and reported', async () => {
    const ids = ['pr-a', 'pr-b', 'pr-c'];
    const store = createMemoryStore();
    const good: Task[] = [];
    for (const id of ids) {
      const result = transition(undefined, launch(id, { web: 'w' }, noDbSpec), new Date());
      if (result.kind === 'ignored') throw new Error('unexpected');
      await store.save(result.stack, undefined, result);
      good.push(result.tasks[0]!);
    }
    const executors: ExecutorRegistry = Object.fromEntries(
      TASK_KINDS.map((kind) => [kind, async () => ({ kind: 'done' as const })]),
    );
    const junk = fc.tuple(
      junkBody(good[0] as unknown as Record<string, unknown>),
      fc.oneof(fc.nat(), fc.constant(NaN)),
    );
    await fc.assert(
      fc.asyncProperty(
        batch(
          good,
          junk.map((pair) => JSON.stringify(pair)),
        ),
        async ({ junkBodies, order }) => {
          const events: ThawEvent[] = [];
          const eventSender: EventSender = { sendEvents: async (e) => void events.push(...e) };
          const handler = createTasksHandler({
            executors,
            events: eventSender,
            tasks: { sendTasks: async () => {} },
            store,
            log: silentLog,
            maxReceives: 3,
          });
          const goodRecords = good.map((task) => sqsRecord(task));
          const badRecords = junkBodies.map((text) => {
            const [body, receiveCount] = JSON.parse(text) as [string, number | null];
            return sqsRecord(body, { receiveCount: receiveCount ?? Number.NaN });
          });
          const response = await handler(sqsEvent(...shuffle([...goodRecords, ...badRecords], order)));
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          for (const record of goodRecords) expect(failed.has(record.messageId)).toBe(false);
          for (const record of badRecords)
            if (!parses(record.body)) expect(failed.has(record.messageId)).toBe(true);
          for (const task of good)
            expect(events).toContainEqual(
              expect.objectContaining({ type: 'SATISFY_REQ', stackId: task.stackId, taskId: task.taskId }),
            );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('access logs: never throws; junk lines are skipped alone, every stack with activity gets one ACCESS at its latest time', async () => {
    const line = (host: string, at: string) => ({
      DownstreamStatus: 200,
      RequestHost: host,
      RequestMethod: 'GET',
      RequestPath: '/',
      RouterName: 'thaw-x-web@ecs',
      StartUTC: at,
      Duration: 1000,
    });
    const good = [
      ['pr-a', '2026-11-29T10:00:01.000Z'],
      ['pr-a', '2026-11-29T10:00:07.000Z'],
      ['pr-b', '2026-11-29T10:00:03.000Z'],
    ] as const;
    // Junk lines are for another stack (`junk`), so they reach the stack lookup and the aggregation.
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? ''),
      nearly(line('junk.qa.example.com', '2026-11-29T10:00:05Z')),
    );
    await fc.assert(
      fc.asyncProperty(batch([...good], junk), async ({ junkBodies, order }) => {
        const sent: ThawEvent[] = [];
        const handler = createAccessLogsHandler({
          events: { sendEvents: async (e) => void sent.push(...e) },
          log: silentLog,
          // Like the real stack index, which only answers ids of stored stacks: a host label that is
          // not a stack id (`-.`) is an unknown host, not an ACCESS for stack `-`.
          stackIdFor: async ({ host }) => {
            const label = typeof host === 'string' ? /^([a-z0-9-]+)\./.exec(host)?.[1] : undefined;
            return isStackId(label) ? label : undefined;
          },
          launcherRouter: 'thaw-launcher',
        });
        const messages = shuffle(
          [...good.map(([id, at]) => JSON.stringify(line(`${id}.qa.example.com`, at))), ...junkBodies],
          order,
        );
        const result = await handler(cloudWatchLogsEvent(messages));
        expect(result.lines).toBe(messages.length);
        const accessOf = (id: string) => sent.filter((e) => e.type === 'ACCESS' && e.stackId === id);
        expect(accessOf('pr-a')).toMatchObject([{ at: '2026-11-29T10:00:07.000Z' }]);
        expect(accessOf('pr-b')).toMatchObject([{ at: '2026-11-29T10:00:03.000Z' }]);
      }),
      { numRuns: RUNS },
    );
  });
});

import { createEventQueue, createSqsClient, createTaskQueue } from '../adapters/sqs.ts';
import { openPgliteStore } from '../adapters/store/pglite.ts';
import { applyEvent } from '../core/apply.ts';
import { type Store, silentLog } from '../core/ports.ts';
import { createEventsHandler } from '../lambdas/events/handler.ts';
import { createEventSource } from '../local/event-source.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { ensureQueues } from '../local/provision.ts';
import { launch, noDbSpec } from '../test/helpers/events.ts';
import { uniquePrefix } from '../test/helpers/queues.ts';
import { fmt, summarize } from './stats.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);

/** Wraps a store to note when each stack's first state was written. */
function timedStore(store: Store, written: Map<string, number>): Store {
  return {
    ...store,
    async save(next, prev, effects) {
      const saved = await store.save(next, prev, effects);
      if (!written.has(next.id)) written.set(next.id, performance.now());
      return saved;
    },
  };
}

async function throughQueues(
  name: string,
  endpoint: string,
  polling: { waitTimeSeconds: number; idlePollMs: number },
) {
  const sqs = createSqsClient({ endpoint, localCredentials: true });
  const urls = await ensureQueues({ sqs, prefix: uniquePrefix('bench'), visibilityTimeoutSeconds: 30 });
  const queues = {
    ...createEventQueue({ sqs, queueUrl: urls.eventsQueueUrl }),
    ...createTaskQueue({ sqs, queueUrl: urls.tasksQueueUrl }),
  };
  const { store } = await openPgliteStore();
  const written = new Map<string, number>();
  const handler = createEventsHandler({ store: timedStore(store, written), tasks: queues, log: silentLog });
  const source = createEventSource({
    name: 'events',
    sqs,
    queueUrl: urls.eventsQueueUrl,
    handler,
    log: silentLog,
    batchSize: 10,
    concurrency: 4,
    ...polling,
  });
  source.start();
  const events = Array.from({ length: EVENTS }, (_, i) => launch(`b-${i}`, { web: 'w:1' }, noDbSpec));
  const sentAt = new Map<string, number>();
  const start = performance.now();
  // Send as a producer would: batches of 10, 8 in flight.
  const chunks = Array.from({ length: Math.ceil(events.length / 10) }, (_, i) =>
    events.slice(i * 10, i * 10 + 10),
  );
  for (let i = 0; i < chunks.length; i += 8) {
    await Promise.all(
      chunks.slice(i, i + 8).map(async (chunk) => {
        const t = performance.now();
        for (const e of chunk) sentAt.set(e.stackId, t);
        await queues.sendEvents(chunk);
      }),
    );
  }
  while (written.size < EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = (Math.max(...written.values()) - start) / 1000;
  // Unloaded: one event at a time, the latency a single LAUNCH or RESUME sees.
  const single: number[] = [];
  for (let i = 0; i < 50; i++) {
    const event = launch(`u-${i}`, { web: 'w:1' }, noDbSpec);
    const t = performance.now();
    await queues.sendEvents([event]);
    while (!written.has(event.stackId)) await new Promise((resolve) => setTimeout(resolve, 1));
    single.push(written.get(event.stackId)! - t);
  }
  await source.stop();
  await store.close();
  sqs.destroy();
  const latencies = events.map((e) => written.get(e.stackId)! - sentAt.get(e.stackId)!);
  return {
    backend: name,
    eventsPerSecond: Math.round(EVENTS / elapsed),
    latencyMs: summarize(latencies),
    unloadedLatencyMs: summarize(single),
  };
}

async function storeOnly() {
  const { store } = await openPgliteStore();
  const events = Array.from({ length: EVENTS }, (_, i) => launch(`s-${i}`, { web: 'w:1' }, noDbSpec));
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < events.length; i += 4) await applyEvent(events[i]!, { store });
    }),
  );
  const rate = EVENTS / ((performance.now() - start) / 1000);
  await store.close();
  return Math.round(rate);
}

export async function run(): Promise<void> {
  const baseline = await storeOnly();
  console.log(
    `baseline: the same ${EVENTS} LAUNCH events applied to PGlite directly, no queues: ${baseline} events/s`,
  );
  const results = [];
  const local = await startInProcessSqs();
  results.push(await throughQueues('in-process', local.endpoint, { waitTimeSeconds: 0, idlePollMs: 10 }));
  await local.close();
  const elasticmq = process.env.THAW_TEST_ELASTICMQ_URL;
  if (elasticmq)
    results.push(await throughQueues('elasticmq', elasticmq, { waitTimeSeconds: 1, idlePollMs: 0 }));
  else console.log('(set THAW_TEST_ELASTICMQ_URL to an ElasticMQ server to measure it too)');
  for (const r of results) {
    console.log(
      `${r.backend}: ${r.eventsPerSecond} events/s; send → state written under that load p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms; one event at a time p50 ${fmt(r.unloadedLatencyMs.p50)} ms, p99 ${fmt(r.unloadedLatencyMs.p99)} ms`,
    );
  }
  console.log(
    JSON.stringify({ bench: 'pipeline', events: EVENTS, baselineEventsPerSecond: baseline, results }),
  );
}

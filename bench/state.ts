import { sql } from 'drizzle-orm';
import { type OpenedStore, openStore } from '../adapters/store/open-store.ts';
import { applyEvent } from '../core/apply.ts';
import type { Stack } from '../core/stack.ts';
import { transition } from '../core/transition.ts';
import { access, launch, satisfy } from '../test/helpers/events.ts';
import { createTestDatabase } from '../test/helpers/stores.ts';
import { fmt, summarize, time } from './stats.ts';

const STACKS = 200;
const ACCESSES = Number(process.env.BENCH_ACCESSES ?? 4000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 300);
const IDLE_STACKS = Number(process.env.BENCH_IDLE_STACKS ?? 100_000);

/** Baseline: the pure transition() alone, no store. What the store adds is everything above this. */
function pureBaseline(): number {
  let stack: Stack | undefined;
  const result = transition(undefined, launch('b-1'), new Date());
  if (result.kind !== 'ignored') stack = result.stack;
  const events = Array.from({ length: 50_000 }, () => access('b-1'));
  const start = performance.now();
  for (const event of events) {
    const next = transition(stack, event, new Date());
    if (next.kind !== 'ignored') stack = next.stack;
  }
  return events.length / ((performance.now() - start) / 1000);
}

async function accessStorm({ store }: OpenedStore): Promise<number> {
  const ids = Array.from({ length: STACKS }, (_, i) => `s-${i}`);
  for (const id of ids) await applyEvent(launch(id), { store });
  const events = Array.from({ length: ACCESSES }, (_, i) => access(ids[i % STACKS]!));
  // Several concurrent appliers, like Lambda handling several message groups at once.
  const workers = 8;
  const [, ms] = await time(() =>
    Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = w; i < events.length; i += workers) await applyEvent(events[i]!, { store });
      }),
    ),
  );
  return events.length / (ms / 1000);
}

async function launchCycles({
  store,
}: OpenedStore): Promise<{ eventsPerSecond: number; cyclesPerSecond: number }> {
  let events = 0;
  const cycle = async (id: string) => {
    await applyEvent(launch(id), { store });
    events++;
    for (;;) {
      const stack = (await store.load(id))!;
      const open = stack.requirements.find((r) => !r.satisfied);
      if (!open) break;
      await applyEvent(satisfy({ stackId: id, transitionId: stack.transitionId, taskId: open.taskId }), {
        store,
      });
      events++;
    }
  };
  const workers = 8;
  const [, ms] = await time(() =>
    Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = w; i < CYCLES; i += workers) await cycle(`c-${i}`);
      }),
    ),
  );
  return { eventsPerSecond: events / (ms / 1000), cyclesPerSecond: CYCLES / (ms / 1000) };
}

/** Fills the stacks table with IDLE_STACKS rows in mixed states, then times the freezer's query. */
async function idleQuery({
  store,
  db,
}: OpenedStore): Promise<{ p50: number; p99: number; found: number; plan: string }> {
  const spec = JSON.stringify({
    version: 1,
    idleTimeout: '30m',
    keepAwake: false,
    services: {
      web: {
        image: 'w',
        port: 1,
        host: '{stack}',
        health: '/',
        cpu: 256,
        memory: 512,
        replicas: 1,
        env: {},
        database: false,
      },
    },
  });
  await db.execute(
    sql.raw(`
    INSERT INTO stacks (id, state, spec, images, pr, transition_id, pending_deploy, last_accessed_at, last_command_at, failure_reason, idle_at, version, created_at, updated_at)
    SELECT 'idle-' || g,
           (ARRAY['RUNNING','FROZEN','FROZEN','FROZEN','DESTROYED','RUNNING','FROZEN','FROZEN'])[1 + g % 8],
           '${spec}'::jsonb, '{}'::jsonb, NULL, 1, false,
           now() - (g % 7200) * interval '1 second', now(), NULL,
           now() - (g % 7200) * interval '1 second' + interval '30 minutes', 1, now(), now()
    FROM generate_series(1, ${IDLE_STACKS}) AS g
    ON CONFLICT DO NOTHING`),
  );
  await db.execute(sql`ANALYZE stacks`);
  const samples: number[] = [];
  let found = 0;
  for (let i = 0; i < 30; i++) {
    const [rows, ms] = await time(() => store.findIdle(new Date(), 1000));
    found = rows.length;
    samples.push(ms);
  }
  const explain = await db.execute(
    sql`EXPLAIN SELECT id, last_accessed_at FROM stacks WHERE state = 'RUNNING' AND idle_at <= now() ORDER BY idle_at LIMIT 1000`,
  );
  const rows = (Array.isArray(explain) ? explain : (explain as { rows: unknown[] }).rows) as Record<
    string,
    string
  >[];
  const plan = rows.map((r) => Object.values(r)[0]).join(' / ');
  const s = summarize(samples);
  return { p50: s.p50, p99: s.p99, found, plan };
}

export async function run(): Promise<void> {
  const baseline = pureBaseline();
  console.log(`baseline: pure transition() without a store: ${fmt(baseline, 0)} events/s`);
  const targets: { name: string; open: () => Promise<{ opened: OpenedStore; done: () => Promise<void> }> }[] =
    [
      {
        name: 'pglite',
        open: async () => {
          const opened = await openStore();
          return { opened, done: () => opened.store.close() };
        },
      },
    ];
  const url = process.env.DATABASE_URL;
  if (url) {
    targets.push({
      name: 'postgres',
      open: async () => {
        const database = await createTestDatabase(url);
        const opened = await openStore({ databaseUrl: database.url, maxConnections: 10 });
        return {
          opened,
          done: async () => {
            await opened.store.close();
            await database.drop();
          },
        };
      },
    });
  } else {
    console.log('(set DATABASE_URL to a PostgreSQL server to measure it too)');
  }
  const results = [];
  for (const target of targets) {
    const { opened, done } = await target.open();
    const storm = await accessStorm(opened);
    const cycles = await launchCycles(opened);
    const idle = await idleQuery(opened);
    await done();
    const row = {
      store: target.name,
      accessEventsPerSecond: Math.round(storm),
      cycleEventsPerSecond: Math.round(cycles.eventsPerSecond),
      cyclesPerSecond: Number(cycles.cyclesPerSecond.toFixed(1)),
      idleQueryP50Ms: Number(idle.p50.toFixed(2)),
      idleQueryP99Ms: Number(idle.p99.toFixed(2)),
      idleFound: idle.found,
      idlePlan: idle.plan,
    };
    results.push(row);
    console.log(
      `\n${target.name}: ACCESS storm ${row.accessEventsPerSecond} events/s; LAUNCH→RUNNING ${row.cycleEventsPerSecond} events/s (${row.cyclesPerSecond} cycles/s); freezer query over ${IDLE_STACKS} stacks p50 ${row.idleQueryP50Ms} ms, p99 ${row.idleQueryP99Ms} ms (${row.idleFound} found)\n  plan: ${row.idlePlan}`,
    );
  }
  console.log(
    `\n${JSON.stringify({ bench: 'state', baselineEventsPerSecond: Math.round(baseline), results })}`,
  );
}

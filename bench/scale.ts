/**
 * `npm run bench -- scale [--stacks 100,250,500] [--provider ecs|http|both] [--minutes 120]` (other
 * flags in docs/scale.md).
 *
 * Measured: what each stack operation costs in ECS calls, by running the real ECS adapter
 * (adapters/ecs-orchestrator.ts) against the in-memory ECS (test/helpers/fake-ecs.ts) with a Fargate
 * stand-in; and in SQS messages, handler invocations and handler time, through the real control plane
 * (bench/scale-pipeline.ts). Simulated (one step per simulated second): N stacks of two services under a
 * synthetic QA morning (sessions, idle gaps, pushes), each operation charged what was measured, every ECS
 * call against ECS's token buckets (bench/scale-ecs.ts), plus Traefik's ECS provider refresh loop
 * modelled from its source. The N stacks do not run through the handlers together (docs/scale.md).
 */
import { loadavg } from 'node:os';
import { createEcsOrchestrator } from '../adapters/ecs-orchestrator.ts';
import { parseSpec } from '../core/spec.ts';
import { createFakeEcs } from '../test/helpers/fake-ecs.ts';
import { bucketOf, createBuckets } from './scale-ecs.ts';
import { measurePipeline } from './scale-pipeline.ts';
import { fmt, summarize } from './stats.ts';

type Calls = Record<string, number>;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

/** ECS calls per operation of a web + api stack, through the real adapter. */
export async function measureOperations() {
  const fake = createFakeEcs(['c']);
  const orchestrator = createEcsOrchestrator({
    ecs: fake.ecs,
    cluster: 'c',
    subnets: ['s'],
    securityGroups: ['g'],
    region: 'us-east-1',
    urls: { domain: 'qa.example.com', scheme: 'https' },
    probe: async () => ({ up: true, detail: 'answered 200' }), // READY_CHECK=http, the default
  });
  const spec = parseSpec({
    services: {
      web: { image: 'w', port: 3000, health: '/' },
      api: { image: 'a', port: 4000, health: '/', host: 'api-{stack}' },
    },
  });
  const target = { stackId: 'pr-1', spec, images: { web: '1', api: '1' }, transitionId: 1 };
  const names = ['thaw-pr-1-web', 'thaw-pr-1-api'];
  const since = (from: number): Calls => {
    const out: Calls = {};
    for (const c of fake.calls.slice(from)) {
      const action = c.command.replace(/Command$/, '');
      out[action] = (out[action] ?? 0) + 1;
    }
    return out;
  };
  const step = async (fn: () => Promise<unknown>) => {
    const from = fake.calls.length;
    await fn();
    return since(from);
  };
  let ip = 1;
  const fargateStarts = () => {
    for (const name of names) {
      fake.patchService('c', name, {
        runningCount: 1,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: 1, failedTasks: 0 }],
      });
      fake.addTask('c', name, {
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${ip++}` }] }],
      });
    }
  };
  const fargateStops = () => {
    for (const name of names) fake.patchService('c', name, { runningCount: 0 });
    for (const s of fake.services) s.desiredCount = s.desiredCount ?? 0;
    // The fake keeps tasks in a private list; a stopped task is simply no longer RUNNING-desired.
  };
  const launch = await step(() => orchestrator.ensure(target));
  const checkStarting = await step(() => orchestrator.status(target, 'spec'));
  fargateStarts();
  const checkReady = await step(() => orchestrator.status(target, 'spec'));
  const freeze = await step(() => orchestrator.scale(target, 'zero'));
  fargateStops();
  const checkStopped = await step(() => orchestrator.status(target, 'zero'));
  const wake = await step(() => orchestrator.scale(target, 'spec'));
  const push = await step(() =>
    orchestrator.ensure({ ...target, images: { web: '2', api: '2' }, transitionId: 2 }),
  );
  return { launch, checkStarting, checkReady, freeze, checkStopped, wake, push };
}

type Ops = Awaited<ReturnType<typeof measureOperations>>;

/** A seeded generator, so a run is reproducible. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Options {
  stacks: number;
  minutes: number;
  provider: 'ecs' | 'http';
  /** Traefik's providers.ecs.refreshSeconds (Traefik's default 15; the edge module's default 5). */
  refreshSeconds: number;
  /** Traefik replicas polling ECS (one edge task by default). */
  edgeTasks: number;
  /** Mean handler time per invocation, measured (bench/scale-pipeline.ts). */
  handlerMs: { events: number; tasks: number };
  /** Lambda memory (infra lambda_memory_mb, default 512) in GB. */
  memoryGb: number;
  /** DATABASE_POOL_SIZE (default 2) connections per function instance. */
  poolSize: number;
  /** The tasks function's SQS trigger maximum_concurrency (infra default 5). */
  tasksConcurrency: number;
  /** READY_POLL_SECONDS (default 10). */
  readyPollSeconds: number;
  idleMinutes: number;
  /** Traefik's HTTP provider pollInterval against the sidecar (provider=http). */
  httpPollSeconds: number;
}

/**
 * The QA day, one step per simulated second. Each stack: sessions arrive at random (mean gap 90 min,
 * 5–30 min long, a request every few seconds), one push every 4 h on average, freeze after
 * `idleMinutes` without requests (the freezer runs every 60 s), Fargate start 30–60 s. Every ECS call
 * takes a token from its bucket; a throttled call is retried the next second (the SDK's retry), so its
 * operation waits.
 */
export function simulate(ops: Ops, o: Options) {
  const rnd = random(o.stacks * 7919 + o.minutes);
  const buckets = createBuckets();
  const seconds = o.minutes * 60;
  type Stack = {
    state: 'frozen' | 'waking' | 'running' | 'freezing';
    sessionEnd: number;
    lastRequest: number;
    wantedAt: number;
    readyAt: number;
    nextCheck: number;
    routedAt: number;
    tasks: string[];
  };
  // Morning: a third of the stacks were left awake, the rest frozen.
  const stacks: Stack[] = Array.from({ length: o.stacks }, (_, i) => ({
    state: i % 3 === 0 ? 'running' : 'frozen',
    sessionEnd: 0,
    lastRequest: 0,
    wantedAt: Number.NaN,
    readyAt: 0,
    nextCheck: 0,
    routedAt: 0,
    tasks: i % 3 === 0 ? [`t-${i}-0a`, `t-${i}-0b`] : [],
  }));
  let taskSerial = 0;
  const perMinute: {
    thaw: Calls;
    traefik: number;
    throttledThaw: number;
    throttledTraefik: number;
    wakes: number;
    failedRefreshes: number;
    /** Messages on each queue (each one handler invocation: per-stack FIFO groups rarely batch). */
    events: number;
    tasks: number;
  }[] = [];
  const minute = () => perMinute[perMinute.length - 1]!;
  // Pending calls: each operation is a queue of actions, carried out in order as tokens allow.
  const pending: { actions: string[]; done: () => void }[] = [];
  const enqueue = (calls: Calls, done: () => void = () => {}) => {
    const actions = Object.entries(calls).flatMap(([a, n]) => Array(n).fill(a) as string[]);
    pending.push({ actions, done });
  };
  const taskDefinitionCache = new Map<string, number>(); // Traefik: task ARN → cached until
  const wakeLatency: number[] = [];
  const awake: number[] = [];
  let firstThrottle: { at: number; by: string; action: string } | undefined;

  for (let t = 0; t < seconds; t++) {
    if (t % 60 === 0)
      perMinute.push({
        thaw: {},
        traefik: 0,
        throttledThaw: 0,
        throttledTraefik: 0,
        wakes: 0,
        failedRefreshes: 0,
        events: 0,
        tasks: 0,
      });
    buckets.refill();
    // Users.
    for (const s of stacks) {
      if (t >= s.sessionEnd && rnd() < 1 / (90 * 60)) {
        s.sessionEnd = t + 300 + Math.floor(rnd() * 1500);
        if (s.state === 'frozen' || s.state === 'freezing') {
          s.state = 'waking';
          s.wantedAt = t;
          minute().wakes++;
          // RESUME → events → tasks: services.scale, then services.await-ready (checks at once, then
          // every READY_POLL_SECONDS through the queue's delay).
          // Messages as measured through the control plane (bench/scale-pipeline.ts): RESUME, the scale
          // task; then SATISFY_REQ and the await-ready task; one re-queue a re-check; SATISFY_REQ at the end.
          minute().events++;
          minute().tasks++;
          enqueue(ops.wake, () => {
            minute().events++;
            minute().tasks++;
            s.readyAt = t + 30 + Math.floor(rnd() * 30);
            s.nextCheck = t;
          });
        }
      }
      if (t < s.sessionEnd) {
        s.lastRequest = t;
        // The sidecar's access aggregator sends one ACCESS per stack with traffic per 10 s window.
        if (t % 10 === 0 && s.state === 'running') minute().events++;
      }
      if (rnd() < 1 / (4 * 3600)) {
        minute().events += 3; // the push's event, then SATISFY_REQ after the deploy and after await-ready
        minute().tasks += 2;
        enqueue(ops.push);
        if (s.state === 'running') s.tasks = [`t-${++taskSerial}a`, `t-${taskSerial}b`];
      }
    }
    // Readiness checks of waking stacks.
    for (const s of stacks) {
      if (s.state !== 'waking' || s.nextCheck === 0 || t < s.nextCheck) continue;
      const ready = t >= s.readyAt;
      s.nextCheck = 0;
      enqueue(ready ? ops.checkReady : ops.checkStarting, () => {
        if (ready) minute().events++;
        else minute().tasks++;
        if (ready) {
          s.state = 'running';
          s.tasks = [`t-${++taskSerial}a`, `t-${taskSerial}b`];
          s.routedAt = Number.NaN;
          if (o.provider === 'http') {
            // The sidecar serves RUNNING stacks' routes; Traefik's HTTP provider polls it.
            const routed = t + 1 + ((s.wantedAt * 7919) % o.httpPollSeconds); // the poll's phase, without drawing on rnd
            wakeLatency.push(routed - s.wantedAt);
            s.routedAt = routed;
          }
        } else s.nextCheck = t + o.readyPollSeconds;
      });
    }
    // Freezer, every 60 s.
    if (t % 60 === 30)
      for (const s of stacks)
        if (s.state === 'running' && t - s.lastRequest > o.idleMinutes * 60 && t >= s.sessionEnd) {
          s.state = 'freezing';
          minute().events += 3; // FREEZE, SATISFY_REQ after the scale and after await-ready
          minute().tasks += 2;
          enqueue(ops.freeze, () => {
            s.tasks = [];
            enqueue(ops.checkStopped, () => {
              if (s.state === 'freezing') s.state = 'frozen';
            });
          });
        }
    // Thaw's calls, as tokens allow: `tasksConcurrency` tasks Lambdas at once (the SQS trigger's
    // maximum_concurrency), each making its calls one after another at ~100 ms an ECS call.
    let started = 0;
    for (const op of [...pending]) {
      if (started++ >= o.tasksConcurrency) break;
      let made = 0;
      while (op.actions.length > 0 && made++ < 10) {
        const action = op.actions[0]!;
        if (!buckets.take(action)) {
          minute().throttledThaw++;
          firstThrottle ??= { at: t, by: 'Thaw', action };
          break;
        }
        op.actions.shift();
        minute().thaw[action] = (minute().thaw[action] ?? 0) + 1;
      }
      if (op.actions.length === 0) {
        pending.splice(pending.indexOf(op), 1);
        op.done();
      }
    }
    // Traefik's ECS provider (pkg/provider/ecs/ecs.go): every refreshSeconds, per cluster, ListTasks
    // pages of 100 RUNNING tasks, one DescribeTasks per page, DescribeContainerInstances only for EC2
    // container instances (none on Fargate), and DescribeTaskDefinition for each task not in its
    // 30-minute cache keyed by task ARN. A failed call fails the whole refresh (routes stay stale).
    if (o.provider === 'ecs' && t % o.refreshSeconds === 0)
      for (let e = 0; e < o.edgeTasks; e++) {
        const running = stacks.flatMap((s) =>
          s.state === 'running' || s.state === 'freezing' ? s.tasks : [],
        );
        const pages = Math.max(1, Math.ceil(running.length / 100));
        const uncached = running.filter((arn) => (taskDefinitionCache.get(`${e}:${arn}`) ?? -1) < t);
        const actions = [
          ...Array(pages).fill('ListTasks'),
          ...Array(running.length > 0 ? pages : 0).fill('DescribeTasks'),
        ] as string[];
        let failed = false;
        for (const action of actions) {
          if (!buckets.take(action)) {
            minute().throttledTraefik++;
            firstThrottle ??= { at: t, by: "Traefik's ECS provider", action };
            failed = true;
            break;
          }
          minute().traefik++;
        }
        // Each task definition it did describe stays cached, even when a later one fails.
        for (const arn of failed ? [] : uncached) {
          if (!buckets.take('DescribeTaskDefinition')) {
            minute().throttledTraefik++;
            firstThrottle ??= { at: t, by: "Traefik's ECS provider", action: 'DescribeTaskDefinition' };
            failed = true;
            break;
          }
          minute().traefik++;
          taskDefinitionCache.set(`${e}:${arn}`, t + 1800);
        }
        if (failed) {
          minute().failedRefreshes++;
          continue;
        }
        if (e === 0)
          for (const s of stacks)
            if (s.state === 'running' && Number.isNaN(s.routedAt)) {
              s.routedAt = t;
              wakeLatency.push(t - s.wantedAt);
            }
      }
    awake.push(stacks.filter((s) => s.state !== 'frozen').length);
  }
  const sum = (c: Calls) => Object.values(c).reduce((a, b) => a + b, 0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const gbSeconds = (m: { events: number; tasks: number }) =>
    ((m.events * o.handlerMs.events + m.tasks * o.handlerMs.tasks) / 1000) * o.memoryGb;
  const thawPerMinute = perMinute.map((m) => sum(m.thaw));
  return {
    stacks: o.stacks,
    provider: o.provider,
    minutes: o.minutes,
    thawCallsPerMinute: {
      mean: thawPerMinute.reduce((a, b) => a + b, 0) / perMinute.length,
      peak: Math.max(...thawPerMinute),
    },
    thawCallsByBucket: perMinute.reduce<Calls>((acc, m) => {
      for (const [a, n] of Object.entries(m.thaw)) acc[bucketOf(a)] = (acc[bucketOf(a)] ?? 0) + n;
      return acc;
    }, {}),
    traefikCallsPerMinute: {
      mean: perMinute.reduce((a, m) => a + m.traefik, 0) / perMinute.length,
      peak: Math.max(...perMinute.map((m) => m.traefik)),
    },
    throttled: {
      thaw: perMinute.reduce((a, m) => a + m.throttledThaw, 0),
      traefik: perMinute.reduce((a, m) => a + m.throttledTraefik, 0),
      failedTraefikRefreshes: perMinute.reduce((a, m) => a + m.failedRefreshes, 0),
    },
    firstThrottle,
    wakesPerMinute: {
      mean: perMinute.reduce((a, m) => a + m.wakes, 0) / perMinute.length,
      peak: Math.max(...perMinute.map((m) => m.wakes)),
    },
    wakeLatencySeconds: summarize(wakeLatency),
    peakAwakeStacks: Math.max(...awake),
    sqsMessagesPerMinute: {
      events: {
        mean: mean(perMinute.map((m) => m.events)),
        peak: Math.max(...perMinute.map((m) => m.events)),
      },
      tasks: { mean: mean(perMinute.map((m) => m.tasks)), peak: Math.max(...perMinute.map((m) => m.tasks)) },
    },
    gbSecondsPerMinute: {
      mean: mean(perMinute.map(gbSeconds)),
      peak: Math.max(...perMinute.map(gbSeconds)),
    },
    // Little's law per minute: busy seconds / 60 = mean concurrent instances, at least 1 each while
    // busy and at most the trigger's maximum_concurrency (events 10, tasks tasksConcurrency).
    peakDatabaseConnections: Math.max(
      ...perMinute.map(
        (m) =>
          o.poolSize *
          (Math.min(10, Math.ceil((m.events * o.handlerMs.events) / 60_000)) +
            Math.min(o.tasksConcurrency, Math.ceil((m.tasks * o.handlerMs.tasks) / 60_000))),
      ),
    ),
  };
}

export async function run(): Promise<void> {
  if (process.argv.includes('--run')) {
    const { runScale, printRun } = await import('./scale-run.ts');
    const load = loadavg()[0]!.toFixed(2);
    for (const stacks of arg('stacks', '100').split(',').map(Number)) {
      const r = await runScale({
        stacks,
        speed: Number(arg('speed', '10')),
        wakeShare: Number(arg('wake-share', '0.3')),
      });
      printRun(r);
      console.log(`load average at start ${load}, at end ${loadavg()[0]!.toFixed(2)}`);
      console.log(JSON.stringify({ bench: 'scale-run', loadAverage: load, ...r }));
    }
    return;
  }
  const sizes = arg('stacks', '100,250,500').split(',').map(Number);
  const providerArg = arg('provider', 'both');
  const providers = (providerArg === 'both' ? ['ecs', 'http'] : [providerArg]) as ('ecs' | 'http')[];
  const minutes = Number(arg('minutes', '120'));
  const load = loadavg()[0]!.toFixed(2);
  const ops = await measureOperations();
  const pipeline = await measurePipeline();
  const perInvocation = (q: 'events' | 'tasks') => {
    const all = [pipeline.launch, pipeline.freeze, pipeline.wake];
    return all.reduce((a, p) => a + p[q].busyMs, 0) / all.reduce((a, p) => a + p[q].invocations, 0);
  };
  const handlerMs = { events: perInvocation('events'), tasks: perInvocation('tasks') };
  console.log(
    `measured through the control plane (${pipeline.backend} SQS, ${pipeline.store}; messages / invocations / handler ms): ${(['launch', 'freeze', 'wake'] as const).map((op) => `${op}: events ${pipeline[op].events.messages}/${pipeline[op].events.invocations}/${fmt(pipeline[op].events.busyMs, 0)}, tasks ${pipeline[op].tasks.messages}/${pipeline[op].tasks.invocations}/${fmt(pipeline[op].tasks.busyMs, 0)}`).join('; ')}; mean per invocation: events ${fmt(handlerMs.events)} ms, tasks ${fmt(handlerMs.tasks)} ms`,
  );
  console.log('measured ECS calls per operation of a web + api stack (real ECS adapter, in-memory ECS):');
  for (const [op, calls] of Object.entries(ops)) console.log(`  ${op}: ${JSON.stringify(calls)}`);
  const results = [];
  for (const stacks of sizes)
    for (const provider of providers) {
      const r = simulate(ops, {
        stacks,
        minutes,
        provider,
        refreshSeconds: Number(arg('refresh-seconds', '5')),
        edgeTasks: Number(arg('edge-tasks', '1')),
        readyPollSeconds: Number(arg('ready-poll-seconds', '10')),
        tasksConcurrency: Number(arg('tasks-concurrency', '5')),
        handlerMs,
        memoryGb: Number(arg('memory-mb', '512')) / 1024,
        poolSize: Number(arg('pool-size', '2')),
        idleMinutes: Number(arg('idle-minutes', '15')),
        httpPollSeconds: Number(arg('http-poll-seconds', '5')),
      });
      results.push(r);
      console.log(
        `${stacks} stacks, routes from ${provider === 'ecs' ? "Traefik's ECS provider" : "Thaw's HTTP provider"}: ECS calls/min by Thaw ${fmt(r.thawCallsPerMinute.mean)} (peak ${r.thawCallsPerMinute.peak}), by Traefik ${fmt(r.traefikCallsPerMinute.mean)} (peak ${r.traefikCallsPerMinute.peak}); throttled Thaw ${r.throttled.thaw}, Traefik ${r.throttled.traefik} (failed refreshes ${r.throttled.failedTraefikRefreshes}); wakes/min ${fmt(r.wakesPerMinute.mean, 2)} (peak ${r.wakesPerMinute.peak}); wake → routed p50 ${fmt(r.wakeLatencySeconds.p50, 0)} s, p90 ${fmt(r.wakeLatencySeconds.p90, 0)} s, p99 ${fmt(r.wakeLatencySeconds.p99, 0)} s; peak awake stacks ${r.peakAwakeStacks}; SQS messages/min events ${fmt(r.sqsMessagesPerMinute.events.mean)} (peak ${r.sqsMessagesPerMinute.events.peak}), tasks ${fmt(r.sqsMessagesPerMinute.tasks.mean)} (peak ${r.sqsMessagesPerMinute.tasks.peak}) = Lambda invocations; GB-s/min ${fmt(r.gbSecondsPerMinute.mean, 2)} (peak ${fmt(r.gbSecondsPerMinute.peak, 2)}); peak DB connections ${r.peakDatabaseConnections}; first throttle: ${r.firstThrottle ? `${r.firstThrottle.by} ${r.firstThrottle.action} at minute ${Math.floor(r.firstThrottle.at / 60)}` : 'none'}`,
      );
    }
  console.log(
    JSON.stringify({ bench: 'scale', loadAverage: load, minutes, ops, pipeline, handlerMs, results }),
  );
}

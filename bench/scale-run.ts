/**
 * `npm run bench -- scale --run [--stacks 100] [--speed 10] [--wake-share 0.3]`: N stacks through the
 * real control plane at once, in compressed time. The real events and tasks handlers behind the local
 * event sources, the in-process SQS endpoint (ElasticMQ with THAW_TEST_ELASTICMQ_URL), PostgreSQL
 * (DATABASE_URL) or PGlite, and the real ECS adapter over the in-memory ECS wrapped in ECS's token
 * buckets. Time runs `speed` times faster than real: the buckets refill `speed` times faster, Fargate
 * starts in (30–60 s) / speed, READY_POLL_SECONDS is 10 / speed (rounded up to 1 s: the queue's delay
 * is whole seconds), Traefik's ECS provider refreshes every 5 s / speed. Handler times are real.
 * Scenario, in simulated time: the stacks are frozen; over 6 minutes a share of them is woken by a
 * RESUME each at a random moment; each woken stack then has a QA session of 3–10 minutes (one ACCESS
 * event per 10 s, the sidecar's flush window), and every third one gets a push halfway through (a
 * LAUNCH with new images: UPDATING, a deploy, back to RUNNING); when all are done, the freezer
 * freezes them in one run.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createEcsOrchestrator } from '../adapters/ecs-orchestrator.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { applyEvent } from '../core/apply.ts';
import { silentLog } from '../core/ports.ts';
import { parseSpec } from '../core/spec.ts';
import { stackExecutors } from '../core/stack-executors.ts';
import { startLocalControlPlane } from '../local/control-plane.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { access, freeze, launch, resume, satisfy } from '../test/helpers/events.ts';
import { createFakeEcs } from '../test/helpers/fake-ecs.ts';
import { uniquePrefix } from '../test/helpers/queues.ts';
import { storeDrivers } from '../test/helpers/stores.ts';
import { createBuckets } from './scale-ecs.ts';
import { fmt, summarize } from './stats.ts';

type Minute = {
  thaw: number;
  traefik: number;
  throttledThaw: number;
  throttledTraefik: number;
  events: number;
  tasks: number;
  invocations: number;
  handlerMs: number;
};

export async function runScale({ stacks = 100, speed = 10, wakeShare = 0.3 } = {}) {
  let start = performance.now();
  const simNow = () => ((performance.now() - start) * speed) / 1000; // simulated seconds
  const minutes: Minute[] = [];
  const minute = () => {
    const m = Math.floor(simNow() / 60);
    while (minutes.length <= m)
      minutes.push({
        thaw: 0,
        traefik: 0,
        throttledThaw: 0,
        throttledTraefik: 0,
        events: 0,
        tasks: 0,
        invocations: 0,
        handlerMs: 0,
      });
    return minutes[m]!;
  };

  // ECS: the in-memory ECS behind the account's token buckets; a throttled call waits and retries as the
  // SDK does (up to 6 attempts), each wait one refill tick.
  const fake = createFakeEcs(['c']);
  const buckets = createBuckets();
  const refill = setInterval(() => buckets.refill(), 1000 / speed);
  const take = async (action: string, by: 'thaw' | 'traefik') => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      if (buckets.take(action)) {
        minute()[by]++;
        return true;
      }
      if (by === 'thaw') minute().throttledThaw++;
      else minute().throttledTraefik++;
      if (by === 'traefik') return false; // one failed call fails Traefik's refresh
      await new Promise((resolve) => setTimeout(resolve, (1000 / speed) * attempt));
    }
    return false;
  };
  let seeding = true;
  let ip = 1;
  const running = new Set<string>(); // task ARNs, for Traefik's model
  const arnsOf = new Map<string, string[]>();
  const ecs = {
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      if (!seeding && !(await take(name, 'thaw')))
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $retryable: { throttling: true },
        });
      if (!seeding) await new Promise((resolve) => setTimeout(resolve, 100 / speed)); // ~100 ms an ECS call
      const result = await (fake.ecs.send as (c: unknown) => Promise<unknown>)(command);
      const service = String(command.input.serviceName ?? command.input.service ?? '');
      const desired = command.input.desiredCount as number | undefined;
      if (name === 'UpdateService' && command.input.taskDefinition && desired && !seeding)
        // A new task definition is a new deployment: ECS keeps the old one beside the new PRIMARY until
        // the new tasks run (a rolling update), so the service is not steady before `up` below.
        fake.patchService('c', service, {
          deployments: [
            { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount: desired, failedTasks: 0 },
            { status: 'ACTIVE', rolloutState: 'COMPLETED', desiredCount: desired, failedTasks: 0 },
          ],
        });
      if ((name === 'CreateService' || name === 'UpdateService') && desired !== undefined) {
        if (desired === 0) {
          fake.patchService('c', service, { runningCount: 0 });
          fake.stopTasks('c', service);
          for (const arn of arnsOf.get(service) ?? []) running.delete(arn);
        } else {
          const up = () => {
            fake.patchService('c', service, {
              runningCount: desired,
              deployments: [
                { status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: desired, failedTasks: 0 },
              ],
            });
            const n = ip++;
            fake.addTask('c', service, {
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              attachments: [
                {
                  details: [
                    {
                      name: 'privateIPv4Address',
                      value: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
                    },
                  ],
                },
              ],
            });
            const arn = `task-${n}`;
            running.add(arn);
            arnsOf.set(service, [arn]);
          };
          if (seeding) up();
          else setTimeout(up, ((30 + Math.random() * 30) * 1000) / speed);
        }
      }
      return result;
    }) as never,
  };
  const orchestrator = createEcsOrchestrator({
    ecs,
    cluster: 'c',
    subnets: ['s'],
    securityGroups: ['g'],
    region: 'us-east-1',
    urls: { domain: 'qa.example.com', scheme: 'https' },
    probe: async () => ({ up: true, detail: 'answered 200' }),
  });

  // Queues, counted as in bench/scale-pipeline.ts.
  const elasticmq = process.env.THAW_TEST_ELASTICMQ_URL;
  const local = elasticmq ? undefined : await startInProcessSqs();
  const sqs = createSqsClient({ endpoint: elasticmq ?? local!.endpoint, localCredentials: true });
  const received = new Map<string, number>();
  const counting = {
    send: (async (
      command: { constructor: { name: string }; input: Record<string, unknown> },
      options?: unknown,
    ) => {
      const name = command.constructor.name;
      const q = String(command.input.QueueUrl).includes('tasks') ? 'tasks' : 'events';
      if (name === 'SendMessageCommand') minute()[q]++;
      if (name === 'SendMessageBatchCommand') minute()[q] += (command.input.Entries as unknown[]).length;
      const result = await (sqs.send as (c: unknown, o?: unknown) => Promise<Record<string, unknown>>)(
        command,
        options,
      );
      if (name === 'ReceiveMessageCommand') {
        const messages = (result.Messages as { ReceiptHandle: string }[] | undefined) ?? [];
        if (messages.length > 0) {
          minute().invocations++;
          for (const m of messages) received.set(m.ReceiptHandle, performance.now());
        }
      }
      if (name === 'DeleteMessageBatchCommand') {
        const entries = command.input.Entries as { ReceiptHandle: string }[];
        const first = received.get(entries[0]!.ReceiptHandle);
        if (first !== undefined) minute().handlerMs += performance.now() - first;
        for (const e of entries) received.delete(e.ReceiptHandle);
      }
      return result;
    }) as SQSClient['send'],
  };

  const driver = storeDrivers({ includeMemory: false }).at(-1)!;
  const { store, cleanup } = await driver.open();
  const specInput = {
    services: {
      web: { image: 'ghcr.io/acme/web', port: 3000, host: '{stack}', health: '/' },
      api: { image: 'ghcr.io/acme/api', port: 4000, host: 'api-{stack}', health: '/' },
    },
  };
  const spec = parseSpec(specInput);
  const ids = Array.from({ length: stacks }, (_, i) => `s${i}`);
  // Seed: every stack launched and frozen, straight through the store and ECS (not timed, not counted).
  for (const id of ids) {
    await applyEvent(launch(id, { web: 'w:1', api: 'a:1' }, specInput), { store });
    await orchestrator.ensure({ stackId: id, spec, images: { web: 'w:1', api: 'a:1' }, transitionId: 1 });
    for (let i = 0; i < 8; i++) {
      const s = (await store.load(id))!;
      const open = s.requirements.find((r) => !r.satisfied);
      if (!open) {
        if (s.state === 'RUNNING') await applyEvent(freeze(id, null), { store });
        else break;
        continue;
      }
      await applyEvent(satisfy({ stackId: id, transitionId: s.transitionId, taskId: open.taskId }), {
        store,
      });
    }
    await orchestrator.scale({ stackId: id, spec, images: { web: 'w:1', api: 'a:1' } }, 'zero');
  }
  seeding = false;
  start = performance.now();
  const states = new Map((await store.list()).map((s) => [s.id, s.state]));
  if ([...states.values()].some((s) => s !== 'FROZEN')) throw new Error('seeding left a stack not FROZEN');

  const readyPollSeconds = Math.max(1, Math.round(10 / speed));
  const plane = await startLocalControlPlane({
    sqs: counting,
    store,
    executors: {
      ...stackExecutors({ orchestrator, readyPollSeconds, readyTimeoutSeconds: 900, inlineWaitMs: 0 }),
      notify: async () => ({ kind: 'done' }),
    },
    log: silentLog,
    prefix: uniquePrefix('scale-run'),
    ...(elasticmq ? { waitTimeSeconds: 1 } : { waitTimeSeconds: 0, idlePollMs: 10 }),
    freezerIntervalMs: 3_600_000,
    // Lambda: the SQS triggers' maximum_concurrency (infra: events 10, tasks 5).
    concurrency: 5,
  });

  // Traefik's ECS provider, refreshing every 5 s / speed (model: docs/scale.md).
  const cache = new Set<string>();
  let failedRefreshes = 0;
  const traefik = setInterval(async () => {
    const arns = [...running];
    const pages = Math.max(1, Math.ceil(arns.length / 100));
    const actions = [
      ...Array(pages).fill('ListTasks'),
      ...Array(arns.length ? pages : 0).fill('DescribeTasks'),
    ];
    for (const action of actions) if (!(await take(action, 'traefik'))) return void failedRefreshes++;
    for (const arn of arns) {
      if (cache.has(arn)) continue;
      if (!(await take('DescribeTaskDefinition', 'traefik'))) return void failedRefreshes++;
      cache.add(arn);
    }
  }, 5000 / speed);

  const woken = ids.filter((_, i) => i % Math.round(1 / wakeShare) === 0);
  const sentAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const pushLatencies: number[] = [];
  let pushes = 0;
  let accesses = 0;
  const sleep = (simSeconds: number) =>
    new Promise((resolve) => setTimeout(resolve, (simSeconds * 1000) / speed));
  try {
    const deadline = performance.now() + 300_000;
    const until = async (check: () => Promise<boolean>) => {
      while (performance.now() < deadline) {
        if (await check()) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return false;
    };
    await Promise.all(
      woken.map(async (id, i) => {
        await sleep(Math.random() * 360);
        sentAt.set(id, simNow());
        await plane.queues.sendEvents([resume(id)]);
        if (!(await until(async () => (await store.load(id))?.state === 'RUNNING'))) return;
        runningAt.set(id, simNow());
        // The QA session: requests throughout, so the sidecar sends one ACCESS per 10 s flush window.
        const end = simNow() + 180 + Math.random() * 420;
        const pushAt = i % 3 === 0 ? simNow() + (end - simNow()) / 2 : Number.POSITIVE_INFINITY;
        let pushed: Promise<void> | undefined;
        while (simNow() < end && performance.now() < deadline) {
          await plane.queues.sendEvents([access(id, new Date().toISOString())]);
          accesses++;
          if (pushed === undefined && simNow() >= pushAt) {
            const at = simNow();
            pushes++;
            await plane.queues.sendEvents([launch(id, { web: 'w:2', api: 'a:2' }, specInput)]);
            // Timed beside the session, which goes on while the stack updates.
            pushed = until(async () => {
              const s = await store.load(id);
              return s?.state === 'RUNNING' && s.images.web === 'w:2';
            }).then((done) => void (done && pushLatencies.push(simNow() - at)));
          }
          await sleep(10);
        }
        await pushed;
      }),
    );
    // The freezer's run: one FREEZE per idle stack, sent together.
    const freezeStart = simNow();
    await plane.queues.sendEvents(woken.map((id) => freeze(id, null)));
    let frozenAt = Number.NaN;
    while (performance.now() < deadline) {
      const all = await Promise.all(woken.map((id) => store.load(id)));
      if (all.every((s) => s?.state === 'FROZEN')) {
        frozenAt = simNow();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencies = woken
      .filter((id) => runningAt.has(id))
      .map((id) => runningAt.get(id)! - sentAt.get(id)!);
    return {
      stacks,
      speed,
      store: driver.name,
      queues: elasticmq ? 'elasticmq' : 'in-process',
      woken: woken.length,
      reachedRunning: runningAt.size,
      resumeToRunningSeconds: summarize(latencies),
      pushes,
      pushToRunningSeconds: summarize(pushLatencies),
      accessEvents: accesses,
      freezeAllSeconds: frozenAt - freezeStart,
      failedTraefikRefreshes: failedRefreshes,
      minutes,
    };
  } finally {
    clearInterval(traefik);
    clearInterval(refill);
    await plane.stop();
    await cleanup();
    sqs.destroy();
    await local?.close();
  }
}

export function printRun(r: Awaited<ReturnType<typeof runScale>>) {
  console.log(
    `${r.stacks} stacks through the control plane (${r.queues} SQS, ${r.store}; time ×${r.speed}): ${r.reachedRunning}/${r.woken} woken reached RUNNING; RESUME → RUNNING p50 ${fmt(r.resumeToRunningSeconds.p50, 0)} s, p90 ${fmt(r.resumeToRunningSeconds.p90, 0)} s, p99 ${fmt(r.resumeToRunningSeconds.p99, 0)} s (simulated); ${r.pushToRunningSeconds.n}/${r.pushes} pushes back to RUNNING, push → RUNNING p50 ${fmt(r.pushToRunningSeconds.p50, 0)} s, p90 ${fmt(r.pushToRunningSeconds.p90, 0)} s; ${r.accessEvents} ACCESS events; freezing all ${fmt(r.freezeAllSeconds, 0)} s; failed Traefik refreshes ${r.failedTraefikRefreshes}`,
  );
  console.log(
    'minute | ECS calls Thaw | Traefik | throttled Thaw | Traefik | SQS events | tasks | invocations | GB-s (512 MB)',
  );
  for (const [i, m] of r.minutes.entries())
    console.log(
      `${i} | ${m.thaw} | ${m.traefik} | ${m.throttledThaw} | ${m.throttledTraefik} | ${m.events} | ${m.tasks} | ${m.invocations} | ${fmt((m.handlerMs / 1000) * 0.5, 2)}`,
    );
}

/**
 * Measured: the SQS messages, handler invocations and handler busy time each stack operation costs,
 * through the real control plane (local/control-plane.ts: the events and tasks handlers behind event
 * sources that behave like Lambda's SQS trigger) on the in-process SQS endpoint (or ElasticMQ when
 * THAW_TEST_ELASTICMQ_URL is set) and PostgreSQL (DATABASE_URL) or PGlite, with the real ECS adapter over the in-memory ECS and a
 * Fargate stand-in that starts tasks `startMs` after a scale-up. Readiness is checked as in AWS: once per
 * delivery, then again after the queue's delay (here 1 s, so a 2.5 s start costs a few re-checks).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createEcsOrchestrator } from '../adapters/ecs-orchestrator.ts';
import { createSqsClient } from '../adapters/sqs.ts';
import { silentLog } from '../core/ports.ts';
import { stackExecutors } from '../core/stack-executors.ts';
import { startLocalControlPlane } from '../local/control-plane.ts';
import { startInProcessSqs } from '../local/in-process-sqs.ts';
import { freeze, launch, resume } from '../test/helpers/events.ts';
import { createFakeEcs } from '../test/helpers/fake-ecs.ts';
import { uniquePrefix } from '../test/helpers/queues.ts';
import { storeDrivers } from '../test/helpers/stores.ts';

type Counts = { messages: number; invocations: number; busyMs: number };
type PerQueue = { events: Counts; tasks: Counts };

const zero = (): PerQueue => ({
  events: { messages: 0, invocations: 0, busyMs: 0 },
  tasks: { messages: 0, invocations: 0, busyMs: 0 },
});

export async function measurePipeline({ startMs = 2500 } = {}) {
  const elasticmq = process.env.THAW_TEST_ELASTICMQ_URL;
  const local = elasticmq ? undefined : await startInProcessSqs();
  const sqs = createSqsClient({ endpoint: elasticmq ?? local!.endpoint, localCredentials: true });
  let counts = zero();
  const queueOf = (url: unknown) => (String(url).includes('tasks') ? 'tasks' : 'events');
  // Receipt → when it was received: a batch's handler time is receive → delete (as Lambda bills it).
  const received = new Map<string, number>();
  const counting = {
    send: (async (
      command: { constructor: { name: string }; input: Record<string, unknown> },
      options?: unknown,
    ) => {
      const name = command.constructor.name;
      const q = queueOf(command.input.QueueUrl);
      if (name === 'SendMessageCommand') counts[q].messages++;
      if (name === 'SendMessageBatchCommand')
        counts[q].messages += (command.input.Entries as unknown[]).length;
      const result = await (sqs.send as (c: unknown, o?: unknown) => Promise<Record<string, unknown>>)(
        command,
        options,
      );
      if (name === 'ReceiveMessageCommand') {
        const messages = (result.Messages as { ReceiptHandle: string }[] | undefined) ?? [];
        if (messages.length > 0) {
          counts[q].invocations++;
          for (const m of messages) received.set(m.ReceiptHandle, performance.now());
        }
      }
      if (name === 'DeleteMessageBatchCommand') {
        const entries = command.input.Entries as { ReceiptHandle: string }[];
        const first = received.get(entries[0]!.ReceiptHandle);
        if (first !== undefined) counts[q].busyMs += performance.now() - first;
        for (const e of entries) received.delete(e.ReceiptHandle);
      }
      return result;
    }) as SQSClient['send'],
  };

  const fake = createFakeEcs(['c']);
  let ip = 1;
  const ecs = {
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const result = await (fake.ecs.send as (c: unknown) => Promise<unknown>)(command);
      const name = command.constructor.name;
      const service = String(command.input.serviceName ?? command.input.service ?? '');
      const desired = command.input.desiredCount as number | undefined;
      if ((name === 'CreateServiceCommand' || name === 'UpdateServiceCommand') && desired !== undefined) {
        if (desired === 0) fake.patchService('c', service, { runningCount: 0 });
        else
          setTimeout(() => {
            fake.patchService('c', service, {
              runningCount: desired,
              deployments: [
                { status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: desired, failedTasks: 0 },
              ],
            });
            fake.addTask('c', service, {
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              attachments: [
                { details: [{ name: 'privateIPv4Address', value: `10.0.${ip >> 8}.${ip++ & 255}` }] },
              ],
            });
          }, startMs);
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
  // PostgreSQL (a throwaway database on DATABASE_URL's server) when set, else PGlite.
  const driver = storeDrivers({ includeMemory: false }).at(-1)!;
  const { store, cleanup } = await driver.open();
  const plane = await startLocalControlPlane({
    sqs: counting,
    store,
    executors: {
      ...stackExecutors({ orchestrator, readyPollSeconds: 1, readyTimeoutSeconds: 120, inlineWaitMs: 0 }),
      notify: async () => ({ kind: 'done' }),
    },
    log: silentLog,
    prefix: uniquePrefix('scale'),
    ...(elasticmq ? { waitTimeSeconds: 1 } : { waitTimeSeconds: 0, idlePollMs: 10 }),
    freezerIntervalMs: 3_600_000,
  });
  const spec = {
    services: {
      web: { image: 'ghcr.io/acme/web', port: 3000, host: '{stack}', health: '/' },
      api: { image: 'ghcr.io/acme/api', port: 4000, host: 'api-{stack}', health: '/' },
    },
  };
  const until = async (state: string) => {
    const deadline = Date.now() + 30_000;
    while ((await store.load('s1'))?.state !== state) {
      if (Date.now() > deadline)
        throw new Error(`stack never reached ${state}: ${(await store.load('s1'))?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Let the last deletes land, so they count to this operation.
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  const phase = async (send: () => Promise<void>, state: string) => {
    counts = zero();
    await send();
    await until(state);
    return counts;
  };
  try {
    const launched = await phase(
      () => plane.queues.sendEvents([launch('s1', { web: 'w:1', api: 'a:1' }, spec)]),
      'RUNNING',
    );
    const frozen = await phase(() => plane.queues.sendEvents([freeze('s1', null)]), 'FROZEN');
    const woken = await phase(() => plane.queues.sendEvents([resume('s1')]), 'RUNNING');
    return {
      startMs,
      readyPollSeconds: 1,
      backend: elasticmq ? 'elasticmq' : 'in-process',
      store: driver.name,
      launch: launched,
      freeze: frozen,
      wake: woken,
    };
  } finally {
    await plane.stop();
    await cleanup();
    sqs.destroy();
    await local?.close();
  }
}

if (process.argv[1]?.endsWith('scale-pipeline.ts'))
  console.log(JSON.stringify(await measurePipeline(), null, 1));

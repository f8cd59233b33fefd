import { createEventQueue, createTaskQueue, type SqsSend } from '../adapters/sqs.ts';
import type { ExecutorRegistry } from '../core/executors.ts';
import type { Clock, Log, Store } from '../core/ports.ts';
import { systemClock } from '../core/ports.ts';
import { createEventsHandler } from '../lambdas/events/handler.ts';
import { createFreezerHandler, type FreezerResult } from '../lambdas/freezer/handler.ts';
import { describeError } from '../lambdas/shared/records.ts';
import { createTasksHandler } from '../lambdas/tasks/handler.ts';
import { createDoorbell } from './doorbell.ts';
import { createEventSource } from './event-source.ts';
import { ensureQueues, type QueueUrls } from './provision.ts';

export interface LocalControlPlaneOptions {
  sqs: SqsSend;
  store: Store;
  executors: ExecutorRegistry;
  log: Log;
  clock?: Clock;
  /** Queue name prefix (default "thaw"); tests use a unique one per run. */
  prefix?: string;
  /** Visibility timeout of both queues; short locally so failed messages come back quickly. Default 5 s. */
  visibilityTimeoutSeconds?: number;
  /** Redrive: deliveries before a message goes to its DLQ. Default 5. */
  maxReceiveCount?: number;
  /** How often the freezer runs. Default 60 s (as the scheduled rule in AWS). */
  freezerIntervalMs?: number;
  batchSize?: number;
  batchWindowMs?: number;
  concurrency?: number;
  /** Long-poll seconds per receive (default 1); 0 with `idlePollMs` for short polls. */
  waitTimeSeconds?: number;
  /**
   * Pause after an empty receive (ms). A send from this process ends the pause at once (local/doorbell.ts),
   * so this bounds only messages sent by another process (a test, `thaw` against the endpoint).
   */
  idlePollMs?: number;
}

/**
 * The whole control plane on one machine: the queues (created with their DLQs and redrive policies),
 * the events and tasks handlers behind event sources that behave like Lambda's SQS trigger, and the
 * freezer on an interval. It is what `thaw dev` runs.
 */
export async function startLocalControlPlane(options: LocalControlPlaneOptions) {
  const {
    store,
    executors,
    log,
    clock = systemClock,
    visibilityTimeoutSeconds = 5,
    maxReceiveCount = 5,
  } = options;
  const doorbell = createDoorbell(options.sqs);
  const { sqs } = doorbell;
  const urls: QueueUrls = await ensureQueues({
    sqs,
    prefix: options.prefix,
    visibilityTimeoutSeconds,
    maxReceiveCount,
  });
  const queues = {
    ...createEventQueue({ sqs, queueUrl: urls.eventsQueueUrl }),
    ...createTaskQueue({ sqs, queueUrl: urls.tasksQueueUrl }),
  };
  const common = {
    sqs,
    log,
    visibilityTimeoutSeconds,
    batchSize: options.batchSize,
    batchWindowMs: options.batchWindowMs,
    concurrency: options.concurrency,
    waitTimeSeconds: options.waitTimeSeconds,
    idlePollMs: options.idlePollMs,
  };
  const sources = [
    createEventSource({
      ...common,
      name: 'events',
      queueUrl: urls.eventsQueueUrl,
      idleWait: (ms) => doorbell.wait(urls.eventsQueueUrl, ms),
      handler: createEventsHandler({ store, tasks: queues, log, clock }),
    }),
    createEventSource({
      ...common,
      name: 'tasks',
      queueUrl: urls.tasksQueueUrl,
      idleWait: (ms) => doorbell.wait(urls.tasksQueueUrl, ms),
      handler: createTasksHandler({
        executors,
        events: queues,
        tasks: queues,
        store,
        log,
        maxReceives: maxReceiveCount,
        clock,
      }),
    }),
  ];
  const freezer = createFreezerHandler({ store, events: queues, tasks: queues, log, clock });
  let timer: NodeJS.Timeout | undefined;
  let freezing: Promise<FreezerResult | undefined> = Promise.resolve(undefined);
  const runFreezer = () => {
    freezing = freezer().catch((error) => {
      log.error('freezer run failed', { reason: describeError(error) });
      return undefined;
    });
    return freezing;
  };

  for (const source of sources) source.start();
  timer = setInterval(runFreezer, options.freezerIntervalMs ?? 60_000);
  timer.unref();

  return {
    urls,
    queues,
    /** Runs the freezer now (tests and `thaw freeze --idle`). */
    runFreezer,
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(sources.map((source) => source.stop()));
      await freezing;
    },
  };
}

export type LocalControlPlane = Awaited<ReturnType<typeof startLocalControlPlane>>;

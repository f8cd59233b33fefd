import { atColdStart } from '../../adapters/config-failure.ts';
import { createEventQueue, createTaskQueue } from '../../adapters/sqs.ts';
import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createFreezerHandler } from './handler.ts';

const config = atColdStart('thaw-freezer', loadConfig);
const log = lambdaLog('thaw-freezer');
const { store, sqs } = await atColdStart('thaw-freezer', () => lambdaResources(config));

/** Handler `index.handler` of dist/lambdas/freezer/index.mjs; run by an EventBridge Scheduler rule. */
export const handler = createFreezerHandler({
  store,
  events: createEventQueue({ sqs, queueUrl: config.EVENTS_QUEUE_URL }),
  tasks: createTaskQueue({ sqs, queueUrl: config.TASKS_QUEUE_URL }),
  log,
  limit: config.FREEZER_LIMIT,
  outboxSweepAgeMs: config.OUTBOX_SWEEP_SECONDS * 1000,
  deadlines: {
    LAUNCHING: config.LAUNCHING_TIMEOUT_SECONDS,
    UPDATING: config.UPDATING_TIMEOUT_SECONDS,
    FREEZING: config.FREEZING_TIMEOUT_SECONDS,
    RESUMING: config.RESUMING_TIMEOUT_SECONDS,
    DESTROYING: config.DESTROYING_TIMEOUT_SECONDS,
  },
  deadlineGraceSeconds: config.DEADLINE_GRACE_SECONDS,
  defaultSchedule: config.DEFAULT_SCHEDULE,
  ttlDays: config.STACK_TTL_DAYS,
});

import { ECSClient } from '@aws-sdk/client-ecs';
import { atColdStart } from '../../adapters/config-failure.ts';
import { createEcsOwnedResources } from '../../adapters/ecs-orchestrator.ts';
import { createPostgresDatabases } from '../../adapters/postgres-databases.ts';
import { createEventQueue, createTaskQueue } from '../../adapters/sqs.ts';
import type { OwnedResources } from '../../core/janitor.ts';
import { lambdaLog, lambdaResources, readSecretUrl } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createFreezerHandler } from './handler.ts';
import { createJanitorStep } from './janitor.ts';

const config = atColdStart('thaw-freezer', loadConfig);
const log = lambdaLog('thaw-freezer');
const { store, sqs } = await atColdStart('thaw-freezer', () => lambdaResources(config));

// The janitor looks where the tasks function makes things: its ECS cluster and its stack database server.
const janitorSources: OwnedResources[] = [];
if (config.JANITOR_INTERVAL_MINUTES > 0) {
  if (config.ECS_CLUSTER)
    janitorSources.push(
      createEcsOwnedResources({
        ecs: new ECSClient({ region: config.AWS_REGION, maxAttempts: 6, retryMode: 'adaptive' }),
        cluster: config.ECS_CLUSTER,
      }),
    );
  else log.warn('ECS_CLUSTER is not set: the janitor leaves ECS alone');
  const stackAdminUrl =
    config.STACK_DATABASE_ADMIN_URL ??
    (config.STACK_DATABASE_ADMIN_SECRET_ARN
      ? await atColdStart('thaw-freezer', () =>
          readSecretUrl(config.STACK_DATABASE_ADMIN_SECRET_ARN!, 'STACK_DATABASE_ADMIN_SECRET_ARN'),
        )
      : undefined);
  if (stackAdminUrl) janitorSources.push(createPostgresDatabases({ adminUrl: stackAdminUrl }));
}

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
  janitor: createJanitorStep({
    sources: janitorSources,
    store,
    log,
    intervalMinutes: config.JANITOR_INTERVAL_MINUTES,
  }),
});

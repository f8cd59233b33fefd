import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadLambdaConfig(
    [
      'EVENTS_QUEUE_URL',
      'TASKS_QUEUE_URL',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'SQS_ENDPOINT',
      'FREEZER_LIMIT',
      'OUTBOX_SWEEP_SECONDS',
      'LAUNCHING_TIMEOUT_SECONDS',
      'UPDATING_TIMEOUT_SECONDS',
      'FREEZING_TIMEOUT_SECONDS',
      'RESUMING_TIMEOUT_SECONDS',
      'DESTROYING_TIMEOUT_SECONDS',
      'DEADLINE_GRACE_SECONDS',
      'DEFAULT_SCHEDULE',
      'STACK_TTL_DAYS',
    ],
    env,
  );

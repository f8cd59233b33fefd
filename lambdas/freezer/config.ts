import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) => ({
  ...loadLambdaConfig(
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
      // The janitor (lambdas/freezer/janitor.ts).
      'JANITOR_INTERVAL_MINUTES',
      'AWS_REGION',
      'STACK_DATABASE_ADMIN_URL',
      'STACK_DATABASE_ADMIN_SECRET_ARN',
    ],
    env,
  ),
  /**
   * The janitor's ECS cluster. Optional here, unlike in the tasks function: a deployment whose freezer
   * was not given it keeps freezing, and its janitor leaves ECS alone (logged at cold start).
   */
  ECS_CLUSTER: env.ECS_CLUSTER?.trim() || undefined,
});

import { loadLambdaConfig } from '../shared/config.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadLambdaConfig(
    [
      'EVENTS_QUEUE_URL',
      'TASKS_QUEUE_URL',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'SQS_ENDPOINT',
      'TASK_MAX_RECEIVES',
    ],
    env,
  );

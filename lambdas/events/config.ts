import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadLambdaConfig(['TASKS_QUEUE_URL', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'SQS_ENDPOINT'], env);

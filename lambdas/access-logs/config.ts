import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadLambdaConfig(
    [
      'EVENTS_QUEUE_URL',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'SQS_ENDPOINT',
      'STACK_DOMAIN',
      'LAUNCHER_ROUTER',
    ],
    env,
  );

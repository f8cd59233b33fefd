import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadLambdaConfig(
    [
      'EVENTS_QUEUE_URL',
      'TASKS_QUEUE_URL',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'SQS_ENDPOINT',
      'TASK_MAX_RECEIVES',
      'ECS_CLUSTER',
      'STACK_SUBNETS',
      'STACK_SECURITY_GROUPS',
      'STACK_EXECUTION_ROLE_ARN',
      'STACK_TASK_ROLE_ARN',
      'STACK_LOG_GROUP',
      'STACK_DOMAIN',
      'PUBLIC_SCHEME',
      'TRAEFIK_ENTRYPOINT',
      'STACK_ARCHITECTURE',
      'STACK_CAPACITY_PROVIDER_STRATEGY',
      'STACK_DATABASE_ADMIN_URL',
      'STACK_DATABASE_URL',
      'STACK_DATABASE_ADMIN_SECRET_ARN',
      'STACK_DATABASE_TEMPLATES',
      'STACK_SECRET_PREFIX',
      'READY_POLL_SECONDS',
      'READY_TIMEOUT_SECONDS',
      'READY_CHECK',
      'REGISTRY_CREDENTIALS_ARN',
      'AWS_REGION',
      'GITHUB_TOKEN',
      'GITHUB_TOKEN_SECRET_ARN',
      'GITHUB_API_URL',
      'FARGATE_VCPU_HOUR',
      'FARGATE_GB_HOUR',
    ],
    env,
  );

export type TasksConfig = ReturnType<typeof loadConfig>;

import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createEcsOrchestrator } from '../../adapters/ecs-orchestrator.ts';
import { createGitHubNotifier } from '../../adapters/github-notifier.ts';
import { createHttpProbe } from '../../adapters/http-probe.ts';
import { createPostgresDatabases, refusingDatabases } from '../../adapters/postgres-databases.ts';
import { createStackSecrets, withSecretRemoval } from '../../adapters/stack-secrets.ts';
import type { ExecutorRegistry } from '../../core/executors.ts';
import type { Log, Store } from '../../core/ports.ts';
import { stackExecutors } from '../../core/stack-executors.ts';
import type { TasksConfig } from './config.ts';

/**
 * The executors the tasks Lambda runs in AWS: stacks on ECS Fargate, a database per stack on the
 * configured PostgreSQL server, and the PR comment through GitHub's API.
 */
export function productionExecutors(
  config: TasksConfig,
  {
    log,
    store,
    stackAdminUrl = config.STACK_DATABASE_ADMIN_URL,
    githubToken = config.GITHUB_TOKEN,
  }: {
    log: Log;
    store: Pick<Store, 'history'>;
    stackAdminUrl?: string | undefined;
    /** GITHUB_TOKEN, or the string of GITHUB_TOKEN_SECRET_ARN read at cold start. */
    githubToken?: string | undefined;
  },
): ExecutorRegistry {
  const urls = { domain: config.STACK_DOMAIN, scheme: config.PUBLIC_SCHEME };
  // Per-stack databases live on STACK_DATABASE_ADMIN_URL's server, each owned by a role of the stack's
  // own. Never the control plane's URL: without the setting, a stack that asks for a database fails at
  // launch saying what to set.
  // Each stack's URL reaches its containers as an ECS secret (Secrets Manager, one per stack), never
  // in the task definition's environment; the database.drop task of a DESTROY deletes the secret too.
  const secrets = createStackSecrets({
    secrets: new SecretsManagerClient({ region: config.AWS_REGION }),
    prefix: config.STACK_SECRET_PREFIX,
  });
  const databases = stackAdminUrl
    ? withSecretRemoval(
        createPostgresDatabases({
          adminUrl: stackAdminUrl,
          stackUrl: config.STACK_DATABASE_URL,
          templates: config.STACK_DATABASE_TEMPLATES,
        }),
        secrets,
      )
    : refusingDatabases('STACK_DATABASE_ADMIN_URL (or STACK_DATABASE_ADMIN_SECRET_ARN)');
  const orchestrator = createEcsOrchestrator({
    // Standard retry mode with jittered exponential backoff; throttling is retried inside the SDK first.
    ecs: new ECSClient({ region: config.AWS_REGION, maxAttempts: 6, retryMode: 'adaptive' }),
    cluster: config.ECS_CLUSTER,
    subnets: config.STACK_SUBNETS,
    securityGroups: config.STACK_SECURITY_GROUPS,
    executionRoleArn: config.STACK_EXECUTION_ROLE_ARN,
    taskRoleArn: config.STACK_TASK_ROLE_ARN,
    logGroup: config.STACK_LOG_GROUP,
    region: config.AWS_REGION,
    entryPoint: config.TRAEFIK_ENTRYPOINT,
    architecture: config.STACK_ARCHITECTURE,
    capacityProviderStrategy: config.STACK_CAPACITY_PROVIDER_STRATEGY,
    repositoryCredentialsArn: config.REGISTRY_CREDENTIALS_ARN,
    // Ready only when every task answers its health path: GET from this (VPC) function to the task IP.
    probe: config.READY_CHECK === 'http' ? createHttpProbe() : undefined,
    urls,
    databases,
    secrets,
  });
  return {
    ...stackExecutors({
      orchestrator,
      databases,
      readyPollSeconds: config.READY_POLL_SECONDS,
      readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS,
      // Each check costs ECS calls (DescribeServices; ListTasks + DescribeTasks once steady) and ECS
      // throttles per account, while a Fargate task takes tens of seconds to start: check once per
      // delivery, then again after READY_POLL_SECONDS (≥ 2 s) through the queue's delay.
      inlineWaitMs: 0,
    }),
    notify: createGitHubNotifier({
      token: githubToken,
      apiUrl: config.GITHUB_API_URL,
      urls,
      prices: { vcpuHour: config.FARGATE_VCPU_HOUR, gbHour: config.FARGATE_GB_HOUR },
      store,
      log,
    }),
  };
}

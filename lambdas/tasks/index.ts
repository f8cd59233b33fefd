import { atColdStart } from '../../adapters/config-failure.ts';
import { createEventQueue, createTaskQueue } from '../../adapters/sqs.ts';
import { lambdaLog, lambdaResources, readSecretUrl, resolveGitHubToken } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createTasksHandler } from './handler.ts';
import { productionExecutors } from './registry.ts';

const config = atColdStart('thaw-tasks', loadConfig);
const log = lambdaLog('thaw-tasks');
const { store, sqs } = await atColdStart('thaw-tasks', () => lambdaResources(config));
// The role that creates each stack's database and role: given directly, or read from its secret.
const stackAdminUrl =
  config.STACK_DATABASE_ADMIN_URL ??
  (config.STACK_DATABASE_ADMIN_SECRET_ARN
    ? await atColdStart('thaw-tasks', () =>
        readSecretUrl(config.STACK_DATABASE_ADMIN_SECRET_ARN!, 'STACK_DATABASE_ADMIN_SECRET_ARN'),
      )
    : undefined);
// The PR comment's token: GITHUB_TOKEN directly (local, tests), or read from its secret, never in the environment.
const githubToken = await atColdStart('thaw-tasks', () => resolveGitHubToken(config));

/** Handler `index.handler` of dist/lambdas/tasks/index.mjs; SQS trigger with ReportBatchItemFailures. */
export const handler = createTasksHandler({
  executors: productionExecutors(config, { log, store, stackAdminUrl, githubToken }),
  events: createEventQueue({ sqs, queueUrl: config.EVENTS_QUEUE_URL }),
  tasks: createTaskQueue({ sqs, queueUrl: config.TASKS_QUEUE_URL }),
  store,
  log,
  maxReceives: config.TASK_MAX_RECEIVES,
});

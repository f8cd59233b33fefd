import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createTasksHandler } from './handler.ts';
import { productionExecutors } from './registry.ts';

const config = loadConfig();
const log = lambdaLog('thaw-tasks');
const { store, queues, databaseUrl } = await lambdaResources(config);

/** Handler `index.handler` of dist/lambdas/tasks/index.mjs; SQS trigger with ReportBatchItemFailures. */
export const handler = createTasksHandler({
  executors: productionExecutors(config, { log, store, databaseUrl }),
  events: queues,
  tasks: queues,
  store,
  log,
  maxReceives: config.TASK_MAX_RECEIVES,
});

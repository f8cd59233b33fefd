import { atColdStart } from '../../adapters/config-failure.ts';
import { createTaskQueue } from '../../adapters/sqs.ts';
import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createEventsHandler } from './handler.ts';

// Cold start: configuration is parsed once and fails fast listing every problem.
const config = atColdStart('thaw-events', loadConfig);
const log = lambdaLog('thaw-events');
const { store, sqs } = await atColdStart('thaw-events', () => lambdaResources(config));
const tasks = createTaskQueue({ sqs, queueUrl: config.TASKS_QUEUE_URL });

/** Handler `index.handler` of dist/lambdas/events/index.mjs; SQS trigger with ReportBatchItemFailures. */
export const handler = createEventsHandler({ store, tasks, log });

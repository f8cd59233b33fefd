import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createEventsHandler } from './handler.ts';

// Cold start: configuration is parsed once and fails fast listing every problem.
const config = loadConfig();
const log = lambdaLog('thaw-events');
const { store, queues } = await lambdaResources(config);

/** Handler `index.handler` of dist/lambdas/events/index.mjs; SQS trigger with ReportBatchItemFailures. */
export const handler = createEventsHandler({ store, tasks: queues, log });

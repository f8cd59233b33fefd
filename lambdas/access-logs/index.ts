import { z } from 'zod';
import { createStackIndex } from '../../core/access-log/stack-index.ts';
import { loadLambdaConfig } from '../../core/env.ts';
import { ConfigError } from '../../adapters/errors.ts';
import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { createAccessLogsHandler } from './handler.ts';

const config = loadLambdaConfig([
  'EVENTS_QUEUE_URL',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'SQS_ENDPOINT',
  'STACK_DOMAIN',
]);
const router = z.string().min(1).default('thaw-launcher').safeParse(process.env.LAUNCHER_ROUTER);
if (!router.success)
  throw new ConfigError('invalid configuration:\n  - LAUNCHER_ROUTER: expected a router name');
const log = lambdaLog('thaw-access-logs');
const { store, queues } = await lambdaResources(config);
const index = createStackIndex({ store, domain: config.STACK_DOMAIN });

/** Handler `index.handler` of dist/lambdas/access-logs/index.mjs; a CloudWatch Logs subscription on Traefik's log group. */
export const handler = createAccessLogsHandler({
  events: queues,
  log,
  stackIdFor: index.stackIdForLine,
  launcherRouter: router.data,
});

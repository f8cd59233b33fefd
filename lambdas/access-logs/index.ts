import { atColdStart } from '../../adapters/config-failure.ts';
import { createEventQueue } from '../../adapters/sqs.ts';
import { createStackIndex } from '../../core/access-log/stack-index.ts';
import { lambdaLog, lambdaResources } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';
import { createAccessLogsHandler } from './handler.ts';

const config = atColdStart('thaw-access-logs', loadConfig);
const log = lambdaLog('thaw-access-logs');
const { store, sqs } = await atColdStart('thaw-access-logs', () => lambdaResources(config));
const index = createStackIndex({ store, domain: config.STACK_DOMAIN });

/** Handler `index.handler` of dist/lambdas/access-logs/index.mjs; a CloudWatch Logs subscription on Traefik's log group. */
export const handler = createAccessLogsHandler({
  events: createEventQueue({ sqs, queueUrl: config.EVENTS_QUEUE_URL }),
  log,
  stackIdFor: index.stackIdForLine,
  launcherRouter: config.LAUNCHER_ROUTER,
});

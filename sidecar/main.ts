import { configOrExit } from '../adapters/config-failure.ts';
import { createEventQueue, createSqsClient } from '../adapters/sqs.ts';
import { openPostgresStore } from '../adapters/store/postgres.ts';
import { loadConfig } from './config.ts';
import { DEFAULT_BOTS } from './launcher/app.ts';
import { isRoutedThrough } from './launcher/routed.ts';
import { createLogger, pinoLog } from './log.ts';
import { startSidecar } from './sidecar.ts';

/** The sidecar's entry point in production (next to Traefik): `node dist/sidecar/main.mjs`. */
const config = configOrExit('thaw sidecar', loadConfig);
const log = pinoLog(createLogger(config.LOG_LEVEL));
const { store } = await openPostgresStore({
  databaseUrl: config.DATABASE_URL,
  migrate: false,
  maxConnections: 4,
});
const sqs = createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION });
const events = createEventQueue({ sqs, queueUrl: config.EVENTS_QUEUE_URL });
const traefik = config.TRAEFIK_URL;

const sidecar = await startSidecar({
  store,
  events,
  log,
  domain: config.STACK_DOMAIN,
  port: config.PORT,
  host: config.HOST,
  retryAfterSeconds: config.RETRY_AFTER_SECONDS,
  routingRetryAfterSeconds: config.ROUTING_RETRY_AFTER_SECONDS,
  resumeCooldownMs: config.RESUME_COOLDOWN_SECONDS * 1000,
  maxWaitSeconds: config.MAX_WAIT_SECONDS,
  defaultWakeSeconds: config.DEFAULT_WAKE_SECONDS,
  wakesPerMinute: config.WAKES_PER_MINUTE,
  trustedProxies: config.TRUSTED_PROXIES,
  maxHeldPerStack: config.MAX_HELD_PER_STACK,
  maxHeld: config.MAX_HELD,
  botPattern: config.BOT_PATTERN ? new RegExp(config.BOT_PATTERN, 'i') : DEFAULT_BOTS,
  ...(traefik ? { isRouted: (host: string) => isRoutedThrough(traefik, host) } : {}),
  connections: config.OPEN_CONNECTIONS
    ? {
        pollSeconds: config.CONNECTIONS_POLL_SECONDS,
        maxConnectionHours: config.CONNECTIONS_MAX_HOURS,
        traefikApiUrl: config.TRAEFIK_API_URL,
      }
    : false,
  ...(config.ACCESS_LOG
    ? {
        accessLog: {
          path: config.ACCESS_LOG,
          fromStart: config.ACCESS_LOG_FROM_START,
          flushSeconds: config.ACCESS_FLUSH_SECONDS,
          launcherRouter: config.LAUNCHER_ROUTER,
        },
      }
    : {}),
});
log.info('sidecar listening', { port: sidecar.port, domain: config.STACK_DOMAIN });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await sidecar.stop();
    await store.close();
    process.exit(0);
  });
}

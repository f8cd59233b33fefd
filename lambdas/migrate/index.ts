import { atColdStart } from '../../adapters/config-failure.ts';
import { openPostgresStore } from '../../adapters/store/postgres.ts';
import { lambdaLog, resolveDatabaseUrl } from '../shared/runtime.ts';
import { loadConfig } from './config.ts';

const config = atColdStart('thaw-migrate', loadConfig);
const databaseUrl = await atColdStart('thaw-migrate', () => resolveDatabaseUrl(config));
const log = lambdaLog('thaw-migrate');

/**
 * Handler `index.handler` of dist/lambdas/migrate/index.mjs: applies the SQL migrations bundled next
 * to it (idempotent). Terraform invokes it on every apply, before the other functions take traffic.
 */
export const handler = async (): Promise<{ migrated: true }> => {
  const { store } = await openPostgresStore({
    databaseUrl,
    maxConnections: 1,
    migrate: true,
  });
  await store.close();
  log.info('migrations applied');
  return { migrated: true };
};

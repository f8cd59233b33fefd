import type { OpenedStore } from './types.ts';

export type { OpenedStore } from './types.ts';

export interface StoreOptions {
  /** postgres://… selects a PostgreSQL server through postgres.js; otherwise PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; omitted or "memory://" keeps everything in memory. */
  dataDir?: string | undefined;
  /** Apply the committed migrations on open (default true). */
  migrate?: boolean;
  migrationsFolder?: string;
  /** postgres.js pool size (default 5). */
  maxConnections?: number;
}

/** Opens the state store: a real PostgreSQL when a URL is given, else embedded PGlite. */
export async function openStore(options: StoreOptions = {}): Promise<OpenedStore> {
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const { openPostgresStore } = await import('./postgres.ts');
    return openPostgresStore({ ...options, databaseUrl: options.databaseUrl });
  }
  const { openPgliteStore } = await import('./pglite.ts');
  return openPgliteStore({
    dataDir: options.dataDir,
    migrate: options.migrate,
    migrationsFolder: options.migrationsFolder,
  });
}

import { fileURLToPath } from 'node:url';
import type { Store } from '../ports.ts';
import { createDrizzleStore, schema, type ThawDatabase } from './drizzle-store.ts';

export interface StoreOptions {
  /** postgres://… selects a PostgreSQL server through postgres.js; otherwise PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; omitted or "memory://" keeps everything in memory. */
  dataDir?: string | undefined;
  /** Apply the committed migrations on open (default true). */
  migrate?: boolean;
  /** Where the SQL migrations are; bundles copy them next to themselves. */
  migrationsFolder?: string;
  /** postgres.js pool size (default 5). */
  maxConnections?: number;
}

export const DEFAULT_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OpenedStore {
  store: Store;
  db: ThawDatabase;
  driver: 'pglite' | 'postgres';
}

/** Opens the state store: a real PostgreSQL when a URL is given, else embedded PGlite. */
export async function openStore(options: StoreOptions = {}): Promise<OpenedStore> {
  const migrationsFolder = options.migrationsFolder ?? DEFAULT_MIGRATIONS;
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(options.databaseUrl, { max: options.maxConnections ?? 5, onnotice: () => {} });
    const db = drizzle(client, { schema });
    if (options.migrate !== false) {
      const { migrate } = await import('drizzle-orm/postgres-js/migrator');
      await migrate(db, { migrationsFolder });
    }
    return {
      store: createDrizzleStore(db as unknown as ThawDatabase, () => client.end({ timeout: 5 })),
      db: db as unknown as ThawDatabase,
      driver: 'postgres',
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = new PGlite(options.dataDir ?? 'memory://');
  const db = drizzle(client, { schema });
  if (options.migrate !== false) {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db, { migrationsFolder });
  }
  return {
    store: createDrizzleStore(db as unknown as ThawDatabase, () => client.close()),
    db: db as unknown as ThawDatabase,
    driver: 'pglite',
  };
}

import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { createDrizzleStore, schema, type ThawDatabase } from './drizzle-store.ts';
import { DEFAULT_MIGRATIONS, type OpenedStore } from './types.ts';

export interface PgliteStoreOptions {
  /** A data directory, or "memory://" (the default) to keep everything in memory. */
  dataDir?: string;
  migrate?: boolean;
  migrationsFolder?: string;
}

/** The store on embedded PGlite (PostgreSQL compiled to WebAssembly): local mode and tests. */
export async function openPgliteStore(options: PgliteStoreOptions = {}): Promise<OpenedStore> {
  const client = new PGlite(options.dataDir ?? 'memory://');
  const db = drizzle(client, { schema }) as unknown as ThawDatabase;
  if (options.migrate !== false)
    await migrate(db as never, { migrationsFolder: options.migrationsFolder ?? DEFAULT_MIGRATIONS });
  return { store: createDrizzleStore(db, () => client.close()), db, driver: 'pglite' };
}

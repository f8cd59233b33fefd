import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { createDrizzleStore, schema, type ThawDatabase } from './drizzle-store.ts';
import { DEFAULT_MIGRATIONS, type OpenedStore } from './types.ts';

export interface PostgresStoreOptions {
  databaseUrl: string;
  migrate?: boolean;
  migrationsFolder?: string;
  /** Pool size (default 5; a Lambda needs 1-2). */
  maxConnections?: number;
}

/** The store on a PostgreSQL server (RDS in production) through postgres.js. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<OpenedStore> {
  const client = postgres(options.databaseUrl, { max: options.maxConnections ?? 5, onnotice: () => {} });
  const db = drizzle(client, { schema }) as unknown as ThawDatabase;
  if (options.migrate !== false)
    await migrate(db as never, { migrationsFolder: options.migrationsFolder ?? DEFAULT_MIGRATIONS });
  return { store: createDrizzleStore(db, () => client.end({ timeout: 5 })), db, driver: 'postgres' };
}

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { openStore } from '../../adapters/store/open-store.ts';
import type { Store } from '../../core/ports.ts';

/** A throwaway database on the PostgreSQL server at DATABASE_URL; dropped by `drop()`. */
export async function createTestDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `thaw_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

export interface StoreDriver {
  name: string;
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

/** Every store adapter the contract suites run against: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function storeDrivers({ includeMemory = true } = {}): StoreDriver[] {
  const drivers: StoreDriver[] = [
    {
      name: 'pglite',
      open: async () => {
        const { store } = await openStore();
        return { store, cleanup: () => store.close() };
      },
    },
  ];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    drivers.push({
      name: 'postgres',
      open: async () => {
        const database = await createTestDatabase(serverUrl);
        const { store } = await openStore({ databaseUrl: database.url, maxConnections: 10 });
        return {
          store,
          cleanup: async () => {
            await store.close();
            await database.drop();
          },
        };
      },
    });
  }
  if (includeMemory) {
    drivers.push({
      name: 'memory',
      open: async () => {
        const store = createMemoryStore();
        return { store, cleanup: () => store.close() };
      },
    });
  }
  return drivers;
}

/** True when the suite is asked to prove it ran on PostgreSQL (CI sets this). */
export const requirePostgres = process.env.THAW_REQUIRE_POSTGRES === '1';

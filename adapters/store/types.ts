import { fileURLToPath } from 'node:url';
import type { Store } from '../../core/ports.ts';
import type { ThawDatabase } from './drizzle-store.ts';

export interface OpenedStore {
  store: Store;
  db: ThawDatabase;
  driver: 'pglite' | 'postgres';
}

/** The committed SQL migrations; bundles carry a copy next to themselves. */
export const DEFAULT_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

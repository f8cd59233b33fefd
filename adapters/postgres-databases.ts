import postgres from 'postgres';
import { ThawError } from '../core/errors.ts';
import { STACK_ID_PATTERN } from '../core/ids.ts';
import type { StackDatabases } from '../core/orchestrator.ts';

export class UnsafeIdentifierError extends ThawError {
  override name = 'UnsafeIdentifierError';
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** thaw_<stack id with - as _>: always a plain lowercase identifier, checked before any SQL. */
export function databaseName(stackId: string): string {
  if (!STACK_ID_PATTERN.test(stackId))
    throw new UnsafeIdentifierError(
      `refusing to derive a database name from stack id ${JSON.stringify(stackId)}`,
    );
  const name = `thaw_${stackId.replaceAll('-', '_')}`;
  if (!DATABASE_NAME.test(name))
    throw new UnsafeIdentifierError(`database name ${JSON.stringify(name)} is not a safe identifier`);
  return name;
}

export interface PostgresDatabasesOptions {
  /** A role allowed to CREATE DATABASE, e.g. postgres://thaw_admin:…@host:5432/postgres */
  adminUrl: string;
  /** The URL the stacks get, with the database name swapped in (default: adminUrl's credentials and host). */
  stackUrl?: string;
}

/**
 * One PostgreSQL database per stack on any server given by URL (RDS in production). Identifiers come
 * only from validated stack ids and template names and are quoted by postgres.js; no SQL is built from
 * unchecked input.
 */
export function createPostgresDatabases({
  adminUrl,
  stackUrl = adminUrl,
}: PostgresDatabasesOptions): StackDatabases & { close(): Promise<void> } {
  const sql = postgres(adminUrl, { max: 2, onnotice: () => {} });
  return {
    async create(stackId, template) {
      const name = databaseName(stackId);
      if (template !== undefined && !DATABASE_NAME.test(template))
        throw new UnsafeIdentifierError(`template ${JSON.stringify(template)} is not a safe database name`);
      const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (exists) return; // idempotent: a redelivered task finds its work done
      try {
        if (template) await sql`CREATE DATABASE ${sql(name)} TEMPLATE ${sql(template)}`;
        else await sql`CREATE DATABASE ${sql(name)}`;
      } catch (error) {
        // 42P04 duplicate_database: a concurrent delivery of the same task won the race.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    },
    async drop(stackId) {
      const name = databaseName(stackId);
      // WITH (FORCE) terminates the stack's open connections first (PostgreSQL 13+).
      await sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`;
    },
    urlFor(stackId) {
      const url = new URL(stackUrl);
      url.pathname = `/${databaseName(stackId)}`;
      return url.toString();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

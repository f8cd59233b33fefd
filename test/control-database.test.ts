// The control plane's database is closed to every role but its owner: migration 0003 revokes CONNECT
// from PUBLIC, so a stack's own role (adapters/postgres-databases.ts) cannot open a session there.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../adapters/store/postgres.ts';
import { createTestDatabase, requirePostgres } from './helpers/stores.ts';

const serverUrl = process.env.DATABASE_URL;

describe.runIf(serverUrl)('the control-plane database after its migrations (real PostgreSQL)', () => {
  const role = `thaw_stack_probe_${randomBytes(4).toString('hex')}`;
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** Opens a session on `database` as the probe role; resolves with the SQLSTATE it fails with, if any. */
  const connectAs = async (databaseUrl: string) => {
    const url = new URL(databaseUrl);
    url.username = role;
    url.password = 'x';
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await sql`select 1`;
      return 'connected';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    } finally {
      await sql.end();
    }
  };

  it("refuses a session to any role but its owner; a database without Thaw's migrations does not", async () => {
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'x'`);
    cleanups.push(async () => {
      await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });
    const control = await createTestDatabase(serverUrl!);
    cleanups.push(control.drop);
    const other = await createTestDatabase(serverUrl!);
    cleanups.push(other.drop);

    const { store } = await openPostgresStore({ databaseUrl: control.url, migrate: true, maxConnections: 1 });
    await store.close();

    expect(await connectAs(other.url)).toBe('connected');
    expect(await connectAs(control.url)).toBe('42501'); // insufficient_privilege: CONNECT revoked
    // The owner (who runs the migrations, and the control plane) still connects.
    const owner = postgres(control.url, { max: 1, onnotice: () => {} });
    expect((await owner`select 1 as ok`)[0]?.ok).toBe(1);
    await owner.end();
  });
});

it.runIf(requirePostgres && !serverUrl)('runs against PostgreSQL when CI asks for it', () => {
  expect(serverUrl, 'THAW_REQUIRE_POSTGRES=1 but DATABASE_URL is not set').toBeDefined();
});

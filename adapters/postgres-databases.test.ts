import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabases, databaseName, UnsafeIdentifierError } from './postgres-databases.ts';

describe('databaseName', () => {
  it('derives a plain identifier from a stack id', () => expect(databaseName('pr-42')).toBe('thaw_pr_42'));
  it.each(['PR-1', 'a;drop database x', 'x"y', '', 'a--b'])('refuses %j before any SQL', (id) => {
    expect(() => databaseName(id)).toThrow(UnsafeIdentifierError);
  });
});

describe.runIf(process.env.DATABASE_URL)('per-stack databases on a real PostgreSQL', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const databases = createPostgresDatabases({ adminUrl });
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const suffix = Date.now().toString(36);
  afterAll(async () => {
    await admin.end();
    await databases.close();
  });
  const exists = async (name: string) =>
    (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length === 1;

  it('creates (idempotently), serves a URL, and drops even with connections open', async () => {
    const id = `db-${suffix}`;
    await databases.create(id);
    await databases.create(id);
    expect(await exists(databaseName(id))).toBe(true);
    const app = postgres(databases.urlFor(id), { max: 1, onnotice: () => {} });
    await app`CREATE TABLE t (x int)`;
    await databases.drop(id);
    expect(await exists(databaseName(id))).toBe(false);
    await app.end({ timeout: 1 }).catch(() => {});
    await databases.drop(id); // dropping again is harmless
  });

  it('creates from a template, so every stack starts from seeded data', async () => {
    const template = `seed_${suffix}`;
    await admin.unsafe(`CREATE DATABASE ${template}`);
    const seed = postgres(adminUrl.replace(/\/[^/]*$/, `/${template}`), { max: 1, onnotice: () => {} });
    await seed`CREATE TABLE fixtures (name text)`;
    await seed`INSERT INTO fixtures VALUES ('alice')`;
    await seed.end();
    const id = `tpl-${suffix}`;
    await databases.create(id, template);
    const app = postgres(databases.urlFor(id), { max: 1, onnotice: () => {} });
    expect(await app`SELECT name FROM fixtures`).toEqual([{ name: 'alice' }]);
    await app.end();
    await databases.drop(id);
    await admin.unsafe(`DROP DATABASE ${template}`);
  });

  it('refuses an unsafe template name', async () => {
    await expect(databases.create(`x-${suffix}`, 'seed; DROP DATABASE postgres')).rejects.toBeInstanceOf(
      UnsafeIdentifierError,
    );
  });
});

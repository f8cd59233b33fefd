import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPostgresDatabases,
  DatabaseNotConfiguredError,
  databaseName,
  refusingDatabases,
  roleName,
  scramVerifier,
  TemplateNotAllowedError,
  UnsafeIdentifierError,
} from './postgres-databases.ts';

describe('databaseName', () => {
  it('derives a plain identifier from a stack id', () => expect(databaseName('pr-42')).toBe('thaw_pr_42'));
  it.each(['PR-1', 'a;drop database x', 'x"y', '', 'a--b'])('refuses %j before any SQL', (id) => {
    expect(() => databaseName(id)).toThrow(UnsafeIdentifierError);
  });
});

describe('roleName', () => {
  it('derives the stack role from a stack id', () => expect(roleName('pr-42')).toBe('thaw_stack_pr_42'));
  it.each(['PR-1', 'x"y', ''])('refuses %j', (id) =>
    expect(() => roleName(id)).toThrow(UnsafeIdentifierError),
  );
});

describe('scramVerifier', () => {
  it("matches PostgreSQL's own verifier for the same password and salt", () => {
    // What PostgreSQL 15 stored for CREATE ROLE x PASSWORD 'pencil' (password_encryption scram-sha-256).
    const stored =
      'SCRAM-SHA-256$4096:3bxnYsY/a/0EM6shdLeD/g==$rIHLXYlYQkJFeHIUtDQpXkUjzsWmJ0baMMFUsgX8jcY=:Nv2zaVmOwDKBdlbI+78ebDRVSjHHfLCoS/U0EUdPhBY=';
    expect(scramVerifier('pencil', Buffer.from('3bxnYsY/a/0EM6shdLeD/g==', 'base64'))).toBe(stored);
  });
  it('salts afresh each time', () => expect(scramVerifier('pencil')).not.toBe(scramVerifier('pencil')));
});

describe('urlFor', () => {
  const adminUrl = 'postgres://thaw_admin:s3cret@db.internal:5432/postgres?sslmode=require';
  it("carries the stack's role and password on the stack URL's host, never the admin's credentials", () => {
    const databases = createPostgresDatabases({
      adminUrl,
      stackUrl: 'postgres://proxy.internal:6432/x?sslmode=require',
    });
    const url = new URL(databases.urlFor('pr-7'));
    expect(url.host).toBe('proxy.internal:6432');
    expect(url.search).toBe('?sslmode=require');
    expect(url.username).toBe('thaw_stack_pr_7');
    expect(url.pathname).toBe('/thaw_pr_7');
    expect(url.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(databases.urlFor('pr-7')).not.toContain('s3cret');
    expect(databases.urlFor('pr-7')).not.toContain('thaw_admin');
  });
  it('gives every stack its own password, the same in every process that holds the same secret', () => {
    const one = createPostgresDatabases({ adminUrl });
    const other = createPostgresDatabases({ adminUrl });
    expect(one.urlFor('pr-1')).toBe(other.urlFor('pr-1'));
    expect(new URL(one.urlFor('pr-1')).password).not.toBe(new URL(one.urlFor('pr-2')).password);
    const rotated = createPostgresDatabases({ adminUrl: adminUrl.replace('s3cret', 'other') });
    expect(rotated.urlFor('pr-1')).not.toBe(one.urlFor('pr-1'));
  });
});

describe('refusingDatabases (no admin URL configured)', () => {
  it('fails a stack that asks for a database, saying what to set; no URL; nothing to drop', async () => {
    const databases = refusingDatabases('STACK_DATABASE_ADMIN_URL');
    const refusal = databases.create('pr-1');
    await expect(refusal).rejects.toBeInstanceOf(DatabaseNotConfiguredError);
    await expect(refusal).rejects.toThrow(
      /database: true.*set STACK_DATABASE_ADMIN_URL to a PostgreSQL role/,
    );
    // The orchestrators ask for every service's environment: no URL, never the control plane's.
    expect(databases.urlFor('pr-1')).toBe('');
    await expect(databases.drop('pr-1')).resolves.toBeUndefined();
  });
});

describe('templates', () => {
  const adminUrl = 'postgres://thaw_admin:s3cret@127.0.0.1:1/postgres'; // refused before any connection
  it('refuses every template when the deployment allows none, saying what to set', async () => {
    const databases = createPostgresDatabases({ adminUrl });
    await expect(databases.create('pr-1', 'seed')).rejects.toThrow(
      'databaseTemplate "seed" is refused: this deployment allows no templates (set STACK_DATABASE_TEMPLATES',
    );
  });
  it('refuses a template outside the allow-list, naming the allowed ones', async () => {
    const databases = createPostgresDatabases({ adminUrl, templates: ['seed', 'fixtures'] });
    const refusal = databases.create('pr-1', 'thaw_pr_2');
    await expect(refusal).rejects.toBeInstanceOf(TemplateNotAllowedError);
    await expect(refusal).rejects.toThrow('allowed: seed, fixtures (STACK_DATABASE_TEMPLATES)');
  });
  it('refuses an unsafe name in the allow-list itself', () => {
    expect(() => createPostgresDatabases({ adminUrl, templates: ['seed; DROP'] })).toThrow(
      UnsafeIdentifierError,
    );
  });
});

describe.runIf(process.env.DATABASE_URL)('per-stack databases on a real PostgreSQL', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const suffix = Date.now().toString(36);
  const databases = createPostgresDatabases({ adminUrl, templates: [`seed_${suffix}`] });
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
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
    expect(await admin`SELECT 1 FROM pg_roles WHERE rolname = ${roleName(id)}`).toEqual([]);
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

  it('refuses a template that is not allowed, before creating anything', async () => {
    await expect(databases.create(`x-${suffix}`, 'seed; DROP DATABASE postgres')).rejects.toBeInstanceOf(
      TemplateNotAllowedError,
    );
    expect(await exists(databaseName(`x-${suffix}`))).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresDatabases,
  databaseName,
  roleName,
  TemplateNotAllowedError,
} from '../adapters/postgres-databases.ts';

/**
 * Issue 13, item 1, on a real PostgreSQL: the deployment is set up as on RDS. An admin role with
 * CREATEDB and CREATEROLE but not a superuser (RDS's master user) owns the control-plane database, whose
 * CONNECT the deployer revoked from PUBLIC. Stacks get their own roles; PR code holds only its stack's URL.
 */
const superUrl = process.env.DATABASE_URL;

describe.runIf(superUrl)('per-stack database roles on a real PostgreSQL', () => {
  const suffix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const adminRole = `thaw_iso_admin_${suffix}`;
  const adminPassword = randomBytes(16).toString('hex');
  const controlDb = `thaw_iso_control_${suffix}`;
  const seedDb = `thaw_iso_seed_${suffix}`;
  const at = (base: string, database: string, user?: string, password?: string) => {
    const url = new URL(base);
    url.pathname = `/${database}`;
    if (user !== undefined) url.username = user;
    if (password !== undefined) url.password = password;
    return url.toString();
  };
  const superuser = postgres(superUrl!, { max: 1, onnotice: () => {} });
  const adminUrl = at(superUrl!, 'postgres', adminRole, adminPassword);
  const databases = createPostgresDatabases({ adminUrl, templates: [seedDb, `thaw_iso_b_${suffix}`] });
  const clients: postgres.Sql[] = [];
  const connect = (url: string) => {
    const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    clients.push(client);
    return client;
  };
  /** The SQLSTATE of what the statement failed with, or 'ok'. */
  const outcome = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  };
  const superuserIn = (db: string) => connect(at(superUrl!, db));
  const stackA = `a-${suffix}`;
  const stackB = `b-${suffix}`;
  const exists = async (kind: 'database' | 'role', name: string) =>
    kind === 'database'
      ? (await superuser`SELECT 1 FROM pg_database WHERE datname = ${name}`).length === 1
      : (await superuser`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length === 1;

  beforeAll(async () => {
    await superuser.unsafe(`CREATE ROLE ${adminRole} LOGIN CREATEDB CREATEROLE PASSWORD '${adminPassword}'`);
    // The control plane's database, as the deployer leaves it: owned by the admin, CONNECT not public.
    await superuser.unsafe(`CREATE DATABASE ${controlDb} OWNER ${adminRole}`);
    await superuser.unsafe(`REVOKE CONNECT ON DATABASE ${controlDb} FROM PUBLIC`);
    const control = connect(at(adminUrl, controlDb));
    await control`CREATE TABLE stacks (id text PRIMARY KEY)`;
    await control`INSERT INTO stacks VALUES ('pr-1')`;
    // A seed database the deployment allows as a template, made by the admin like any migration would.
    await superuser.unsafe(`CREATE DATABASE ${seedDb} OWNER ${adminRole}`);
    const seed = connect(at(adminUrl, seedDb));
    await seed`CREATE TABLE fixtures (id serial PRIMARY KEY, name text)`;
    await seed`INSERT INTO fixtures (name) VALUES ('alice')`;
    await seed.end();
    await databases.create(stackA);
    await databases.create(stackB);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 1 }).catch(() => {})));
    await databases.close();
    // Whatever a failed run left behind: every database and role of this run carries the suffix.
    for (const {
      datname,
    } of await superuser`SELECT datname FROM pg_database WHERE datname LIKE ${`%${suffix}`}`)
      await superuser`DROP DATABASE ${superuser(datname)} WITH (FORCE)`;
    for (const { rolname } of await superuser`
      SELECT rolname FROM pg_roles WHERE rolname LIKE ${`%${suffix}`} ORDER BY rolname = ${adminRole}`)
      await superuser`DROP ROLE ${superuser(rolname)}`;
    await superuser.end();
  });

  it("hands each stack a URL with a role of its own that owns its database, never the admin's", async () => {
    const url = new URL(databases.urlFor(stackA));
    expect(url.username).toBe(roleName(stackA));
    expect(url.username).not.toBe(adminRole);
    expect(url.password).not.toBe(adminPassword);
    expect(url.password.length).toBeGreaterThanOrEqual(32);
    expect(databases.urlFor(stackB)).not.toContain(url.password);
    const [role] = await superuser`
      SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin, rolbypassrls,
             (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${databaseName(stackA)}) AS owner,
             (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') AS public_owner
        FROM pg_roles WHERE rolname = ${roleName(stackA)}`;
    expect(role).toMatchObject({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolinherit: false,
      rolcanlogin: true,
      rolbypassrls: false,
      owner: roleName(stackA),
    });
    const own = connect(databases.urlFor(stackA));
    await own`CREATE TABLE visits (n int)`;
    expect(await own`SELECT current_user AS me`).toEqual([{ me: roleName(stackA) }]);
    const [schema] =
      await own`SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'public'`;
    expect(['pg_database_owner', roleName(stackA)]).toContain(schema?.owner);
  });

  it("the server checks the stack's password: the URL's is accepted, a wrong one or another stack's is refused", async (ctx) => {
    // Only meaningful where the server checks passwords: trust authentication (pg_hba) admits anyone.
    const wrongAdmin = connect(at(adminUrl, 'postgres', adminRole, 'wrong'));
    if ((await outcome(() => wrongAdmin`SELECT 1`)) === 'ok') ctx.skip();
    const own = connect(databases.urlFor(stackA));
    expect(await own`SELECT current_user AS me`).toEqual([{ me: roleName(stackA) }]);
    const a = new URL(databases.urlFor(stackA));
    const b = new URL(databases.urlFor(stackB));
    // 28P01 invalid_password
    expect(
      await outcome(() => connect(at(a.toString(), a.pathname.slice(1), a.username, 'wrong'))`SELECT 1`),
    ).toBe('28P01');
    expect(
      await outcome(() => connect(at(b.toString(), b.pathname.slice(1), b.username, a.password))`SELECT 1`),
    ).toBe('28P01');
  });

  it("a stack's credentials are refused by the control-plane database and by another stack's", async () => {
    const creds = new URL(databases.urlFor(stackA));
    const as = (db: string) => connect(at(databases.urlFor(stackA), db, creds.username, creds.password));
    // 42501 insufficient_privilege: "permission denied for database … DETAIL: User does not have CONNECT privilege."
    expect(await outcome(() => as(controlDb)`SELECT id FROM stacks`)).toBe('42501');
    expect(await outcome(() => as(databaseName(stackB))`SELECT 1`)).toBe('42501');
    // And the other way round: B cannot reach A's.
    const b = new URL(databases.urlFor(stackB));
    const bIntoA = connect(at(databases.urlFor(stackB), databaseName(stackA), b.username, b.password));
    expect(await outcome(() => bIntoA`SELECT 1`)).toBe('42501');
  });

  it("a stack cannot drop the control-plane database or another stack's", async () => {
    const own = connect(databases.urlFor(stackA));
    expect(await outcome(() => own.unsafe(`DROP DATABASE ${controlDb}`))).toBe('42501');
    expect(await outcome(() => own.unsafe(`DROP DATABASE ${databaseName(stackB)}`))).toBe('42501');
    expect(await outcome(() => own.unsafe(`DROP ROLE ${adminRole}`))).toBe('42501');
    expect(await outcome(() => own.unsafe(`ALTER ROLE ${roleName(stackB)} PASSWORD 'x'`))).toBe('42501');
    expect(await exists('database', controlDb)).toBe(true);
    expect(await exists('database', databaseName(stackB))).toBe(true);
  });

  it('a template outside the allow-list is refused, naming it; so is an allowed name that is a stack database', async () => {
    const id = `c-${suffix}`;
    await expect(databases.create(id, databaseName(stackA))).rejects.toThrow(
      new RegExp(`databaseTemplate "${databaseName(stackA)}" is refused.*STACK_DATABASE_TEMPLATES`),
    );
    await expect(databases.create(id, controlDb)).rejects.toBeInstanceOf(TemplateNotAllowedError);
    // thaw_iso_b_… is in the allow-list by mistake, and a stack happens to own a database of that name.
    await superuser.unsafe(`CREATE DATABASE thaw_iso_b_${suffix} OWNER ${roleName(stackB)}`);
    await expect(databases.create(id, `thaw_iso_b_${suffix}`)).rejects.toThrow(/is a stack's database/);
    await superuser.unsafe(`DROP DATABASE thaw_iso_b_${suffix}`);
    expect(await exists('database', databaseName(id))).toBe(false);
  });

  it("an allowed template seeds the stack's database, and the stack owns what it was given", async () => {
    const id = `d-${suffix}`;
    await databases.create(id, seedDb);
    const app = connect(databases.urlFor(id));
    expect(await app`SELECT name FROM fixtures`).toEqual([{ name: 'alice' }]);
    await app`INSERT INTO fixtures (name) VALUES ('bob')`; // the serial's sequence was handed over too
    await app`ALTER TABLE fixtures ADD COLUMN email text`; // a PR's migration
    const inside = superuserIn(databaseName(id));
    const [table] = await inside`SELECT tableowner FROM pg_tables WHERE tablename = 'fixtures'`;
    await inside.end();
    expect(table?.tableowner).toBe(roleName(id));
    await app.end();
    await databases.drop(id);
  });

  it('creating twice converges, also after a create that stopped half-way', async () => {
    const id = `e-${suffix}`;
    // A first delivery died after CREATE ROLE (with some other password) and before CREATE DATABASE.
    await superuser.unsafe(`CREATE ROLE ${roleName(id)} LOGIN PASSWORD 'left-over'`);
    const verifier = async () =>
      (await superuser`SELECT rolpassword FROM pg_authid WHERE rolname = ${roleName(id)}`)[0]?.rolpassword;
    const before = await verifier();
    await databases.create(id);
    expect(await verifier()).not.toBe(before); // the password was reset to the one urlFor hands out
    const app = connect(databases.urlFor(id));
    await app`CREATE TABLE kept (x int)`;
    await app`INSERT INTO kept VALUES (1)`;
    await databases.create(id); // a redelivery: database kept, data kept
    expect(await app`SELECT x FROM kept`).toEqual([{ x: 1 }]);
    const [db] = await superuser`
      SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', oid, 'CONNECT') AS public_connect
        FROM pg_database WHERE datname = ${databaseName(id)}`;
    expect(db).toEqual({ owner: roleName(id), public_connect: false });
    await app.end();
    await databases.drop(id);
  });

  it('drop removes the database and the role, even with the stack connected, and twice is harmless', async () => {
    const id = `f-${suffix}`;
    await databases.create(id);
    expect(await exists('role', roleName(id))).toBe(true);
    const app = connect(databases.urlFor(id));
    await app`SELECT 1`;
    const { password } = new URL(databases.urlFor(id));
    const elsewhere = connect(at(superUrl!, 'postgres', roleName(id), password)); // a session outside its database
    await elsewhere`SELECT 1`;
    await databases.drop(id);
    expect(await exists('database', databaseName(id))).toBe(false);
    expect(await exists('role', roleName(id))).toBe(false);
    // Its session outside its database was ended too (a new one is refused: the role is gone).
    expect(await outcome(() => elsewhere`SELECT 1`)).not.toBe('ok');
    await databases.drop(id);
  });
});

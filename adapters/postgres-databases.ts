import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { PermanentTaskError, ThawError } from '../core/errors.ts';
import { STACK_ID_PATTERN } from '../core/ids.ts';
import type { OwnedResource, OwnedResources } from '../core/janitor.ts';
import type { StackDatabases } from '../core/orchestrator.ts';

export class UnsafeIdentifierError extends ThawError {
  override name = 'UnsafeIdentifierError';
}

/** A spec's `databaseTemplate` that the deployment does not allow: retrying cannot help. */
export class TemplateNotAllowedError extends PermanentTaskError {
  override name = 'TemplateNotAllowedError';
  readonly template: string;
  constructor(template: string, why: string) {
    super(`databaseTemplate ${JSON.stringify(template)} is refused: ${why}`);
    this.template = template;
  }
}

/** A stack asked for a database and the deployment has no server for stacks: retrying cannot help. */
export class DatabaseNotConfiguredError extends PermanentTaskError {
  override name = 'DatabaseNotConfiguredError';
  readonly setting: string;
  constructor(setting: string) {
    super(
      `this stack asks for a database (a service has database: true) but none can be made: set ${setting} to a ` +
        "PostgreSQL role with CREATEDB and CREATEROLE (not the control plane's own URL; see docs/orchestrators.md)",
    );
    this.setting = setting;
  }
}

/**
 * The stack databases of a deployment without an admin URL: a stack that asks for a database fails at
 * launch, saying what to set, instead of being handed the control plane's URL.
 */
export function refusingDatabases(setting: string): StackDatabases {
  const refuse = (): never => {
    throw new DatabaseNotConfiguredError(setting);
  };
  // urlFor is asked for every service, with a database or not: no URL, so no DATABASE_URL is set.
  return { create: async () => refuse(), drop: async () => {}, urlFor: () => '' };
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Every stack role starts with this; a database owned by one is a stack's, never a template. */
const ROLE_PREFIX = 'thaw_stack_';

function fromStackId(prefix: string, stackId: string, what: string): string {
  if (!STACK_ID_PATTERN.test(stackId))
    throw new UnsafeIdentifierError(`refusing to derive a ${what} from stack id ${JSON.stringify(stackId)}`);
  const name = `${prefix}${stackId.replaceAll('-', '_')}`;
  if (!IDENTIFIER.test(name))
    throw new UnsafeIdentifierError(`${what} ${JSON.stringify(name)} is not a safe identifier`);
  return name;
}

/** thaw_<stack id with - as _>: always a plain lowercase identifier, checked before any SQL. */
export const databaseName = (stackId: string): string => fromStackId('thaw_', stackId, 'database name');

/** thaw_stack_<stack id with - as _>: the role that owns the stack's database and nothing else. */
export const roleName = (stackId: string): string => fromStackId(ROLE_PREFIX, stackId, 'role name');

/**
 * PostgreSQL's SCRAM-SHA-256 verifier for a password (RFC 5802/7677, as `pg_authid` stores it), computed
 * here so the plaintext never appears in a statement the server could log. A fresh random salt each time.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface PostgresDatabasesOptions {
  /**
   * A role with CREATEDB and CREATEROLE (RDS's master user; it need not be a superuser), e.g.
   * postgres://thaw_admin:…@host:5432/postgres. Never the control plane's own URL: stacks must not share
   * a server role with the control plane.
   */
  adminUrl: string;
  /**
   * Where stacks connect (host, port, query such as sslmode), when it differs from the admin URL's
   * (a proxy, a private name). Its user, password and database are always replaced by the stack's.
   */
  stackUrl?: string | undefined;
  /** Databases a spec's `databaseTemplate` may name (STACK_DATABASE_TEMPLATES). Default: none. */
  templates?: readonly string[] | undefined;
  /**
   * The secret stack passwords are derived from (HMAC-SHA256 of the stack id). Default: the admin URL's
   * password, which whoever can read it could use to do anything anyway; without one (trust
   * authentication, where passwords are not checked), 32 random bytes for this process.
   */
  passwordSecret?: string | undefined;
}

/**
 * One PostgreSQL database per stack on any server given by URL (RDS in production), owned by a role of
 * the stack's own: the stack's URL carries that role and its password, never the admin's, and only that
 * role may CONNECT to the database. Identifiers come only from validated stack ids and allow-listed
 * template names and are quoted by postgres.js; no SQL is built from unchecked input.
 */
export function createPostgresDatabases({
  adminUrl,
  stackUrl = adminUrl,
  templates = [],
  passwordSecret,
}: PostgresDatabasesOptions): StackDatabases & OwnedResources & { close(): Promise<void> } {
  for (const template of templates)
    if (!IDENTIFIER.test(template))
      throw new UnsafeIdentifierError(`template ${JSON.stringify(template)} is not a safe database name`);
  const sql = postgres(adminUrl, { max: 2, onnotice: () => {} });
  const secret =
    passwordSecret || decodeURIComponent(new URL(adminUrl).password) || randomBytes(32).toString('hex');
  // The password is a function of the stack id and a secret: urlFor needs no storage and answers the
  // same in every Lambda invocation, and a retried create converges on it.
  const passwordFor = (stackId: string) =>
    createHmac('sha256', secret).update(`thaw stack database ${stackId}`).digest('base64url');

  const checkTemplate = async (template: string) => {
    if (!templates.includes(template))
      throw new TemplateNotAllowedError(
        template,
        templates.length === 0
          ? 'this deployment allows no templates (set STACK_DATABASE_TEMPLATES to a comma-separated list)'
          : `allowed: ${templates.join(', ')} (STACK_DATABASE_TEMPLATES)`,
      );
    const [row] = await sql<{ owner: string }[]>`
      SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ${template}`;
    if (!row) throw new TemplateNotAllowedError(template, 'no such database on the server');
    if (row.owner.startsWith(ROLE_PREFIX))
      throw new TemplateNotAllowedError(template, "it is a stack's database");
  };

  /** Role exists → its password is reset; role missing → created. Either way: login only, no powers. */
  const ensureRole = async (role: string, password: string) => {
    // Only base64, digits, '$' and ':' in a verifier: safe inside a quoted literal.
    const attributes = sql.unsafe(
      `LOGIN NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '${scramVerifier(password)}'`,
    );
    try {
      await sql`CREATE ROLE ${sql(role)} WITH NOSUPERUSER ${attributes}`;
    } catch (error) {
      // 42710 duplicate_object: a partial create, or a concurrent delivery, made it first.
      if ((error as { code?: string }).code !== '42710') throw error;
      await sql`ALTER ROLE ${sql(role)} WITH ${attributes}`;
    }
    // The admin must be a member to hand the database to the role and to drop it later (PG15's
    // CREATEROLE does not imply it). Membership goes one way: the stack role gains nothing.
    await sql`GRANT ${sql(role)} TO CURRENT_USER`;
  };

  /** `public`, and in a database cloned from a template the admin's objects, become the stack's. */
  const handOver = async (name: string, role: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      await db.begin(async (tx) => {
        const [publicSchema] = await tx<{ owner: string }[]>`
          SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'public'`;
        if (publicSchema && publicSchema.owner !== role) await tx`ALTER SCHEMA public OWNER TO ${tx(role)}`;
        const me = tx`(SELECT oid FROM pg_roles WHERE rolname = current_user)`;
        const objects = await tx<{ kind: string; schema: string; name: string }[]>`
          SELECT 'SCHEMA' AS kind, '' AS schema, nspname AS name FROM pg_namespace
            WHERE nspowner = ${me} AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
          UNION ALL
          SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                   WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relowner = ${me} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
          UNION ALL
          SELECT 'FUNCTION', n.nspname, p.oid::regprocedure::text FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proowner = ${me} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                AND d.objid = p.oid AND d.deptype = 'e') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
          UNION ALL
          SELECT 'TYPE', n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typowner = ${me} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                AND d.objid = t.oid AND d.deptype = 'e') AND t.typtype IN ('e', 'd', 'r')
              AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;
        for (const o of objects) {
          // Names come from the catalog of a database the admin made; quoted as identifiers all the same.
          const target =
            o.kind === 'SCHEMA'
              ? tx(o.name)
              : o.kind === 'FUNCTION'
                ? tx.unsafe(o.name) // regprocedure text is already quoted by PostgreSQL
                : tx`${tx(o.schema)}.${tx(o.name)}`;
          await tx`ALTER ${tx.unsafe(o.kind)} ${target} OWNER TO ${tx(role)}`;
        }
      });
    } finally {
      await db.end({ timeout: 5 });
    }
  };

  const dropDatabase = async (stackId: string) => {
    // WITH (FORCE) terminates the stack's open connections first (PostgreSQL 13+).
    await sql`DROP DATABASE IF EXISTS ${sql(databaseName(stackId))} WITH (FORCE)`;
  };

  const dropRole = async (stackId: string) => {
    const role = roleName(stackId);
    const [exists] = await sql`SELECT 1 FROM pg_roles WHERE rolname = ${role}`;
    if (!exists) return;
    // Sessions the role still has elsewhere (its database is gone, but `postgres` may admit it).
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${role}`;
    await sql`DROP ROLE IF EXISTS ${sql(role)}`;
  };

  return {
    async create(stackId, template) {
      const name = databaseName(stackId);
      const role = roleName(stackId);
      if (template !== undefined) await checkTemplate(template);
      await ensureRole(role, passwordFor(stackId));
      const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (!exists) {
        try {
          // Owned by the admin at first: in PostgreSQL 15 `public` belongs to pg_database_owner, which a
          // NOINHERIT stack role cannot act as, so the admin (as the owner) hands `public` over first.
          if (template) await sql`CREATE DATABASE ${sql(name)} TEMPLATE ${sql(template)}`;
          else await sql`CREATE DATABASE ${sql(name)}`;
        } catch (error) {
          // 42P04 duplicate_database: a concurrent delivery of the same task won the race.
          if ((error as { code?: string }).code !== '42P04') throw error;
        }
      }
      // Every step is re-applied, so a create interrupted half-way converges when the task is retried.
      await sql`REVOKE ALL ON DATABASE ${sql(name)} FROM PUBLIC`;
      await sql`GRANT CONNECT, TEMPORARY ON DATABASE ${sql(name)} TO ${sql(role)}`;
      await handOver(name, role);
      await sql`ALTER DATABASE ${sql(name)} OWNER TO ${sql(role)}`;
    },
    async drop(stackId) {
      await dropDatabase(stackId);
      await dropRole(stackId);
    },
    async listOwned({ skip = () => false } = {}) {
      // A stack's database is thaw_<id> and its role thaw_stack_<id>: both named from the stack id, and a
      // database counts only when its stack's role owns it or exists (a create that stopped half-way), so
      // the control plane's database, a template or a thaw_test_… database is never taken for a stack's.
      const rows = await sql<{ kind: 'database' | 'database-role'; name: string; owner: string | null }[]>`
        SELECT 'database' AS kind, datname AS name, pg_get_userbyid(datdba) AS owner FROM pg_database
          WHERE datname LIKE 'thaw\\_%' AND NOT datistemplate
        UNION ALL
        SELECT 'database-role', rolname, NULL FROM pg_roles WHERE rolname LIKE 'thaw\\_stack\\_%'
        ORDER BY 2`;
      const roles = new Set(rows.filter((r) => r.kind === 'database-role').map((r) => r.name));
      return rows.flatMap((row): OwnedResource[] => {
        const prefix = row.kind === 'database' ? 'thaw_' : ROLE_PREFIX;
        const stackId = row.name.slice(prefix.length).replaceAll('_', '-');
        if (!STACK_ID_PATTERN.test(stackId) || skip(stackId)) return [];
        if (row.kind === 'database-role')
          return roleName(stackId) === row.name
            ? [{ kind: row.kind, name: row.name, stackId, detail: 'login role of a stack database' }]
            : [];
        const role = roleName(stackId);
        if (databaseName(stackId) !== row.name || (row.owner !== role && !roles.has(role))) return [];
        return [{ kind: row.kind, name: row.name, stackId, detail: `owner ${row.owner}` }];
      });
    },
    async removeOwned(resource) {
      if (resource.kind === 'database') await dropDatabase(resource.stackId);
      else if (resource.kind === 'database-role') await dropRole(resource.stackId);
    },
    urlFor(stackId) {
      const url = new URL(stackUrl);
      url.username = roleName(stackId);
      url.password = passwordFor(stackId);
      url.pathname = `/${databaseName(stackId)}`;
      return url.toString();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

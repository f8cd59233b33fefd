import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/** The newest PostgreSQL server binaries installed from Debian (/usr/lib/postgresql/<major>/bin), if any. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((major) => existsSync(join(root, major, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

/** Whether openssl (for the server's self-signed certificate) is on PATH. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TlsPostgres {
  /** postgres://thaw:…@127.0.0.1:<port>/thaw?sslmode=require — the form Terraform stores for RDS. */
  url: string;
  /** The same server and credentials without sslmode: postgres.js then does not use TLS. */
  plainUrl: string;
  /** The server's log (connection refusals land here). */
  logFile: string;
  stop: () => void;
}

/**
 * A throwaway PostgreSQL cluster that, like RDS with rds.force_ssl=1, refuses every connection without
 * TLS: ssl=on with a self-signed certificate, and a pg_hba.conf whose only lines are `hostssl`. The
 * password is checked (scram-sha-256), as on RDS. Runs as the postgres user when the test runs as root
 * (initdb refuses root). Creates the `thaw` database, the name Terraform gives the RDS one.
 */
export async function startTlsPostgres(bin: string): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-tls-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      }
    : undefined;
  const own = (path: string) => owner && chownSync(path, owner.uid, owner.gid);
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: '/', stdio: 'pipe' })
      : execFileSync(command, args, { cwd: '/', stdio: 'pipe' });

  own(dir);
  chmodSync(dir, 0o700);
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  own(pwfile);
  run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'thaw',
    `--pwfile=${pwfile}`,
    '-A',
    'scram-sha-256',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  // A self-signed certificate: sslmode=require encrypts without checking it, as the Terraform says.
  const cert = join(data, 'server.crt');
  const key = join(data, 'server.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  chmodSync(key, 0o600);
  own(key);
  own(cert);
  // Only hostssl lines: a TCP connection without TLS matches nothing and is refused.
  writeFileSync(join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 scram-sha-256\n');
  own(join(data, 'pg_hba.conf'));
  const port = await freePort();
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir);
  own(socketDir);
  const logFile = join(dir, 'server.log');
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    logFile,
    '-w',
    '-t',
    '30',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${socketDir} -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key} -c fsync=off -c max_connections=60`,
    'start',
  ]);
  const stop = () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `postgres://thaw:${password}@127.0.0.1:${port}`;
  try {
    const admin = postgres(`${base}/postgres?sslmode=require`, { max: 1, onnotice: () => {} });
    await admin`create database thaw`;
    await admin.end();
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `${base}/thaw?sslmode=require`, plainUrl: `${base}/thaw`, logFile, stop };
}

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/stores.ts';

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'thaw-bundles-'));
const lambdas = ['events', 'tasks', 'freezer', 'migrate', 'access-logs'];
// The Node this repository runs on, and the Lambda runtime's major (nodejs22.x) when CI fetched it
// (.ci/fetch-node.sh → THAW_NODE22_BIN): the bundles must load on both.
const runtimes: [string, string][] = [
  [`node ${process.versions.node}`, process.execPath],
  ...(process.env.THAW_NODE22_BIN
    ? [['node 22 (Lambda)', process.env.THAW_NODE22_BIN] as [string, string]]
    : []),
];

/** Imports a bundle in a fresh Node process, as Lambda would, and reports what it exports. */
async function load(name: string, env: Record<string, string>, node = process.execPath) {
  const file = join(outdir, 'lambdas', name, 'index.mjs');
  const script = `import(${JSON.stringify(file)}).then(async (m) => { console.log(JSON.stringify({ handler: typeof m.handler })); if (process.env.INVOKE) console.log(JSON.stringify(await m.handler({}))); process.exit(0); }, (e) => { console.log(JSON.stringify({ error: e.name, message: e.message })); process.exit(0); })`;
  const { stdout } = await run(node, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...env },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

it.runIf(process.env.THAW_REQUIRE_REHEARSAL === '1')(
  'THAW_NODE22_BIN names the Lambda runtime major (required in CI: .ci/fetch-node.sh)',
  () => {
    expect(process.env.THAW_NODE22_BIN, 'THAW_NODE22_BIN is not set').toBeTruthy();
  },
);

beforeAll(async () => {
  await run(process.execPath, ['scripts/build.mjs', '--outdir', outdir]);
}, 120_000);

describe.each(runtimes)('Lambda bundles on %s', (_runtime, node) => {
  it('runs the expected Node major', async () => {
    const { stdout } = await run(node, ['-p', 'process.versions.node']);
    const major = Number(stdout.trim().split('.')[0]);
    expect(major).toBe(node === process.execPath ? Number(process.versions.node.split('.')[0]) : 22);
  });

  it.each(lambdas)('%s fails fast at cold start, listing every missing setting', async (name) => {
    const [result] = await load(name, {}, node);
    expect(result).toMatchObject({ error: 'ConfigError' });
    expect(result.message).toContain(
      'DATABASE_URL: expected a postgres:// URL (or DATABASE_SECRET_ARN naming a secret that holds one), got nothing',
    );
  });

  it('the tasks function names every missing ECS setting', async () => {
    const [result] = await load(
      'tasks',
      { DATABASE_URL: 'postgres://u:p@h/db', STACK_DOMAIN: 'Bad Domain' },
      node,
    );
    expect(result.message).toContain('ECS_CLUSTER: expected an ECS cluster name or ARN, got nothing');
    expect(result.message).toContain('STACK_SUBNETS: expected comma-separated subnet ids');
    expect(result.message).toMatch(
      /STACK_DOMAIN: expected a domain such as qa\.example\.com.*, got "Bad Domain"/,
    );
    expect(result.message).not.toContain('u:p@h');
  });

  it.each(lambdas)('%s exports index.handler when configured', async (name) => {
    const env = {
      EVENTS_QUEUE_URL: 'http://127.0.0.1:9/q/events.fifo',
      TASKS_QUEUE_URL: 'http://127.0.0.1:9/q/tasks',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:9/db',
      ECS_CLUSTER: 'thaw',
      STACK_SUBNETS: 'subnet-1,subnet-2',
      STACK_SECURITY_GROUPS: 'sg-1',
      STACK_DOMAIN: 'qa.example.com',
    };
    const [result] = await load(name, env, node);
    expect(result).toEqual({ handler: 'function' });
  });

  it.runIf(process.env.DATABASE_URL)(
    'the migrate bundle applies its bundled migrations to a real PostgreSQL',
    async () => {
      const database = await createTestDatabase(process.env.DATABASE_URL!);
      try {
        const lines = await load('migrate', { DATABASE_URL: database.url, INVOKE: '1' }, node);
        expect(lines.at(-1)).toEqual({ migrated: true });
      } finally {
        await database.drop();
      }
    },
  );
});

/**
 * A configuration error at an entry point is its message alone: short, naming the setting. A Lambda
 * runtime logs an init error's stack; Node prints the whole (one-line, minified) source line above an
 * uncaught top-level throw, which made the sidecar's message come after ~78 KB of code.
 */
describe('short configuration errors from the built bundles', () => {
  const settle = (promise: Promise<{ stdout: string; stderr: string }>) =>
    promise.then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it.each(lambdas)(
    '%s: the cold-start error’s stack is its message, logged as one JSON line',
    async (name) => {
      const file = join(outdir, 'lambdas', name, 'index.mjs');
      // What a Lambda runtime does with an init error: logs error.stack (here: prints it as JSON).
      const script = `import(${JSON.stringify(file)}).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ name: e.name, stack: e.stack })))`;
      const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
      });
      const { name: errorName, stack } = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(errorName).toBe('ConfigError');
      expect(stack).toMatch(/^ConfigError: invalid configuration:\n/);
      expect(stack).toContain('DATABASE_URL: expected a postgres:// URL');
      expect(stack).not.toMatch(/\n\s+at /);
      expect(stack.length).toBeLessThan(2048);
      const logged = stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(logged).toEqual([
        {
          level: 'ERROR',
          service: `thaw-${name}`,
          errorType: 'ConfigError',
          message: stack.replace('ConfigError: ', ''),
        },
      ]);
    },
  );

  it('the sidecar prints the message alone and exits 1', async () => {
    const result = await settle(
      run(process.execPath, [join(outdir, 'sidecar', 'main.mjs')], { env: { PATH: process.env.PATH } }),
    );
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output.length).toBeLessThan(2048);
    expect(output).toMatch(/^thaw sidecar: invalid sidecar configuration:\n/);
    expect(output).toContain('DATABASE_URL');
    expect(output).toContain('EVENTS_QUEUE_URL');
  });

  it('the Action fails its step with the message alone (exit 1)', async () => {
    const file = join(outdir, 'action', 'index.js');
    await run(process.execPath, ['scripts/build-action.mjs', '--outfile', file]);
    const result = await settle(run(process.execPath, [file], { env: { PATH: process.env.PATH } }));
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output.length).toBeLessThan(2048);
    expect(output).toMatch(/^::error::invalid action inputs:%0A {2}- queue-url: /);
  }, 60_000);

  it('the thaw command prints the message alone and exits 1', async () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'cli', 'manifest.json'), 'utf8'));
    const result = await settle(
      run(process.execPath, [join(outdir, 'cli', manifest.entry), 'dev'], {
        cwd: mkdtempSync(join(tmpdir(), 'thaw-cli-config-')),
        env: { PATH: process.env.PATH, THAW_DATABASE_URL: 'mysql://nowhere/db' },
      }),
    );
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output.length).toBeLessThan(2048);
    expect(output).toMatch(/^thaw: invalid environment:\n\s+- THAW_DATABASE_URL: /);
  });
});

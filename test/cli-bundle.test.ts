import { execFile } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILD_VERSION, FAILED, freshEntry, MANIFEST } from '../scripts/build-cli.mjs';

const run = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;

describe('freshEntry: the bundle is reused only while every source it was built from is unchanged', () => {
  const root = mkdtempSync(join(tmpdir(), 'thaw-cli-fresh-'));
  const outdir = join(root, 'out');
  mkdirSync(join(outdir, 'b-1'), { recursive: true });
  writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
  const manifest = (fields: Record<string, unknown> = {}) =>
    writeFileSync(
      join(outdir, MANIFEST),
      JSON.stringify({
        version: CLI_BUILD_VERSION,
        build: 'b-1',
        entry: 'b-1/main.js',
        inputs: { 'a.ts': statSync(join(root, 'a.ts')).mtimeMs },
        ...fields,
      }),
    );

  it('fresh when every input has its recorded mtime', () => {
    manifest();
    expect(freshEntry({ root, outdir })).toBe(join(outdir, 'b-1/main.js'));
  });

  it('stale when a source was edited since', () => {
    manifest();
    utimesSync(join(root, 'a.ts'), new Date(), new Date(Date.now() + 5000));
    expect(freshEntry({ root, outdir })).toBeUndefined();
  });

  it('stale when a source is gone, the manifest is missing or from another build version', () => {
    manifest({ inputs: { 'gone.ts': 1 } });
    expect(freshEntry({ root, outdir })).toBeUndefined();
    manifest({ version: CLI_BUILD_VERSION + 1 });
    expect(freshEntry({ root, outdir })).toBeUndefined();
    expect(freshEntry({ root, outdir: join(root, 'nothing') })).toBeUndefined();
  });
});

/**
 * A fresh clone: the sources copied to a temporary directory (no dist/), node_modules linked as `npm ci`
 * would have made it. The bin there must build its bundle on the first run, reuse it, rebuild after an
 * edit, and fall back to tsx when it cannot build.
 */
describe('cli/bin/thaw.mjs in a fresh clone', () => {
  const clone = mkdtempSync(join(tmpdir(), 'thaw-clone-'));
  const bin = join(clone, 'cli', 'bin', 'thaw.mjs');
  const thaw = (...args: string[]) =>
    run(process.execPath, [bin, ...args], { cwd: clone, env: { ...process.env, NO_COLOR: '1' } });
  const build = () => JSON.parse(readFileSync(join(clone, 'dist', 'cli', MANIFEST), 'utf8')).build as string;

  beforeAll(() => {
    for (const dir of ['cli', 'core', 'adapters', 'local', 'sidecar', 'lambdas', 'scripts', 'examples'])
      cpSync(join(repo, dir), join(clone, dir), {
        recursive: true,
        filter: (path) => !path.includes('.test.ts'),
      });
    cpSync(join(repo, 'package.json'), join(clone, 'package.json'));
    symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
  });

  it('first runs started together make one build and all answer; the next runs reuse it', async () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const runs = await Promise.all([1, 2, 3, 4].map(() => thaw('--help')));
    for (const { stdout } of runs) {
      expect(stdout).toContain('Usage: thaw');
      for (const command of ['dev', 'launch', 'ls', 'status', 'cost', 'tail'])
        expect(stdout).toContain(command);
    }
    const builds = readdirSync(join(clone, 'dist', 'cli')).filter((entry) => entry.startsWith('b-'));
    const first = build();
    expect(builds).toEqual([first]);
    await thaw('--help');
    await expect(thaw('ls')).rejects.toMatchObject({ code: 1 });
    expect(build()).toBe(first);
  });

  it('an edited source makes a new build that carries the edit', async () => {
    const before = build();
    const main = join(clone, 'cli', 'main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace(
        "'Per-pull-request QA stacks",
        "'EDITED. Per-pull-request QA stacks",
      ),
    );
    const { stdout } = await thaw('--help');
    expect(stdout).toContain('EDITED. Per-pull-request QA stacks');
    expect(build()).not.toBe(before);
  });

  it('sources that do not bundle run through tsx, and the failed build is not retried until they change', async () => {
    const output = join(clone, 'cli', 'output.ts');
    const good = readFileSync(output, 'utf8');
    // esbuild refuses an import it cannot resolve; Node (and tsx) only mind when it runs.
    writeFileSync(output, `${good}\nexport const later = () => import('./not-written-yet.ts');\n`);
    expect((await thaw('--help')).stdout).toContain('EDITED. Per-pull-request QA stacks');
    const failed = join(clone, 'dist', 'cli', FAILED);
    const marked = statSync(failed).mtimeMs;
    expect((await thaw('--help')).stdout).toContain('Usage: thaw');
    expect(statSync(failed).mtimeMs).toBe(marked);
    const before = build();
    writeFileSync(output, good);
    await thaw('--help');
    expect(build()).not.toBe(before);
    expect(existsSync(failed)).toBe(false);
  });

  it('when the bundle cannot be built it runs the sources through tsx', async () => {
    appendFileSync(join(clone, 'cli', 'output.ts'), '\n// edited again\n');
    cpSync(join(clone, 'dist'), join(clone, 'dist-old'), { recursive: true });
    // dist/cli cannot be written: a file stands where the directory should be.
    await run('rm', ['-rf', join(clone, 'dist')]);
    writeFileSync(join(clone, 'dist'), 'not a directory');
    const { stdout } = await thaw('--help');
    expect(stdout).toContain('EDITED. Per-pull-request QA stacks');
  });
});

/**
 * What `thaw --help` and `thaw ls` load: every module URL a process resolves is recorded through a
 * module.register resolve hook; neither may load PGlite, the AWS SDK, Traefik's launcher or the store.
 */
describe('commands are loaded lazily', () => {
  let server: Server;
  const dataDir = mkdtempSync(join(tmpdir(), 'thaw-lazy-'));
  const stacks = [
    {
      id: 'pr-7',
      state: 'FROZEN',
      lastAccessedAt: null,
      failureReason: null,
      keepUntil: null,
      keptBy: null,
      keepSetAt: null,
      images: {},
      urls: { api: 'http://api-pr-7.localhost:8080', web: 'http://pr-7.localhost:8080' },
      url: 'http://pr-7.localhost:8080',
      updatedAt: new Date().toISOString(),
    },
  ];

  // What the control API answers for two starts of a few seconds each in a stack's first 36 s.
  const cost = {
    id: 'pr-7',
    state: 'FROZEN',
    hourlyUsd: 0.0123,
    awakeHours: 2 / 60,
    runningHours: 24 / 3600,
    starts: 2,
    costUsd: (0.0123 * 2) / 60,
    lifetimeHours: 36 / 3600,
    alwaysOnUsd: (0.0123 * 36) / 3600,
    savedUsd: 0,
    wakes: 1,
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(request.url?.endsWith('/cost') ? cost : stacks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      join(dataDir, 'dev.json'),
      JSON.stringify({ controlUrl: `http://127.0.0.1:${port}`, pid: process.pid }),
    );
    writeFileSync(join(dataDir, 'control-token'), 'test-token', { mode: 0o600 });
    // Build (or reuse) the repository's bundle before recording what a start loads.
    await run(process.execPath, [join(repo, 'cli', 'bin', 'thaw.mjs'), '--help']);
  }, 60_000);
  afterAll(() => server?.close());

  async function loads(...args: string[]) {
    const log = join(mkdtempSync(join(tmpdir(), 'thaw-loads-')), 'urls');
    const hooks = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    // execFile is asynchronous: the stand-in control API answers on this process's event loop.
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        join(repo, 'cli', 'bin', 'thaw.mjs'),
        ...args,
      ],
      { cwd: repo, env: { ...process.env, NO_COLOR: '1' } },
    );
    return { stdout, urls: readFileSync(log, 'utf8').trim().split('\n') };
  }

  it('thaw cost says what it counts: billed minutes per start, beside the running time', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(repo, 'cli', 'bin', 'thaw.mjs'), '--data-dir', dataDir, 'cost', 'pr-7'],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(stdout).toMatch(
      /^pr-7\s+FROZEN\s+billed 2 min \(2 starts × 1-min minimum; awake 0\.4 min\) in 0\.6 min since launch {2}cost \$0\.0004 {2}saved \$0\.0000 vs always-on \(\$0\.0123\/h awake, 1 wake\)$/m,
    );
  });

  it.each([[['--help']], [['--data-dir', dataDir, 'ls']]])(
    'thaw %j loads the bundle and none of thaw dev’s dependencies',
    async (args) => {
      const { stdout, urls } = await loads(...args);
      expect(urls.some((url) => /\/dist\/cli\/b-[^/]+\/main\.js$/.test(url))).toBe(true);
      expect(urls.filter((url) => /pglite|@aws-sdk|drizzle|postgres|tsx/.test(url))).toEqual([]);
      if (args.includes('ls')) expect(stdout).toMatch(/^pr-7\s+FROZEN\s+-\s+http:\/\/pr-7\.localhost:8080$/m);
    },
  );
});

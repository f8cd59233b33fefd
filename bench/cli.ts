import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshEntry } from '../scripts/build-cli.mjs';
import { fmt, summarize } from './stats.ts';

/**
 * How long `thaw --help` and `thaw ls` take as whole processes (spawned, as a shell would), beside
 * `node -e 0` (Node's own start) and the old way (tsx compiling the sources on every start). `thaw ls`
 * asks a stand-in control API on loopback (dev.json + control-token in a temporary data directory) that
 * answers two stacks, so the request and the table are part of the time. Runs are interleaved, so a
 * busy machine slows every variant alike.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
/**
 * Another checkout of Thaw (e.g. a `git worktree` of an older commit, with node_modules linked) whose
 * `thaw ls` runs interleaved with this one's: a before/after in the same run, under the same load.
 */
const BASELINE = process.env.BENCH_CLI_BASELINE;
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'cli', 'bin', 'thaw.mjs');
const main = join(root, 'cli', 'main.ts');

const stacks = ['pr-1', 'pr-2'].map((id) => ({
  id,
  state: 'FROZEN',
  lastAccessedAt: new Date().toISOString(),
  failureReason: null,
  keepUntil: null,
  keptBy: null,
  keepSetAt: null,
  images: {},
  urls: { web: `http://${id}.localhost:8080` },
  url: `http://${id}.localhost:8080`,
  updatedAt: new Date().toISOString(),
}));

export async function run() {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(stacks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dataDir = mkdtempSync(join(tmpdir(), 'thaw-bench-cli-'));
  const { port } = server.address() as AddressInfo;
  writeFileSync(
    join(dataDir, 'dev.json'),
    JSON.stringify({ controlUrl: `http://127.0.0.1:${port}`, pid: process.pid }),
  );
  writeFileSync(join(dataDir, 'control-token'), 'bench', { mode: 0o600 });

  // The stand-in server must answer while a spawned `thaw ls` waits: spawn without blocking the loop.
  const once = (args: string[]) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${output}`));
        else resolve(performance.now() - started);
      });
    });

  const variants: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['thaw --help', [bin, '--help']],
    ['thaw ls', [bin, '--data-dir', dataDir, 'ls']],
    ['old: tsx cli/main.ts --help', ['--import', 'tsx', main, '--help']],
    ['old: tsx cli/main.ts ls', ['--import', 'tsx', main, '--data-dir', dataDir, 'ls']],
  ];
  if (BASELINE) {
    const baselineBin = join(BASELINE, 'cli', 'bin', 'thaw.mjs');
    const built = spawnSync(process.execPath, [baselineBin, '--help'], { cwd: BASELINE });
    if (built.status !== 0 || !freshEntry({ root: BASELINE }))
      throw new Error(`the baseline's CLI bundle could not be built in ${BASELINE}: ${built.stderr}`);
    variants.splice(3, 0, ['baseline: thaw ls', [baselineBin, '--data-dir', dataDir, 'ls']]);
  }
  // The first run of the bin builds the bundle when it is missing or stale: not part of the figures.
  const warm = spawnSync(process.execPath, [bin, '--help'], { cwd: root });
  if (warm.status !== 0) throw new Error(`thaw --help failed: ${warm.stderr}`);
  // When the sources do not build (someone's edit in progress) thaw runs them through tsx: not what is measured here.
  const entry = freshEntry({ root });
  if (!entry)
    throw new Error('the CLI bundle could not be built (see node scripts/build.mjs); nothing to measure');

  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of variants) samples.get(name)!.push(await once(args));
  // CPU time (user + system) of each process, which a busy machine inflates far less than wall time: a
  // module preloaded with --import writes process.cpuUsage() at exit (the preload itself adds ~1 ms).
  const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const cpuFile = join(dataDir, 'cpu');
  const preload = `data:text/javascript,${encodeURIComponent(
    `import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(${JSON.stringify(cpuFile)}, String((u.user + u.system) / 1000)); });`,
  )}`;
  for (let i = 0; i < Math.min(RUNS, 10); i++)
    for (const [name, args] of variants) {
      await once(['--import', preload, ...args]);
      cpu.get(name)!.push(Number(readFileSync(cpuFile, 'utf8')));
    }
  server.close();
  // A source edited during the run (others work in this tree) makes one run rebuild: say so.
  if (freshEntry({ root }) !== entry || (BASELINE && !freshEntry({ root: BASELINE })))
    console.log('note: a source changed during the run; one or more runs rebuilt the bundle');

  const rows = variants.map(([name]) => ({
    name,
    ...summarize(samples.get(name)!),
    cpuP50: summarize(cpu.get(name)!).p50,
  }));
  console.log(
    `CLI start, whole process, ${RUNS} runs each, interleaved (ms); load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `${'command'.padEnd(30)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'max'.padStart(7)} ${'CPU p50'.padStart(8)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(30)} ${fmt(r.p50).padStart(7)} ${fmt(r.p90).padStart(7)} ${fmt(r.max).padStart(7)} ${fmt(r.cpuP50).padStart(8)}`,
    );
  console.log(
    JSON.stringify({
      bench: 'cli',
      runs: RUNS,
      node: process.versions.node,
      results: Object.fromEntries(
        rows.map((r) => [r.name, { p50: r.p50, p90: r.p90, max: r.max, cpuP50: r.cpuP50 }]),
      ),
    }),
  );
}

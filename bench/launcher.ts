import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** `BENCH_PIN=0` runs both sides unpinned (as before); by default the server gets core 0 and the load core 1. */
const PIN = process.env.BENCH_PIN !== '0' && availableParallelism() >= 2;

/** Runs `script` with Node (through tsx), pinned to `core` with taskset when pinning is on. */
function node(core: number, script: string, args: string[]) {
  const argv = [process.execPath, '--import', 'tsx', join(import.meta.dirname, script), ...args];
  const [command, ...rest] = PIN ? ['taskset', '-c', String(core), ...argv] : argv;
  return spawn(command!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function measure(mode: 'hono' | 'thaw') {
  const server = node(0, 'launcher-server.ts', [mode]);
  const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
  const { port } = JSON.parse((await lines.next()).value as string);
  const load = node(1, 'launcher-load.ts', [
    `http://127.0.0.1:${port}/some/page`,
    String(CONNECTIONS),
    String(SECONDS),
  ]);
  let out = '';
  load.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise((resolve) => load.on('exit', resolve));
  server.kill('SIGTERM');
  const { resumes, server: serverStats } = JSON.parse((await lines.next()).value as string);
  return { mode, ...JSON.parse(out.trim().split('\n').at(-1)!), resumes, server: serverStats };
}

export async function run(): Promise<void> {
  const load = loadavg()[0]!.toFixed(2);
  const hono = await measure('hono');
  const thaw = await measure('thaw');
  const pinned = PIN ? 'server on core 0, load generator on core 1 (taskset)' : 'unpinned';
  console.log(
    `baseline: bare Hono hello world: ${hono.requestsPerSecond} req/s, p50 ${hono.p50Ms} ms, p99 ${hono.p99Ms} ms, socket errors ${hono.errors} ${JSON.stringify(hono.errorCodes)} (${CONNECTIONS} connections, ${SECONDS} s, ${pinned})`,
  );
  console.log(
    `launcher, one frozen stack: ${thaw.requestsPerSecond} req/s, p50 ${thaw.p50Ms} ms, p99 ${thaw.p99Ms} ms, RESUMEs sent: ${thaw.resumes}, socket errors ${thaw.errors} ${JSON.stringify(thaw.errorCodes)}`,
  );
  console.log(
    `ratio: ${(thaw.requestsPerSecond / hono.requestsPerSecond).toFixed(2)}× bare Hono (goal ≥ 0.5×, p99 < 50 ms, exactly 1 RESUME, 0 socket errors); load average at start ${load}, at end ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'launcher',
      connections: CONNECTIONS,
      seconds: SECONDS,
      pinned: PIN,
      loadAverage: load,
      hono,
      thaw,
    }),
  );
}

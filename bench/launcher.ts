import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function measure(mode: 'hono' | 'thaw') {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'launcher-server.ts'), mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const { port } = JSON.parse((await iterator.next()).value as string);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/some/page`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { host: 'bench.qa.example.com', accept: 'application/json' },
  });
  child.kill('SIGTERM');
  const { resumes } = JSON.parse((await iterator.next()).value as string);
  return {
    mode,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    resumes,
  };
}

export async function run(): Promise<void> {
  const hono = await measure('hono');
  const thaw = await measure('thaw');
  console.log(
    `baseline: bare Hono hello world: ${hono.requestsPerSecond} req/s, p50 ${hono.p50Ms} ms, p99 ${hono.p99Ms} ms (${CONNECTIONS} connections, ${SECONDS} s)`,
  );
  console.log(
    `launcher, one frozen stack: ${thaw.requestsPerSecond} req/s, p50 ${thaw.p50Ms} ms, p99 ${thaw.p99Ms} ms, RESUMEs sent: ${thaw.resumes}, errors: ${thaw.errors}`,
  );
  console.log(
    `ratio: ${(thaw.requestsPerSecond / hono.requestsPerSecond).toFixed(2)}× bare Hono (goal ≥ 0.5×, p99 < 50 ms, exactly 1 RESUME)`,
  );
  console.log(JSON.stringify({ bench: 'launcher', connections: CONNECTIONS, seconds: SECONDS, hono, thaw }));
}

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpecFile } from '../adapters/spec-file.ts';
import { freePort } from '../local/free-port.ts';
import { createProcessOrchestrator } from '../local/process-orchestrator.ts';
import { fmt, summarize } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const demo = resolve('examples/demo');

async function untilHealthy(url: string): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Baseline: both demo processes started by hand, until both answer their health check. */
export async function bareStart(): Promise<number> {
  const start = performance.now();
  const children = await Promise.all(
    ['web.mjs', 'api.mjs'].map(async (file) => {
      const port = await freePort();
      const child = spawn(process.execPath, [file], {
        cwd: demo,
        env: { PATH: process.env.PATH, PORT: String(port) },
        stdio: 'ignore',
      });
      return { child, port };
    }),
  );
  await Promise.all(children.map(({ port }) => untilHealthy(`http://127.0.0.1:${port}/healthz`)));
  const ms = performance.now() - start;
  for (const { child } of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  return ms;
}

export async function run(): Promise<void> {
  const spec = await loadSpecFile('examples/demo/thaw.yml');
  const orchestrator = createProcessOrchestrator({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-bench-')),
    urls: { domain: 'localhost', scheme: 'http', port: 8080 },
    graceMs: 2000,
  });
  const target = { stackId: 'bench', spec, images: {} };
  const bare: number[] = [];
  const thaw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await bareStart());
    const start = performance.now();
    await orchestrator.scale(target, 'spec');
    for (;;) {
      const status = await orchestrator.status(target, 'spec');
      if (status.failure) throw new Error(status.failure);
      if (status.ready) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    thaw.push(performance.now() - start);
    await orchestrator.scale(target, 'zero');
  }
  await orchestrator.stopAll();
  const b = summarize(bare);
  const t = summarize(thaw);
  console.log(
    `baseline: the demo's two processes started by hand until healthy: p50 ${fmt(b.p50)} ms, p90 ${fmt(b.p90)} ms`,
  );
  console.log(
    `process orchestrator: scale-up call → status ready: p50 ${fmt(t.p50)} ms, p90 ${fmt(t.p90)} ms`,
  );
  console.log(`Thaw's overhead (p50 difference): ${fmt(t.p50 - b.p50)} ms over ${RUNS} runs`);
  console.log(
    JSON.stringify({
      bench: 'orchestrator',
      runs: RUNS,
      baselineMs: b,
      processOrchestratorMs: t,
      overheadP50Ms: t.p50 - b.p50,
    }),
  );
}

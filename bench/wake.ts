import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../core/events.ts';
import { silentLog } from '../core/ports.ts';
import { startDev } from '../local/start-dev.ts';
import { devRouters } from '../test/helpers/dev-routers.ts';
import { getVia } from '../test/helpers/http.ts';
import { bareStart } from './orchestrator.ts';
import { fmt, summarize } from './stats.ts';

const WAKES = Number(process.env.BENCH_WAKES ?? 10);
/** `BENCH_ROUTERS=traefik` (or `builtin`) measures only that router. */
const ONLY = process.env.BENCH_ROUTERS;
const BOT = { 'user-agent': 'Slackbot-LinkExpanding 1.0' }; // probes that never wake the stack

async function wakesThrough(router: ReturnType<typeof devRouters>[number]) {
  const dev = await startDev({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-wake-')),
    port: 0,
    demo: true,
    idle: '1h',
    router: router.name,
    traefikBin: router.traefikBin,
    log: silentLog,
  });
  const host = `demo.${dev.domain}:${dev.port}`;
  const until = async (check: () => Promise<boolean>) => {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  try {
    await until(async () => (await dev.store.load('demo'))?.state === 'RUNNING');
    const samples: number[] = [];
    // Where each wake's time goes: first request → the store leaves FROZEN (launcher + events queue +
    // events handler) → RUNNING (tasks queue, scale-up, readiness, SATISFY_REQ back through the events
    // queue) → first 200 through the router (route refresh).
    const phases = { toResuming: [] as number[], toRunning: [] as number[], toRouted: [] as number[] };
    for (let i = 0; i < WAKES; i++) {
      await dev.plane.queues.sendEvents([
        parseEvent({
          v: 1,
          type: 'FREEZE',
          stackId: 'demo',
          at: new Date().toISOString(),
          seenAccessAt: null,
        }),
      ]);
      await until(async () => (await dev.store.load('demo'))?.state === 'FROZEN');
      await until(async () => (await getVia(dev.port, host, '/', BOT)).fromLauncher);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the sidecar's state cache and the router settle
      const start = performance.now();
      let leftFrozen = Number.NaN;
      let running = Number.NaN;
      let watching = true;
      const watcher = (async () => {
        while (watching && Number.isNaN(running)) {
          const state = (await dev.store.load('demo'))?.state;
          const now = performance.now();
          if (state !== 'FROZEN' && Number.isNaN(leftFrozen)) leftFrozen = now;
          if (state === 'RUNNING') running = now;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      await until(async () => {
        const r = await getVia(dev.port, host, '/');
        return !r.fromLauncher && r.status === 200;
      });
      const end = performance.now();
      watching = false;
      await watcher;
      samples.push(end - start);
      phases.toResuming.push(leftFrozen - start);
      phases.toRunning.push(running - leftFrozen);
      phases.toRouted.push(end - running);
    }
    return { router: dev.routerInfo, samples, phases };
  } finally {
    await dev.stop();
  }
}

export async function run(): Promise<void> {
  const appStart: number[] = [];
  for (let i = 0; i < WAKES; i++) appStart.push(await bareStart());
  const app = summarize(appStart);
  console.log(
    `baseline: the demo app's own start time (both processes until healthy): p50 ${fmt(app.p50)} ms, p90 ${fmt(app.p90)} ms`,
  );
  const results = [];
  for (const router of devRouters().filter((r) => !ONLY || r.name === ONLY)) {
    const { router: name, samples, phases } = await wakesThrough(router);
    const wake = summarize(samples);
    const overhead = summarize(samples.map((s) => s - app.p50));
    const parts = {
      toResuming: summarize(phases.toResuming),
      toRunning: summarize(phases.toRunning),
      toRouted: summarize(phases.toRouted),
    };
    results.push({ router: name, wakeMs: wake, overheadMs: overhead, phasesMs: parts });
    console.log(
      `${name}: first request on a frozen stack → first 200 from the app: p50 ${fmt(wake.p50)} ms, p90 ${fmt(wake.p90)} ms; Thaw's overhead p50 ${fmt(overhead.p50)} ms, p90 ${fmt(overhead.p90)} ms (goal ≤ 1,500 ms)`,
    );
    console.log(
      `  p50 by phase: request → store leaves FROZEN ${fmt(parts.toResuming.p50)} ms; → RUNNING ${fmt(parts.toRunning.p50)} ms; → first 200 through the router ${fmt(parts.toRouted.p50)} ms (load average ${loadavg()[0]!.toFixed(2)})`,
    );
  }
  if (devRouters().length === 1)
    console.log('(set THAW_TRAEFIK_BIN to a traefik binary to measure real Traefik too)');
  console.log(JSON.stringify({ bench: 'wake', wakes: WAKES, appStartMs: app, results }));
}

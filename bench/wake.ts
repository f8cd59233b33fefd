import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../core/events.ts';
import { silentLog } from '../core/ports.ts';
import { startDev } from '../local/start-dev.ts';
import { devRouters } from '../test/helpers/dev-routers.ts';
import { getVia } from '../test/helpers/http.ts';
import { bareStart } from './orchestrator.ts';
import { fmt, summarize } from './stats.ts';

const WAKES = Number(process.env.BENCH_WAKES ?? 10);
const BOT = { 'user-agent': 'Slackbot-LinkExpanding 1.0' }; // probes that never wake the stack

async function wakesThrough(router: ReturnType<typeof devRouters>[number]) {
  const dev = await startDev({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-wake-')),
    port: 0,
    demo: true,
    idle: '1h',
    router: router.name,
    traefikBin: router.traefikBin,
    traefikPollInterval: '200ms',
    log: silentLog,
  });
  const host = `demo.${dev.domain}:${dev.port}`;
  const until = async (check: () => Promise<boolean>) => {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  try {
    await until(async () => (await dev.store.load('demo'))?.state === 'RUNNING');
    const samples: number[] = [];
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
      await until(async () => {
        const r = await getVia(dev.port, host, '/');
        return !r.fromLauncher && r.status === 200;
      });
      samples.push(performance.now() - start);
    }
    return { router: dev.routerInfo, samples };
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
  for (const router of devRouters()) {
    const { router: name, samples } = await wakesThrough(router);
    const wake = summarize(samples);
    const overhead = summarize(samples.map((s) => s - app.p50));
    results.push({ router: name, wakeMs: wake, overheadMs: overhead });
    console.log(
      `${name}: first request on a frozen stack → first 200 from the app: p50 ${fmt(wake.p50)} ms, p90 ${fmt(wake.p90)} ms; Thaw's overhead p50 ${fmt(overhead.p50)} ms, p90 ${fmt(overhead.p90)} ms (goal ≤ 1,500 ms)`,
    );
  }
  if (devRouters().length === 1)
    console.log('(set THAW_TRAEFIK_BIN to a traefik binary to measure real Traefik too)');
  console.log(JSON.stringify({ bench: 'wake', wakes: WAKES, appStartMs: app, results }));
}

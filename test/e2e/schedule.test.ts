import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvent } from '../../core/events.ts';
import { silentLog } from '../../core/ports.ts';
import { parseSpec } from '../../core/spec.ts';
import { type Dev, startDev } from '../../local/start-dev.ts';
import { getVia } from '../helpers/http.ts';
import { tinyServerDir } from '../helpers/tiny-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Schedules in `thaw dev` (issue 16): a warm window that opens less than a minute ahead. The stack
 * freezes for idleness first, is woken by the freezer before the window opens (no request at all),
 * stays awake through the window although idle, and freezes by the normal rule after it.
 * Built-in router only; about a minute of real time (the window is given to the second).
 */

/** "HH:MM:SS" in UTC. */
const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

describe('thaw dev: a warm window wakes a frozen stack before the first request', () => {
  let dev: Dev;
  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-e2e-schedule-')),
      port: 0,
      freezerIntervalMs: 500,
      router: 'builtin',
      log: silentLog,
    });
  }, 60_000);
  afterAll(() => dev?.stop(), 30_000);

  it('FROZEN → woken wakeBefore ahead → RUNNING before any request, idle but awake in the window → FROZEN after', async () => {
    const state = async () => (await dev.store.load('demo'))?.state;
    const until = (wanted: string, timeoutMs: number) =>
      waitFor(async () => (await state()) === wanted, {
        timeoutMs,
        what: `demo to be ${wanted}`,
        intervalMs: 100,
      });

    // Whole seconds, so the window's "HH:MM:SS" are exactly these instants.
    const t0 = Math.ceil(Date.now() / 1000) * 1000;
    const windowStart = t0 + 45_000;
    const windowEnd = windowStart + 8_000;
    const wakeAt = windowStart - 15_000;
    // One tiny service (no database, no calls between services), so the only requests are the test's.
    const spec = parseSpec({
      idleTimeout: '2s',
      schedule: {
        timezone: 'UTC',
        warm: [{ days: 'daily', from: clockTime(windowStart), to: clockTime(windowEnd) }],
        wakeBefore: '15s',
        onlyIfUsedWithin: '1d',
      },
      services: { web: { run: 'node server.mjs web', cwd: tinyServerDir(), port: 3000 } },
    });
    await dev.plane.queues.sendEvents([newEvent({ type: 'LAUNCH', stackId: 'demo', images: {}, spec })]);

    // Launched, then frozen for idleness (2 s without a request) well before the wake time.
    await until('RUNNING', 25_000);
    await until('FROZEN', wakeAt - Date.now() - 1000);
    const frozenAt = (await dev.store.load('demo'))!.enteredAt.getTime();
    expect(frozenAt).toBeLessThan(wakeAt);

    // Woken by the freezer, not by a request: its RESUME falls between the wake time and the window.
    // (lastRequestAt is not asserted: in thaw dev the readiness check's pooled connection to the
    // service counts as an open connection for a few seconds after the wake, and keep-awake sends
    // ACCESS for it.)
    await until('RUNNING', windowStart - Date.now() + 5_000);
    const woken = (await dev.store.load('demo'))!;
    const resume = (await dev.store.history('demo')).find((h) => h.event === 'RESUME');
    expect(resume?.at.getTime()).toBeGreaterThanOrEqual(wakeAt);
    expect(resume?.at.getTime()).toBeLessThan(windowStart);

    // A tester arriving when the window opens is answered by the app itself, not the waiting page.
    await waitFor(async () => Date.now() >= windowStart, { timeoutMs: windowStart - Date.now() + 5_000 });
    expect(await state()).toBe('RUNNING');
    const first = await getVia(dev.port, `demo.${dev.domain}:${dev.port}`, '/', { accept: 'text/html' });
    expect(first.fromLauncher).toBe(false);
    expect(first.status).toBe(200);

    // Idle for far longer than 2 s inside the window: never frozen until it ends.
    await waitFor(async () => Date.now() >= windowEnd - 500, { timeoutMs: windowEnd - Date.now() + 5_000 });
    const freezesInWindow = (await dev.store.history('demo')).filter(
      (h) => h.to === 'FREEZING' && h.at.getTime() > woken.enteredAt.getTime(),
    );
    expect(freezesInWindow).toEqual([]);
    expect(await state()).toBe('RUNNING');

    // After the window, the normal idle rule freezes it.
    await until('FROZEN', 20_000);
    const frozenAfter = (await dev.store.history('demo')).find(
      (h) => h.to === 'FREEZING' && h.at.getTime() > woken.enteredAt.getTime(),
    );
    expect(frozenAfter?.at.getTime()).toBeGreaterThanOrEqual(windowEnd);
  }, 90_000);
});

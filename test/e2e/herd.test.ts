import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../core/ports.ts';
import { type Dev, startDev } from '../../local/start-dev.ts';
import { devRouters } from '../helpers/dev-routers.ts';
import { getVia } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';

const BOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';
const CLIENT = '198.51.100.20';

describe.each(devRouters())('a herd on a frozen stack, end to end: $name router', ({ name, traefikBin }) => {
  let dev: Dev;
  const host = () => `demo.${dev.domain}:${dev.port}`;
  const until = (wanted: string, timeoutMs = 60_000) =>
    waitFor(async () => (await dev.store.load('demo'))?.state === wanted, {
      timeoutMs,
      what: `demo to be ${wanted}`,
    });
  /** RESUMEs the sidecar has sent to the queue (its thaw_wakes_total counter). */
  const wakesSent = async () => {
    const text = await (await fetch(`${dev.sidecar.url}/metrics`)).text();
    const match = /^thaw_wakes_total (\d+)$/m.exec(text);
    if (!match) throw new Error(`no thaw_wakes_total in /metrics:\n${text}`);
    return Number(match[1]);
  };

  beforeAll(async () => {
    dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-herd-')),
      port: 0,
      demo: true,
      idle: '6s',
      freezerIntervalMs: 500,
      router: name,
      traefikBin,
      log: silentLog,
    });
  }, 60_000);
  afterAll(() => dev?.stop(), 30_000);

  it('200 concurrent requests from one client: exactly one RESUME sent, no 429, only 503s', async () => {
    await until('FROZEN', 90_000);
    const before = await wakesSent();
    // The probe is a bot: it waits for the launcher to answer without waking the stack itself.
    await waitFor(async () => (await getVia(dev.port, host(), '/', { 'user-agent': BOT })).fromLauncher, {
      what: 'the route to be gone',
    });
    expect(await wakesSent()).toBe(before);
    expect((await dev.store.load('demo'))?.state).toBe('FROZEN');

    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        getVia(dev.port, host(), `/herd/${i}`, { accept: 'application/json', 'x-forwarded-for': CLIENT }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(responses.filter((r) => r.status === 503 && !r.headers['retry-after'])).toEqual([]);
    // Every answer above waited for the one send to finish, so the counter is final here.
    expect((await wakesSent()) - before).toBe(1);
    await until('RUNNING');
  });
});

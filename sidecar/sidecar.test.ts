import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import type { ThawEvent } from '../core/events.ts';
import { silentLog } from '../core/ports.ts';
import { stackHosts } from '../core/spec.ts';
import { stackIn } from '../test/helpers/drive.ts';
import { type Sidecar, startSidecar } from './sidecar.ts';

const domain = 'qa.example.com';
let sidecar: Sidecar | undefined;
afterEach(async () => {
  await sidecar?.stop();
  sidecar = undefined;
});

describe('the sidecar tailing an access log', () => {
  it('sends ACCESS for lines without StartUTC and counts skipped lines by reason in /metrics', async () => {
    const store = createMemoryStore();
    const stack = stackIn('RUNNING')!;
    await store.save(stack, undefined, { history: [], tasks: [] });
    const host = stackHosts(stack.spec!, stack.id, domain)[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'thaw-sidecar-'));
    const path = join(dir, 'access.log');
    // accessLog.fields.names with StartUTC dropped, as in Traefik's documentation example.
    const line = {
      DownstreamStatus: 200,
      Duration: 1_000_000,
      RequestHost: host,
      RouterName: `thaw-${stack.id}-web@http`,
      StartLocal: '2026-11-29T11:00:00+01:00',
      time: '2026-11-29T11:00:01+01:00',
    };
    writeFileSync(
      path,
      [JSON.stringify(line), 'not json at all', '{"level":"info","msg":"hello"}', 'also not json', ''].join(
        '\n',
      ),
    );
    const sent: ThawEvent[] = [];
    sidecar = await startSidecar({
      store,
      events: { sendEvents: async (events) => void sent.push(...events) },
      log: silentLog,
      domain,
      accessLog: { path, fromStart: true, flushSeconds: 300, launcherRouter: 'thaw-launcher' },
    });
    const metrics = await (await fetch(`${sidecar.url}/metrics`)).text();
    expect(metrics).toContain('thaw_access_log_skipped_total{reason="not JSON"} 2');
    expect(metrics).toContain(
      `thaw_access_log_skipped_total{reason="Traefik's own log line (no DownstreamStatus)"} 1`,
    );
    await sidecar.stop();
    sidecar = undefined;
    expect(sent).toMatchObject([{ type: 'ACCESS', stackId: stack.id, at: '2026-11-29T10:00:00.001Z' }]);
  });
});

describe('the sidecar as a server', () => {
  it('hands the socket address to the launcher: a peer that is no trusted proxy cannot pick its key with X-Forwarded-For', async () => {
    const store = createMemoryStore();
    const frozen = ['pr-1', 'pr-2'].map((id) => ({ ...stackIn('FROZEN')!, id }));
    for (const stack of frozen) await store.save(stack, undefined, { history: [], tasks: [] });
    sidecar = await startSidecar({
      store,
      events: { sendEvents: async () => {} },
      log: silentLog,
      domain,
      wakesPerMinute: 1,
      trustedProxies: [],
    });
    // One untrusted peer claiming two addresses, one wake each: keyed on its socket, the second is refused.
    // Without the socket address the launcher would have to believe the header (two keys, no 429).
    const statuses = [];
    for (const [i, stack] of frozen.entries()) {
      const host = stackHosts(stack.spec!, stack.id, domain)[0]!;
      // fetch drops a Host header; node:http sends it.
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${sidecar!.url}/`, {
          headers: { host, 'x-forwarded-for': `203.0.113.${i + 1}` },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      statuses.push(status);
    }
    expect(statuses).toEqual([503, 429]);
  });
});

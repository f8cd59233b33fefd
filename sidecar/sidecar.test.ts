import { mkdtempSync, writeFileSync } from 'node:fs';
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

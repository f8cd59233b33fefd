import { describe, expect, it } from 'vitest';
import type { ThawEvent } from '../events.ts';
import { silentLog } from '../ports.ts';
import { createAccessAggregator } from './aggregator.ts';
import type { AccessLine } from './parse.ts';

const line = (host: string, at: string, router: string | null = 'thaw-x-web'): AccessLine => ({
  at,
  host,
  router,
  service: router,
  method: 'GET',
  path: '/',
  status: 200,
  durationMs: 1,
});

describe('ACCESS aggregation', () => {
  it('sends at most one ACCESS per stack per window, with the latest time', async () => {
    const sent: ThawEvent[] = [];
    const aggregator = createAccessAggregator({
      events: { sendEvents: async (e) => void sent.push(...e) },
      log: silentLog,
      stackIdFor: (l) => ({ 'a.qa': 'pr-a', 'b.qa': 'pr-b' })[l.host],
      launcherRouter: 'thaw-launcher',
    });
    await aggregator.record(line('a.qa', '2026-01-01T00:00:02.000Z'));
    await aggregator.record(line('a.qa', '2026-01-01T00:00:05.000Z'));
    await aggregator.record(line('a.qa', '2026-01-01T00:00:03.000Z'));
    await aggregator.record(line('b.qa', '2026-01-01T00:00:01.000Z'));
    expect(await aggregator.record(line('c.qa', '2026-01-01T00:00:01.000Z'))).toEqual({
      ignored: 'unknown host',
    });
    expect(await aggregator.record(line('a.qa', '2026-01-01T00:00:09.000Z', 'thaw-launcher'))).toEqual({
      ignored: 'served by the launcher',
    });
    expect(await aggregator.flush()).toBe(2);
    expect(sent.map((e) => [e.type, e.stackId, e.at])).toEqual([
      ['ACCESS', 'pr-a', '2026-01-01T00:00:05.000Z'],
      ['ACCESS', 'pr-b', '2026-01-01T00:00:01.000Z'],
    ]);
    expect(await aggregator.flush()).toBe(0);
  });

  it.each([401, 403])(
    'a request refused by a protected preview (%i) does not keep the stack awake',
    async (status) => {
      const sent: ThawEvent[] = [];
      const aggregator = createAccessAggregator({
        events: { sendEvents: async (e) => void sent.push(...e) },
        log: silentLog,
        stackIdFor: () => 'pr-a',
        launcherRouter: 'thaw-launcher',
      });
      expect(await aggregator.record({ ...line('a.qa', '2026-01-01T00:00:02.000Z'), status })).toEqual({
        ignored: 'refused by the stack’s protection',
      });
      expect(await aggregator.flush()).toBe(0);
      // An app's own 404 or 500 is still activity: someone is using it.
      await aggregator.record({ ...line('a.qa', '2026-01-01T00:00:03.000Z'), status: 404 });
      expect(await aggregator.flush()).toBe(1);
    },
  );

  it('keeps the activity for the next window when sending fails', async () => {
    let fail = true;
    const sent: ThawEvent[] = [];
    const aggregator = createAccessAggregator({
      events: {
        sendEvents: async (e) => (fail ? Promise.reject(new Error('SQS down')) : void sent.push(...e)),
      },
      log: silentLog,
      stackIdFor: () => 'pr-a',
      launcherRouter: 'thaw-launcher',
    });
    await aggregator.record(line('a', '2026-01-01T00:00:05.000Z'));
    expect(await aggregator.flush()).toBe(0);
    fail = false;
    expect(await aggregator.flush()).toBe(1);
    expect(sent[0]?.at).toBe('2026-01-01T00:00:05.000Z');
  });
});

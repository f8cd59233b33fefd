import { describe, expect, it } from 'vitest';
import type { ThawEvent } from '../../core/events.ts';
import { silentLog } from '../../core/ports.ts';
import { cloudWatchLogsEvent } from '../../test/helpers/cloudwatch.ts';
import { createAccessLogsHandler } from './handler.ts';

const access = (host: string, at: string, router = 'thaw-pr-1-web@ecs') =>
  JSON.stringify({
    DownstreamStatus: 200,
    RequestHost: host,
    RequestMethod: 'GET',
    RequestPath: '/',
    RouterName: router,
    StartUTC: at,
    Duration: 1000,
  });

describe('CloudWatch Logs access handler', () => {
  it('decodes a real gzip payload and sends one ACCESS per stack with the latest time', async () => {
    const sent: ThawEvent[] = [];
    const handler = createAccessLogsHandler({
      events: { sendEvents: async (e) => void sent.push(...e) },
      log: silentLog,
      stackIdFor: async ({ host }) => (host === 'pr-1.qa.example.com' ? 'pr-1' : undefined),
      launcherRouter: 'thaw-launcher',
    });
    const result = await handler(
      cloudWatchLogsEvent([
        access('pr-1.qa.example.com', '2026-11-29T10:00:01Z'),
        access('pr-1.qa.example.com', '2026-11-29T10:00:07Z'),
        access('pr-1.qa.example.com', '2026-11-29T10:00:09Z', 'thaw-launcher@file'),
        access('unknown.qa.example.com', '2026-11-29T10:00:03Z'),
        '{"level":"info","msg":"Configuration loaded"}',
      ]),
    );
    expect(result).toEqual({ lines: 5, skipped: 1, sent: 1 });
    expect(sent).toMatchObject([{ type: 'ACCESS', stackId: 'pr-1', at: '2026-11-29T10:00:07.000Z' }]);
  });

  it('skips CONTROL_MESSAGE payloads', async () => {
    const handler = createAccessLogsHandler({
      events: { sendEvents: async () => {} },
      log: silentLog,
      stackIdFor: async () => 'x',
      launcherRouter: 'thaw-launcher',
    });
    expect(
      await handler(
        cloudWatchLogsEvent(
          ['CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.'],
          'CONTROL_MESSAGE',
        ),
      ),
    ).toEqual({ lines: 0, skipped: 0, sent: 0 });
  });
});

import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { createAccessAggregator } from '../../core/access-log/aggregator.ts';
import { parseAccessLine } from '../../core/access-log/parse.ts';
import type { EventSender, Log } from '../../core/ports.ts';

export interface AccessLogsDeps {
  events: EventSender;
  log: Log;
  stackIdFor: (line: { host: string; router: string | null }) => Promise<string | undefined>;
  launcherRouter: string;
}

/**
 * The seed's path for activity: a CloudWatch Logs subscription on Traefik's log group. Same parser
 * and aggregation as the sidecar's tailer; one ACCESS per stack per invocation.
 */
export function createAccessLogsHandler({ events, log, stackIdFor, launcherRouter }: AccessLogsDeps) {
  return async (event: CloudWatchLogsEvent) => {
    const payload = JSON.parse(
      gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'),
    ) as CloudWatchLogsDecodedData;
    if (payload.messageType === 'CONTROL_MESSAGE') return { lines: 0, skipped: 0, sent: 0 };
    const aggregator = createAccessAggregator({
      events,
      log,
      launcherRouter,
      stackIdFor,
    });
    let skipped = 0;
    for (const logEvent of payload.logEvents) {
      const parsed = parseAccessLine(logEvent.message);
      if (parsed.kind === 'skipped') skipped++;
      else await aggregator.record(parsed.line);
    }
    const sent = await aggregator.flush();
    return { lines: payload.logEvents.length, skipped, sent };
  };
}

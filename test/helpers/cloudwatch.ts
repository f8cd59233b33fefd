import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';

/** A CloudWatch Logs subscription payload as Lambda receives it: base64(gzip(JSON)). */
export function cloudWatchLogsEvent(
  messages: string[],
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' = 'DATA_MESSAGE',
): CloudWatchLogsEvent {
  const data = {
    messageType,
    owner: '123456789012',
    logGroup: '/thaw/traefik',
    logStream: 'traefik/traefik/abc',
    subscriptionFilters: ['thaw-access'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: Date.now(), message })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

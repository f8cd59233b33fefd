import type { SQSEvent, SQSRecord } from 'aws-lambda';

let counter = 0;

/** An SQS record as Lambda delivers it. `groupId` makes it a FIFO record. */
export function sqsRecord(
  body: unknown,
  { groupId, receiveCount = 1 }: { groupId?: string; receiveCount?: number } = {},
): SQSRecord {
  counter++;
  return {
    messageId: `msg-${counter}`,
    receiptHandle: `rh-${counter}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(groupId
        ? { MessageGroupId: groupId, MessageDeduplicationId: `d-${counter}`, SequenceNumber: String(counter) }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${groupId ? 'thaw-events.fifo' : 'thaw-tasks'}`,
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

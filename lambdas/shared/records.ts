import type { SQSRecord } from 'aws-lambda';
import { MalformedMessageError } from './errors.ts';

/** The JSON body of an SQS record, or MalformedMessageError naming the message. */
export function recordBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch (error) {
    throw new MalformedMessageError(record.messageId, { cause: error });
  }
}

/** How many times SQS has delivered this record (1 on first delivery). */
export function receiveCount(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1;
}

/** A short, loggable description of any error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

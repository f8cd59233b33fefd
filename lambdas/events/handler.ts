import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyEvent } from '../../core/apply.ts';
import { parseEvent } from '../../core/events.ts';
import { type Clock, type Log, type Store, systemClock, type TaskSender } from '../../core/ports.ts';
import { flushOutbox } from '../shared/outbox.ts';
import { describeError, recordBody } from '../shared/records.ts';

export interface EventsHandlerDeps {
  store: Store;
  tasks: TaskSender;
  log: Log;
  clock?: Clock;
}

/**
 * The state machine Lambda. Each record: parse → load → transition → compare-and-set write (tasks go to
 * the outbox in the same transaction). A bad record is logged with its reason and reported as a batch
 * item failure (SQS moves it to the DLQ after maxReceiveCount); later records of the same stack wait
 * behind it, other stacks go on. Then the outbox of every stack touched is sent to the tasks queue.
 */
export function createEventsHandler({ store, tasks, log, clock = systemClock }: EventsHandlerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const touched = new Set<string>();
    const processor = new SqsFifoPartialProcessorAsync();
    const handleRecord = async (record: SQSRecord) => {
      let parsed: ReturnType<typeof parseEvent>;
      try {
        parsed = parseEvent(recordBody(record));
      } catch (error) {
        log.error('rejected event', { messageId: record.messageId, reason: describeError(error) });
        throw error;
      }
      touched.add(parsed.stackId);
      try {
        const outcome = await applyEvent(parsed, { store, clock });
        const level = outcome.kind === 'ignored' ? 'debug' : 'info';
        log[level](`event ${outcome.kind}`, {
          messageId: record.messageId,
          ...outcome,
        });
      } catch (error) {
        log.error('could not apply event', {
          stackId: parsed.stackId,
          messageId: record.messageId,
          event: parsed.type,
          reason: describeError(error),
        });
        throw error;
      }
    };
    const response = await processPartialResponse(event, handleRecord, processor, {
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
    await flushOutbox({ store, tasks, log, stackIds: [...touched] });
    return response;
  };
}

import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyEvent } from '../../core/apply.ts';
import { parseEvent } from '../../core/events.ts';
import {
  collisionReason,
  HOST_HOLDING_STATES,
  hostCollisions,
  needsHostCheck,
  refuseStart,
} from '../../core/host-ownership.ts';
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
  const guarded = withHostOwnership(store, log);
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
        const outcome = await applyEvent(parsed, { store: guarded, clock });
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

/**
 * The store, whose save refuses a stack that would start answering on a host another live stack holds
 * (core/host-ownership.ts): the pure transition decides, this write checks the other stacks' hosts
 * (read from their stored specs) and saves the refusal instead — FAILED, the reason naming the other
 * stack, no tasks — in the same compare-and-set. Two colliding LAUNCHes applied at the same instant in
 * different FIFO groups can both pass: the check is not a unique constraint.
 */
export function withHostOwnership(store: Store, log: Log): Store {
  return {
    load: (stackId) => store.load(stackId),
    async save(next, prev, effects) {
      if (!needsHostCheck(next, prev)) return store.save(next, prev, effects);
      const others = await store.list({ states: [...HOST_HOLDING_STATES] });
      const collisions = hostCollisions(next.id, next.spec!, others);
      if (collisions.length === 0) return store.save(next, prev, effects);
      const reason = collisionReason(collisions);
      log.warn('stack refused: host collision', { stackId: next.id, reason });
      const refused = refuseStart(next, effects.history, reason, next.updatedAt);
      return store.save(refused.stack, prev, { history: refused.history, tasks: refused.tasks });
    },
    pendingTasks: (query) => store.pendingTasks(query),
    ackTasks: (ids) => store.ackTasks(ids),
    findIdle: (now, limit) => store.findIdle(now, limit),
    list: (filter) => store.list(filter),
    history: (stackId) => store.history(stackId),
    close: () => store.close(),
  };
}

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PermanentTaskError } from '../../core/errors.ts';
import { newEvent } from '../../core/events.ts';
import type { Executor, ExecutorRegistry, TaskResult } from '../../core/executors.ts';
import type { Clock, EventSender, Log, Store, TaskSender } from '../../core/ports.ts';
import { systemClock } from '../../core/ports.ts';
import { isRequirement, parseTask, type Task } from '../../core/tasks.ts';
import { describeError, receiveCount, recordBody } from '../shared/records.ts';

export interface TasksHandlerDeps {
  executors: ExecutorRegistry;
  events: EventSender;
  tasks: TaskSender;
  log: Log;
  /** When given, tasks of a transition that is no longer current are skipped (e.g. after a DESTROY). */
  store?: Pick<Store, 'load'>;
  /** Deliveries after which a still-failing task is reported as TASK_FAILED (match the queue's maxReceiveCount). */
  maxReceives?: number;
  clock?: Clock;
}

/**
 * The task worker Lambda. Runs each task through its executor and reports back to the events queue:
 * SATISFY_REQ when done, TASK_FAILED when it cannot succeed or its retries are exhausted. A transient
 * error is thrown so SQS redelivers the task. Executors are idempotent, so a redelivered task that had
 * already done its work is harmless.
 */
export function createTasksHandler(deps: TasksHandlerDeps) {
  const { log, store, maxReceives = 5, clock = systemClock } = deps;

  const report = async (task: Task, result: Exclude<TaskResult, { kind: 'wait' }>) => {
    if (!isRequirement(task.kind)) return;
    const base = { stackId: task.stackId, transitionId: task.transitionId, taskId: task.taskId };
    const event =
      result.kind === 'done'
        ? newEvent({ ...base, type: 'SATISFY_REQ' }, clock())
        : newEvent({ ...base, type: 'TASK_FAILED', reason: result.reason }, clock());
    await deps.events.sendEvents([event]);
  };

  const handleRecord = async (record: SQSRecord) => {
    let task: Task;
    try {
      task = parseTask(recordBody(record));
    } catch (error) {
      log.error('rejected task', { messageId: record.messageId, reason: describeError(error) });
      throw error;
    }
    const meta = {
      stackId: task.stackId,
      kind: task.kind,
      transitionId: task.transitionId,
      messageId: record.messageId,
    };
    const count = receiveCount(record);
    try {
      await runTask(task, meta, count);
    } catch (error) {
      // The last delivery: whatever went wrong (the database, the executor, a re-queue, the report),
      // say so now, as SQS moves the task to the DLQ next and nothing else would tell the stack.
      if (count < maxReceives || !isRequirement(task.kind)) throw error;
      const reason = `${describeError(error)} (after ${count} attempts)`;
      log.error('task failed on its last delivery', { ...meta, receiveCount: count, reason });
      await report(task, { kind: 'failed', reason });
    }
  };

  const runTask = async (task: Task, meta: Record<string, unknown>, count: number) => {
    if (store && isRequirement(task.kind)) {
      const current = await store.load(task.stackId);
      if (!current || current.transitionId !== task.transitionId) {
        log.info('skipped a task of a finished transition', {
          ...meta,
          currentTransition: current?.transitionId ?? null,
        });
        return;
      }
    }
    const executor = deps.executors[task.kind] as Executor<typeof task.kind> | undefined;
    let result: TaskResult;
    try {
      if (!executor) throw new PermanentTaskError(`no executor is configured for ${task.kind}`);
      result = await executor(task as never, { log, receiveCount: count });
    } catch (error) {
      const permanent = error instanceof PermanentTaskError;
      if (!permanent && count < maxReceives) {
        log.warn('task failed; SQS will retry', {
          ...meta,
          receiveCount: count,
          reason: describeError(error),
        });
        throw error;
      }
      result = {
        kind: 'failed',
        reason: permanent ? error.message : `${describeError(error)} (after ${count} attempts)`,
      };
    }
    switch (result.kind) {
      case 'wait':
        log.debug('task not done yet; checking again later', {
          ...meta,
          delaySeconds: result.delaySeconds,
          note: result.note,
        });
        await deps.tasks.sendTasks([{ ...task, attempt: task.attempt + 1 }], {
          delaySeconds: result.delaySeconds,
        });
        return;
      case 'failed':
        log.error('task failed', { ...meta, reason: result.reason });
        if (isRequirement(task.kind)) await report(task, result);
        return;
      case 'done':
        log.info('task done', { ...meta, note: result.note });
        await report(task, result);
    }
  };

  return async (event: SQSEvent): Promise<SQSBatchResponse> =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}

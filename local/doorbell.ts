import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsSend } from '../adapters/sqs.ts';

/**
 * A doorbell per queue for `thaw dev`, where the senders and the pollers share one process. Its
 * pollers short-poll the in-process SQS endpoint (each receive answered at once) and pause between
 * empty polls; the doorbell ends that pause as soon as this process sends to the queue, so a message
 * waits neither for the pause nor for the endpoint's 10 ms long-poll tick. Messages still travel
 * through the SQS endpoint: the bell only says when to look.
 */
export function createDoorbell(sqs: SqsSend) {
  const waiting = new Map<string, Set<() => void>>();

  const ring = (queueUrl: string | undefined) => {
    const listeners = queueUrl ? waiting.get(queueUrl) : undefined;
    if (!listeners) return;
    waiting.delete(queueUrl!);
    for (const wake of listeners) wake();
  };

  /** The same client: a send that succeeded rings its queue's bell. */
  const ringing: SqsSend = {
    send: (async (command: Parameters<SqsSend['send']>[0], options?: Parameters<SqsSend['send']>[1]) => {
      const result = await sqs.send(command as never, options as never);
      if (command instanceof SendMessageCommand || command instanceof SendMessageBatchCommand)
        ring(command.input.QueueUrl);
      return result;
    }) as SqsSend['send'],
  };

  /** Resolves after `ms`, or sooner when something is sent to the queue. */
  const wait = (queueUrl: string, ms: number) =>
    new Promise<void>((resolve) => {
      const listeners = waiting.get(queueUrl) ?? new Set();
      waiting.set(queueUrl, listeners);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      listeners.add(done);
    });

  return { sqs: ringing, wait };
}

import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SqsSend } from '../adapters/sqs.ts';

export interface QueueUrls {
  eventsQueueUrl: string;
  eventsDlqUrl: string;
  tasksQueueUrl: string;
  tasksDlqUrl: string;
}

export interface ProvisionOptions {
  sqs: SqsSend;
  /** Queue name prefix, e.g. "thaw" → thaw-events.fifo, thaw-tasks. */
  prefix?: string;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

/**
 * Creates the four queues with their redrive policies (idempotent). Local mode and tests only: in AWS
 * the Terraform module owns them.
 */
export async function ensureQueues({
  sqs,
  prefix = 'thaw',
  visibilityTimeoutSeconds = 30,
  maxReceiveCount = 5,
}: ProvisionOptions): Promise<QueueUrls> {
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  };
  const redrive = (arn: string) => JSON.stringify({ maxReceiveCount, deadLetterTargetArn: arn });
  const visibility = String(visibilityTimeoutSeconds);
  const eventsDlq = await create(`${prefix}-events-dlq.fifo`, { FifoQueue: 'true' });
  const events = await create(`${prefix}-events.fifo`, {
    FifoQueue: 'true',
    VisibilityTimeout: visibility,
    RedrivePolicy: redrive(eventsDlq.arn),
  });
  const tasksDlq = await create(`${prefix}-tasks-dlq`, {});
  const tasks = await create(`${prefix}-tasks`, {
    VisibilityTimeout: visibility,
    RedrivePolicy: redrive(tasksDlq.arn),
  });
  return {
    eventsQueueUrl: events.url,
    eventsDlqUrl: eventsDlq.url,
    tasksQueueUrl: tasks.url,
    tasksDlqUrl: tasksDlq.url,
  };
}

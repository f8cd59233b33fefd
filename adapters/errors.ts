import { ThawError } from '../core/errors.ts';

/** Some entries of a SendMessageBatch still failed after retrying. */
export class QueueSendError extends ThawError {
  override name = 'QueueSendError';
  readonly queueUrl: string;
  readonly failures: { id: string; code: string; message: string; senderFault: boolean }[];
  constructor(queueUrl: string, failures: QueueSendError['failures']) {
    super(
      `could not send ${failures.length} message(s) to ${queueUrl}: ${failures.map((f) => `${f.code} ${f.message}`).join('; ')}`,
    );
    this.queueUrl = queueUrl;
    this.failures = failures;
  }
}

/** An SQS message whose body is not JSON at all. */
export class MalformedMessageError extends ThawError {
  override name = 'MalformedMessageError';
  readonly messageId: string;
  constructor(messageId: string, options?: { cause?: unknown }) {
    super(`message ${messageId}: body is not valid JSON`, options);
    this.messageId = messageId;
  }
}

/** A task that cannot succeed however often it is retried (bad image, invalid input). */
export class PermanentTaskError extends ThawError {
  override name = 'PermanentTaskError';
}

/** Invalid configuration: lists every problem at once. */
export class ConfigError extends ThawError {
  override name = 'ConfigError';
}

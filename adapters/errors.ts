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

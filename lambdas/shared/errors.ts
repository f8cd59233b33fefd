import { ThawError } from '../../core/errors.ts';

/** An SQS message whose body is not JSON at all. */
export class MalformedMessageError extends ThawError {
  override name = 'MalformedMessageError';
  readonly messageId: string;
  constructor(messageId: string, options?: { cause?: unknown }) {
    super(`message ${messageId}: body is not valid JSON`, options);
    this.messageId = messageId;
  }
}

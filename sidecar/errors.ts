import { ThawError, ValidationError } from '../core/errors.ts';

/** A Host header that is not a DNS name with an optional port. */
export class HostHeaderError extends ThawError {
  override name = 'HostHeaderError';
  readonly host: string;
  constructor(host: string) {
    super('invalid Host header');
    this.host = host;
  }
}

/** A client that tried to wake too many stacks too fast. */
export class RateLimitedError extends ThawError {
  override name = 'RateLimitedError';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('too many wake attempts; slow down');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Sending a stack's RESUME to the queue failed; the launcher tries again after the cool-down. */
export class ResumeFailedError extends ThawError {
  override name = 'ResumeFailedError';
  readonly stackId: string;
  readonly retryAfterSeconds: number;
  constructor(stackId: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(`could not send RESUME for stack ${stackId}`, options);
    this.stackId = stackId;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P03',
]);

/** The one table from error to HTTP status (and Retry-After) the sidecar answers with. */
export function httpStatusFor(error: unknown): {
  status: 400 | 429 | 500 | 503;
  retryAfter?: number;
  message: string;
} {
  if (error instanceof HostHeaderError) return { status: 400, message: 'invalid Host header' };
  if (error instanceof ValidationError) return { status: 400, message: 'invalid request' };
  if (error instanceof RateLimitedError)
    return { status: 429, retryAfter: error.retryAfterSeconds, message: error.message };
  if (error instanceof ResumeFailedError)
    return {
      status: 503,
      retryAfter: error.retryAfterSeconds,
      message: 'could not wake the preview; try again shortly',
    };
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code))
    return { status: 503, retryAfter: 5, message: 'the control plane is unavailable; try again shortly' };
  return { status: 500, message: 'internal error' };
}

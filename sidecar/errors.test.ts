import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.ts';
import { HostHeaderError, httpStatusFor, RateLimitedError, ResumeFailedError } from './errors.ts';

describe('error → HTTP status table', () => {
  it.each([
    [new HostHeaderError('x y'), 400, undefined],
    [new ValidationError('event', [{ path: 'x', message: 'bad' }]), 400, undefined],
    [new RateLimitedError(12), 429, 12],
    [new ResumeFailedError('pr-1', 7, { cause: new Error('queue down') }), 503, 7],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 503, 5],
    [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      503,
      5,
    ],
    [new Error('boom'), 500, undefined],
    ['a string', 500, undefined],
  ])('%s → %i', (error, status, retryAfter) => {
    const result = httpStatusFor(error);
    expect(result.status).toBe(status);
    expect(result.retryAfter).toBe(retryAfter);
  });
});

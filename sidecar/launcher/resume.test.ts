import { describe, expect, it } from 'vitest';
import type { ThawEvent } from '../../core/events.ts';
import { ResumeFailedError } from '../errors.ts';
import { createResumer } from './resume.ts';

describe('resumer', () => {
  it('sends one RESUME per stack and transition within the cool-down; a stack frozen again gets a new one at once', async () => {
    const sent: ThawEvent[] = [];
    let now = 1_000_000;
    const resumer = createResumer({
      events: { sendEvents: async (e) => void sent.push(...e) },
      cooldownMs: 10_000,
      clock: () => now,
    });
    await Promise.all(Array.from({ length: 50 }, () => resumer.resume('pr-1', 7)));
    expect(sent).toHaveLength(1);
    now += 1000;
    await resumer.resume('pr-1', 7);
    expect(sent).toHaveLength(1);
    await resumer.resume('pr-1', 9); // woke, froze again: a new transition
    expect(sent).toHaveLength(2);
    now += 10_000;
    await resumer.resume('pr-1', 9); // cool-down over: try again (a lost RESUME is not fatal)
    expect(sent).toHaveLength(3);
  });

  it('a failing send is one attempt per cool-down: every caller gets ResumeFailedError, then one retry', async () => {
    let now = 1_000_000;
    let attempts = 0;
    const failed: string[] = [];
    const resumer = createResumer({
      events: {
        sendEvents: async () => {
          attempts++;
          throw new Error('queue unreachable');
        },
      },
      cooldownMs: 10_000,
      clock: () => now,
      onFailed: (stackId) => failed.push(stackId),
    });
    const herd = await Promise.allSettled(Array.from({ length: 20 }, () => resumer.resume('pr-1', 7)));
    expect(herd.every((r) => r.status === 'rejected' && r.reason instanceof ResumeFailedError)).toBe(true);
    now += 4000;
    await expect(resumer.resume('pr-1', 7)).rejects.toMatchObject({ retryAfterSeconds: 6 });
    expect(resumer.wouldSend('pr-1', 7)).toBe(false);
    expect(resumer.recent('pr-1', 7)).toBeUndefined();
    expect(attempts).toBe(1);
    now += 6000;
    expect(resumer.wouldSend('pr-1', 7)).toBe(true);
    await Promise.allSettled(Array.from({ length: 5 }, () => resumer.resume('pr-1', 7)));
    expect(attempts).toBe(2);
    expect(failed).toEqual(['pr-1', 'pr-1']);
  });
});

import { describe, expect, it } from 'vitest';
import type { ThawEvent } from '../../core/events.ts';
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
});

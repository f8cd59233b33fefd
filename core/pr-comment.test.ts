import { describe, expect, it } from 'vitest';
import { stackCost } from './cost.ts';
import { expiryNote, lastWake, renderComment } from './pr-comment.ts';
import { parseSpec } from './spec.ts';
import type { HistoryEntry, StackState } from './stack.ts';

const urls = { api: 'https://api-pr-7.qa.example.com', web: 'https://pr-7.qa.example.com' };
const base = { stackId: 'pr-7', urls, images: { web: 'ghcr.io/acme/web:1' } };
const row = (comment: string, name: string) =>
  comment.split('\n').find((line) => line.startsWith(`| ${name} |`) || line.startsWith(`| **${name}** |`));

const t0 = Date.parse('2026-11-30T08:00:00Z');
const entry = (to: StackState, minutes: number): HistoryEntry => ({
  stackId: 'pr-7',
  event: 'LAUNCH',
  from: null,
  to,
  transitionId: 1,
  at: new Date(t0 + minutes * 60_000),
  detail: null,
});

describe('the sticky PR comment as a status board', () => {
  it.each([
    ['LAUNCHING', '🚀 Launching'],
    ['UPDATING', '🔄 Updating'],
    ['RUNNING', '✅ Ready'],
    ['FREEZING', '🧊 Freezing'],
    ['FROZEN', '🧊 Frozen (wakes on the first request)'],
    ['RESUMING', '☀️ Waking up'],
    ['DESTROYING', '🧹 Destroying'],
    ['DESTROYED', '🗑️ Destroyed'],
    ['FAILED', '❌ Failed'],
  ])('%s shows as %s, with the legend and the /thaw commands under the table', (state, label) => {
    const comment = renderComment({ ...base, state });
    expect(row(comment, 'State')).toBe(`| **State** | ${label} |`);
    expect(comment).toContain(
      '<sub>🚀 launching · 🔄 updating · ✅ ready · 🧊 frozen · ☀️ waking up · 🧹 destroying · 🗑️ destroyed · ❌ failed<br>',
    );
    expect(comment).toContain(
      'Comment on this PR: `/thaw wake` · `/thaw freeze` · `/thaw keep 4h` · `/thaw destroy` · `/thaw status` · `/thaw help`</sub>',
    );
  });

  it('a state it does not know (what the Action asked for) is shown escaped', () => {
    expect(row(renderComment({ ...base, state: 'LAUNCH <requested>' }), 'State')).toBe(
      '| **State** | LAUNCH &lt;requested&gt; |',
    );
  });

  it('lists every service URL with the one to open first, and none once destroyed', () => {
    const comment = renderComment({ ...base, state: 'RUNNING' });
    expect(comment.split('\n').filter((line) => line.includes('https://'))).toEqual([
      '| **Open** | https://pr-7.qa.example.com |',
      '| web | https://pr-7.qa.example.com |',
      '| api | https://api-pr-7.qa.example.com |',
    ]);
    expect(renderComment({ ...base, state: 'DESTROYED' })).not.toContain('https://');
  });

  it('shows when the stack last woke, as a fixed UTC time, and nothing when it never did', () => {
    const history = [entry('LAUNCHING', 0), entry('RUNNING', 1), entry('FROZEN', 31), entry('RESUMING', 90)];
    history.push(entry('RUNNING', 91), entry('FROZEN', 121), entry('RESUMING', 200), entry('RUNNING', 201));
    const lastWakeAt = lastWake(history);
    expect(lastWakeAt).toEqual(new Date(t0 + 200 * 60_000));
    expect(row(renderComment({ ...base, state: 'RUNNING', lastWakeAt }), 'Last woken')).toBe(
      '| Last woken | 2026-11-30 11:20 UTC |',
    );
    expect(lastWake(history.slice(0, 3))).toBeUndefined();
    expect(renderComment({ ...base, state: 'RUNNING', lastWakeAt: null })).not.toContain('Last woken');
  });

  it('says what the stack cost so far and what freezing saved, from the cost helpers', () => {
    const spec = parseSpec({ services: { web: { image: 'web', port: 3000, cpu: 1024, memory: 2048 } } });
    const history = [entry('LAUNCHING', 0), entry('RUNNING', 1), entry('FROZEN', 60)];
    const cost = stackCost(history, spec, new Date(t0 + 10 * 3600_000));
    const comment = renderComment({ ...base, state: 'FROZEN', cost });
    // 1 h at $0.04048 + 2 GB × $0.004445 = $0.04937/h; left on for 10 h it would have cost $0.49.
    expect(comment).toContain(
      'Cost so far $0.05: awake 60 min (1 start) in 10.0 h since launch, 0 wakes (Fargate bills at least 1 min per start); freezing saved $0.44 compared with always-on.',
    );
    expect(renderComment({ ...base, state: 'FROZEN' })).not.toContain('Cost so far');
  });

  it('a failure shows its whole reason in a code block that the reason cannot close', () => {
    const reason = 'api: health check /healthz answered 500 after 120 s\n```\n[click](https://evil.example)';
    const comment = renderComment({ ...base, state: 'FAILED', reason });
    expect(comment).toContain(
      "**Why it failed**\n```\napi: health check /healthz answered 500 after 120 s\n'''\n[click](https://evil.example)\n```",
    );
    expect(comment).not.toContain('Idle stacks are frozen');
  });

  it('a failure reason that outlived the failure is the last failure, cut at 2000 characters', () => {
    const comment = renderComment({ ...base, state: 'RUNNING', reason: 'x'.repeat(5000) });
    expect(comment).toContain(`**Last failure**\n\`\`\`\n${'x'.repeat(2000)}\n\`\`\``);
    expect(comment).not.toContain('x'.repeat(2001));
  });

  it('shows who kept the stack awake and until when, while the keep lasts', () => {
    const keep = { until: '2026-11-30T17:30:00.000Z', by: 'alice' };
    const during = renderComment({ ...base, state: 'RUNNING', keep, now: new Date('2026-11-30T12:00:00Z') });
    expect(row(during, 'Kept awake')).toBe(
      '| Kept awake | until 2026-11-30 17:30 UTC by @alice (`/thaw keep off` ends it) |',
    );
    const after = renderComment({ ...base, state: 'RUNNING', keep, now: new Date('2026-11-30T18:00:00Z') });
    expect(row(after, 'Kept awake')).toBeUndefined();
    // `by` came through the queue: anything but a login is not turned into a mention.
    const odd = renderComment({
      ...base,
      state: 'RUNNING',
      keep: { ...keep, by: '<b>x</b>|y' },
      now: new Date(0),
    });
    expect(row(odd, 'Kept awake')).toContain('`&lt;b&gt;x&lt;/b&gt;\\|y`');
  });

  it('shows the time-to-live note while it is the newest word of the history', () => {
    const note = 'will be destroyed on 2026-12-14 11:00 UTC (no access for 14 days, last on 2026-11-30)';
    const history = [{ detail: null }, { detail: note }];
    expect(expiryNote(history)).toBe(note);
    expect(expiryNote([...history, { detail: null }])).toBeUndefined();
    const body = renderComment({ ...base, state: 'FROZEN', expiry: note });
    expect(body).toContain(`| Expires | ${note} |`);
  });
});

import { describe, expect, it } from 'vitest';
import { stackIn } from '../test/helpers/drive.ts';
import { stackUrls } from './orchestrator.ts';
import { renderComment } from './pr-comment.ts';
import { parseSpec } from './spec.ts';
import { primaryFirst, primaryService, primaryUrl, toView } from './views.ts';

const urlsOf = (services: Record<string, Record<string, unknown>>, stackId = 'pr-42') =>
  stackUrls(
    parseSpec({
      services: Object.fromEntries(
        Object.entries(services).map(([name, s]) => [name, { image: name, port: 3000, ...s }]),
      ),
    }),
    stackId,
    { domain: 'qa.example.com', scheme: 'https' },
  );

describe('the primary URL: the one a person opens', () => {
  it('is the service on the stack’s own host, wherever it is in the spec', () => {
    // The demo's order as PostgreSQL's jsonb hands a stored spec back: api before web.
    const urls = urlsOf({ api: { host: 'api-{stack}' }, web: { host: '{stack}' } });
    expect(primaryService('pr-42', urls)).toBe('web');
    expect(primaryUrl('pr-42', urls)).toBe('https://pr-42.qa.example.com');
  });

  it('is not fooled by hosts that merely begin or end with the stack id', () => {
    const urls = urlsOf({ admin: { host: '{stack}-admin' }, api: { host: 'api-{stack}' }, web: {} }, 'pr-1');
    expect(primaryService('pr-1', urls)).toBe('web');
    // pr-1's id is a prefix of pr-10's: pr-10's URLs never name a pr-1 service.
    expect(
      primaryService('pr-1', { a: 'https://pr-10.qa.example.com', b: 'https://pr-1.qa.example.com' }),
    ).toBe('b');
  });

  it('prefers the root of the stack’s host over a path on it', () => {
    const urls = urlsOf({ docs: { pathPrefix: '/docs' }, app: {} });
    expect(primaryService('pr-42', urls)).toBe('app');
    expect(
      primaryService('pr-42', urlsOf({ docs: { pathPrefix: '/docs' }, api: { host: 'api-{stack}' } })),
    ).toBe('docs');
  });

  it('else is the first service in the spec; no URLs, no primary', () => {
    const urls = urlsOf({ front: { host: 'front-{stack}' }, back: { host: 'back-{stack}' } });
    expect(primaryService('pr-42', urls)).toBe('front');
    expect(primaryUrl('pr-42', {})).toBeUndefined();
  });

  it('comes first in the URLs shown and in the PR comment', () => {
    const urls = urlsOf({ api: { host: 'api-{stack}' }, web: {} });
    expect(Object.keys(primaryFirst('pr-42', urls))).toEqual(['web', 'api']);
    const comment = renderComment({ stackId: 'pr-42', state: 'RUNNING', urls, images: {} });
    const rows = comment.split('\n').filter((line) => line.includes('https://'));
    expect(rows).toEqual([
      '| **Open** | https://pr-42.qa.example.com |',
      '| web | https://pr-42.qa.example.com |',
      '| api | https://api-pr-42.qa.example.com |',
    ]);
  });
});

describe('toView: the next scheduled wake (issue 16)', () => {
  const schedule = {
    timezone: 'Europe/Berlin',
    warm: [{ days: 'mon-fri', from: '08:30', to: '18:00' }],
    wakeBefore: '5m',
    onlyIfUsedWithin: '7d',
  };
  const base = structuredClone(stackIn('FROZEN')!);
  const used = (at: string) => ({
    ...base,
    lastRequestAt: new Date(at),
    lastCommandAt: null,
    createdAt: new Date(0),
  });

  it('is wakeBefore ahead of the next window for a recently used stack, null for a forgotten one, absent without a schedule', () => {
    const at = new Date('2026-12-04T18:00:00Z'); // Friday 19:00 Berlin
    const withSchedule = { ...used('2026-12-04T10:00:00Z'), spec: { ...base.spec!, schedule } };
    expect(toView(withSchedule, {}, { at }).nextWakeAt).toBe('2026-12-07T07:25:00.000Z');
    const forgotten = { ...used('2026-11-20T10:00:00Z'), spec: { ...base.spec!, schedule } };
    expect(toView(forgotten, {}, { at }).nextWakeAt).toBeNull();
    expect('nextWakeAt' in toView(used('2026-12-04T10:00:00Z'), {}, { at })).toBe(false);
    expect(toView(used('2026-12-04T10:00:00Z'), {}, { at, defaultSchedule: schedule }).nextWakeAt).toBe(
      '2026-12-07T07:25:00.000Z',
    );
    expect('nextWakeAt' in toView(withSchedule, {})).toBe(false);
  });
});

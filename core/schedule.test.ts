import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isWarm,
  keepsWarm,
  nextWarmStart,
  parseDays,
  parseScheduleSetting,
  type Schedule,
  type ScheduleInput,
  scheduleSchema,
  shouldWake,
  warmUntil,
} from './schedule.ts';

const schedule = (input: ScheduleInput): Schedule => scheduleSchema.parse(input);
const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

const berlinOffice = schedule({
  timezone: 'Europe/Berlin',
  warm: [{ days: 'mon-fri', from: '08:30', to: '18:00' }],
});

describe('isWarm / nextWarmStart: an office schedule in Europe/Berlin', () => {
  it.each([
    // winter (CET, UTC+1): 08:30 local is 07:30 UTC
    ['2026-11-30T07:29:59Z', false], // Monday 08:29:59
    ['2026-11-30T07:30:00Z', true],
    ['2026-11-30T16:59:59Z', true],
    ['2026-11-30T17:00:00Z', false], // 18:00: the end is exclusive
    ['2026-12-05T10:00:00Z', false], // Saturday
    // summer (CEST, UTC+2): 08:30 local is 06:30 UTC
    ['2026-07-01T06:29:00Z', false],
    ['2026-07-01T06:30:00Z', true],
    ['2026-07-01T15:59:00Z', true],
    ['2026-07-01T16:00:00Z', false],
  ])('%s → warm: %s', (time, warm) => {
    expect(isWarm(berlinOffice, at(time))).toBe(warm);
  });

  it.each([
    ['2026-12-04T18:00:00Z', '2026-12-07T07:30:00.000Z'], // Friday evening → Monday 08:30 CET
    ['2026-11-30T07:30:00Z', '2026-12-01T07:30:00.000Z'], // at the start: the next one
    ['2026-11-30T03:00:00Z', '2026-11-30T07:30:00.000Z'],
    ['2026-03-27T18:00:00Z', '2026-03-30T06:30:00.000Z'], // over the spring-forward weekend: CEST on Monday
    ['2026-10-23T18:00:00Z', '2026-10-26T07:30:00.000Z'], // over the fall-back weekend: CET on Monday
  ])('after %s the next window opens at %s', (after, start) => {
    expect(iso(nextWarmStart(berlinOffice, at(after)))).toBe(start);
  });
});

describe('DST transitions (Europe/Berlin: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00)', () => {
  it('spring forward: a window from a time that does not exist (02:30) opens when the clock jumps (03:00 CEST)', () => {
    const s = schedule({ timezone: 'Europe/Berlin', warm: [{ days: 'sun', from: '02:30', to: '04:00' }] });
    expect(iso(nextWarmStart(s, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(isWarm(s, at('2026-03-29T00:59:59Z'))).toBe(false); // 01:59:59 CET
    expect(isWarm(s, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
    expect(isWarm(s, at('2026-03-29T01:59:59Z'))).toBe(true);
    expect(isWarm(s, at('2026-03-29T02:00:00Z'))).toBe(false); // 04:00 CEST
  });

  it('spring forward: a window ending in the gap ends at the jump (01:00-02:30 is one real hour)', () => {
    const s = schedule({ timezone: 'Europe/Berlin', warm: [{ days: 'sun', from: '01:00', to: '02:30' }] });
    expect(isWarm(s, at('2026-03-29T00:00:00Z'))).toBe(true); // 01:00 CET
    expect(isWarm(s, at('2026-03-29T00:59:59Z'))).toBe(true);
    expect(isWarm(s, at('2026-03-29T01:00:00Z'))).toBe(false); // 03:00 CEST
    expect(iso(warmUntil(s, at('2026-03-29T00:30:00Z')))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('fall back: a time that occurs twice counts at its first occurrence; 01:00-03:00 lasts three real hours', () => {
    const s = schedule({ timezone: 'Europe/Berlin', warm: [{ days: 'sun', from: '01:00', to: '03:00' }] });
    expect(iso(nextWarmStart(s, at('2026-10-24T12:00:00Z')))).toBe('2026-10-24T23:00:00.000Z'); // 01:00 CEST
    expect(isWarm(s, at('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET, the second 02:30
    expect(isWarm(s, at('2026-10-25T01:59:59Z'))).toBe(true);
    expect(isWarm(s, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    expect(iso(warmUntil(s, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('fall back: a window inside the repeated hour is warm only the first time round', () => {
    const s = schedule({ timezone: 'Europe/Berlin', warm: [{ days: 'sun', from: '02:00', to: '02:30' }] });
    expect(isWarm(s, at('2026-10-25T00:15:00Z'))).toBe(true); // 02:15 CEST
    expect(isWarm(s, at('2026-10-25T01:15:00Z'))).toBe(false); // 02:15 CET
    expect(iso(nextWarmStart(s, at('2026-10-25T00:45:00Z')))).toBe('2026-11-01T01:00:00.000Z'); // next Sunday, CET
  });

  it('America/New_York springs forward on another date (2026-03-08), Australia/Sydney the other way round', () => {
    const ny = schedule({
      timezone: 'America/New_York',
      warm: [{ days: 'daily', from: '09:00', to: '17:00' }],
    });
    expect(iso(nextWarmStart(ny, at('2026-03-07T22:00:00Z')))).toBe('2026-03-08T13:00:00.000Z'); // EDT
    expect(iso(nextWarmStart(ny, at('2026-03-06T22:00:00Z')))).toBe('2026-03-07T14:00:00.000Z'); // EST
    const sydney = schedule({
      timezone: 'Australia/Sydney',
      warm: [{ days: 'mon-fri', from: '09:00', to: '17:00' }],
    });
    // Sydney leaves daylight time (UTC+11 → +10) on 2026-04-05.
    expect(iso(nextWarmStart(sydney, at('2026-04-03T12:00:00Z')))).toBe('2026-04-05T23:00:00.000Z');
    expect(iso(nextWarmStart(sydney, at('2026-04-01T12:00:00Z')))).toBe('2026-04-01T22:00:00.000Z');
  });
});

describe('overlapping, adjacent and overnight windows', () => {
  const s = schedule({
    timezone: 'UTC',
    warm: [
      { days: 'mon-fri', from: '08:00', to: '12:00' },
      { days: 'mon', from: '10:00', to: '18:00' }, // overlaps
      { days: 'tue', from: '12:00', to: '13:00' }, // touches
      { days: 'fri', from: '22:00', to: '06:00' }, // across midnight
    ],
  });

  it('joins overlapping and touching windows into one warm period', () => {
    expect(iso(nextWarmStart(s, at('2026-11-30T07:00:00Z')))).toBe('2026-11-30T08:00:00.000Z');
    // Inside Monday's period: the next start is Tuesday's, not the 10:00 overlap.
    expect(iso(nextWarmStart(s, at('2026-11-30T09:00:00Z')))).toBe('2026-12-01T08:00:00.000Z');
    expect(iso(warmUntil(s, at('2026-11-30T09:00:00Z')))).toBe('2026-11-30T18:00:00.000Z');
    expect(iso(warmUntil(s, at('2026-12-01T09:00:00Z')))).toBe('2026-12-01T13:00:00.000Z');
    expect(isWarm(s, at('2026-12-01T12:30:00Z'))).toBe(true);
    expect(isWarm(s, at('2026-12-01T13:00:00Z'))).toBe(false);
  });

  it('a window that ends before it starts runs across midnight into the next day', () => {
    expect(isWarm(s, at('2026-12-04T21:59:59Z'))).toBe(false);
    expect(isWarm(s, at('2026-12-04T22:00:00Z'))).toBe(true); // Friday 22:00
    expect(isWarm(s, at('2026-12-05T05:59:59Z'))).toBe(true); // Saturday
    expect(isWarm(s, at('2026-12-05T06:00:00Z'))).toBe(false);
  });

  it('a schedule warm all the time has no next start', () => {
    const always = schedule({ timezone: 'Europe/Berlin', warm: [{ from: '00:00', to: '24:00' }] });
    expect(isWarm(always, at('2026-10-25T01:30:00Z'))).toBe(true);
    expect(nextWarmStart(always, at('2026-10-25T01:30:00Z'))).toBeUndefined();
  });
});

/** Reference: the wall clock's weekday and time in the zone, checked against each window directly. */
function referenceIsWarm(s: Schedule, instant: Date): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: s.timezone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  const seconds = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  const secs = (t: string) => {
    const [h, m, sec] = t.split(':').map(Number);
    return h! * 3600 + m! * 60 + (sec ?? 0);
  };
  return s.warm.some((w) => {
    const days = parseDays(w.days)!;
    const from = secs(w.from);
    const to = secs(w.to);
    if (to > from) return days.includes(day) && seconds >= from && seconds < to;
    return (days.includes(day) && seconds >= from) || (days.includes((day + 6) % 7) && seconds < to);
  });
}

const offsetAt = (zone: string, t: number) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - Math.floor(t / 60_000) * 60_000;
};

describe('properties (fast-check)', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Kolkata',
    'America/Santiago',
  ];
  const time = fc
    .tuple(fc.integer({ min: 0, max: 24 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => (h === 24 ? '24:00' : `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`));
  const window = fc
    .record({
      days: fc.constantFrom('mon-fri', 'sat,sun', 'daily', 'fri-mon', 'wed', 'tue,thu'),
      from: time,
      to: time,
    })
    .filter((w) => w.from !== w.to && !(w.from === '00:00' && w.to === '24:00') && w.from !== '24:00');
  const arbSchedule = fc
    .record({ timezone: fc.constantFrom(...zones), warm: fc.array(window, { minLength: 1, maxLength: 3 }) })
    .map((input) => schedule(input));
  const instant = fc
    .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) })
    .map((t) => new Date(t));

  it('away from DST changes, isWarm agrees with reading the wall clock', () => {
    fc.assert(
      fc.property(arbSchedule, instant, (s, t) => {
        const day = 86_400_000;
        fc.pre(offsetAt(s.timezone, t.getTime() - 2 * day) === offsetAt(s.timezone, t.getTime() + 2 * day));
        expect(isWarm(s, t)).toBe(referenceIsWarm(s, t));
      }),
      { numRuns: 300 },
    );
  });

  it('nextWarmStart is later, warm, and not warm a second before; keepsWarm holds from wakeBefore ahead', () => {
    fc.assert(
      fc.property(arbSchedule, instant, (s, t) => {
        const start = nextWarmStart(s, t);
        if (!start) return;
        expect(start.getTime()).toBeGreaterThan(t.getTime());
        expect(isWarm(s, start)).toBe(true);
        expect(isWarm(s, new Date(start.getTime() - 1000))).toBe(false);
        expect(keepsWarm(s, new Date(start.getTime() - 5 * 60_000))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('shouldWake', () => {
  const s = schedule({
    timezone: 'UTC',
    warm: [{ days: 'daily', from: '09:00', to: '17:00' }],
    wakeBefore: '5m',
    onlyIfUsedWithin: '7d',
  });
  const frozenSince = at('2026-11-29T20:00:00Z');
  const lastUsedAt = at('2026-11-29T19:30:00Z');

  it('wakes a recently used stack from wakeBefore ahead of the window until it opens', () => {
    expect(shouldWake(s, { lastUsedAt, frozenSince }, at('2026-11-30T08:54:59Z'))).toMatchObject({
      wake: false,
    });
    expect(shouldWake(s, { lastUsedAt, frozenSince }, at('2026-11-30T08:55:00Z'))).toEqual({
      wake: true,
      windowStart: at('2026-11-30T09:00:00Z'),
    });
    expect(shouldWake(s, { lastUsedAt, frozenSince }, at('2026-11-30T08:59:59Z')).wake).toBe(true);
  });

  it('does not wake a forgotten stack, nor one frozen again after this window’s wake time', () => {
    expect(
      shouldWake(s, { lastUsedAt: at('2026-11-22T08:00:00Z'), frozenSince }, at('2026-11-30T08:56:00Z')),
    ).toEqual({ wake: false, reason: 'not used within 7d' });
    expect(shouldWake(s, { lastUsedAt: null, frozenSince }, at('2026-11-30T08:56:00Z')).wake).toBe(false);
    expect(
      shouldWake(s, { lastUsedAt, frozenSince: at('2026-11-30T08:55:30Z') }, at('2026-11-30T08:57:00Z')),
    ).toEqual({ wake: false, reason: 'frozen since the wake time' });
  });
});

describe('scheduleSchema: invalid schedules name the field and what is allowed', () => {
  const issues = (input: unknown) => {
    const result = scheduleSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it.each([
    [
      { timezone: 'Europe/Berlinn', warm: [{ from: '08:00', to: '09:00' }] },
      'timezone: expected an IANA time zone',
    ],
    [{ timezone: 'UTC', warm: [] }, 'warm: expected at least one window'],
    [
      { timezone: 'UTC', warm: [{ days: 'mon-fry', from: '08:00', to: '09:00' }] },
      'warm.0.days: expected days as "mon-fri"',
    ],
    [
      { timezone: 'UTC', warm: [{ from: '8:00', to: '09:00' }] },
      'warm.0.from: expected a time of day "HH:MM"',
    ],
    [
      { timezone: 'UTC', warm: [{ from: '08:00', to: '24:30' }] },
      'warm.0.to: expected a time of day "HH:MM"',
    ],
    [
      { timezone: 'UTC', warm: [{ from: '08:00', to: '08:00' }] },
      'warm.0.to: expected a time other than "from"',
    ],
    [
      { timezone: 'UTC', warm: [{ from: '08:00', to: '09:00' }], wakeBefore: '5 minutes' },
      'wakeBefore: expected a duration',
    ],
    [{ timezone: 'UTC', warm: [{ from: '08:00', to: '09:00', at: 'x' }] }, 'warm.0: allowed: days, from, to'],
    [
      { timezone: 'UTC', warm: [{ from: '08:00', to: '09:00' }], wake: '5m' },
      ': allowed: timezone, warm, wakeBefore, onlyIfUsedWithin',
    ],
  ])('%j → %s', (input, expected) => {
    expect(issues(input).join('\n')).toContain(expected);
  });
});

describe('parseScheduleSetting (DEFAULT_SCHEDULE)', () => {
  it('reads the compact form and JSON into the same schedule', () => {
    const compact = parseScheduleSetting('Europe/Berlin mon-fri 08:30-18:00, sat 10:00-12:00 wakeBefore=10m');
    const json = parseScheduleSetting(
      '{"timezone":"Europe/Berlin","warm":[{"days":"mon-fri","from":"08:30","to":"18:00"},{"days":"sat","from":"10:00","to":"12:00"}],"wakeBefore":"10m"}',
    );
    expect(compact).toEqual(json);
    expect(compact).toEqual({
      schedule: {
        timezone: 'Europe/Berlin',
        warm: [
          { days: 'mon-fri', from: '08:30', to: '18:00' },
          { days: 'sat', from: '10:00', to: '12:00' },
        ],
        wakeBefore: '10m',
        onlyIfUsedWithin: '7d',
      },
    });
    expect(parseScheduleSetting('UTC 09:00-17:00')).toMatchObject({
      schedule: { warm: [{ days: 'daily', from: '09:00', to: '17:00' }] },
    });
  });

  it('names what is wrong', () => {
    expect(parseScheduleSetting('Europe/Paris mon-fri 8:30-18:00')).toEqual({
      problems: [
        'warm.0.from: expected a time of day "HH:MM" (00:00-24:00), optionally with seconds "HH:MM:SS"',
      ],
    });
    expect(parseScheduleSetting('Nowhere/Else mon 08:00-09:00')).toMatchObject({
      problems: [expect.stringMatching(/^timezone: expected an IANA time zone/)],
    });
    expect(parseScheduleSetting('UTC mon')).toEqual({
      problems: ['warm.0: expected "<days> <from>-<to>" such as "mon-fri 08:30-18:00", got "mon"'],
    });
    expect(parseScheduleSetting('{"timezone":')).toMatchObject({
      problems: [expect.stringMatching(/^expected a schedule as JSON/)],
    });
  });
});

import { z } from 'zod';
import { DURATION_RULE, parseDuration } from './duration.ts';

/**
 * Warm windows: times of the week, in an IANA time zone, during which a stack is kept awake (the
 * freezer wakes it `wakeBefore` ahead and does not freeze it for idleness inside). Pure functions
 * over instants; the zone math uses Intl.DateTimeFormat, no time-zone library.
 *
 * A window on local date D runs from the first instant whose wall clock reads `from` or later on D to
 * the first instant whose wall clock reads `to` or later (on D, or on D+1 when `to` ≤ `from`: a window
 * across midnight). So on a spring-forward day a window from 02:30 (a time that does not exist)
 * opens at 03:00, when the clock jumps; on a fall-back day a time that occurs twice counts at its
 * first occurrence, and a window 01:00-03:00 lasts three real hours. Overlapping or adjacent windows
 * make one warm period.
 */

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAYS_RULE =
  'days as "mon-fri", "sat,sun", "mon,wed-fri" or "daily" (sun mon tue wed thu fri sat; a range may wrap, e.g. "fri-mon")';
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const TIME_RULE = 'a time of day "HH:MM" (00:00-24:00), optionally with seconds "HH:MM:SS"';

/** Seconds after local midnight for "HH:MM[:SS]", 0-86400; undefined if not a time. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (h > 24 || m > 59 || s > 59 || (h === 24 && (m > 0 || s > 0))) return undefined;
  return h * 3600 + m * 60 + s;
}

/** The weekdays (0 = Sunday) of "mon-fri", "sat,sun", "daily"; undefined if not valid. */
export function parseDays(text: string): number[] | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'daily' || trimmed === '*') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of trimmed.split(',')) {
    const [first, last, ...rest] = part.trim().split('-');
    if (rest.length > 0 || first === undefined) return undefined;
    const a = DAY_NAMES.indexOf(first as (typeof DAY_NAMES)[number]);
    const b = last === undefined ? a : DAY_NAMES.indexOf(last as (typeof DAY_NAMES)[number]);
    if (a < 0 || b < 0) return undefined;
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort();
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const windowSchema = z
  .strictObject(
    {
      days: z
        .string({ error: `expected ${DAYS_RULE}` })
        .refine((text) => parseDays(text) !== undefined, { error: `expected ${DAYS_RULE}` })
        .default('daily'),
      from: z
        .string({ error: `expected ${TIME_RULE}, quoted in YAML` })
        .refine((t) => parseTimeOfDay(t) !== undefined, { error: `expected ${TIME_RULE}` }),
      to: z
        .string({ error: `expected ${TIME_RULE}, quoted in YAML` })
        .refine((t) => parseTimeOfDay(t) !== undefined, { error: `expected ${TIME_RULE}` }),
    },
    {
      error: (issue) => (issue.code === 'unrecognized_keys' ? 'allowed: days, from, to' : undefined),
    },
  )
  .superRefine((window, ctx) => {
    const from = parseTimeOfDay(window.from);
    const to = parseTimeOfDay(window.to);
    if (from === 86_400) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'expected a time before "24:00"' });
    } else if (from !== undefined && from === to) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `expected a time other than "from" (${window.from}); a window across midnight ends the next day, e.g. from "22:00" to "06:00"; all day is from "00:00" to "24:00"`,
      });
    }
  });

const durationField = (fallback: string) =>
  z
    .string({ error: `expected ${DURATION_RULE}` })
    .refine((text) => parseDuration(text) !== undefined, { error: `expected ${DURATION_RULE}` })
    .default(fallback);

export const scheduleSchema = z.strictObject(
  {
    timezone: z
      .string({ error: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"' })
      .refine(isTimeZone, { error: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"' }),
    warm: z
      .array(windowSchema, {
        error: 'expected a list of windows: [{ days: mon-fri, from: "08:30", to: "18:00" }]',
      })
      .min(1, { error: 'expected at least one window: [{ days: mon-fri, from: "08:30", to: "18:00" }]' }),
    /** How long before a window opens the freezer wakes the stack. */
    wakeBefore: durationField('5m'),
    /** Wake only stacks accessed within this long: forgotten stacks stay frozen. */
    onlyIfUsedWithin: durationField('7d'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? 'allowed: timezone, warm, wakeBefore, onlyIfUsedWithin'
        : undefined,
  },
);

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall clock of `zone` at instant `ms`, as milliseconds of a UTC-based timeline (seconds precision). */
function wallMs(zone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The first instant at which the wall clock of `zone` reads `wall` or later. */
function firstInstantAtOrAfter(zone: string, wall: number): number {
  const offsets = new Set(
    [-DAY_MS, 0, DAY_MS].map((d) => wallMs(zone, wall + d) - Math.floor((wall + d) / 1000) * 1000),
  );
  const exact = [...offsets]
    .map((offset) => wall - offset)
    .filter((t) => wallMs(zone, t) === wall)
    .sort((a, b) => a - b);
  if (exact[0] !== undefined) return exact[0];
  // A gap (spring forward): the wall clock jumps over `wall`. Binary-search the jump, by seconds.
  let lo = wall - Math.max(...offsets); // before the jump: reads earlier than `wall`
  let hi = wall - Math.min(...offsets); // after the jump: reads later
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallMs(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

interface Interval {
  start: number;
  end: number;
}

/** The warm intervals of windows starting on local dates from `daysBefore` before `at` to `daysAfter` after. */
function intervalsAround(schedule: Schedule, at: number, daysBefore: number, daysAfter: number): Interval[] {
  const localToday = Math.floor(wallMs(schedule.timezone, at) / DAY_MS) * DAY_MS;
  const intervals: Interval[] = [];
  for (let d = -daysBefore; d <= daysAfter; d++) {
    const date = localToday + d * DAY_MS;
    const weekday = new Date(date).getUTCDay();
    for (const window of schedule.warm) {
      if (!parseDays(window.days)!.includes(weekday)) continue;
      const from = parseTimeOfDay(window.from)! * 1000;
      let to = parseTimeOfDay(window.to)! * 1000;
      if (to <= from) to += DAY_MS;
      intervals.push({
        start: firstInstantAtOrAfter(schedule.timezone, date + from),
        end: firstInstantAtOrAfter(schedule.timezone, date + to),
      });
    }
  }
  return merge(intervals);
}

/** Sorted, with overlapping and touching intervals joined. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/** Whether `at` is inside a warm window. */
export function isWarm(schedule: Schedule, at: Date): boolean {
  const t = at.getTime();
  return intervalsAround(schedule, t, 2, 1).some((i) => i.start <= t && t < i.end);
}

/**
 * When the next warm period begins strictly after `after` (overlapping and adjacent windows are one
 * period), or undefined when none begins within the next 8 days (a schedule that is always warm).
 */
export function nextWarmStart(schedule: Schedule, after: Date): Date | undefined {
  const t = after.getTime();
  const next = intervalsAround(schedule, t, 2, 8).find((i) => i.start > t);
  return next ? new Date(next.start) : undefined;
}

/** The end of the warm period `at` is in, or undefined when `at` is not warm. */
export function warmUntil(schedule: Schedule, at: Date): Date | undefined {
  const t = at.getTime();
  const current = intervalsAround(schedule, t, 2, 8).find((i) => i.start <= t && t < i.end);
  return current ? new Date(current.end) : undefined;
}

/**
 * Whether the freezer should leave the stack awake: inside a window, or within `wakeBefore` of the
 * next one (a stack woken ahead of a window must not be frozen again before it opens).
 */
export function keepsWarm(schedule: Schedule, at: Date): boolean {
  if (isWarm(schedule, at)) return true;
  const next = nextWarmStart(schedule, at);
  return next !== undefined && next.getTime() - at.getTime() <= parseDuration(schedule.wakeBefore)!;
}

/**
 * Whether the freezer should wake a FROZEN stack now: the next window opens within `wakeBefore`, the
 * stack was used within `onlyIfUsedWithin`, and it has not been frozen since this window's wake time
 * (it was woken and frozen again on purpose: do not wake it twice for one window).
 */
export function shouldWake(
  schedule: Schedule,
  stack: { lastUsedAt: Date | null; frozenSince: Date },
  now: Date,
): { wake: true; windowStart: Date } | { wake: false; reason: string } {
  const next = nextWarmStart(schedule, now);
  if (!next) return { wake: false, reason: 'no window opens' };
  const wakeAt = next.getTime() - parseDuration(schedule.wakeBefore)!;
  if (now.getTime() < wakeAt) return { wake: false, reason: 'the window opens later' };
  if (stack.frozenSince.getTime() >= wakeAt) return { wake: false, reason: 'frozen since the wake time' };
  const usedWithin = parseDuration(schedule.onlyIfUsedWithin)!;
  if (!stack.lastUsedAt || now.getTime() - stack.lastUsedAt.getTime() > usedWithin)
    return { wake: false, reason: `not used within ${schedule.onlyIfUsedWithin}` };
  return { wake: true, windowStart: next };
}

export const SCHEDULE_SETTING_RULE =
  'a schedule as JSON ({"timezone":"Europe/Berlin","warm":[{"days":"mon-fri","from":"08:30","to":"18:00"}]}) or compact ("Europe/Berlin mon-fri 08:30-18:00, sat 10:00-12:00 wakeBefore=5m onlyIfUsedWithin=7d")';

/**
 * A deployment-wide schedule from a setting: the JSON of a `schedule` of thaw.yml, or the compact
 * form `<timezone> <days> <from>-<to>[, <days> <from>-<to>…] [wakeBefore=<d>] [onlyIfUsedWithin=<d>]`.
 * Returns the problems (each naming the field) instead of throwing.
 */
export function parseScheduleSetting(text: string): { schedule: Schedule } | { problems: string[] } {
  const trimmed = text.trim();
  let input: unknown;
  if (trimmed.startsWith('{')) {
    try {
      input = JSON.parse(trimmed);
    } catch (error) {
      return { problems: [`expected ${SCHEDULE_SETTING_RULE}: ${(error as Error).message}`] };
    }
  } else {
    const [timezone, ...rest] = trimmed.split(/\s+/);
    const options: Record<string, string> = {};
    const windows: string[] = [];
    for (const word of rest) {
      const option = /^(wakeBefore|onlyIfUsedWithin)=(.*)$/.exec(word);
      if (option) options[option[1]!] = option[2]!;
      else windows.push(word);
    }
    const warm = windows
      .join(' ')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .map((part) => {
        const match = /^(?:(\S+)\s+)?(\S+)-(\S+)$/.exec(part);
        return match ? { days: match[1] ?? 'daily', from: match[2], to: match[3] } : part;
      });
    const bad = warm.flatMap((window, i) =>
      typeof window === 'string'
        ? [`warm.${i}: expected "<days> <from>-<to>" such as "mon-fri 08:30-18:00", got "${window}"`]
        : [],
    );
    if (bad.length > 0) return { problems: bad };
    input = { timezone, warm, ...options };
  }
  const result = scheduleSchema.safeParse(input);
  if (result.success) return { schedule: result.data };
  return {
    problems: result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    ),
  };
}

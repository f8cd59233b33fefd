import { z } from 'zod';
import { GITHUB_LOGIN_PATTERN, SERVICE_NAME_PATTERN, stackIdSchema } from './ids.ts';
import { specSchema } from './spec.ts';
import { parseWith } from './validation.ts';

/**
 * Messages on the events queue. Every message has `v` (contract version) and `at`: for LAUNCH and
 * DESTROY the time the command was issued (used to order commands that arrive out of order), for
 * ACCESS the time of the request, for the others when it was sent.
 */
export const EVENT_VERSION = 1;
export const EVENT_TYPES = [
  'LAUNCH',
  'DESTROY',
  'FREEZE',
  'RESUME',
  'ACCESS',
  'SATISFY_REQ',
  'TASK_FAILED',
  'KEEP',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const isoTime = z.iso.datetime({
  offset: true,
  error: 'expected an ISO 8601 time such as "2026-01-31T12:00:00Z"',
});

const base = {
  v: z.literal(EVENT_VERSION, { error: `expected contract version ${EVENT_VERSION}` }),
  stackId: stackIdSchema,
  at: isoTime,
};

export const prRefSchema = z.object({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'expected "owner/name"' }),
  number: z.number().int().positive(),
  headSha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, { error: 'expected a commit SHA' })
    .optional(),
  url: z.url().optional(),
});
export type PrRef = z.infer<typeof prRefSchema>;

export const imagesSchema = z.record(
  z.string().regex(SERVICE_NAME_PATTERN, { error: 'expected a service name' }),
  z.string().min(1).max(512),
);

export const launchEventSchema = z.object({
  ...base,
  type: z.literal('LAUNCH'),
  images: imagesSchema.default({}),
  spec: specSchema,
  pr: prRefSchema.optional(),
});
export const destroyEventSchema = z.object({ ...base, type: z.literal('DESTROY') });
export const freezeEventSchema = z.object({
  ...base,
  type: z.literal('FREEZE'),
  /** The lastAccessedAt the freezer saw; a newer access makes this FREEZE stale. */
  seenAccessAt: isoTime.nullable(),
  /**
   * Asked for by a person (`/thaw freeze`, `thaw freeze`), not by the freezer: it freezes a stack kept
   * awake (KEEP) and ends the keep. Absent on the freezer's own FREEZE, which a keep refuses.
   */
  manual: z.boolean().default(false),
});
export const resumeEventSchema = z.object({ ...base, type: z.literal('RESUME') });
export const accessEventSchema = z.object({ ...base, type: z.literal('ACCESS') });
export const satisfyReqEventSchema = z.object({
  ...base,
  type: z.literal('SATISFY_REQ'),
  transitionId: z.number().int().nonnegative(),
  taskId: z.string().min(1).max(200),
});
export const taskFailedEventSchema = z.object({
  ...base,
  type: z.literal('TASK_FAILED'),
  transitionId: z.number().int().nonnegative(),
  taskId: z.string().min(1).max(200),
  reason: z.string().min(1).max(4000),
});

/**
 * Keep a stack awake until `until` (`/thaw keep 4h`): the freezer leaves it alone until then, and a
 * frozen stack wakes. `until` at or before `at` ends an earlier keep. The newest KEEP (by `at`) wins.
 */
export const keepEventSchema = z.object({
  ...base,
  type: z.literal('KEEP'),
  until: isoTime,
  /** Who asked (a GitHub login), shown on the PR comment. */
  by: z.string().regex(GITHUB_LOGIN_PATTERN, { error: 'expected a GitHub login' }).optional(),
});

export const eventSchema = z.discriminatedUnion(
  'type',
  [
    launchEventSchema,
    destroyEventSchema,
    freezeEventSchema,
    resumeEventSchema,
    accessEventSchema,
    satisfyReqEventSchema,
    taskFailedEventSchema,
    keepEventSchema,
  ],
  { error: `expected "type" to be one of ${EVENT_TYPES.join(', ')}` },
);

export type ThawEvent = z.infer<typeof eventSchema>;
export type EventInput = z.input<typeof eventSchema>;
export type EventOf<T extends EventType> = Extract<ThawEvent, { type: T }>;

/** Validates an event object; throws ValidationError naming each bad field. */
export function parseEvent(input: unknown): ThawEvent {
  return parseWith(eventSchema, input, 'event');
}

/** An event's own fields: everything but `v`, with `at` optional. */
export type NewEventFields = EventInput extends infer T
  ? T extends EventInput
    ? Omit<T, 'v' | 'at'> & { at?: string }
    : never
  : never;

/**
 * Builds a valid event of the current contract version, stamped `at` now unless given. Code outside
 * tests never writes `v` itself.
 */
export function newEvent(fields: NewEventFields, now: Date = new Date()): ThawEvent {
  return parseEvent({ at: now.toISOString(), ...fields, v: EVENT_VERSION });
}

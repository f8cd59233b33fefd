import { z } from 'zod';
import { imagesSchema, prRefSchema } from './events.ts';
import { stackIdSchema } from './ids.ts';
import { specSchema } from './spec.ts';
import { parseWith } from './validation.ts';

/**
 * Messages on the tasks queue. A task is one requirement of a transition (or, for `notify`, a side
 * effect of entering a state). Executing a task twice must be harmless.
 */
export const TASK_VERSION = 1;

const base = {
  v: z.literal(TASK_VERSION, { error: `expected contract version ${TASK_VERSION}` }),
  stackId: stackIdSchema,
  transitionId: z.number().int().nonnegative(),
  /** Unique within the transition; deterministic so redelivery and dedup work. */
  taskId: z.string().min(1).max(200),
  spec: specSchema,
  /** How many times the task was re-queued to check again later (await-ready polling). */
  attempt: z.number().int().nonnegative().default(0),
};

export const TASK_KINDS = [
  'database.create',
  'services.deploy',
  'services.scale',
  'services.await-ready',
  'services.delete',
  'database.drop',
  'notify',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const taskSchema = z.discriminatedUnion(
  'kind',
  [
    /** CREATE DATABASE for the stack (from the spec's template when set). */
    z.object({ ...base, kind: z.literal('database.create') }),
    /** Create or update every service with these images, at the spec's replica counts. */
    z.object({ ...base, kind: z.literal('services.deploy'), images: imagesSchema }),
    /** Scale every service: 0 freezes, "spec" wakes with the spec's replica counts. */
    z.object({
      ...base,
      kind: z.literal('services.scale'),
      images: imagesSchema,
      to: z.enum(['zero', 'spec']),
    }),
    /** Satisfied once every service is ready (or scaled down); the worker re-checks with a delay. */
    z.object({ ...base, kind: z.literal('services.await-ready'), to: z.enum(['zero', 'spec']) }),
    /** Delete every service and what belongs to it. */
    z.object({ ...base, kind: z.literal('services.delete') }),
    /** Drop the stack's database, terminating its connections first. */
    z.object({ ...base, kind: z.literal('database.drop') }),
    /** Tell the outside world (the PR comment) about the state the stack entered. Not a requirement. */
    z.object({
      ...base,
      kind: z.literal('notify'),
      state: z.string(),
      reason: z.string().nullable(),
      pr: prRefSchema.nullable(),
      images: imagesSchema,
      /** The stack's keep (KEEP), when one is set; the comment shows it while it lasts. */
      keep: z
        .object({ until: z.iso.datetime({ offset: true }), by: z.string().max(60).nullable() })
        .optional(),
    }),
  ],
  { error: `expected "kind" to be one of ${TASK_KINDS.join(', ')}` },
);

export type Task = z.infer<typeof taskSchema>;
export type TaskOf<K extends TaskKind> = Extract<Task, { kind: K }>;

export function parseTask(input: unknown): Task {
  return parseWith(taskSchema, input, 'task');
}

/** Tasks whose completion the state machine waits for (everything but notifications). */
export function isRequirement(kind: TaskKind): boolean {
  return kind !== 'notify';
}

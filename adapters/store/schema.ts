import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { PrRef, ThawEvent } from '../../core/events.ts';
import type { StackSpec } from '../../core/spec.ts';
import type { InFlightState, StackState } from '../../core/stack.ts';
import type { Task, TaskKind } from '../../core/tasks.ts';

const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const stacks = pgTable(
  'stacks',
  {
    id: text('id').primaryKey(),
    state: text('state').$type<StackState>().notNull(),
    spec: jsonb('spec').$type<StackSpec | null>(),
    images: jsonb('images').$type<Record<string, string>>().notNull(),
    pr: jsonb('pr').$type<PrRef | null>(),
    transitionId: integer('transition_id').notNull(),
    pendingDeploy: boolean('pending_deploy').notNull().default(false),
    lastAccessedAt: time('last_accessed_at'),
    /** The newest request only (a wake does not move it): time to live and schedules' onlyIfUsedWithin. */
    lastRequestAt: time('last_request_at'),
    lastCommandAt: time('last_command_at'),
    failureReason: text('failure_reason'),
    /** Kept awake until then (KEEP); idleAt is never before it. */
    keepUntil: time('keep_until'),
    keptBy: text('kept_by'),
    /** `at` of the newest KEEP or manual FREEZE applied (orders late deliveries). */
    keepSetAt: time('keep_set_at'),
    /** When the current state was entered (null on rows written before it existed: updatedAt stands in). */
    /** On FAILED: the in-flight state that failed. */
    failedIn: text('failed_in').$type<InFlightState>(),
    enteredAt: time('entered_at'),
    /** When an overdue transition's open tasks were re-sent (once per transition). */
    resentAt: time('resent_at'),
    /** lastAccessedAt + the spec's idle timeout, or keepUntil if later; null when keepAwake. Derived on every write. */
    idleAt: time('idle_at'),
    version: integer('version').notNull(),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (table) => [
    // The freezer's query: RUNNING stacks by idle deadline. Partial, so it stays small.
    index('stacks_idle_running_idx').on(table.idleAt).where(sql`${table.state} = 'RUNNING'`),
    index('stacks_state_idx').on(table.state),
  ],
);

export const requirements = pgTable(
  'requirements',
  {
    stackId: text('stack_id')
      .notNull()
      .references(() => stacks.id, { onDelete: 'cascade' }),
    transitionId: integer('transition_id').notNull(),
    taskId: text('task_id').notNull(),
    kind: text('kind').$type<TaskKind>().notNull(),
    step: integer('step').notNull(),
    target: text('target').$type<'zero' | 'spec'>(),
    satisfied: boolean('satisfied').notNull(),
  },
  (table) => [primaryKey({ columns: [table.stackId, table.transitionId, table.taskId] })],
);

export const deferredEvents = pgTable(
  'deferred_events',
  {
    stackId: text('stack_id')
      .notNull()
      .references(() => stacks.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    event: jsonb('event').$type<ThawEvent>().notNull(),
  },
  (table) => [primaryKey({ columns: [table.stackId, table.seq] })],
);

export const history = pgTable(
  'history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    stackId: text('stack_id').notNull(),
    event: text('event').notNull(),
    fromState: text('from_state').$type<StackState>(),
    toState: text('to_state').$type<StackState>().notNull(),
    transitionId: integer('transition_id').notNull(),
    at: time('at').notNull(),
    detail: text('detail'),
  },
  (table) => [index('history_stack_idx').on(table.stackId, table.id)],
);

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    stackId: text('stack_id').notNull(),
    task: jsonb('task').$type<Task>().notNull(),
    createdAt: time('created_at').notNull(),
  },
  (table) => [index('outbox_stack_idx').on(table.stackId), index('outbox_created_idx').on(table.createdAt)],
);

export type StackRow = typeof stacks.$inferSelect;
export type RequirementRow = typeof requirements.$inferSelect;

import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { StaleVersionError } from '../../core/errors.ts';
import type { IdleStack, OutboxEntry, StackFilter, Store } from '../../core/ports.ts';
import { idleTimeoutMs } from '../../core/spec.ts';
import { stableStringify } from '../../core/stable-json.ts';
import type { HistoryEntry, Stack } from '../../core/stack.ts';
import * as relations from './relations.ts';
import * as tables from './schema.ts';

export const schema = { ...tables, ...relations };
export type ThawDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

type LoadedRow = tables.StackRow & {
  requirements: tables.RequirementRow[];
  deferred: (typeof tables.deferredEvents.$inferSelect)[];
};

/** The Store on any drizzle PostgreSQL database (PGlite or postgres.js). */
export function createDrizzleStore(db: ThawDatabase, close: () => Promise<void>): Store {
  // Prepared once: building a relational query is costly, and this is the hottest read.
  const loadStatement = db.query.stacks
    .findFirst({
      where: eq(tables.stacks.id, sql.placeholder('id')),
      with: {
        requirements: { orderBy: [asc(tables.requirements.step), asc(tables.requirements.taskId)] },
        deferred: { orderBy: [asc(tables.deferredEvents.seq)] },
      },
    })
    .prepare('thaw_load_stack');

  return {
    async load(stackId) {
      // One statement, so the stack, its requirements and deferred events come from one snapshot.
      const row = await loadStatement.execute({ id: stackId });
      return row ? toStack(row) : undefined;
    },

    async save(next, prev, effects) {
      const expected = prev?.version ?? 0;
      const saved: Stack = { ...next, version: expected + 1 };
      const values = toRow(saved);
      const requirementsChanged =
        !prev ||
        prev.transitionId !== saved.transitionId ||
        stableStringify(prev.requirements) !== stableStringify(saved.requirements);
      const deferredChanged = !prev || stableStringify(prev.deferred) !== stableStringify(saved.deferred);
      const writeStack = async (tx: ThawDatabase) => {
        const written = prev
          ? await tx
              .update(tables.stacks)
              .set(values)
              .where(and(eq(tables.stacks.id, next.id), eq(tables.stacks.version, expected)))
              .returning({ id: tables.stacks.id })
          : await tx
              .insert(tables.stacks)
              .values(values)
              .onConflictDoNothing()
              .returning({ id: tables.stacks.id });
        if (written.length === 0) throw new StaleVersionError(next.id, prev ? expected : null);
      };
      if (
        !requirementsChanged &&
        !deferredChanged &&
        effects.history.length === 0 &&
        effects.tasks.length === 0
      ) {
        // Only the stack row changes (an ACCESS, most often): one conditional UPDATE is atomic on its own.
        await writeStack(db);
        return saved;
      }
      await db.transaction(async (tx) => {
        await writeStack(tx as unknown as ThawDatabase);
        if (requirementsChanged) {
          await tx.delete(tables.requirements).where(eq(tables.requirements.stackId, next.id));
          if (saved.requirements.length > 0) {
            await tx.insert(tables.requirements).values(
              saved.requirements.map((r) => ({
                stackId: next.id,
                transitionId: saved.transitionId,
                taskId: r.taskId,
                kind: r.kind,
                step: r.step,
                target: r.to,
                satisfied: r.satisfied,
              })),
            );
          }
        }
        if (deferredChanged) {
          await tx.delete(tables.deferredEvents).where(eq(tables.deferredEvents.stackId, next.id));
          if (saved.deferred.length > 0) {
            await tx
              .insert(tables.deferredEvents)
              .values(saved.deferred.map((event, seq) => ({ stackId: next.id, seq, event })));
          }
        }
        if (effects.history.length > 0) {
          await tx.insert(tables.history).values(effects.history.map(toHistoryRow));
        }
        if (effects.tasks.length > 0) {
          await tx
            .insert(tables.outbox)
            .values(
              effects.tasks.map((task) => ({ stackId: task.stackId, task, createdAt: saved.updatedAt })),
            );
        }
      });
      return saved;
    },

    async pendingTasks({ stackIds, olderThan, limit = 100 }) {
      const conditions = [];
      if (stackIds) {
        if (stackIds.length === 0) return [];
        conditions.push(inArray(tables.outbox.stackId, stackIds));
      }
      if (olderThan) conditions.push(lte(tables.outbox.createdAt, olderThan));
      const rows = await db
        .select()
        .from(tables.outbox)
        .where(and(...conditions))
        .orderBy(asc(tables.outbox.id))
        .limit(limit);
      return rows satisfies OutboxEntry[];
    },

    async ackTasks(ids) {
      if (ids.length === 0) return;
      await db.delete(tables.outbox).where(inArray(tables.outbox.id, ids));
    },

    async findIdle(now, limit = 1000): Promise<IdleStack[]> {
      return db
        .select({ id: tables.stacks.id, lastAccessedAt: tables.stacks.lastAccessedAt })
        .from(tables.stacks)
        .where(and(eq(tables.stacks.state, 'RUNNING'), lte(tables.stacks.idleAt, now)))
        .orderBy(asc(tables.stacks.idleAt))
        .limit(limit);
    },

    async list(filter: StackFilter = {}) {
      const rows = await db.query.stacks.findMany({
        where: filter.states ? inArray(tables.stacks.state, filter.states) : undefined,
        with: { requirements: true, deferred: { orderBy: [asc(tables.deferredEvents.seq)] } },
        orderBy: [asc(tables.stacks.id)],
        limit: filter.limit,
      });
      return rows.map(toStack);
    },

    async history(stackId): Promise<HistoryEntry[]> {
      const rows = await db
        .select()
        .from(tables.history)
        .where(eq(tables.history.stackId, stackId))
        .orderBy(asc(tables.history.id));
      return rows.map((row) => ({
        stackId: row.stackId,
        event: row.event as HistoryEntry['event'],
        from: row.fromState,
        to: row.toState,
        transitionId: row.transitionId,
        at: row.at,
        detail: row.detail,
      }));
    },

    close,
  };
}

function toRow(stack: Stack): typeof tables.stacks.$inferInsert {
  return {
    id: stack.id,
    state: stack.state,
    spec: stack.spec,
    images: stack.images,
    pr: stack.pr,
    transitionId: stack.transitionId,
    pendingDeploy: stack.pendingDeploy,
    lastAccessedAt: stack.lastAccessedAt,
    lastRequestAt: stack.lastRequestAt,
    lastCommandAt: stack.lastCommandAt,
    failureReason: stack.failureReason,
    keepUntil: stack.keepUntil,
    keptBy: stack.keptBy,
    keepSetAt: stack.keepSetAt,
    failedIn: stack.failedIn,
    enteredAt: stack.enteredAt,
    resentAt: stack.resentAt,
    idleAt: idleAt(stack),
    version: stack.version,
    createdAt: stack.createdAt,
    updatedAt: stack.updatedAt,
  };
}

/** When the stack becomes idle enough to freeze (never before a keep ends); null when it never does. */
export function idleAt(stack: Pick<Stack, 'spec' | 'lastAccessedAt' | 'keepUntil'>): Date | null {
  if (!stack.spec || stack.spec.keepAwake || !stack.lastAccessedAt) return null;
  const idle = stack.lastAccessedAt.getTime() + idleTimeoutMs(stack.spec);
  return new Date(Math.max(idle, stack.keepUntil?.getTime() ?? 0));
}

function toStack(row: LoadedRow): Stack {
  return {
    id: row.id,
    state: row.state,
    spec: row.spec ?? null,
    images: row.images,
    pr: row.pr ?? null,
    transitionId: row.transitionId,
    requirements: row.requirements
      .filter((r) => r.transitionId === row.transitionId)
      .map((r) => ({
        taskId: r.taskId,
        kind: r.kind,
        step: r.step,
        to: r.target ?? null,
        satisfied: r.satisfied,
      })),
    deferred: row.deferred.map((d) => d.event),
    pendingDeploy: row.pendingDeploy,
    lastAccessedAt: row.lastAccessedAt,
    lastRequestAt: row.lastRequestAt ?? null,
    lastCommandAt: row.lastCommandAt,
    failureReason: row.failureReason,
    keepUntil: row.keepUntil ?? null,
    keptBy: row.keptBy ?? null,
    keepSetAt: row.keepSetAt ?? null,
    failedIn: row.failedIn ?? null,
    enteredAt: row.enteredAt ?? row.updatedAt,
    resentAt: row.resentAt ?? null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toHistoryRow(entry: HistoryEntry): typeof tables.history.$inferInsert {
  return {
    stackId: entry.stackId,
    event: entry.event,
    fromState: entry.from,
    toState: entry.to,
    transitionId: entry.transitionId,
    at: entry.at,
    detail: entry.detail,
  };
}

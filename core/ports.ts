import type { ThawEvent } from './events.ts';
import type { HistoryEntry, Stack, StackState } from './stack.ts';
import type { Task } from './tasks.ts';

/** A task written in the same transaction as the state that produced it, until it is sent. */
export interface OutboxEntry {
  id: number;
  stackId: string;
  task: Task;
  createdAt: Date;
}

export interface IdleStack {
  id: string;
  lastAccessedAt: Date | null;
}

export interface StackFilter {
  states?: StackState[];
  limit?: number;
}

/** The state store. Every write is a compare-and-set on the stack's version. */
export interface Store {
  load(stackId: string): Promise<Stack | undefined>;
  /**
   * Writes `next` if the stored stack still has `prev`'s version (no stack at all when `prev` is
   * undefined), and in the same transaction appends the history and queues the tasks in the outbox.
   * Throws StaleVersionError when someone else wrote first. Returns the stack with its new version.
   */
  save(
    next: Stack,
    prev: Stack | undefined,
    effects: { history: HistoryEntry[]; tasks: Task[] },
  ): Promise<Stack>;
  /** Outbox entries not yet acknowledged, for the given stacks or (without) those older than `olderThan`. */
  pendingTasks(query: { stackIds?: string[]; olderThan?: Date; limit?: number }): Promise<OutboxEntry[]>;
  ackTasks(ids: number[]): Promise<void>;
  /** RUNNING stacks whose idle deadline (last access + their idle timeout) is at or before `now`; keep-awake stacks never are. */
  findIdle(now: Date, limit?: number): Promise<IdleStack[]>;
  list(filter?: StackFilter): Promise<Stack[]>;
  history(stackId: string): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}

/** The events queue. Adapters: SQS (AWS, ElasticMQ, the in-process endpoint). */
export interface EventSender {
  sendEvents(events: ThawEvent[]): Promise<void>;
}

/** The tasks queue. `delaySeconds` (≤ 900) lets a task check again later instead of blocking. */
export interface TaskSender {
  sendTasks(tasks: Task[], options?: { delaySeconds?: number }): Promise<void>;
}

/** Structured logging, satisfied by pino (through an adapter) and by Powertools' Logger. */
export interface Log {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

import type { StackCost } from './cost.ts';
import { parseDuration } from './duration.ts';
import type { ThawEvent } from './events.ts';
import { nextWarmStart, type Schedule, shouldWake } from './schedule.ts';
import { effectiveSchedule } from './spec.ts';
import { type HistoryEntry, lastUsedAt, type Stack } from './stack.ts';

/** What the CLI shows of a stack (`thaw status --json`). */
export interface StackView {
  id: string;
  state: Stack['state'];
  lastAccessedAt: string | null;
  failureReason: string | null;
  images: Record<string, string>;
  /** Every public URL, by service, the primary one first. */
  urls: Record<string, string>;
  /** The URL a person opens (see primaryUrl); null when the stack has no spec. */
  url: string | null;
  updatedAt: string;
  /**
   * When the freezer will next wake the stack for a warm window of its schedule (ISO); null when it
   * has a schedule but will not be woken (unused for longer than onlyIfUsedWithin, or no window
   * ahead). Absent when no schedule applies or the caller gave no time (toView's `schedule`).
   */
  nextWakeAt?: string | null;
  /** Kept awake until then (KEEP, `thaw keep`, `/thaw keep`), and by whom when known. Absent without a keep. */
  keepUntil?: string;
  keptBy?: string;
}

/**
 * The next scheduled wake of a stack at `at` (see StackView.nextWakeAt): the time `wakeBefore` ahead
 * of the next window, if the stack would then be recently enough used. Undefined without a schedule.
 */
export function nextScheduledWake(
  stack: Stack,
  at: Date,
  defaultSchedule?: Schedule,
): Date | null | undefined {
  const schedule = stack.spec ? effectiveSchedule(stack.spec, defaultSchedule) : undefined;
  if (!schedule) return undefined;
  const start = nextWarmStart(schedule, at);
  if (!start) return null;
  const wakeAt = new Date(Math.max(at.getTime(), start.getTime() - parseDuration(schedule.wakeBefore)!));
  const verdict = shouldWake(schedule, { lastUsedAt: lastUsedAt(stack), frozenSince: new Date(0) }, wakeAt);
  return verdict.wake ? wakeAt : null;
}

/**
 * The service a person opens, from a stack's public URLs (service → URL, as stackUrls makes them): the one
 * whose host pattern is exactly `{stack}`, else the first service. Exact from the URLs alone: a host
 * pattern is one DNS label holding `{stack}` whole or joined by '-', so only `{stack}` itself gives a host
 * that starts with "<stack id>." (`api-{stack}` and `{stack}-api` do not). Of several services on that
 * host (told apart by pathPrefix), the one at the root wins, else the first.
 */
export function primaryService(stackId: string, urls: Record<string, string>): string | undefined {
  const onStackHost = Object.entries(urls).filter(([, url]) =>
    url.split('://')[1]?.startsWith(`${stackId}.`),
  );
  const atRoot = onStackHost.find(([, url]) => !/^[^:]+:\/\/[^/]+\/./.test(url));
  return (atRoot ?? onStackHost[0])?.[0] ?? Object.keys(urls)[0];
}

/** The URL of primaryService, or undefined when there is none. */
export function primaryUrl(stackId: string, urls: Record<string, string>): string | undefined {
  const service = primaryService(stackId, urls);
  return service === undefined ? undefined : urls[service];
}

/** The same URLs with the primary one first (JSON keeps this order for readers that take the first). */
export function primaryFirst(stackId: string, urls: Record<string, string>): Record<string, string> {
  const service = primaryService(stackId, urls);
  return service === undefined ? urls : { [service]: urls[service]!, ...urls };
}

export interface StackDetail extends StackView {
  history: { event: string; from: string | null; to: string; at: string; detail: string | null }[];
}

/**
 * How CLI commands reach a control plane: a running `thaw dev` (cli/dev-client.ts), or AWS (queue URL +
 * DATABASE_URL).
 */
export interface ControlPlaneClient {
  send(events: ThawEvent[]): Promise<void>;
  list(): Promise<StackView[]>;
  get(stackId: string): Promise<StackDetail | undefined>;
  cost(stackId: string): Promise<({ id: string; state: string } & StackCost) | undefined>;
  close(): Promise<void>;
}

export function toView(
  stack: Stack,
  urls: Record<string, string>,
  schedule?: { at: Date; defaultSchedule?: Schedule },
): StackView {
  const nextWake = schedule ? nextScheduledWake(stack, schedule.at, schedule.defaultSchedule) : undefined;
  return {
    id: stack.id,
    state: stack.state,
    lastAccessedAt: stack.lastAccessedAt?.toISOString() ?? null,
    failureReason: stack.failureReason,
    images: stack.images,
    urls: primaryFirst(stack.id, urls),
    url: primaryUrl(stack.id, urls) ?? null,
    updatedAt: stack.updatedAt.toISOString(),
    ...(nextWake === undefined ? {} : { nextWakeAt: nextWake?.toISOString() ?? null }),
    ...(stack.keepUntil ? { keepUntil: stack.keepUntil.toISOString() } : {}),
    ...(stack.keepUntil && stack.keptBy ? { keptBy: stack.keptBy } : {}),
  };
}

export function toHistory(entries: HistoryEntry[]): StackDetail['history'] {
  return entries.map((h) => ({
    event: h.event,
    from: h.from,
    to: h.to,
    at: h.at.toISOString(),
    detail: h.detail,
  }));
}

import { JANITOR_GRACE_MS, type OwnedResources, runJanitor } from '../../core/janitor.ts';
import type { Clock, Log, Store } from '../../core/ports.ts';
import { systemClock } from '../../core/ports.ts';

/** What one janitor run did, for the freezer's result and its log. */
export interface JanitorSummary {
  removed: number;
  spared: number;
  failed: number;
  deferred: number;
  /** Why nothing was removed (an empty store), when refused. */
  refused?: string;
}

/**
 * Whether the janitor runs in this freezer invocation: once per interval (JANITOR_INTERVAL_MINUTES),
 * at the first invocation after the wall clock enters a new interval (10:00, 11:00 for 60), and on a
 * Lambda instance's first invocation. 0: never. Nothing is stored: a second warm instance may run it
 * once more in the same hour, which only repeats idempotent lists and removals.
 */
export function janitorDue(now: Date, intervalMinutes: number, lastRunAt: Date | undefined): boolean {
  if (intervalMinutes <= 0) return false;
  if (!lastRunAt) return true;
  const period = intervalMinutes * 60_000;
  return Math.floor(now.getTime() / period) > Math.floor(lastRunAt.getTime() / period);
}

export interface JanitorStepOptions {
  /** ECS and the stack databases, where the deployment has them; none: the step does nothing. */
  sources: readonly OwnedResources[];
  store: Pick<Store, 'list'>;
  log: Log;
  clock?: Clock;
  intervalMinutes: number;
  graceMs?: number;
  /** Most removals per run: the freezer has 60 s in all (default 20). */
  limit?: number;
}

/**
 * The janitor as a step of the freezer: due once per interval, it removes ECS services, task
 * definitions, databases and roles of no live stack (core/janitor.ts). It never fails the freezer: an
 * error is logged and the next interval tries again.
 */
export function createJanitorStep({
  sources,
  store,
  log,
  clock = systemClock,
  intervalMinutes,
  graceMs = JANITOR_GRACE_MS,
  limit = 20,
}: JanitorStepOptions): () => Promise<JanitorSummary | undefined> {
  let lastRunAt: Date | undefined;
  return async () => {
    const now = clock();
    if (sources.length === 0 || !janitorDue(now, intervalMinutes, lastRunAt)) return undefined;
    lastRunAt = now;
    try {
      // The control plane's store keeps DESTROYED stacks: an empty one is the wrong database, not a clean slate.
      const report = await runJanitor({
        sources,
        store,
        clock,
        log,
        graceMs,
        limit,
        requireKnownStacks: true,
      });
      const summary = {
        removed: report.removed.length,
        spared: report.spared.length,
        failed: report.failed.length,
        deferred: report.deferred,
        ...(report.refused ? { refused: report.refused } : {}),
      };
      if (summary.removed + summary.failed + summary.deferred > 0) log.info('janitor run', { ...summary });
      return summary;
    } catch (error) {
      log.error('janitor run failed; the next interval tries again', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return { removed: 0, spared: 0, failed: 1, deferred: 0 };
    }
  };
}

import { type JanitorReport, type OwnedResources, runJanitor } from '../core/janitor.ts';
import type { Log, Store } from '../core/ports.ts';

/** As the freezer's JANITOR_INTERVAL_MINUTES default. */
export const JANITOR_DEFAULT_INTERVAL_MINUTES = 60;

/**
 * The janitor of `thaw dev`: its stack databases (the processes of a killed run are already ended at
 * start by endLeftoverProcesses). It runs every `intervalMinutes` (0: never), the first time one interval
 * after start, not at start: a short-lived thaw dev (a test) sharing a PostgreSQL server never sweeps it.
 * `run` runs it now, for `thaw janitor` through the control API.
 */
export function startDevJanitor({
  databases,
  store,
  log,
  intervalMinutes,
}: {
  databases: OwnedResources | undefined;
  store: Pick<Store, 'list'>;
  log: Log;
  intervalMinutes: number;
}): { run: (options: { dryRun: boolean }) => Promise<JanitorReport>; stop: () => void } {
  const sources = databases ? [databases] : [];
  const scheduled = async () => {
    try {
      const report = await runJanitor({ sources, store, log });
      if (report.removed.length + report.failed.length > 0)
        log.info('janitor run', { removed: report.removed.length, failed: report.failed.length });
    } catch (error) {
      log.error('janitor run failed', { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const timer =
    intervalMinutes > 0 && sources.length > 0
      ? setInterval(() => void scheduled(), intervalMinutes * 60_000)
      : undefined;
  timer?.unref();
  return {
    run: ({ dryRun }) => runJanitor({ sources, store, log }, { dryRun }),
    stop: () => clearInterval(timer),
  };
}

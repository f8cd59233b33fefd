import type { StackSpec } from './spec.ts';
import type { HistoryEntry, StackState } from './stack.ts';

/** Fargate prices (USD). Default: us-east-1, Linux/x86. ARM: 0.03238 and 0.00356. */
export interface FargatePrices {
  vcpuHour: number;
  gbHour: number;
}
export const DEFAULT_PRICES: FargatePrices = { vcpuHour: 0.04048, gbHour: 0.004445 };

export interface StackCost {
  /** What the stack costs per hour while awake (every service at its replica count). */
  hourlyUsd: number;
  /** Billed hours: each start's running time, at least one minute per start (Fargate's minimum). */
  awakeHours: number;
  /** Hours the stack really ran, without the one-minute minimum. */
  runningHours: number;
  /** Times its tasks were started: the launch, each wake (and a relaunch after a failure). */
  starts: number;
  costUsd: number;
  /** Hours since the first launch (until destroyed, or now). */
  lifetimeHours: number;
  alwaysOnUsd: number;
  savedUsd: number;
  wakes: number;
}

/** States entered when tasks start running, and states entered when they are gone. */
const STARTS: StackState[] = ['LAUNCHING', 'RESUMING'];
const STOPS: StackState[] = ['FROZEN', 'DESTROYED', 'FAILED'];

export function hourlyCost(spec: StackSpec, prices: FargatePrices = DEFAULT_PRICES): number {
  return Object.values(spec.services).reduce(
    (sum, s) => sum + s.replicas * ((s.cpu / 1024) * prices.vcpuHour + (s.memory / 1024) * prices.gbHour),
    0,
  );
}

/**
 * What a stack has cost, from its history: Fargate bills per second with a one-minute minimum per
 * task start, for every interval from LAUNCHING/RESUMING until FROZEN/DESTROYED/FAILED. Compared with
 * the same stack left on since its first launch.
 */
export function stackCost(
  history: HistoryEntry[],
  spec: StackSpec,
  now: Date,
  prices: FargatePrices = DEFAULT_PRICES,
): StackCost {
  const hourly = hourlyCost(spec, prices);
  let awakeSeconds = 0;
  let runningSeconds = 0;
  let starts = 0;
  let wakes = 0;
  let since: Date | undefined;
  const first = history.find((h) => h.to === 'LAUNCHING')?.at;
  let end: Date = now;
  for (const entry of history) {
    if (STARTS.includes(entry.to) && !since) {
      since = entry.at;
      starts++;
      if (entry.to === 'RESUMING') wakes++;
    } else if (STOPS.includes(entry.to) && since) {
      runningSeconds += (entry.at.getTime() - since.getTime()) / 1000;
      awakeSeconds += Math.max(60, (entry.at.getTime() - since.getTime()) / 1000);
      since = undefined;
    }
    if (entry.to === 'DESTROYED') end = entry.at;
    else if (entry.to === 'LAUNCHING') end = now;
  }
  if (since) {
    runningSeconds += Math.max(0, (now.getTime() - since.getTime()) / 1000);
    awakeSeconds += Math.max(60, (now.getTime() - since.getTime()) / 1000);
  }
  const lifetimeHours = first ? Math.max(0, (end.getTime() - first.getTime()) / 3_600_000) : 0;
  const awakeHours = awakeSeconds / 3600;
  const costUsd = awakeHours * hourly;
  const alwaysOnUsd = lifetimeHours * hourly;
  return {
    hourlyUsd: hourly,
    awakeHours,
    runningHours: runningSeconds / 3600,
    starts,
    costUsd,
    lifetimeHours,
    alwaysOnUsd,
    savedUsd: Math.max(0, alwaysOnUsd - costUsd),
    wakes,
  };
}

/** A duration for people: "0.4 min", "2 min", "61.7 min", "2.5 h" (minutes up to two hours). */
export function formatHours(hours: number): string {
  const minutes = hours * 60;
  if (minutes < 120) {
    const rounded = Math.round(minutes * 10) / 10;
    return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} min`;
  }
  return `${hours.toFixed(1)} h`;
}

/**
 * What was billed and why, in words a reader believes: Fargate bills at least one minute per start, so a
 * stack woken twice for a few seconds is billed 2 min. "billed 2 min (2 starts × 1-min minimum; awake
 * 0.4 min)", "billed 62 min (2 starts, at least 1 min each; awake 61.7 min)", or "awake 2.0 h (1 start)"
 * when the minimum added nothing. Costs from an older thaw dev (no starts/runningHours) say "billed".
 */
export function billedWording(cost: Pick<StackCost, 'awakeHours'> & Partial<StackCost>): string {
  const billed = formatHours(cost.awakeHours);
  if (cost.starts === undefined || cost.runningHours === undefined) return `billed ${billed}`;
  const starts = `${cost.starts} start${cost.starts === 1 ? '' : 's'}`;
  // The minimum added something when billed time exceeds running time by more than rounding.
  if (cost.awakeHours - cost.runningHours < 1 / 3600) return `awake ${billed} (${starts})`;
  const allShort = Math.abs(cost.awakeHours * 60 - cost.starts) < 1e-6;
  return allShort
    ? `billed ${billed} (${starts} × 1-min minimum; awake ${formatHours(cost.runningHours)})`
    : `billed ${billed} (${starts}, at least 1 min each; awake ${formatHours(cost.runningHours)})`;
}

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
  awakeHours: number;
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
  let wakes = 0;
  let since: Date | undefined;
  const first = history.find((h) => h.to === 'LAUNCHING')?.at;
  let end: Date = now;
  for (const entry of history) {
    if (STARTS.includes(entry.to) && !since) {
      since = entry.at;
      if (entry.to === 'RESUMING') wakes++;
    } else if (STOPS.includes(entry.to) && since) {
      awakeSeconds += Math.max(60, (entry.at.getTime() - since.getTime()) / 1000);
      since = undefined;
    }
    if (entry.to === 'DESTROYED') end = entry.at;
    else if (entry.to === 'LAUNCHING') end = now;
  }
  if (since) awakeSeconds += Math.max(60, (now.getTime() - since.getTime()) / 1000);
  const lifetimeHours = first ? Math.max(0, (end.getTime() - first.getTime()) / 3_600_000) : 0;
  const awakeHours = awakeSeconds / 3600;
  const costUsd = awakeHours * hourly;
  const alwaysOnUsd = lifetimeHours * hourly;
  return {
    hourlyUsd: hourly,
    awakeHours,
    costUsd,
    lifetimeHours,
    alwaysOnUsd,
    savedUsd: Math.max(0, alwaysOnUsd - costUsd),
    wakes,
  };
}

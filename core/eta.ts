import type { HistoryEntry } from './stack.ts';

export interface Eta {
  /** Expected seconds for the phase in progress (median of this stack's past ones, else the default). */
  etaSeconds: number;
  /** When the phase in progress began (the last history entry), if known. */
  since: Date | undefined;
  /** How many past wakes (or launches) the estimate comes from. */
  samples: number;
}

/** Durations of past transitions into `from` that ended in RUNNING, newest last. */
function durations(history: HistoryEntry[], from: 'RESUMING' | 'LAUNCHING' | 'UPDATING'): number[] {
  const result: number[] = [];
  let entered: Date | undefined;
  for (const entry of history) {
    if (entry.to === from) entered = entry.at;
    else if (entered && entry.from === from && entry.to === 'RUNNING') {
      result.push((entry.at.getTime() - entered.getTime()) / 1000);
      entered = undefined;
    } else if (entry.from === from) entered = undefined;
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The ETA of a wake (or launch/update) from this stack's own history: the median of its last five. */
export function estimate(
  history: HistoryEntry[],
  phase: 'RESUMING' | 'LAUNCHING' | 'UPDATING',
  defaultSeconds: number,
): Eta {
  const past = durations(history, phase).slice(-5);
  const last = history.at(-1);
  return {
    etaSeconds: past.length ? Math.max(1, Math.round(median(past))) : defaultSeconds,
    since: last?.at,
    samples: past.length,
  };
}

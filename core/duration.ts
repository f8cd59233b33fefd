const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export const DURATION_RULE = 'a duration such as "90s", "30m", "2h" or "1d"';

/** Parses "30m"-style durations into milliseconds; returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * UNITS[unit as string]!);
}

/** Formats milliseconds compactly for humans: 1500 → "1.5s", 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const totalMinutes = Math.floor(ms / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const seconds = Math.floor((ms % 60_000) / 1000);
  if (hours === 0) return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
  return minutes ? `${hours}h${minutes}m` : `${hours}h`;
}

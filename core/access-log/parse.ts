/**
 * Traefik's JSON access log, v2 and v3. One line is either an access line (it has
 * `DownstreamStatus`), a line of Traefik's own log (when both go to stdout), or garbage.
 *
 * `accessLog.fields.names` can drop any field, StartUTC included (Traefik's own example does:
 * https://doc.traefik.io/traefik/observability/access-logs — "Limiting the fields/Including headers"),
 * so the start time falls back to StartLocal (same instant, with the local offset), then to the
 * logger's `time` (when the line was written: the request's end, which is still activity).
 */
export interface AccessLine {
  /**
   * ISO time the request was last active: its start (StartUTC, StartLocal or `time`) plus its
   * Duration, so a WebSocket that stayed open an hour counts at its close, not its opening;
   * never later than the time the line was read (clock skew must not postpone freezing).
   */
  at: string;
  host: string;
  method: string;
  path: string;
  status: number;
  /** Router that matched, without the @provider suffix; null when none matched. */
  router: string | null;
  service: string | null;
  durationMs: number;
}

export type ParseResult = { kind: 'access'; line: AccessLine } | { kind: 'skipped'; reason: SkipReason };

/** Every reason a line is skipped: a closed set, so it can label a metric. */
export const SKIP_REASONS = [
  'empty line',
  'not JSON',
  'not a JSON object',
  "Traefik's own log line (no DownstreamStatus)",
  'no RequestHost',
  'no valid time (StartUTC, StartLocal or time)',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface ParseOptions {
  /** When the line was read: later times are clamped to it. Default: now. */
  readAt?: Date;
}

/** The first of StartUTC, StartLocal, `time` that is a valid date, and which one it was. */
function startOf(data: Record<string, unknown>): { at: Date; field: string } | undefined {
  for (const field of ['StartUTC', 'StartLocal', 'time']) {
    const value = data[field];
    if (typeof value !== 'string' || value === '') continue;
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return { at, field };
  }
  return undefined;
}

/** WebSocket lines: Traefik writes them when the connection closes, with DownstreamStatus 0 (or 101). */
export const isWebSocketStatus = (status: number) => status === 0 || status === 101;

const skipped = (reason: SkipReason): ParseResult => ({ kind: 'skipped', reason });

function withoutProvider(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return null;
  const at = name.lastIndexOf('@');
  return at > 0 ? name.slice(0, at) : name;
}

/** RequestHost has no port in Traefik's log; be lenient with one anyway, and with case. */
function normalizeHost(host: string): string {
  const colon = host.lastIndexOf(':');
  const bare = colon > 0 && !host.includes(']') ? host.slice(0, colon) : host;
  return bare.toLowerCase();
}

export function parseAccessLine(text: string, { readAt = new Date() }: ParseOptions = {}): ParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return skipped('empty line');
  if (trimmed[0] !== '{') return skipped('not JSON');
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(trimmed);
  } catch {
    return skipped('not JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return skipped('not a JSON object');
  if (!('DownstreamStatus' in data)) return skipped("Traefik's own log line (no DownstreamStatus)");
  const host = data.RequestHost;
  if (typeof host !== 'string' || host === '') return skipped('no RequestHost');
  const start = startOf(data);
  if (!start) return skipped('no valid time (StartUTC, StartLocal or time)');
  // Only StartUTC/StartLocal are starts; `time` is already the end, so Duration is not added to it.
  const duration = typeof data.Duration === 'number' && data.Duration > 0 ? data.Duration : 0;
  const end = start.at.getTime() + (start.field === 'time' ? 0 : duration / 1e6);
  const at = new Date(Math.min(end, readAt.getTime()));
  return {
    kind: 'access',
    line: {
      at: at.toISOString(),
      host: normalizeHost(host),
      method: typeof data.RequestMethod === 'string' ? data.RequestMethod : '',
      path: typeof data.RequestPath === 'string' ? data.RequestPath : '',
      // A number (Traefik writes one); anything else, even an object Number() cannot convert, is 0.
      status: typeof data.DownstreamStatus === 'number' ? data.DownstreamStatus : 0,
      router: withoutProvider(data.RouterName),
      service: withoutProvider(data.ServiceName),
      durationMs: duration / 1e6,
    },
  };
}

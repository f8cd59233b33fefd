/**
 * Traefik's JSON access log, v2 and v3. One line is either an access line (it has
 * `DownstreamStatus`), a line of Traefik's own log (when both go to stdout), or garbage.
 */
export interface AccessLine {
  /** ISO time the request started (StartUTC). */
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

export type ParseResult = { kind: 'access'; line: AccessLine } | { kind: 'skipped'; reason: string };

const skipped = (reason: string): ParseResult => ({ kind: 'skipped', reason });

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

export function parseAccessLine(text: string): ParseResult {
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
  const start = data.StartUTC;
  const at = typeof start === 'string' ? new Date(start) : null;
  if (!at || Number.isNaN(at.getTime())) return skipped('no valid StartUTC');
  const duration = typeof data.Duration === 'number' ? data.Duration : 0;
  return {
    kind: 'access',
    line: {
      at: at.toISOString(),
      host: normalizeHost(host),
      method: typeof data.RequestMethod === 'string' ? data.RequestMethod : '',
      path: typeof data.RequestPath === 'string' ? data.RequestPath : '',
      status: Number(data.DownstreamStatus) || 0,
      router: withoutProvider(data.RouterName),
      service: withoutProvider(data.ServiceName),
      durationMs: duration / 1e6,
    },
  };
}

import { Counter, Gauge, Registry } from 'prom-client';

/** The sidecar's Prometheus metrics (GET /metrics on the sidecar's own host). */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    linesRead: new Counter({
      name: 'thaw_access_log_lines_total',
      help: 'Access log lines read',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    /** Why lines were skipped (the parser's closed set of reasons, plus 'oversized'). */
    linesSkipped: new Counter({
      name: 'thaw_access_log_skipped_total',
      help: 'Access log lines skipped, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    accessSent: new Counter({
      name: 'thaw_access_events_sent_total',
      help: 'ACCESS events sent',
      registers: [registry],
    }),
    openConnections: new Gauge({
      name: 'thaw_open_backend_connections',
      help: 'Open connections to awake stacks at the last poll: counted (keep the stack awake) or capped (past the cap)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    connectionAccessSent: new Counter({
      name: 'thaw_connection_access_events_sent_total',
      help: 'ACCESS events sent because of open connections',
      registers: [registry],
    }),
    wakes: new Counter({
      name: 'thaw_wakes_total',
      help: 'RESUME events sent by the launcher',
      registers: [registry],
    }),
    responses: new Counter({
      name: 'thaw_launcher_responses_total',
      help: 'Launcher responses by stack state',
      labelNames: ['state', 'status'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

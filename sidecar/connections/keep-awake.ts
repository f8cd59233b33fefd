import { newEvent, type ThawEvent } from '../../core/events.ts';
import type { EventSender, Log } from '../../core/ports.ts';
import type { TcpSocket } from './proc-net.ts';

/** Each awake stack's backend addresses (`ip:port`, as `backendAddress` gives them) and its idle timeout. */
export interface AwakeBackends {
  /** backend address → stack id */
  addresses: Map<string, string>;
  /** The smallest idle timeout of any stack that may be awake by the next poll (ms); undefined when none. */
  smallestIdleMs?: number;
}

export interface ConnectionWatcherOptions {
  events: EventSender;
  log: Log;
  /** ESTABLISHED sockets of the router's network namespace (`readEstablished`). */
  readSockets: () => Promise<TcpSocket[]>;
  backends: () => Promise<AwakeBackends>;
  /**
   * How often to look (ms, default 30 s); never less often than a third of the smallest idle timeout,
   * and every 5 s at most while no stack is known (the first one may have a short idle timeout).
   */
  pollMs?: number;
  /** A connection keeps its stack awake for at most this long after it was first seen (ms, default 8 h). */
  maxConnectionMs?: number;
  clock?: () => number;
  onTick?: (result: TickResult) => void;
}

export interface TickResult {
  /** Open connections to an awake stack's backend that keep it awake, per stack. */
  counted: Map<string, number>;
  /** Connections older than the cap, per stack: they no longer count. */
  capped: Map<string, number>;
  sent: number;
}

const key = (s: TcpSocket) => `${s.local}>${s.remote}#${s.inode}`;

/**
 * Keeps a stack awake while a long-lived connection through the router is open. A WebSocket's or an
 * SSE stream's access line is written only when it closes, so the access log alone lets such a stack
 * freeze under its user. Every poll, each ESTABLISHED socket whose remote end is an awake stack's
 * backend counts for that stack, and one ACCESS (at the time of the poll) is sent per stack with any.
 *
 * The rule for the router's pooled idle upstream connections (Traefik keeps them `idleConnTimeout`,
 * 90 s by default): they count like any other. A pooled connection exists only after a request (an
 * access line, i.e. activity anyway) and is closed by the router once idle that long, so it delays a
 * freeze by at most idleConnTimeout + one poll — small against idle timeouts of minutes, and never
 * unbounded. Only a request that never stops (a forgotten tab, or a router health check reusing a
 * pooled connection — Thaw's routes define none) could keep one open for ever: a connection counts
 * for at most `maxConnectionMs` (8 h) after it was first seen.
 */
export function createConnectionWatcher(options: ConnectionWatcherOptions) {
  const { events, log, readSockets, backends, clock = Date.now, onTick } = options;
  const pollMs = options.pollMs ?? 30_000;
  const maxConnectionMs = options.maxConnectionMs ?? 8 * 3600_000;
  const firstSeen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<unknown> = Promise.resolve();
  let nextPollMs = pollMs;

  const tick = async (): Promise<TickResult> => {
    const now = clock();
    const [sockets, awake] = await Promise.all([readSockets(), backends()]);
    nextPollMs = Math.max(1000, Math.min(pollMs, Math.floor((awake.smallestIdleMs ?? 15_000) / 3)));
    const counted = new Map<string, number>();
    const capped = new Map<string, number>();
    const open = new Set<string>();
    for (const socket of sockets) {
      const stackId = awake.addresses.get(socket.remote);
      if (!stackId) continue;
      const id = key(socket);
      open.add(id);
      const since = firstSeen.get(id) ?? now;
      firstSeen.set(id, since);
      const into = now - since > maxConnectionMs ? capped : counted;
      into.set(stackId, (into.get(stackId) ?? 0) + 1);
    }
    for (const id of firstSeen.keys()) if (!open.has(id)) firstSeen.delete(id);
    let sent = 0;
    if (counted.size > 0) {
      const at = new Date(now).toISOString();
      const outgoing: ThawEvent[] = [...counted.keys()].map((stackId) =>
        newEvent({ type: 'ACCESS', stackId, at }),
      );
      try {
        await events.sendEvents(outgoing);
        sent = outgoing.length;
      } catch (error) {
        log.warn('could not send ACCESS for open connections; next poll tries again', {
          count: outgoing.length,
          reason: String(error),
        });
      }
    }
    for (const [stackId, count] of capped)
      log.debug('open connections past the cap no longer keep the stack awake', { stackId, count });
    const result = { counted, capped, sent };
    onTick?.(result);
    return result;
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      busy = tick()
        .catch((error) => log.warn('could not read open connections', { reason: String(error) }))
        .finally(schedule);
    }, nextPollMs);
    timer.unref();
  };

  return {
    /** One poll now (tests). */
    async poll() {
      await busy;
      const run = tick();
      busy = run;
      return run;
    },
    /** The wait before the next poll (ms), as the last poll set it. */
    intervalMs: () => nextPollMs,
    /** Polls at once (which also learns the smallest idle timeout), then on the interval. */
    start() {
      running = true;
      busy = tick()
        .catch((error) => log.warn('could not read open connections', { reason: String(error) }))
        .finally(schedule);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await busy.catch(() => {});
    },
  };
}

export type ConnectionWatcher = ReturnType<typeof createConnectionWatcher>;

import pino, { type Logger } from 'pino';
import type { Log } from '../core/ports.ts';

/** Thaw's Log port on pino (JSON lines; child loggers carry the subsystem). */
export function pinoLog(
  logger: Logger,
): Log & { child(bindings: Record<string, unknown>): Log & { logger: Logger }; logger: Logger } {
  const wrap = (l: Logger) => ({
    logger: l,
    debug: (message: string, data?: Record<string, unknown>) => l.debug(data ?? {}, message),
    info: (message: string, data?: Record<string, unknown>) => l.info(data ?? {}, message),
    warn: (message: string, data?: Record<string, unknown>) => l.warn(data ?? {}, message),
    error: (message: string, data?: Record<string, unknown>) => l.error(data ?? {}, message),
  });
  return { ...wrap(logger), child: (bindings) => wrap(logger.child(bindings)) };
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { service: 'thaw-sidecar' }, redact: ['databaseUrl', '*.databaseUrl', 'password'] },
    destination,
  );
}

import { request } from 'node:http';
import type { HealthProbe } from '../core/orchestrator.ts';

export interface HttpProbeOptions {
  /** Give up on one GET after this long (connect + first byte; default 2 s). */
  timeoutMs?: number;
}

/**
 * Readiness over HTTP: a GET on the task's address with the service's public Host header. Any status
 * below 500 means the app answers (a 404 on `/` too: the path is only a place to knock); a 5xx, a
 * refused connection or a timeout means it does not yet. The body is not read.
 */
export function createHttpProbe({ timeoutMs = 2000 }: HttpProbeOptions = {}): HealthProbe {
  return ({ url, host }) =>
    new Promise((resolve) => {
      const req = request(
        url,
        { method: 'GET', headers: { host, 'user-agent': 'thaw-readiness' } },
        (res) => {
          const status = res.statusCode ?? 0;
          res.resume();
          req.destroy();
          resolve(
            status < 500 ? { up: true, detail: `${status}` } : { up: false, detail: `answered ${status}` },
          );
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve({
          up: false,
          detail:
            error.code === 'ETIMEDOUT'
              ? `no answer within ${timeoutMs} ms`
              : error.code === 'ECONNREFUSED'
                ? 'connection refused'
                : (error.code ?? error.message),
        }),
      );
      req.end();
    });
}

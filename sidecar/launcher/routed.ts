import { request } from 'node:http';
import { answeredByApp } from './page.ts';

/**
 * Asks Traefik itself whether a host is routed to its stack and the app answers: a HEAD through
 * Traefik whose answer does not come from the launcher (no `x-thaw-launcher` header) and is below
 * 500 — Traefik's 502/503 while the app boots (or the app's own 5xx) is not ready. The same rule as
 * the waiting page's (`answeredByApp`).
 */
export function isRoutedThrough(traefikUrl: string, host: string, timeoutMs = 2000): Promise<boolean> {
  const url = new URL(traefikUrl);
  return new Promise((resolve) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port || 80,
        path: '/',
        method: 'HEAD',
        headers: { host },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const launcher = res.headers['x-thaw-launcher'];
        resolve(answeredByApp(Array.isArray(launcher) ? launcher[0] : launcher, res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

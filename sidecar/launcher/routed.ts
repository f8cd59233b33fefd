import { request } from 'node:http';

/**
 * Asks Traefik itself whether a host is routed to its stack yet: a HEAD through Traefik whose answer
 * does not come from the launcher (no `x-thaw-launcher` header).
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
        resolve(res.headers['x-thaw-launcher'] === undefined);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

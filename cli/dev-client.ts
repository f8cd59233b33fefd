import { request } from 'node:http';
import type { StackCost } from '../core/cost.ts';
import { ThawError } from '../core/errors.ts';
import type { ControlPlaneClient, StackDetail, StackView } from '../core/views.ts';

/** thaw dev answered with an error status (other than 404, which the client turns into undefined). */
export class ControlApiError extends ThawError {
  override name = 'ControlApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The client for a `thaw dev` running in a directory (found through `<data dir>/dev.json`), with the
 * token it wrote to `<data dir>/control-token`. Made with node:http, not fetch: Node 20 spends ~75 ms
 * initialising fetch (undici) in each process, a third of `thaw ls` (docs/benchmarks.md, cli). One request
 * per connection (no keep-alive), so nothing holds the process open after the command.
 */
export function createDevClient({
  controlUrl,
  token,
  timeoutMs = 10_000,
}: {
  controlUrl: string;
  token: string;
  timeoutMs?: number;
}): ControlPlaneClient {
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${controlUrl}${path}`,
        {
          method,
          agent: false,
          timeout: timeoutMs,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status === 404) return resolve(undefined);
            if (status < 200 || status >= 300)
              return reject(new ControlApiError(`thaw dev answered ${status}: ${text}`, status));
            try {
              resolve(text === '' ? undefined : JSON.parse(text));
            } catch {
              reject(
                new ControlApiError(
                  `thaw dev answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`,
                  status,
                ),
              );
            }
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new ThawError(`thaw dev at ${controlUrl} did not answer within ${timeoutMs} ms`)),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error instanceof ThawError
            ? error
            : new ThawError(`cannot reach thaw dev at ${controlUrl} (${error.code ?? error.message})`, {
                cause: error,
              }),
        ),
      );
      req.end(payload);
    });
  return {
    async send(events) {
      await call('POST', '/events', events);
    },
    list: async () => (await call('GET', '/stacks')) as StackView[],
    get: async (id) => (await call('GET', `/stacks/${encodeURIComponent(id)}`)) as StackDetail | undefined,
    cost: async (id) =>
      (await call('GET', `/stacks/${encodeURIComponent(id)}/cost`)) as
        | ({ id: string; state: string } & StackCost)
        | undefined,
    close: async () => {},
  };
}

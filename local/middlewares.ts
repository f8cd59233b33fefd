import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import bcrypt from 'bcryptjs';
import type { Middleware } from '../core/protection.ts';

/** What a middleware chain decided: go on to the service, or answer with this. */
export type Verdict =
  | { pass: true }
  | { pass: false; status: number; headers: Record<string, string>; body: string };

const PASS: Verdict = { pass: true };
const text = (status: number, body: string, headers: Record<string, string> = {}): Verdict => ({
  pass: false,
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body,
});

/** Whether a client address is inside any of the ranges (addresses or CIDRs). */
export function ipAllowed(address: string, ranges: string[]): boolean {
  const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  const family = isIP(plain);
  if (!family) return false;
  const list = new BlockList();
  for (const range of ranges) {
    const [net, bits] = range.split('/') as [string, string | undefined];
    const type = isIP(net) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(net, type);
    else list.addSubnet(net, Number(bits), type);
  }
  return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Basic auth against htpasswd lines with bcrypt hashes, verified by bcryptjs (a maintained, pure-JS
 * bcrypt, the same format Traefik accepts): no hand-written crypto, no native build step.
 */
async function basicAuth(req: IncomingMessage, users: string[], removeHeader: boolean): Promise<Verdict> {
  const refuse = text(401, '401 Unauthorized\n', { 'www-authenticate': 'Basic realm="traefik"' });
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return refuse;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return refuse;
  const name = decoded.slice(0, colon);
  const line = users.find((u) => u.slice(0, u.indexOf(':')) === name);
  if (!line) return refuse;
  if (!(await bcrypt.compare(decoded.slice(colon + 1), line.slice(line.indexOf(':') + 1)))) return refuse;
  if (removeHeader) delete req.headers.authorization;
  return PASS;
}

/** Forward auth like Traefik's: the request's headers and X-Forwarded-* go to the auth server. */
async function forwardAuth(
  req: IncomingMessage,
  options: { address: string; authResponseHeaders: string[] },
  host: string,
): Promise<Verdict> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined && !['host', 'content-length', 'connection', 'upgrade'].includes(name))
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  headers.set('x-forwarded-method', req.method ?? 'GET');
  headers.set('x-forwarded-proto', 'http');
  headers.set('x-forwarded-host', req.headers.host ?? host);
  headers.set('x-forwarded-uri', req.url ?? '/');
  headers.set('x-forwarded-for', (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
  let response: Response;
  try {
    response = await fetch(options.address, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return text(500, 'Internal Server Error\n');
  }
  if (response.status >= 200 && response.status < 300) {
    for (const name of options.authResponseHeaders) {
      const value = response.headers.get(name);
      if (value !== null) req.headers[name.toLowerCase()] = value;
    }
    await response.body?.cancel();
    return PASS;
  }
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name))
      out[name] = value;
  });
  return { pass: false, status: response.status, headers: out, body: await response.text() };
}

/** Runs a router's middlewares in order, as Traefik does; the first refusal answers. */
export async function applyMiddlewares(
  req: IncomingMessage,
  names: string[] | undefined,
  definitions: Record<string, Middleware>,
  host: string,
): Promise<Verdict> {
  for (const name of names ?? []) {
    const middleware = definitions[name];
    // A router naming a middleware that does not exist is refused by Traefik: fail closed.
    if (!middleware) return text(404, '404 page not found\n');
    let verdict: Verdict = PASS;
    if ('ipAllowList' in middleware) {
      if (!ipAllowed(req.socket.remoteAddress ?? '', middleware.ipAllowList.sourceRange))
        verdict = text(403, 'Forbidden\n');
    } else if ('basicAuth' in middleware)
      verdict = await basicAuth(req, middleware.basicAuth.users, middleware.basicAuth.removeHeader);
    else verdict = await forwardAuth(req, middleware.forwardAuth, host);
    if (!verdict.pass) return verdict;
  }
  return PASS;
}

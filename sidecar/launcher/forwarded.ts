import { BlockList, isIP } from 'node:net';
import { parseHostHeader } from './host.ts';

/**
 * Who a request comes from, and which scheme and host it was sent to, as far as the sidecar can trust
 * it. Traefik sits in front of the sidecar and appends the address of its own peer to
 * `X-Forwarded-For`; everything left of that was written by the client or by proxies the sidecar
 * does not know, so only the right-most address that is not a trusted proxy identifies the client.
 */

/** Loopback and the private ranges: where Traefik (same task, or same VPC) connects from. */
export const DEFAULT_TRUSTED_PROXIES = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
] as const;

/** One `address/prefix` (a bare address is a single host), or undefined when it is not one. */
export function parseCidr(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** An address as written in a header or by Node: without brackets, port or IPv4-mapped prefix. */
export function normalizeAddress(text: string): string {
  let address = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1]! : address).toLowerCase();
}

export interface ProxyTrust {
  isTrusted(address: string | undefined): boolean;
}

/** Trust in the given CIDR ranges (throws on one that is not a CIDR; config.ts checks them first). */
export function createProxyTrust(cidrs: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new TypeError(`not a CIDR range: ${JSON.stringify(text)}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return {
    isTrusted(address) {
      if (!address) return false;
      const normalized = normalizeAddress(address);
      const version = isIP(normalized);
      return version !== 0 && list.check(normalized, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The peer is a trusted proxy, or unknown (`app.request()` in tests, or a server adapter that does
 * not pass the socket): forwarded headers are believed only then.
 */
const believesForwarded = (trust: ProxyTrust, socketAddress: string | undefined) =>
  socketAddress === undefined || trust.isTrusted(socketAddress);

/**
 * The address to key per-client limits on: the socket's when the peer is not a trusted proxy (its
 * `X-Forwarded-For` is whatever it chose); else the right-most `X-Forwarded-For` entry that is not a
 * trusted proxy; else the socket's; else `unknown`.
 */
export function clientAddress(
  trust: ProxyTrust,
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
): string {
  const socket = socketAddress === undefined ? undefined : normalizeAddress(socketAddress);
  if (!believesForwarded(trust, socketAddress)) return socket!;
  const hops = (forwardedFor ?? '').split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]!);
    if (hop && !trust.isTrusted(hop)) return hop.slice(0, 64);
  }
  return socket ?? 'unknown';
}

/**
 * Scheme and host for an absolute URL back to the same resource: `X-Forwarded-Proto` and
 * `X-Forwarded-Host` when the peer is trusted (and they are well-formed, the host inside the stack
 * domain), else http and the Host header. Never the request target: an absolute-form target
 * (`GET http://elsewhere/ HTTP/1.1`) would make a redirect point elsewhere.
 */
export function forwardedOrigin(options: {
  trust: ProxyTrust;
  socketAddress: string | undefined;
  host: string | undefined;
  forwardedProto: string | undefined;
  forwardedHost: string | undefined;
  domain: string;
}): string {
  const believed = believesForwarded(options.trust, options.socketAddress);
  const inDomain = (value: string | undefined): value is string => {
    if (!value) return false;
    let name: string;
    try {
      name = parseHostHeader(value);
    } catch {
      return false;
    }
    return name === options.domain || name.endsWith(`.${options.domain}`);
  };
  const first = (value: string | undefined) => value?.split(',')[0]?.trim().toLowerCase();
  const proto = believed ? first(options.forwardedProto) : undefined;
  const scheme = proto === 'https' || proto === 'http' ? proto : 'http';
  const forwardedHost = believed ? first(options.forwardedHost) : undefined;
  const host = inDomain(forwardedHost) ? forwardedHost : (options.host ?? '').trim().toLowerCase();
  return `${scheme}://${host}`;
}

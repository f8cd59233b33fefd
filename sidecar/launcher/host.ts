import { HostHeaderError } from '../errors.ts';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Validates a Host header strictly (DNS name, optional port) and returns the host, lowercased, without port. */
export function parseHostHeader(header: string | undefined): string {
  if (!header || header.length > 260) throw new HostHeaderError(String(header ?? ''));
  const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) throw new HostHeaderError(header);
  const host = match[1]!.toLowerCase().replace(/\.$/, '');
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new HostHeaderError(header);
  if (host.length > 253 || !host.split('.').every((label) => LABEL.test(label)))
    throw new HostHeaderError(header);
  return host;
}

import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { parseProcNetTcp, TCP_ESTABLISHED, type TcpSocket } from './proc-net.ts';

/**
 * The ESTABLISHED TCP sockets of this network namespace (IPv4 and IPv6). The sidecar shares Traefik's
 * namespace (same ECS task, `awsvpc`; the same host in `thaw dev`), so these include every connection
 * Traefik holds to a backend. A missing table (not Linux, or IPv6 disabled) reads as empty.
 */
export async function readEstablished(procRoot = '/proc'): Promise<TcpSocket[]> {
  const littleEndian = endianness() === 'LE';
  const tables = await Promise.all(
    ['tcp', 'tcp6'].map((name) =>
      readFile(join(procRoot, 'net', name), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      }),
    ),
  );
  return tables.flatMap((text) =>
    parseProcNetTcp(text, { littleEndian }).filter((s) => s.state === TCP_ESTABLISHED),
  );
}

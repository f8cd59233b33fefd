/**
 * Linux's TCP socket tables, /proc/net/tcp and /proc/net/tcp6 (proc(5)): one socket per line,
 * `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`, with
 * addresses as hex `ADDR:PORT`. ADDR is the kernel's in-memory bytes, i.e. each 32-bit word in host
 * byte order (little-endian on x86-64 and arm64); PORT is big-endian hex.
 */
export interface TcpSocket {
  /** `ip:port`, IPv6 as `[ip]:port` (compressed), IPv4-mapped IPv6 as plain IPv4. */
  local: string;
  remote: string;
  /** The kernel's TCP state number: 1 = ESTABLISHED, 10 = LISTEN… */
  state: number;
  inode: string;
}

export const TCP_ESTABLISHED = 1;

/** One 8-hex-digit word as 4 bytes, in memory order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return littleEndian ? bytes.reverse() : bytes;
}

function addressOf(hexAddress: string, hexPort: string, littleEndian: boolean): string | undefined {
  const port = Number.parseInt(hexPort, 16);
  if (!/^[0-9A-Fa-f]+$/.test(hexAddress) || Number.isNaN(port)) return undefined;
  if (hexAddress.length === 8) return `${wordBytes(hexAddress, littleEndian).join('.')}:${port}`;
  if (hexAddress.length !== 32) return undefined;
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hexAddress.slice(i, i + 8), littleEndian));
  // ::ffff:a.b.c.d — an IPv4 peer of a dual-stack socket: the same address as in /proc/net/tcp.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `${bytes.slice(12).join('.')}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${canonicalHost(`[${groups.join(':')}]`)}:${port}`;
}

/** The form `new URL()` gives a host: lowercase, IPv6 compressed and bracketed. */
export function canonicalHost(host: string): string {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return host.toLowerCase();
  }
}

/** `host:port` of a backend URL (`http://10.0.3.4:3000`), in the form this parser gives addresses. */
export function backendAddress(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    // URL writes ::ffff:10.0.3.4 as [::ffff:a00:304]; the parser gives IPv4-mapped peers as IPv4.
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(parsed.hostname);
    const host = mapped
      ? [mapped[1]!, mapped[2]!]
          .flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 255])
          .join('.')
      : parsed.hostname;
    return `${host}:${port}`;
  } catch {
    return undefined;
  }
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6; the header and malformed lines are skipped. */
export function parseProcNetTcp(text: string, { littleEndian = true } = {}): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || !/^\d+:$/.test(fields[0]!)) continue;
    const [localHex, localPort] = fields[1]!.split(':');
    const [remoteHex, remotePort] = fields[2]!.split(':');
    if (!localHex || !localPort || !remoteHex || !remotePort) continue;
    const local = addressOf(localHex, localPort, littleEndian);
    const remote = addressOf(remoteHex, remotePort, littleEndian);
    const state = Number.parseInt(fields[3]!, 16);
    if (!local || !remote || Number.isNaN(state)) continue;
    sockets.push({ local, remote, state, inode: fields[9]! });
  }
  return sockets;
}

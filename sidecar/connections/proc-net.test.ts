import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backendAddress, parseProcNetTcp, TCP_ESTABLISHED } from './proc-net.ts';
import { readEstablished } from './read.ts';

// Lines as Linux writes them (x86-64, little-endian words).
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D2A4 0100007F:0BB8 01 00000000:00000000 02:00000A2B 00000000  1000        0 22222 1 0000000000000000 20 4 30 10 -1
   2: 0403000A:8F2C 0A01A8C0:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 33333 1 0000000000000000 20 4 30 10 -1
garbage line
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:C350 00000000000000000000000001000000:0FA0 01 00000000:00000000 00:00000000 00000000  1000        0 44444 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:C351 0000000000000000FFFF00000403000A:0BB8 01 00000000:00000000 00:00000000 00000000  1000        0 55555 1 0000000000000000 20 4 30 10 -1
   2: B80D0120000000000000000005000000:01BB B80D0120000000000000000009000000:E2F0 06 00000000:00000000 00:00000000 00000000     0        0 0 3 0000000000000000
`;

describe('parseProcNetTcp', () => {
  it('reads IPv4 sockets: addresses, ports, state, inode; skips the header and garbage', () => {
    expect(parseProcNetTcp(tcp)).toEqual([
      { local: '127.0.0.1:8080', remote: '0.0.0.0:0', state: 10, inode: '11111' },
      { local: '127.0.0.1:53924', remote: '127.0.0.1:3000', state: TCP_ESTABLISHED, inode: '22222' },
      { local: '10.0.3.4:36652', remote: '192.168.1.10:443', state: TCP_ESTABLISHED, inode: '33333' },
    ]);
  });

  it('reads IPv6 sockets, with IPv4-mapped addresses as plain IPv4', () => {
    expect(parseProcNetTcp(tcp6)).toEqual([
      { local: '[::1]:50000', remote: '[::1]:4000', state: TCP_ESTABLISHED, inode: '44444' },
      { local: '127.0.0.1:50001', remote: '10.0.3.4:3000', state: TCP_ESTABLISHED, inode: '55555' },
      { local: '[2001:db8::5]:443', remote: '[2001:db8::9]:58096', state: 6, inode: '0' },
    ]);
  });

  it('reads big-endian words when told', () => {
    const line = '   0: 7F000001:0BB8 0A000304:01BB 01 00000000:00000000 00:00000000 00000000 0 0 1 1';
    expect(parseProcNetTcp(line, { littleEndian: false })[0]).toMatchObject({
      local: '127.0.0.1:3000',
      remote: '10.0.3.4:443',
    });
  });

  it.each([
    ['http://10.0.3.4:3000', '10.0.3.4:3000'],
    ['http://127.0.0.1:4000/', '127.0.0.1:4000'],
    ['http://[::1]:4000', '[::1]:4000'],
    ['http://[0:0:0:0:0:0:0:1]:4000', '[::1]:4000'],
    ['http://[::ffff:10.0.3.4]:3000', '10.0.3.4:3000'],
    ['http://backend', 'backend:80'],
  ])('backendAddress(%s) = %s, the form the parser gives', (url, address) => {
    expect(backendAddress(url)).toBe(address);
  });
});

describe('readEstablished on this machine', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it.runIf(process.platform === 'linux')(
    'finds a connection this test opened, by its remote address',
    async () => {
      server = createServer((socket) => socket.on('error', () => {}));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      client = await new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
      });
      const local = `127.0.0.1:${client.localPort}`;
      const sockets = await readEstablished();
      expect(sockets).toContainEqual(expect.objectContaining({ local, remote: `127.0.0.1:${port}` }));
    },
  );
});

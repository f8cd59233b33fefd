import { describe, expect, it } from 'vitest';
import type { ThawEvent } from '../../core/events.ts';
import { silentLog } from '../../core/ports.ts';
import { createConnectionWatcher } from './keep-awake.ts';
import type { TcpSocket } from './proc-net.ts';

const HOUR = 3600_000;
const socket = (localPort: number, remote: string): TcpSocket => ({
  local: `127.0.0.1:${localPort}`,
  remote,
  state: 1,
  inode: String(localPort),
});

function setup(smallestIdleMs: number | null = 600_000) {
  let now = Date.parse('2026-11-30T08:00:00Z');
  let sockets: TcpSocket[] = [];
  const sent: ThawEvent[] = [];
  const watcher = createConnectionWatcher({
    events: { sendEvents: async (events) => void sent.push(...events) },
    log: silentLog,
    readSockets: async () => sockets,
    backends: async () => ({
      addresses: new Map([
        ['127.0.0.1:3000', 'pr-1'],
        ['127.0.0.1:3001', 'pr-1'],
        ['10.0.3.4:3000', 'pr-2'],
      ]),
      ...(smallestIdleMs === null ? {} : { smallestIdleMs }),
    }),
    maxConnectionMs: 8 * HOUR,
    clock: () => now,
  });
  return {
    watcher,
    sent,
    open: (...list: TcpSocket[]) => {
      sockets = list;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('open connections keep a stack awake', () => {
  it('sends one ACCESS per stack with an open connection to one of its backends, at the poll time', async () => {
    const t = setup();
    t.open(
      socket(50_001, '127.0.0.1:3000'),
      socket(50_002, '127.0.0.1:3001'),
      socket(50_003, '10.0.3.4:3000'),
      socket(50_004, '127.0.0.1:9999'), // not a backend (the launcher, a database…)
    );
    const result = await t.watcher.poll();
    expect(result.counted).toEqual(
      new Map([
        ['pr-1', 2],
        ['pr-2', 1],
      ]),
    );
    expect(t.sent).toMatchObject([
      { type: 'ACCESS', stackId: 'pr-1', at: '2026-11-30T08:00:00.000Z' },
      { type: 'ACCESS', stackId: 'pr-2', at: '2026-11-30T08:00:00.000Z' },
    ]);
  });

  it('sends nothing once the connections close', async () => {
    const t = setup();
    t.open(socket(50_001, '127.0.0.1:3000'));
    await t.watcher.poll();
    t.open();
    t.sent.length = 0;
    await t.watcher.poll();
    expect(t.sent).toEqual([]);
  });

  it('a connection open longer than the cap (8 h) no longer keeps its stack awake; a new one does', async () => {
    const t = setup();
    const forgotten = socket(50_001, '127.0.0.1:3000');
    t.open(forgotten);
    await t.watcher.poll();
    t.advance(8 * HOUR - 1000);
    expect((await t.watcher.poll()).counted.get('pr-1')).toBe(1);
    t.advance(2000);
    t.sent.length = 0;
    const late = await t.watcher.poll();
    expect(late.counted.size).toBe(0);
    expect(late.capped.get('pr-1')).toBe(1);
    expect(t.sent).toEqual([]);
    t.open(forgotten, socket(50_002, '127.0.0.1:3000'));
    expect((await t.watcher.poll()).counted.get('pr-1')).toBe(1);
  });

  it('a closed connection is forgotten: the same address pair opened again later counts afresh', async () => {
    const t = setup();
    const conn = socket(50_001, '127.0.0.1:3000');
    t.open(conn);
    await t.watcher.poll();
    t.open();
    await t.watcher.poll();
    t.advance(9 * HOUR);
    t.open(conn);
    expect((await t.watcher.poll()).counted.get('pr-1')).toBe(1);
  });

  it.each([
    [600_000, 30_000], // idle 10 min: the configured 30 s
    [9_000, 3_000], // idle 9 s: three polls per idle timeout
    [2_000, 1_000], // never more than once a second
    [null, 5_000], // no stack yet: every 5 s, the first may have a short idle timeout
  ])('with a smallest idle timeout of %s ms it polls every %d ms', async (idle, interval) => {
    const t = setup(idle);
    await t.watcher.poll();
    expect(t.watcher.intervalMs()).toBe(interval);
  });
});

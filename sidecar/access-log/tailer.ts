import { type FileHandle, open, stat } from 'node:fs/promises';

export interface TailerOptions {
  path: string;
  /** Called with each complete line, in order. */
  onLine: (line: string) => void;
  /** Called once per line longer than `maxLineBytes` (the line is dropped). */
  onOversized?: (bytes: number) => void;
  /** Read from the beginning instead of the end. */
  fromStart?: boolean;
  /** How often to look for new data, rotation and truncation (ms, default 250). */
  pollMs?: number;
  /** Bytes per read (default 64 KiB). */
  chunkBytes?: number;
  /** Longest line kept (default 64 KiB); longer ones are skipped without buffering them. */
  maxLineBytes?: number;
}

/**
 * Follows a file the way `tail -F` does: survives rotation by rename (a new inode at the path is
 * opened after the old file is read to its end), truncation (reads again from the start), a partial
 * last line (kept until its newline arrives) and very long lines (skipped in bounded memory).
 * Memory is bounded by one chunk plus one line.
 */
export function createTailer(options: TailerOptions) {
  const {
    path,
    onLine,
    onOversized,
    pollMs = 250,
    chunkBytes = 64 * 1024,
    maxLineBytes = 64 * 1024,
  } = options;
  let handle: FileHandle | undefined;
  let inode: number | undefined;
  let position = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = 0; // bytes of an oversized line being skipped
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<void> = Promise.resolve();
  const buffer = Buffer.allocUnsafe(chunkBytes);

  const emit = (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      if (discarding > 0) {
        onOversized?.(discarding + piece.length);
        discarding = 0;
      } else if (pendingBytes + piece.length > maxLineBytes) {
        onOversized?.(pendingBytes + piece.length);
      } else {
        const line =
          pendingBytes > 0 ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8');
        onLine(line);
      }
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (discarding > 0 || pendingBytes + rest.length > maxLineBytes) {
      discarding += pendingBytes + rest.length;
      pending = [];
      pendingBytes = 0;
    } else {
      pending.push(Buffer.from(rest)); // copy: the read buffer is reused
      pendingBytes += rest.length;
    }
  };

  /** Reads from `offset` next, with no partial or oversized line carried over. */
  const restartAt = (offset: number) => {
    position = offset;
    pending = [];
    pendingBytes = 0;
    discarding = 0;
  };

  const openCurrent = async (atEnd: boolean): Promise<boolean> => {
    try {
      const next = await open(path, 'r');
      const info = await next.stat();
      await handle?.close();
      handle = next;
      inode = info.ino;
      restartAt(atEnd ? info.size : 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  };

  const drain = async () => {
    if (!handle) return;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      emit(buffer.subarray(0, bytesRead));
    }
  };

  const tick = async () => {
    if (!handle) {
      if (await openCurrent(false)) await drain();
      return;
    }
    const current = await handle.stat();
    if (current.size < position) restartAt(0); // truncated in place: start over, drop the stale partial line
    await drain();
    let atPath: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      atPath = await stat(path);
    } catch {
      return; // renamed away and not recreated yet: keep the old file
    }
    if (atPath.ino !== inode) {
      // Rotated by rename: the old file is read to its end above; follow the new one from its start.
      if (await openCurrent(false)) await drain();
    }
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      busy = tick()
        .catch(() => {})
        .finally(schedule);
    }, pollMs);
  };

  return {
    async start() {
      running = true;
      await openCurrent(!options.fromStart);
      busy = drain();
      await busy;
      schedule();
    },
    /** Reads whatever is there now (tests, `--once`). */
    async poll() {
      await busy;
      busy = tick();
      await busy;
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await busy;
      await handle?.close();
      handle = undefined;
    },
  };
}

export type Tailer = ReturnType<typeof createTailer>;

import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTailer, type Tailer } from './tailer.ts';

let tailer: Tailer | undefined;
afterEach(async () => tailer?.stop());

function setup(options: { fromStart?: boolean; maxLineBytes?: number; chunkBytes?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-tail-'));
  const path = join(dir, 'access.log');
  const lines: string[] = [];
  const oversized: number[] = [];
  tailer = createTailer({
    path,
    onLine: (l) => lines.push(l),
    onOversized: (n) => oversized.push(n),
    pollMs: 10_000,
    ...options,
  });
  return { path, lines, oversized, tailer };
}

describe('tailer on real files', () => {
  it('starts at the end by default, or at the start when asked', async () => {
    const end = setup();
    writeFileSync(end.path, 'old 1\nold 2\n');
    await end.tailer.start();
    appendFileSync(end.path, 'new 1\n');
    await end.tailer.poll();
    expect(end.lines).toEqual(['new 1']);
    await end.tailer.stop();

    const start = setup({ fromStart: true });
    writeFileSync(start.path, 'old 1\nold 2\n');
    await start.tailer.start();
    expect(start.lines).toEqual(['old 1', 'old 2']);
  });

  it('keeps a partial last line until its newline arrives', async () => {
    const { path, lines, tailer } = setup({ fromStart: true });
    writeFileSync(path, 'a\n{"half":');
    await tailer.start();
    expect(lines).toEqual(['a']);
    appendFileSync(path, '"done"}\n');
    await tailer.poll();
    expect(lines).toEqual(['a', '{"half":"done"}']);
  });

  it('follows rotation by rename: reads the old file to its end, then the new one from its start', async () => {
    const { path, lines, tailer } = setup({ fromStart: true });
    writeFileSync(path, 'one\n');
    await tailer.start();
    appendFileSync(path, 'two\n');
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'three (late write to the old file)\n');
    writeFileSync(path, 'four\n');
    await tailer.poll();
    appendFileSync(path, 'five\n');
    await tailer.poll();
    expect(lines).toEqual(['one', 'two', 'three (late write to the old file)', 'four', 'five']);
  });

  it('survives truncation in place', async () => {
    const { path, lines, tailer } = setup({ fromStart: true });
    writeFileSync(path, 'first line that is long\n');
    await tailer.start();
    truncateSync(path, 0);
    appendFileSync(path, 'after\n');
    await tailer.poll();
    expect(lines).toEqual(['first line that is long', 'after']);
  });

  it('truncation drops a partial line: the first line written after it parses on its own', async () => {
    const { path, lines, tailer } = setup({ fromStart: true });
    writeFileSync(path, 'whole\n{"stale":');
    await tailer.start();
    truncateSync(path, 0);
    await tailer.poll(); // sees the file shorter than its offset
    appendFileSync(path, '{"fresh":1}\n{"fresh":2}\n');
    await tailer.poll();
    expect(lines).toEqual(['whole', '{"fresh":1}', '{"fresh":2}']);
    expect(JSON.parse(lines[1]!)).toEqual({ fresh: 1 });
  });

  it('skips very long lines in bounded memory and goes on', async () => {
    const { path, lines, oversized, tailer } = setup({ fromStart: true, maxLineBytes: 100, chunkBytes: 32 });
    writeFileSync(path, `short\n${'x'.repeat(1000)}\nafter\n`);
    await tailer.start();
    expect(lines).toEqual(['short', 'after']);
    expect(oversized).toEqual([1000]);
  });

  it('waits for a file that does not exist yet', async () => {
    const { path, lines, tailer } = setup();
    await tailer.start();
    writeFileSync(path, 'hello\n');
    await tailer.poll();
    expect(lines).toEqual(['hello']);
  });

  it('splits lines across chunk boundaries and keeps UTF-8 intact', async () => {
    const { path, lines, tailer } = setup({ fromStart: true, chunkBytes: 7 });
    writeFileSync(path, 'héllo wörld\nü€\n');
    await tailer.start();
    expect(lines).toEqual(['héllo wörld', 'ü€']);
  });
});

// One measurement of the tailer benchmark, in its own process so peak RSS is its own.
import { open } from 'node:fs/promises';
import { createAccessAggregator } from '../core/access-log/aggregator.ts';
import { parseAccessLine } from '../core/access-log/parse.ts';
import { silentLog } from '../core/ports.ts';
import { createTailer } from '../sidecar/access-log/tailer.ts';

const [mode, file] = process.argv.slice(2) as ['raw' | 'thaw', string];
const start = performance.now();
let lines = 0;

if (mode === 'raw') {
  // Baseline: the same chunked read and split, then a bare JSON.parse per line.
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let rest = '';
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    const text = rest + buffer.toString('utf8', 0, bytesRead);
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const part of parts) {
      JSON.parse(part);
      lines++;
    }
  }
  await handle.close();
} else {
  // Thaw: the tailer, the parser, and the aggregation with a host → stack lookup.
  const hosts = new Map(Array.from({ length: 500 }, (_, i) => [`pr-${i}.qa.example.com`, `pr-${i}`]));
  const aggregator = createAccessAggregator({
    events: { sendEvents: async () => {} },
    log: silentLog,
    launcherRouter: 'thaw-launcher',
    stackIdFor: (l) => hosts.get(l.host),
  });
  const tailer = createTailer({
    path: file,
    fromStart: true,
    pollMs: 60_000,
    onLine: (text) => {
      lines++;
      const parsed = parseAccessLine(text);
      if (parsed.kind === 'access') void aggregator.record(parsed.line);
    },
  });
  await tailer.start();
  await tailer.stop();
}
const seconds = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    mode,
    lines,
    seconds,
    linesPerSecond: Math.round(lines / seconds),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

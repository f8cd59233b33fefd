import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET_BYTES = Number(process.env.BENCH_LOG_BYTES ?? 1024 ** 3);

/** Writes a Traefik v3-shaped JSON access log of about TARGET_BYTES, with varied hosts, paths and times. */
function generate(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  let n = 0;
  const base = Date.parse('2026-11-29T00:00:00Z');
  while (written < TARGET_BYTES) {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++, n++) {
      const stack = n % 600; // some hosts are unknown
      const launcher = n % 50 === 0;
      lines.push(
        JSON.stringify({
          ClientAddr: `10.0.${n % 255}.${n % 200}:5${n % 9999}`,
          ClientHost: `10.0.${n % 255}.${n % 200}`,
          ClientPort: String(50000 + (n % 9999)),
          DownstreamContentSize: 1000 + (n % 5000),
          DownstreamStatus: launcher ? 503 : 200,
          Duration: 100000 + (n % 900000),
          OriginContentSize: 1000 + (n % 5000),
          OriginDuration: 90000 + (n % 800000),
          OriginStatus: 200,
          Overhead: 10000,
          RequestAddr: `pr-${stack}.qa.example.com`,
          RequestContentSize: 0,
          RequestCount: n,
          RequestHost: `pr-${stack}.qa.example.com`,
          RequestMethod: n % 7 === 0 ? 'POST' : 'GET',
          RequestPath: `/app/items/${n % 1000}?page=${n % 13}`,
          RequestPort: '-',
          RequestProtocol: 'HTTP/1.1',
          RequestScheme: 'https',
          RetryAttempts: 0,
          RouterName: launcher ? 'thaw-launcher@ecs' : `thaw-pr-${stack}-web@ecs`,
          ServiceAddr: `10.1.${stack % 255}.4:3000`,
          ServiceName: launcher ? 'thaw-launcher@ecs' : `thaw-pr-${stack}-web@ecs`,
          ServiceURL: `http://10.1.${stack % 255}.4:3000`,
          StartLocal: new Date(base + n * 3).toISOString(),
          StartUTC: new Date(base + n * 3).toISOString(),
          entryPointName: 'web',
          level: 'info',
          msg: '',
          time: new Date(base + n * 3).toISOString(),
        }),
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    written += writeSync(fd, chunk);
  }
  closeSync(fd);
  return n;
}

export async function run(): Promise<void> {
  const path = join(tmpdir(), `thaw-bench-access-${process.pid}.log`);
  const lines = generate(path);
  const size = statSync(path).size;
  console.log(`generated ${(size / 1024 ** 3).toFixed(2)} GiB, ${lines.toLocaleString()} Traefik v3 lines`);
  const measure = (mode: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'tailer-worker.ts'), mode, path],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      ).trim(),
    );
  try {
    const raw = measure('raw');
    const thaw = measure('thaw');
    console.log(
      `baseline: chunked read + JSON.parse: ${raw.linesPerSecond.toLocaleString()} lines/s, peak RSS ${raw.maxRssMB} MB`,
    );
    console.log(
      `thaw: tailer + parser + aggregation: ${thaw.linesPerSecond.toLocaleString()} lines/s, peak RSS ${thaw.maxRssMB} MB`,
    );
    console.log(
      `ratio: ${(thaw.linesPerSecond / raw.linesPerSecond).toFixed(2)}× raw (goal ≥ 0.5×); peak RSS goal < 150 MB`,
    );
    console.log(
      JSON.stringify({
        bench: 'tailer',
        bytes: size,
        lines,
        raw,
        thaw,
        ratio: thaw.linesPerSecond / raw.linesPerSecond,
      }),
    );
  } finally {
    rmSync(path, { force: true });
  }
}

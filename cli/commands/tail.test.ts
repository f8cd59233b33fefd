import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../bin/thaw.mjs', import.meta.url).pathname;

describe('thaw tail', () => {
  it('parses lines without StartUTC, and counts skipped lines per reason on stderr at exit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'thaw-tail-cli-')), 'access.log');
    const lines = [
      {
        DownstreamStatus: 0,
        RequestHost: 'pr-1.qa.test',
        StartLocal: '2026-11-29T11:00:00+01:00',
        Duration: 5e9,
      },
      'not json',
      { level: 'info', msg: 'Configuration loaded' },
      'also not json',
    ];
    writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
    const { stdout, stderr } = await run(process.execPath, [bin, 'tail', '--once', '--json', file], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    const records = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ host: 'pr-1.qa.test', status: 0, at: '2026-11-29T10:00:05.000Z' });
    expect(stderr).toContain(
      "skipped 3 line(s): not JSON ×2, Traefik's own log line (no DownstreamStatus) ×1",
    );
  }, 60_000);
});

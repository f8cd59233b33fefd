import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = new URL('../bin/thaw.mjs', import.meta.url).pathname;

/** Runs `thaw validate ...args` in a directory holding thaw.yml with this text. */
function validate(text: string | undefined, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-validate-'));
  if (text !== undefined) writeFileSync(join(dir, 'thaw.yml'), text);
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, 'validate', ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const valid = `idleTimeout: 30m
services:
  web:
    image: ghcr.io/acme/web
    run: node web.js
    port: 3000
`;

describe('thaw validate', () => {
  it('a valid thaw.yml (the default file) exits 0', async () => {
    const result = await validate(valid);
    expect(result).toMatchObject({ code: 0, stdout: 'thaw.yml: valid\n' });
  }, 60_000);

  it('a bad field exits 1 with file:line:col of the field, the message and the rule', async () => {
    const result = await validate(valid.replace('port: 3000', 'port: 70000'), 'thaw.yml');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^thaw\.yml:6:5: .*70000.* \(services\.web\.port\)\n$/);
  }, 60_000);

  it('a YAML syntax error exits 1 on its line', async () => {
    const result = await validate('services:\n  web:\n    image: x\n   port: 1\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^thaw\.yml:4:\d+: .* \(yaml\)$/m);
  }, 60_000);

  it('--json lists every problem with its place', async () => {
    const result = await validate(valid.replace('idleTimeout: 30m', 'idleTimeout: soon\nextra: 1'), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      file: 'thaw.yml',
      valid: false,
      problems: expect.arrayContaining([
        expect.objectContaining({ line: 1, column: 1, path: 'idleTimeout', rule: 'idleTimeout' }),
        expect.objectContaining({
          line: 2,
          column: 1,
          path: 'extra',
          message: expect.stringContaining('unknown field'),
        }),
      ]),
    });
  }, 60_000);

  it('a missing file exits 1 and says so', async () => {
    const result = await validate(undefined, 'nope.yml');
    expect(result).toMatchObject({ code: 1, stdout: 'nope.yml: no such file (file)\n' });
  }, 60_000);
});

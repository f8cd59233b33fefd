import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../cli/bin/thaw.mjs', import.meta.url).pathname;
// No thaw dev runs here: a directory with no .thaw/dev.json.
const cwd = mkdtempSync(join(tmpdir(), 'thaw-checks-'));
const thaw = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });

describe('local checks come before looking for a running thaw dev', () => {
  it('thaw launch with a broken spec reports the spec, not the missing thaw dev', async () => {
    writeFileSync(join(cwd, 'broken.yml'), 'services:\n  web:\n    port: http\n');
    const failure = thaw('launch', 'pr-1', '--spec', 'broken.yml');
    await expect(failure).rejects.toMatchObject({ code: 1 });
    const { stderr } = (await failure.catch((error) => error)) as { stderr: string };
    expect(stderr).toMatch(/^thaw: invalid .*\n(.*\n)*.*services\.web\.port/);
    expect(stderr).not.toContain('thaw dev');
  });

  it('a missing spec file, a malformed --image or --timeout: the same', async () => {
    for (const args of [
      ['launch', 'pr-1', '--spec', 'nowhere.yml'],
      ['launch', 'pr-1', '--spec', 'broken.yml', '--image', 'web'],
      ['launch', 'pr-1', '--timeout', 'soon'],
      ['freeze', 'pr-1', '--timeout', '-5'],
      ['status', 'Not_An_Id'],
    ]) {
      const error = (await thaw(...args).catch((e) => e)) as { code: number; stderr: string };
      expect(error.code, args.join(' ')).toBe(1);
      expect(error.stderr, args.join(' ')).not.toContain('no running "thaw dev"');
    }
  });

  it('with valid input it does look for thaw dev, and says how to start one', async () => {
    writeFileSync(
      join(cwd, 'ok.yml'),
      'services:\n  web:\n    image: ghcr.io/acme/web\n    run: node web.mjs\n    port: 3000\n',
    );
    await expect(thaw('launch', 'pr-1', '--spec', 'ok.yml')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no running "thaw dev" found'),
    });
  });
});

// `thaw janitor` against a real `thaw dev` with per-stack databases on real PostgreSQL (issue 16, item 3).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabases } from '../../adapters/postgres-databases.ts';
import type { JanitorReport } from '../../core/janitor.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const bin = new URL('../../cli/bin/thaw.mjs', import.meta.url).pathname;
const serverUrl = process.env.DATABASE_URL;
const cwd = mkdtempSync(join(tmpdir(), 'thaw-janitor-dev-'));
const env = { ...process.env, NO_COLOR: '1', THAW_DEPLOYMENT: '' };

describe.runIf(serverUrl)('thaw janitor against a running thaw dev', () => {
  let dev: ChildProcess;
  const orphan = `e${Date.now().toString(36)}-orphan`;
  const databases = createPostgresDatabases({ adminUrl: serverUrl! });
  afterAll(async () => {
    if (dev?.exitCode === null) dev.kill('SIGINT');
    await databases.drop(orphan);
    await databases.close();
  });

  it('--dry-run names the database and role of a stack this thaw dev does not know, and removes nothing', async () => {
    await databases.create(orphan);
    dev = spawn(
      process.execPath,
      [bin, 'dev', '--port', '0', '--router', 'builtin', '--database-url', serverUrl!],
      { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    dev.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(() => stderr.includes('thaw dev: ready'), {
      timeoutMs: 60_000,
      what: 'thaw dev to be ready',
    });

    // Dry runs only: the server is shared with other tests, whose stack databases this thaw dev does not know either.
    const { stdout } = await run(process.execPath, [bin, 'janitor', '--dry-run', '--json'], { cwd, env });
    const report = JSON.parse(stdout) as JanitorReport;
    expect(report.dryRun).toBe(true);
    const mine = report.removed.filter((i) => i.resource.stackId === orphan);
    expect(mine.map((i) => [i.resource.kind, i.reason])).toEqual([
      ['database', `stack ${orphan} does not exist`],
      ['database-role', `stack ${orphan} does not exist`],
    ]);
    expect((await databases.listOwned()).filter((r) => r.stackId === orphan)).toHaveLength(2);
    const text = await run(process.execPath, [bin, 'janitor', '--dry-run'], { cwd, env });
    expect(text.stdout).toMatch(/^would remove \d+:\n/);
    expect(text.stdout).toContain(`thaw_${orphan.replaceAll('-', '_')}`);
  });
});

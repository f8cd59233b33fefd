import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabases } from '../../adapters/postgres-databases.ts';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { applyEvent } from '../../core/apply.ts';
import type { JanitorReport } from '../../core/janitor.ts';
import { createControlApi, writeControlToken } from '../../local/control-api.ts';
import { startDevJanitor } from '../../local/dev-janitor.ts';
import { launch, noDbSpec } from '../../test/helpers/events.ts';
import { formatJanitorReport } from './janitor.ts';

const run = promisify(execFile);
const bin = new URL('../bin/thaw.mjs', import.meta.url).pathname;
const serverUrl = process.env.DATABASE_URL;

describe('formatJanitorReport', () => {
  const item = {
    resource: {
      kind: 'database' as const,
      name: 'thaw_pr_9',
      stackId: 'pr-9',
      detail: 'owner thaw_stack_pr_9',
    },
    reason: 'stack pr-9 does not exist',
  };
  it('says what a dry run would remove and why; a real run what it removed, spared and failed', () => {
    const base: JanitorReport = { dryRun: true, removed: [item], spared: [], failed: [], deferred: 0 };
    expect(formatJanitorReport(base)).toBe(
      'would remove 1:\n  database         thaw_pr_9                        stack pr-9 does not exist (owner thaw_stack_pr_9)\n',
    );
    const real = formatJanitorReport({
      ...base,
      dryRun: false,
      spared: [item],
      failed: [{ ...item, error: 'boom' }],
    });
    expect(real).toMatch(/^removed 1:\n/);
    expect(real).toContain('spared 1 (inside the grace period):\n');
    expect(real).toContain('failed 1 (tried again next run):\n  database         thaw_pr_9');
    expect(real).toContain('does not exist — boom (owner');
    expect(formatJanitorReport({ ...base, removed: [] })).toBe(
      'nothing to remove: every resource belongs to a live stack\n',
    );
  });
});

/**
 * The real `thaw` binary against the control API of a thaw dev (served on a loopback port, with the
 * token and dev.json as thaw dev writes them) whose databases are on real PostgreSQL.
 */
describe.runIf(serverUrl)('thaw janitor against thaw dev', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'thaw-janitor-'));
  const tag = `c${Date.now().toString(36)}`;
  const [live, orphan] = [`${tag}-live`, `${tag}-orphan`];
  const databases = createPostgresDatabases({ adminUrl: serverUrl! });
  const store = createMemoryStore();
  let server: Server;

  beforeAll(async () => {
    await applyEvent(launch(live, { web: 'w:1' }, noDbSpec), { store });
    await databases.create(live);
    await databases.create(orphan);
    const janitor = startDevJanitor({ databases, store, log: console as never, intervalMinutes: 0 });
    const token = writeControlToken(dataDir);
    const app = createControlApi({
      store,
      events: { sendEvents: async () => {} },
      urls: { domain: 'localhost', scheme: 'http', port: 8080 },
      token,
      // This server is shared with other tests: the janitor here may remove only this file's databases.
      janitor: async ({ dryRun }) => {
        const report = await janitor.run({ dryRun: true });
        const mine = report.removed.filter((i) => i.resource.stackId.startsWith(tag));
        if (!dryRun) for (const item of mine) await databases.removeOwned(item.resource);
        return { ...report, dryRun, removed: mine };
      },
    });
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(dataDir, 'dev.json'), JSON.stringify({ controlUrl, pid: process.pid }));
  });

  afterAll(async () => {
    await databases.drop(live);
    await databases.drop(orphan);
    await databases.close();
    await new Promise<void>((done) => server?.close(() => done()));
  });

  const thaw = (...args: string[]) =>
    run(process.execPath, [bin, '--data-dir', dataDir, 'janitor', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
  const orphanDb = `thaw_${orphan.replaceAll('-', '_')}`;

  it('--dry-run lists the orphaned database and role with why, and the live stack not at all', async () => {
    const { stdout } = await thaw('--dry-run');
    expect(stdout).toMatch(/^would remove 2:\n/);
    expect(stdout).toContain(`database         ${orphanDb}`);
    expect(stdout).toContain(`database-role    thaw_stack_${orphan.replaceAll('-', '_')}`);
    expect(stdout).toContain(`stack ${orphan} does not exist`);
    expect(stdout).not.toContain(live);
    const { stdout: json } = await thaw('--dry-run', '--json');
    expect((JSON.parse(json) as JanitorReport).removed.map((i) => i.resource.name)).toEqual([
      orphanDb,
      `thaw_stack_${orphan.replaceAll('-', '_')}`,
    ]);
  });

  it('without --dry-run removes them; a second run finds nothing', async () => {
    expect((await thaw()).stdout).toMatch(/^removed 2:\n/);
    expect((await thaw('--dry-run')).stdout).toBe(
      'nothing to remove: every resource belongs to a live stack\n',
    );
    const left = (await databases.listOwned()).filter((r) => r.stackId.startsWith(tag)).map((r) => r.name);
    expect(left).toEqual([`thaw_${live.replaceAll('-', '_')}`, `thaw_stack_${live.replaceAll('-', '_')}`]);
  });

  it('against a deployment it says the freezer runs it there', async () => {
    const error = await run(process.execPath, [bin, '--deployment', 'prod', 'janitor', '--dry-run'], {
      env: { ...process.env, NO_COLOR: '1', HOME: dataDir },
    }).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    expect(error?.stderr).toContain('in AWS the freezer runs the janitor every JANITOR_INTERVAL_MINUTES');
  });
});

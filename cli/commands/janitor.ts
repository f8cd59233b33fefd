import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ThawError } from '../../core/errors.ts';
import type { CleanupItem, JanitorReport } from '../../core/janitor.ts';
import { printJson } from '../output.ts';

const row = (item: CleanupItem, extra = '') =>
  `  ${item.resource.kind.padEnd(16)} ${item.resource.name.padEnd(32)} ${item.reason}${extra}${item.resource.detail ? ` (${item.resource.detail})` : ''}\n`;

/** The report as people read it: what was (or would be) removed and why, what was spared, what failed. */
export function formatJanitorReport(report: JanitorReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would remove' : 'removed';
  lines.push(
    report.removed.length === 0
      ? `nothing to remove: every resource belongs to a live stack\n`
      : `${verb} ${report.removed.length}:\n`,
  );
  for (const item of report.removed) lines.push(row(item));
  if (report.spared.length) lines.push(`spared ${report.spared.length} (inside the grace period):\n`);
  for (const item of report.spared) lines.push(row(item));
  if (report.failed.length) lines.push(`failed ${report.failed.length} (tried again next run):\n`);
  for (const item of report.failed) lines.push(row(item, ` — ${item.error}`));
  if (report.deferred) lines.push(`${report.deferred} more left for the next run\n`);
  return lines.join('');
}

/** `thaw janitor [--dry-run] [--json]`: removes what belongs to no live stack in the running thaw dev. */
export function registerJanitor(program: Command) {
  program
    .command('janitor')
    .description(
      'remove stack databases (and in AWS ECS services and task definitions) that no live stack owns; thaw dev only',
    )
    .option('--dry-run', 'only list what would be removed, and why')
    .option('--json', 'machine-readable output')
    .action(async (options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals() as { dataDir?: string; deployment?: string };
      if (globals.deployment)
        throw new ThawError(
          'thaw janitor talks to thaw dev; in AWS the freezer runs the janitor every JANITOR_INTERVAL_MINUTES (docs/lambdas.md) and logs what it removed',
        );
      const { resolveClient } = await import('../target.ts');
      const { readControlToken } = await import('../../local/control-api.ts');
      const client = resolveClient(globals); // checks dev.json, the pid and the token, with its own messages
      await client.close();
      const dataDir = resolve(globals.dataDir ?? '.thaw');
      const { controlUrl } = JSON.parse(readFileSync(join(dataDir, 'dev.json'), 'utf8')) as {
        controlUrl: string;
      };
      const response = await fetch(`${controlUrl}/janitor`, {
        method: 'POST',
        headers: { authorization: `Bearer ${readControlToken(dataDir)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dryRun: options.dryRun === true }),
        signal: AbortSignal.timeout(120_000),
      });
      if (!response.ok)
        throw new ThawError(
          `thaw dev answered ${response.status} to POST /janitor: ${await response.text()}`,
        );
      const report = (await response.json()) as JanitorReport;
      if (options.json) printJson(report);
      else process.stdout.write(formatJanitorReport(report));
      if (report.failed.length) process.exitCode = 1;
    });
}

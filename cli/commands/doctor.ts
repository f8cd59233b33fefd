import type { Command } from 'commander';
import type { Finding } from '../doctor-checks.ts';
import { printJson } from '../output.ts';

const MARK: Record<Finding['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

function printFindings(findings: Finding[]) {
  const width = Math.max(...findings.map((f) => f.check.length), 5);
  process.stdout.write(`${'CHECK'.padEnd(width)}  STATUS  DETAIL\n`);
  for (const f of findings) {
    process.stdout.write(`${f.check.padEnd(width)}  ${MARK[f.status].padEnd(6)}  ${f.detail}\n`);
    if (f.fix && f.status !== 'ok') process.stdout.write(`${' '.repeat(width + 10)}fix: ${f.fix}\n`);
  }
}

/** `thaw doctor`: a deployment (or thaw dev) checked end to end; exit 1 when a check fails. */
export function registerDoctor(program: Command) {
  program
    .command('doctor')
    .description('check a deployment (or thaw dev): queues, redrive policies, DLQs, migrations, sidecar')
    .option('--sidecar-url <url>', 'the sidecar to check (/healthz); default: sidecarUrl of the deployment')
    .option('--json', 'machine-readable output: [{check, status, detail, fix}]')
    .action(async (options: { sidecarUrl?: string; json?: boolean }, command: Command) => {
      const checks = await import('../doctor-checks.ts');
      const { resolveQueues, deploymentName } = await import('../queue-target.ts');
      const globals = command.optsWithGlobals() as { dataDir?: string; deployment?: string };
      const findings: Finding[] = [];
      const target = await resolveQueues(globals);
      try {
        findings.push(...(await checks.checkQueues(target)));
      } finally {
        await target.close();
      }
      // (target.queues stays usable after close: only its clients are released.)
      let sidecarUrl = options.sidecarUrl;
      const name = deploymentName(globals);
      if (name) {
        const { findDeployment, deploymentStore } = await import('../aws-target.ts');
        const deployment = findDeployment(name);
        sidecarUrl ??= deployment.sidecarUrl;
        const { LambdaClient } = await import('@aws-sdk/client-lambda');
        const lambda = new LambdaClient({
          ...(deployment.region ? { region: deployment.region } : {}),
          maxAttempts: 2,
        });
        try {
          findings.push(...(await checks.checkEventSourceMappings(target, lambda)));
        } finally {
          lambda.destroy();
        }
        const db = deploymentStore(deployment);
        try {
          findings.push(await checks.checkMigrations(await db.open()));
        } catch (error) {
          findings.push({
            check: 'store',
            status: 'fail',
            detail: `cannot open the store: ${(error as Error).message}`,
            fix: 'check the secret (databaseSecretArn), secretsmanager:GetSecretValue, and network access to the database',
          });
        } finally {
          await db.close();
        }
      } else {
        findings.push({
          check: 'migrations',
          status: 'skip',
          detail: 'not checked: thaw dev applies them at start',
          fix: '',
        });
      }
      if (sidecarUrl) findings.push(await checks.checkSidecar(sidecarUrl));
      else
        findings.push({
          check: 'sidecar',
          status: 'skip',
          detail: 'not checked: no --sidecar-url (or sidecarUrl in deployments.json)',
          fix: '',
        });
      if (options.json) printJson(findings);
      else printFindings(findings);
      if (checks.failed(findings)) process.exitCode = 1;
    });
}

import type { Command } from 'commander';
import { printJson } from '../output.ts';

/** `thaw deployment add|ls`: the deployed control planes `--deployment <name>` can point at. */
export function registerDeployment(program: Command) {
  const deployment = program
    .command('deployment')
    .description('remember a deployed control plane (from its Terraform outputs) for --deployment <name>');

  deployment
    .command('add')
    .description('add or replace a deployment (in ~/.config/thaw/deployments.json, or .thaw/ with --project)')
    .argument('<name>', 'a name to pass to --deployment, e.g. prod')
    .requiredOption('--events-queue-url <url>', 'Terraform output events_queue_url')
    .requiredOption('--database-secret-arn <arn>', 'Terraform output database_url_secret_arn')
    .option('--region <region>', 'AWS region (default: the SDK default chain, e.g. AWS_REGION)')
    .option(
      '--tasks-queue-url <url>',
      'Terraform output tasks_queue_url (default: derived from the events queue URL)',
    )
    .option('--domain <domain>', 'the stack domain (STACK_DOMAIN), for the URLs ls and status show')
    .option('--sidecar-url <url>', 'the sidecar base URL, for thaw doctor')
    .option('--project', 'write .thaw/deployments.json in this directory instead of the user file')
    .action(
      async (
        name: string,
        options: {
          eventsQueueUrl: string;
          databaseSecretArn: string;
          region?: string;
          tasksQueueUrl?: string;
          domain?: string;
          sidecarUrl?: string;
          project?: boolean;
        },
      ) => {
        const { saveDeployment, deploymentFiles } = await import('../aws-target.ts');
        const { project, ...fields } = options;
        const files = deploymentFiles();
        const file = saveDeployment(name, fields, project ? files.project : files.user);
        process.stderr.write(
          `deployment ${name} saved in ${file}; use it with "thaw --deployment ${name} ls"\n`,
        );
      },
    );

  deployment
    .command('show')
    .description('show a deployment as the commands will use it')
    .argument('<name>')
    .action(async (name: string) => {
      const { findDeployment } = await import('../aws-target.ts');
      printJson(findDeployment(name));
    });
}

import { type Command, InvalidArgumentError } from 'commander';
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
    .option('--edge-tasks <n>', 'edge tasks (Terraform edge_tasks), for thaw cost (default 1)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10)
        throw new InvalidArgumentError(`expected a whole number 1-10, got ${JSON.stringify(v)}`);
      return n;
    })
    .option('--nat <kind>', 'instance or gateway (Terraform nat), for thaw cost (default instance)', (v) => {
      if (v !== 'instance' && v !== 'gateway')
        throw new InvalidArgumentError(`expected instance or gateway, got ${JSON.stringify(v)}`);
      return v;
    })
    .option('--arm64', 'edge and stacks on ARM64 (Terraform *_architecture), for thaw cost')
    .option(
      '--on-demand',
      'stacks on on-demand Fargate instead of Spot (Terraform stack_spot = false), for thaw cost',
    )
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
          edgeTasks?: number;
          nat?: 'instance' | 'gateway';
          arm64?: boolean;
          onDemand?: boolean;
        },
      ) => {
        const { saveDeployment, deploymentFiles } = await import('../aws-target.ts');
        const { project, edgeTasks, nat, arm64, onDemand, ...fields } = options;
        const shape = {
          ...(edgeTasks ? { edgeTasks } : {}),
          ...(nat ? { nat } : {}),
          ...(arm64 ? { arm64 } : {}),
          ...(onDemand ? { spot: false } : {}),
        };
        const files = deploymentFiles();
        const file = saveDeployment(
          name,
          { ...fields, ...(Object.keys(shape).length ? { shape } : {}) },
          project ? files.project : files.user,
        );
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

import { Command, CommanderError, Option } from 'commander';
import { ThawError } from '../core/errors.ts';
import { registerDeployment } from './commands/deployment.ts';
import { registerDev } from './commands/dev.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerJanitor } from './commands/janitor.ts';
import { registerStackCommands } from './commands/stacks.ts';
import { registerTail } from './commands/tail.ts';
import { registerValidate } from './commands/validate.ts';

const program = new Command()
  .name('thaw')
  .description('Per-pull-request QA stacks that freeze when idle and thaw on the first request.')
  .version('0.1.0')
  .option('--data-dir <dir>', 'where thaw dev keeps its state; other commands find it there', '.thaw')
  .option('--verbose', 'log to stderr too')
  .addOption(
    new Option(
      '--deployment <name>',
      'talk to a deployed control plane (see thaw deployment add, docs/operate.md)',
    ).env('THAW_DEPLOYMENT'),
  )
  .showHelpAfterError()
  .exitOverride();

registerDev(program);
registerStackCommands(program);
registerTail(program);
registerValidate(program);
registerDeployment(program);
registerDlq(program);
registerDoctor(program);
registerJanitor(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ThawError) {
    process.stderr.write(`thaw: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

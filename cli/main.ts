import { Command, CommanderError } from 'commander';
import { ThawError } from '../core/errors.ts';
import { registerDev } from './commands/dev.ts';
import { registerStackCommands } from './commands/stacks.ts';
import { registerTail } from './commands/tail.ts';
import { registerValidate } from './commands/validate.ts';

const program = new Command()
  .name('thaw')
  .description('Per-pull-request QA stacks that freeze when idle and thaw on the first request.')
  .version('0.1.0')
  .option('--data-dir <dir>', 'where thaw dev keeps its state; other commands find it there', '.thaw')
  .option('--verbose', 'log to stderr too')
  .showHelpAfterError()
  .exitOverride();

registerDev(program);
registerStackCommands(program);
registerTail(program);
registerValidate(program);

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

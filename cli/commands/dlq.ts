import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import type { DeadLetter, QueueRole } from '../dlq-ops.ts';
import { printJson } from '../output.ts';
import type { ClosableQueueTarget } from '../queue-target.ts';

const ROLES = ['events', 'tasks'] as const;

const roleArg = (value: string): QueueRole => {
  if (!(ROLES as readonly string[]).includes(value))
    throw new ValidationError('queue', [
      { path: 'queue', message: `expected events or tasks, got ${JSON.stringify(value)}` },
    ]);
  return value as QueueRole;
};

function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

const line = (m: DeadLetter) =>
  `  ${m.id}  ${(m.stackId ?? '?').padEnd(14)} ${(m.type ?? '?').padEnd(22)} received ${String(m.receiveCount).padStart(2)}×  ${m.reason ?? 'reason unknown (see the function log)'}\n`;

/** `thaw dlq ls|show|redrive|purge`: the dead-letter queues of the events and tasks queues. */
export function registerDlq(program: Command) {
  const dlq = program
    .command('dlq')
    .description('dead-letter queues: what failed, and send it again (against --deployment or thaw dev)');

  const connect = async (command: Command, fn: (target: ClosableQueueTarget) => Promise<void>) => {
    const { resolveQueues } = await import('../queue-target.ts');
    const target = await resolveQueues(command.optsWithGlobals());
    try {
      await fn(target);
    } finally {
      await target.close();
    }
  };
  const ops = () => import('../dlq-ops.ts');

  dlq
    .command('ls')
    .description('count, oldest age and one line per message (stack, type, receive count, reason)')
    .argument('[queue]', 'events or tasks (default: both)', roleArg)
    .option('--json', 'machine-readable output')
    .action(async (role: QueueRole | undefined, options: { json?: boolean }, command: Command) =>
      connect(command, async (target) => {
        const { listDeadLetters } = await ops();
        const listings = [];
        for (const r of role ? [role] : ROLES) listings.push(await listDeadLetters(target, r));
        if (options.json) return printJson(role ? listings[0] : listings);
        for (const l of listings) {
          process.stdout.write(
            `${l.queue} DLQ: ${l.count} message(s)${l.count ? `, oldest ${age(l.oldestAgeSeconds)}` : ''}  (${l.dlqUrl})\n`,
          );
          for (const m of l.messages) process.stdout.write(line(m));
        }
      }),
    );

  dlq
    .command('show')
    .description('one dead letter: its attributes and body')
    .argument('<id>', 'message id, as "thaw dlq ls" prints it')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }, command: Command) =>
      connect(command, async (target) => {
        const { showDeadLetter } = await ops();
        const found = await showDeadLetter(target, id);
        if (!found) {
          process.stderr.write(`no message ${id} in the events or tasks DLQ\n`);
          process.exitCode = 1;
          return;
        }
        if (options.json) return printJson(found);
        const { body, ...rest } = found;
        for (const [key, value] of Object.entries(rest))
          process.stdout.write(`${key.padEnd(16)} ${value ?? '-'}\n`);
        let pretty = body;
        try {
          pretty = JSON.stringify(JSON.parse(body), null, 2);
        } catch {}
        process.stdout.write(`body:\n${pretty}\n`);
      }),
    );

  dlq
    .command('redrive')
    .description(
      "send dead letters back to their queue (SQS's message-move task; receive+send+delete with --stack)",
    )
    .argument('[queue]', 'events or tasks (default: both)', roleArg)
    .option('--stack <stack>', 'only the messages of this stack')
    .option('--dry-run', 'list what would be sent, send nothing')
    .option('--json', 'machine-readable output')
    .action(
      async (
        role: QueueRole | undefined,
        options: { stack?: string; dryRun?: boolean; json?: boolean },
        command: Command,
      ) =>
        connect(command, async (target) => {
          const { redrive } = await ops();
          const results = [];
          for (const r of role ? [role] : ROLES)
            results.push(await redrive(target, r, { stackId: options.stack, dryRun: options.dryRun }));
          if (options.json) return printJson(role ? results[0] : results);
          for (const r of results) {
            const verb = r.dryRun ? 'would redrive' : `redrove ${r.moved} of`;
            process.stdout.write(`${r.queue}: ${verb} ${r.messages.length} message(s) (${r.method})\n`);
            for (const m of r.messages) process.stdout.write(line(m));
          }
        }),
    );

  dlq
    .command('purge')
    .description('delete every message of a DLQ (needs --yes)')
    .argument('[queue]', 'events or tasks (default: both)', roleArg)
    .option('--yes', 'really delete them')
    .option('--json', 'machine-readable output')
    .action(
      async (role: QueueRole | undefined, options: { yes?: boolean; json?: boolean }, command: Command) => {
        if (!options.yes) {
          process.stderr.write(
            'thaw dlq purge deletes messages for good: add --yes (see them first with "thaw dlq ls")\n',
          );
          process.exitCode = 1;
          return;
        }
        await connect(command, async (target) => {
          const { purgeDeadLetters } = await ops();
          const results = [];
          for (const r of role ? [role] : ROLES) results.push(await purgeDeadLetters(target, r));
          if (options.json) return printJson(role ? results[0] : results);
          for (const r of results)
            process.stdout.write(`${r.queue}: purged about ${r.purged} message(s) from ${r.dlqUrl}\n`);
        });
      },
    );
}

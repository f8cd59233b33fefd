import type { Command } from 'commander';
import { billedWording, formatHours } from '../../core/cost.ts';
import { DURATION_RULE, parseDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { NewEventFields } from '../../core/events.ts';
import { isStackId, STACK_ID_RULE } from '../../core/ids.ts';
import type { ControlPlaneClient, StackView } from '../../core/views.ts';
import { paint, printJson, printTable, progress } from '../output.ts';

// What a command needs beyond its flags (the spec parser, the event schema, the control plane) is loaded when
// it runs, not at start: `thaw --help` answers without them.
const events = () => import('../../core/events.ts');

const stackArg = (value: string) => {
  if (!isStackId(value))
    throw new ValidationError('stack id', [
      { path: 'stack', message: `expected ${STACK_ID_RULE}, got ${JSON.stringify(value)}` },
    ]);
  return value;
};

/** `4h` → 14400000; `off` → 0. */
const keepArg = (value: string) => {
  if (value === 'off') return 0;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new ValidationError('duration', [
      { path: 'duration', message: `expected ${DURATION_RULE}, or off, got ${JSON.stringify(value)}` },
    ]);
  return ms;
};

/** `--image web=ghcr.io/acme/web:1.2` (repeatable) → { web: 'ghcr.io/acme/web:1.2' } */
function parseImages(lines: string[]): Record<string, string> {
  const images: Record<string, string> = {};
  const issues = [];
  for (const line of lines) {
    const match = /^([a-z][a-z0-9-]*)=(\S+)$/.exec(line);
    if (!match)
      issues.push({
        path: '--image',
        message: `expected service=image (e.g. web=ghcr.io/acme/web:1.2), got ${JSON.stringify(line)}`,
      });
    else images[match[1]!] = match[2]!;
  }
  if (issues.length) throw new ValidationError('images', issues);
  return images;
}

async function send(client: ControlPlaneClient, event: NewEventFields) {
  const { newEvent } = await events();
  await client.send([newEvent(event)]);
}

/** Waits until the stack reaches one of the states, showing progress. */
async function waitFor(
  client: ControlPlaneClient,
  stackId: string,
  states: string[],
  label: string,
  timeoutSeconds: number,
): Promise<StackView> {
  const bar = progress(label);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const stack = await client.get(stackId);
    bar.update(stack?.state ?? 'waiting');
    if (stack && (states.includes(stack.state) || stack.state === 'FAILED')) {
      bar.done(`${stackId}: ${paint(stack.state)}${stack.failureReason ? ` — ${stack.failureReason}` : ''}`);
      return stack;
    }
    if (Date.now() > deadline) {
      bar.done(`${stackId}: still ${stack?.state ?? 'unknown'} after ${timeoutSeconds}s`);
      process.exitCode = 1;
      return stack!;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `--timeout 300` → 300; anything but a positive number is refused before any work. */
function timeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0))
    throw new ValidationError('flag', [
      { path: '--timeout', message: `expected a number of seconds above 0, got ${JSON.stringify(value)}` },
    ]);
  return seconds;
}

/** Runs fn with a client for the running `thaw dev` (or --deployment); called once what was given has been checked. */
async function connect(command: Command, fn: (client: ControlPlaneClient) => Promise<void>) {
  const { resolveClient } = await import('../target.ts');
  const client = resolveClient(command.optsWithGlobals());
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/** `thaw keep <stack> <duration|off>`: a KEEP, as `/thaw keep` sends from a pull request. */
function registerKeep(program: Command) {
  program
    .command('keep')
    .description(
      'keep a stack awake for a while (waking it if frozen): the freezer leaves it alone until then',
    )
    .argument('<stack>', 'stack id', stackArg)
    .argument('<duration>', 'how long, e.g. 30m, 4h, 1d; "off" ends a keep', keepArg)
    .addHelpText(
      'after',
      '\nExamples:\n  thaw keep pr-7 4h     # a demo this afternoon\n  thaw keep pr-7 off    # freeze again once idle',
    )
    .action(async (stackId: string, durationMs: number, _options: unknown, command: Command) => {
      const at = new Date();
      const until = new Date(at.getTime() + durationMs);
      await connect(command, async (client) => {
        await send(client, { type: 'KEEP', stackId, at: at.toISOString(), until: until.toISOString() });
        process.stderr.write(
          durationMs > 0
            ? `KEEP sent for ${stackId}: awake until ${until.toISOString()}\n`
            : `KEEP sent for ${stackId}: the keep is off\n`,
        );
      });
    });
}

export function registerStackCommands(program: Command) {
  const withClient =
    (fn: (client: ControlPlaneClient, ...args: never[]) => Promise<void>) =>
    async (...args: unknown[]) =>
      connect(args.at(-1) as Command, (client) => fn(client, ...(args as never[])));

  program
    .command('launch')
    .description('launch (or update) a stack from a thaw.yml')
    .argument('<stack>', 'stack id, e.g. pr-42', stackArg)
    .option('--spec <file>', 'the stack spec', 'thaw.yml')
    .option('--image <service=ref...>', 'image per service (repeatable)', [])
    .option('--wait', 'wait until the stack is RUNNING, showing progress')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '300')
    .action(
      async (
        stackId: string,
        options: { spec: string; image: string[]; wait?: boolean; timeout: string },
        command: Command,
      ) => {
        // Local checks first: a broken spec or flag is reported whether or not a thaw dev is running.
        const images = parseImages(options.image);
        const timeout = timeoutSeconds(options.timeout);
        const { loadSpecFile } = await import('../../adapters/spec-file.ts');
        const spec = await loadSpecFile(options.spec);
        await connect(command, async (client) => {
          await send(client, { type: 'LAUNCH', stackId, images, spec });
          if (options.wait) await waitFor(client, stackId, ['RUNNING'], `launching ${stackId}`, timeout);
          else process.stderr.write(`LAUNCH sent for ${stackId}; follow it with "thaw status ${stackId}"\n`);
        });
      },
    );

  for (const [name, type, description, target] of [
    ['destroy', 'DESTROY', 'destroy a stack and everything it runs', 'DESTROYED'],
    ['freeze', 'FREEZE', 'freeze a stack now (scale it to zero)', 'FROZEN'],
    ['wake', 'RESUME', 'wake a frozen stack', 'RUNNING'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<stack>', 'stack id', stackArg)
      .option('--wait', `wait until the stack is ${target}, showing progress`)
      .option('--timeout <seconds>', 'with --wait: give up after this long', '300')
      .action(async (stackId: string, options: { wait?: boolean; timeout: string }, command: Command) => {
        const timeout = timeoutSeconds(options.timeout);
        await connect(command, async (client) => {
          await send(
            client,
            type === 'FREEZE' ? { type, stackId, seenAccessAt: null, manual: true } : { type, stackId },
          );
          if (options.wait) await waitFor(client, stackId, [target], `${name} ${stackId}`, timeout);
          else process.stderr.write(`${type} sent for ${stackId}\n`);
        });
      });
  }

  registerKeep(program);

  program
    .command('status')
    .description('show one stack (with its history) or all stacks')
    .argument('[stack]', 'stack id', stackArg)
    .option('--json', 'machine-readable output: id, state, lastAccessedAt, url (the one to open), urls, …')
    .action(
      withClient(async (client, stackId: string | undefined, options: { json?: boolean }) => {
        if (!stackId) {
          const stacks = await client.list();
          return options.json ? printJson(stacks) : printTable(stacks);
        }
        const stack = await client.get(stackId);
        if (!stack) {
          process.stderr.write(`no stack ${stackId}\n`);
          process.exitCode = 1;
          return;
        }
        if (options.json) return printJson(stack);
        printTable([stack]);
        if (stack.nextWakeAt) process.stdout.write(`\nnext scheduled wake: ${stack.nextWakeAt}\n`);
        if (stack.keepUntil && Date.parse(stack.keepUntil) > Date.now())
          process.stdout.write(
            `\nkept awake until ${stack.keepUntil}${stack.keptBy ? ` by ${stack.keptBy}` : ''}\n`,
          );
        if (stack.failureReason) process.stdout.write(`\nfailure: ${stack.failureReason}\n`);
        process.stdout.write('\nhistory:\n');
        for (const h of stack.history)
          process.stdout.write(
            `  ${h.at}  ${h.event.padEnd(11)} ${(h.from ?? '∅').padEnd(10)} → ${h.to}${h.detail ? `  (${h.detail})` : ''}\n`,
          );
      }),
    );

  program
    .command('cost')
    .description(
      'what a stack (or every stack) has cost on Fargate, and what freezing saved; with --deployment, also what the deployment costs a month before any stack is awake',
    )
    .argument('[stack]', 'stack id', stackArg)
    .option('--json', 'machine-readable output')
    .action(
      withClient(
        async (client, stackId: string | undefined, options: { json?: boolean }, command: Command) => {
          const ids = stackId ? [stackId] : (await client.list()).map((s) => s.id);
          const costs = (await Promise.all(ids.map((id) => client.cost(id)))).filter((c) => c !== undefined);
          const fixed = await deploymentFixedCost(command.optsWithGlobals().deployment);
          if (options.json)
            return printJson(fixed ? { stacks: costs, fixed } : stackId ? (costs[0] ?? null) : costs);
          if (costs.length === 0) process.stdout.write(stackId ? `no stack ${stackId}\n` : 'no stacks\n');
          for (const c of costs) {
            process.stdout.write(
              `${c.id.padEnd(16)} ${paint(c.state).padEnd(10)} ${billedWording(c)} in ${formatHours(c.lifetimeHours)} since launch  cost $${c.costUsd.toFixed(4)}  saved $${c.savedUsd.toFixed(4)} vs always-on ($${c.hourlyUsd.toFixed(4)}/h awake, ${c.wakes} wake${c.wakes === 1 ? '' : 's'})\n`,
            );
          }
          if (fixed) {
            const variable = costs.reduce((sum, c) => sum + c.costUsd, 0);
            process.stdout.write(
              `\nvariable: $${variable.toFixed(2)} for ${costs.length} stack${costs.length === 1 ? '' : 's'} so far (above)\nfixed: $${fixed.usd.toFixed(2)} a month whether or not a stack is awake (${fixed.region} list prices of ${fixed.pricesOf}; docs/cost.md)\n`,
            );
            for (const line of fixed.lines)
              process.stdout.write(
                `  ${line.item.padEnd(28)} $${line.usd.toFixed(2).padStart(7)}  ${line.detail}\n`,
              );
          }
        },
      ),
    );

  program
    .command('ls')
    .description('list stacks')
    .option('--json', 'machine-readable output')
    .action(
      withClient(async (client, options: { json?: boolean }) => {
        const stacks = await client.list();
        if (options.json) printJson(stacks);
        else printTable(stacks);
      }),
    );
}

/** The fixed monthly part of a deployment's bill (`thaw --deployment X cost`), from its recorded shape. */
async function deploymentFixedCost(name: string | undefined) {
  if (!name) return undefined;
  const { findDeployment } = await import('../aws-target.ts');
  const { deploymentShape, fixedMonthlyCost } = await import('../../core/cost-model.ts');
  const { PRICE_TABLE, PRICES_READ_ON } = await import('../../core/prices.ts');
  const deployment = findDeployment(name);
  const region = deployment.region && deployment.region in PRICE_TABLE ? deployment.region : 'us-east-1';
  const { lines, usd } = fixedMonthlyCost(
    deploymentShape(deployment.shape),
    PRICE_TABLE[region as keyof typeof PRICE_TABLE],
  );
  return { region, pricesOf: PRICES_READ_ON, usd, lines };
}

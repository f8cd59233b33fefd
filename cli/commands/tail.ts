import type { Command } from 'commander';
import { parseAccessLine } from '../../core/access-log/parse.ts';
import { createTailer } from '../../sidecar/access-log/tailer.ts';

/** `thaw tail FILE`: the sidecar's parser on a Traefik access log, one record per line. */
export function registerTail(program: Command) {
  program
    .command('tail')
    .description('parse a Traefik JSON access log the way the sidecar does (follows it like tail -F)')
    .argument('<file>', 'the access log file')
    .option(
      '--json',
      'one JSON object per line: at, host, method, path, status, router, durationMs; or skipped with a reason',
    )
    .option('--from-start', 'read from the beginning instead of the end')
    .option('--once', 'exit at the end of the file instead of following it')
    .action(async (file: string, options: { json?: boolean; fromStart?: boolean; once?: boolean }) => {
      const print = (text: string) => {
        const parsed = parseAccessLine(text);
        if (options.json) {
          const record =
            parsed.kind === 'access'
              ? parsed.line
              : { skipped: parsed.reason, line: text.length > 200 ? `${text.slice(0, 200)}…` : text };
          process.stdout.write(`${JSON.stringify(record)}\n`);
        } else if (parsed.kind === 'access') {
          const l = parsed.line;
          process.stdout.write(
            `${l.at}  ${String(l.status).padEnd(3)}  ${l.method.padEnd(6)} ${l.host}${l.path}  ${l.router ?? '(no router)'}  ${l.durationMs.toFixed(1)}ms\n`,
          );
        } else {
          process.stdout.write(`skipped: ${parsed.reason}\n`);
        }
      };
      const tailer = createTailer({
        path: file,
        fromStart: options.fromStart || options.once,
        onLine: print,
        onOversized: (bytes) => print(JSON.stringify({ oversized: bytes })),
      });
      await tailer.start();
      if (options.once) {
        await tailer.stop();
        return;
      }
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await tailer.stop();
    });
}

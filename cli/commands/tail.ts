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
      'one JSON object per line: at, host, method, path, status, router, durationMs; or skipped with a reason (a count per reason goes to stderr at exit)',
    )
    .option('--from-start', 'read from the beginning instead of the end')
    .option('--once', 'exit at the end of the file instead of following it')
    .action(async (file: string, options: { json?: boolean; fromStart?: boolean; once?: boolean }) => {
      const skippedBy = new Map<string, number>();
      const skip = (reason: string) => skippedBy.set(reason, (skippedBy.get(reason) ?? 0) + 1);
      // The sidecar's /metrics has the same counts (thaw_access_log_skipped_total{reason}).
      const summary = () => {
        const total = [...skippedBy.values()].reduce((a, b) => a + b, 0);
        if (total === 0) return;
        const parts = [...skippedBy].map(([reason, count]) => `${reason} ×${count}`);
        process.stderr.write(`skipped ${total} line(s): ${parts.join(', ')}\n`);
      };
      const print = (text: string) => {
        const parsed = parseAccessLine(text, { readAt: new Date() });
        if (parsed.kind === 'skipped') skip(parsed.reason);
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
        onOversized: (bytes) => {
          skip('oversized line');
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ skipped: 'oversized line', bytes })}\n`
              : `skipped: oversized line (${bytes} bytes)\n`,
          );
        },
      });
      await tailer.start();
      if (options.once) {
        await tailer.stop();
        summary();
        return;
      }
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await tailer.stop();
      summary();
    });
}

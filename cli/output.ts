import { primaryUrl, type StackView } from '../core/views.ts';

const tty = process.stderr.isTTY;
const dim = (text: string) => (tty ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text: string) => (tty ? `\x1b[1m${text}\x1b[0m` : text);
const color: Record<string, string> = { RUNNING: '32', FROZEN: '36', FAILED: '31', DESTROYED: '90' };
export const paint = (state: string) =>
  tty && color[state] ? `\x1b[${color[state]}m${state}\x1b[0m` : state;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(stacks: StackView[]): void {
  if (stacks.length === 0) {
    process.stdout.write('no stacks\n');
    return;
  }
  const rows = stacks.map((s) => [
    s.id,
    s.state,
    s.lastAccessedAt ? ago(s.lastAccessedAt) : '-',
    // A thaw dev older than the `url` field: pick the same URL from `urls`.
    s.url ?? primaryUrl(s.id, s.urls) ?? '',
  ]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((r) => r[i]!.length), ['STACK', 'STATE', 'LAST ACCESS'][i]!.length),
  );
  const line = (cells: string[], paintState = false) =>
    `${cells[0]!.padEnd(widths[0]!)}  ${paintState ? paint(cells[1]!) + ' '.repeat(widths[1]! - cells[1]!.length) : cells[1]!.padEnd(widths[1]!)}  ${cells[2]!.padEnd(widths[2]!)}  ${cells[3]}`;
  process.stdout.write(`${bold(line(['STACK', 'STATE', 'LAST ACCESS', 'URL']))}\n`);
  for (const row of rows) process.stdout.write(`${line(row, true)}\n`);
}

export function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

/** A one-line progress indicator on stderr for long waits (plain lines when not a terminal). */
export function progress(label: string) {
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const started = Date.now();
  let frame = 0;
  let last = '';
  return {
    update(status: string) {
      const elapsed = `${Math.round((Date.now() - started) / 1000)}s`;
      if (tty)
        process.stderr.write(
          `\r${frames[frame++ % frames.length]} ${label}: ${paint(status)} ${dim(elapsed)}\x1b[K`,
        );
      else if (status !== last) process.stderr.write(`${label}: ${status} (${elapsed})\n`);
      last = status;
    },
    done(message: string) {
      if (tty) process.stderr.write(`\r\x1b[K`);
      process.stderr.write(`${message}\n`);
    },
  };
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes a tiny HTTP server script (answers 200 on every path with its name) and returns its directory. */
export function tinyServerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-svc-'));
  writeFileSync(
    join(dir, 'server.mjs'),
    `import { createServer } from 'node:http';
const name = process.argv[2] ?? 'svc';
createServer((req, res) => res.writeHead(200, { 'x-service': name }).end(name + ' ' + (process.env.GREETING ?? ''))).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
  );
  writeFileSync(
    join(dir, 'stubborn.mjs'),
    `import { createServer } from 'node:http';\nprocess.on('SIGTERM', () => {});\ncreateServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n`,
  );
  return dir;
}

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

/** Runs the import rules of `npm run lint` over a tree; resolves with the exit code and the report. */
async function cruise(cwd: string, rooms: string[]) {
  try {
    const { stdout } = await run(depcruise, ['--config', config, ...rooms], { cwd });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-layout-'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { allowImportingTsExtensions: true, module: 'nodenext', noEmit: true },
    }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the import rules (docs/architecture.md), as npm run lint runs them', () => {
  it('the repository keeps them', async () => {
    const { code, out } = await cruise(root, [
      'core',
      'adapters',
      'lambdas',
      'sidecar',
      'action/src',
      'local',
      'cli',
    ]);
    expect(out).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  }, 60_000);

  it('a wrong import fails, naming the rule it breaks', async () => {
    const dir = tree({
      'core/pure.ts': "import { queue } from '../adapters/queue.ts';\nexport const pure = queue;\n",
      'core/io.ts': "import { readFileSync } from 'node:fs';\nexport const io = readFileSync;\n",
      'adapters/queue.ts': "import { cli } from '../cli/main.ts';\nexport const queue = cli;\n",
      'sidecar/main.ts':
        "import { handler } from '../lambdas/events/handler.ts';\nexport const main = handler;\n",
      'lambdas/events/handler.ts': "import { dev } from '../../local/dev.ts';\nexport const handler = dev;\n",
      'local/dev.ts': "import { cli } from '../cli/main.ts';\nexport const dev = cli;\n",
      'cli/main.ts': 'export const cli = 1;\n',
    });
    const { code, out } = await cruise(dir, ['core', 'adapters', 'sidecar', 'lambdas', 'local', 'cli']);
    expect(code).not.toBe(0);
    expect(out).toMatch(/core-is-pure: core\/pure\.ts → adapters\/queue\.ts/);
    expect(out).toMatch(/core-is-pure: core\/io\.ts → (node:)?fs/);
    expect(out).toMatch(/adapters-import-only-core: adapters\/queue\.ts → cli\/main\.ts/);
    expect(out).toMatch(
      /deployable-parts-never-import-each-other: sidecar\/main\.ts → lambdas\/events\/handler\.ts/,
    );
    expect(out).toMatch(
      /deployable-parts-never-import-local-or-cli: lambdas\/events\/handler\.ts → local\/dev\.ts/,
    );
    expect(out).toMatch(/local-never-imports-cli: local\/dev\.ts → cli\/main\.ts/);
  }, 60_000);
});

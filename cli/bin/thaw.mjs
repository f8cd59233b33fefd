#!/usr/bin/env node
// The `thaw` command. Runs a bundle of the TypeScript sources (dist/cli, built by esbuild on the first run and
// again after a source edit, then reused), so it answers in about a tenth of a second; `npm ci && npx thaw …`
// works with no build step. When the bundle cannot be built (no esbuild, a syntax error mid-edit) it runs the
// sources through tsx, as before.
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt } from '../../scripts/build-cli.mjs';

// The AWS SDK warns on every start that it will need Node 22 from 2027; Thaw pins its version.
const original = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (
    type === 'NodeVersionSupportWarning' ||
    String(warning?.message ?? warning).includes('NodeVersionSupportWarning')
  )
    return;
  return original.call(process, warning, ...rest);
};

// Node 22.1+ keeps V8's compiled code between runs (a no-op on Node 20).
module.enableCompileCache?.();

const root = fileURLToPath(new URL('../..', import.meta.url));
// Built on the first run and after a source edit (one build at a time), then reused. A build that
// failed is not retried until a source changes: each run would pay for it.
let entry;
try {
  entry = await ensureBuilt({ root });
} catch {
  // dist/cli cannot be written: compile the sources on the fly (slower start, same behaviour).
}
if (entry) await import(pathToFileURL(entry).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main.ts');
}

// Bundles each Lambda into one ready-to-zip ESM file: dist/lambdas/<name>/index.mjs (+ SQL migrations),
// the sidecar (dist/sidecar/main.mjs) and the thaw command (dist/cli, which cli/bin/thaw.mjs otherwise
// builds on its first run). Usage: npm run build [-- --outdir DIR]
import { cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildCli } from './build-cli.mjs';
import { nodeBundle } from './esbuild-node.mjs';

export const LAMBDAS = ['events', 'tasks', 'freezer', 'migrate', 'access-logs'];

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const root = new URL('..', import.meta.url).pathname;
const outdir = join(values.outdir.startsWith('/') ? '' : root, values.outdir, 'lambdas');

rmSync(outdir, { recursive: true, force: true });
// Lambdas: one folder each. Sidecar: dist/sidecar/main.mjs.
const rows = [];
for (const name of LAMBDAS) {
  const dir = join(outdir, name);
  mkdirSync(dir, { recursive: true });
  await build({
    ...nodeBundle,
    entryPoints: [join(root, 'lambdas', name, 'index.ts')],
    outfile: join(dir, 'index.mjs'),
  });
  cpSync(join(root, 'adapters', 'store', 'migrations'), join(dir, 'migrations'), { recursive: true });
  rows.push([name, statSync(join(dir, 'index.mjs')).size]);
}
// The sidecar, for its container image (sidecar/Dockerfile).
const sidecarOut = join(outdir, '..', 'sidecar', 'main.mjs');
await build({ ...nodeBundle, entryPoints: [join(root, 'sidecar', 'main.ts')], outfile: sidecarOut });
// The thaw command (a cache of this checkout: it loads packages from node_modules and files beside its sources).
const cli = await buildCli({ root, outdir: join(outdir, '..', 'cli') });
for (const [name, size] of rows) {
  console.log(
    `dist/lambdas/${name}/index.mjs  ${(size / 1024).toFixed(0).padStart(6)} KiB  handler: index.handler`,
  );
}
console.log(
  `dist/sidecar/main.mjs  ${(statSync(sidecarOut).size / 1024).toFixed(0).padStart(6)} KiB  (the sidecar image's entry point)`,
);
console.log(`dist/cli/${cli.entry}  (the thaw command; cli/bin/thaw.mjs runs it)`);

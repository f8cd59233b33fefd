// Bundles the GitHub Action into action/dist/index.js (committed; a test fails when it is stale).
// Usage: npm run build:action [-- --outfile FILE]
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';

const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'action/dist/index.js' } } });
const root = new URL('..', import.meta.url).pathname;
await build({
  ...nodeBundle,
  entryPoints: [`${root}action/src/index.ts`],
  outfile: values.outfile.startsWith('/') ? values.outfile : `${root}${values.outfile}`,
});

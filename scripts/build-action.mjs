// Bundles the GitHub Action into action/dist/index.js (committed; a test fails when it is stale).
// Usage: npm run build:action [-- --outfile FILE]
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'action/dist/index.js' } } });
const root = new URL('..', import.meta.url).pathname;
await build({
  entryPoints: [`${root}action/src/index.ts`],
  outfile: values.outfile.startsWith('/') ? values.outfile : `${root}${values.outfile}`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  banner: {
    js: "import { createRequire as __thawRequire } from 'node:module'; const require = __thawRequire(import.meta.url);",
  },
  external: ['@electric-sql/pglite'],
  logLevel: 'warning',
});

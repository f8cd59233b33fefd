// The esbuild options every Thaw bundle shares (Lambdas, sidecar, Action): one ESM file for Node 22, the
// Lambda runtime's major (nodejs22.x; nodejs20.x takes no new functions). The sidecar image runs Node 22 and
// the Action node24, so one target fits all three.
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // Some dependencies still call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __thawRequire } from 'node:module'; const require = __thawRequire(import.meta.url);",
  },
  // PGlite is for local mode only; bundles talk to PostgreSQL through postgres.js.
  external: ['@electric-sql/pglite'],
  logLevel: 'warning',
};

// The rooms of the code base and which way imports may point (docs/architecture.md).
// `npm run lint` runs this over the rooms; a wrong import fails CI with the rule's name.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'core/ is the pure domain: it imports nothing of ours outside core/, no Node built-in and no I/O library.',
      severity: 'error',
      from: { path: '^core/' },
      to: {
        pathNot: ['^core/', 'node_modules/(zod|yaml)/'],
      },
    },
    {
      name: 'adapters-import-only-core',
      comment:
        'adapters/ put the outside world behind core’s ports; they never reach up into a part, local mode or the CLI.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(lambdas|sidecar|action|local|cli)/' },
    },
    {
      name: 'deployable-parts-never-import-each-other',
      comment:
        'lambdas/, sidecar/ and action/ ship as separate artifacts: shared code belongs in core/ or adapters/.',
      severity: 'error',
      from: { path: '^(lambdas|sidecar|action)/' },
      to: { path: '^(lambdas|sidecar|action)/', pathNot: '^$1/' },
    },
    {
      name: 'deployable-parts-never-import-local-or-cli',
      comment: 'local mode and the CLI sit on top of the parts; nothing that ships depends on them.',
      severity: 'error',
      from: { path: '^(lambdas|sidecar|action)/' },
      to: { path: '^(local|cli)/' },
    },
    {
      name: 'local-never-imports-cli',
      comment: 'cli/ sits on top of local mode.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^cli/' },
    },
    {
      name: 'no-circular',
      comment: 'Files that import each other in a loop cannot be understood one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^aws-lambda$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/|\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.json'],
    },
  },
};

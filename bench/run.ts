/**
 * Benchmarks: `npm run bench -- <name>`. Each prints a table and a JSON line, and compares against a
 * baseline measured in the same run. Record results in docs/benchmarks.md.
 */
const benches: Record<string, () => Promise<unknown>> = {
  state: () => import('./state.ts').then((m) => m.run()),
  pipeline: () => import('./pipeline.ts').then((m) => m.run()),
  orchestrator: () => import('./orchestrator.ts').then((m) => m.run()),
  tailer: () => import('./tailer.ts').then((m) => m.run()),
  launcher: () => import('./launcher.ts').then((m) => m.run()),
  wake: () => import('./wake.ts').then((m) => m.run()),
  cli: () => import('./cli.ts').then((m) => m.run()),
  scale: () => import('./scale.ts').then((m) => m.run()),
};

const name = process.argv[2];
if (!name || !(name in benches)) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await benches[name]!();

// The `thaw` command's bundle: cli/main.ts and what it imports, as ESM chunks in dist/cli/<build>/, one chunk
// per lazily loaded command, so `thaw --help` and `thaw ls` load neither PGlite nor Traefik nor the AWS SDK.
// cli/bin/thaw.mjs builds it on first run (and again when a source file changed) and reuses it; `npm run
// build` makes it ahead of time. Packages stay in node_modules (external): the bundle holds our sources only,
// so it is fresh as long as they are (dist/cli/manifest.json lists them with their mtimes).
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when the build's options change, so that older bundles count as stale. */
export const CLI_BUILD_VERSION = 1;
export const MANIFEST = 'manifest.json';
/** Written when a build fails: the sources it saw, so that the next runs skip straight to tsx until one changes. */
export const FAILED = 'failed.json';

/**
 * A source file that finds files beside itself (`new URL('./migrations', import.meta.url)`) keeps doing so
 * from the bundle: its import.meta.url becomes the source file's own URL. The bundle only runs inside the
 * repository it was built from (it is a cache), so those files are there.
 */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/**
 * Packages bundled in (pure JavaScript, on every command's path): one file parses faster than zod's many
 * modules. Every other package is loaded from node_modules as usual.
 */
const BUNDLED = new Set(['zod', 'commander', 'yaml', 'hono']);
const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') || BUNDLED.has(packageName(args.path))
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Builds the CLI into <outdir>/b-<unique>/ and then points <outdir>/manifest.json at it (written to a
 * temporary file and renamed, so concurrent first runs each see a whole manifest and a whole build).
 * Returns the manifest.
 */
export async function buildCli({ root, outdir = join(root, 'dist', 'cli') }) {
  const { build } = await import('esbuild');
  const { nodeBundle } = await import('./esbuild-node.mjs');
  mkdirSync(outdir, { recursive: true });
  const name = `b-${Date.now().toString(36)}-${process.pid}`;
  const dir = join(outdir, name);
  const result = await build({
    ...nodeBundle,
    // Runs on the developer's Node (>= 20), not the Lambda runtime. Minified: less to parse at each start.
    target: 'node20',
    minify: true,
    splitting: true,
    metafile: true,
    entryPoints: { main: join(root, 'cli', 'main.ts') },
    outdir: dir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    plugins: [keepImportMetaUrl, externalPackages],
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const inputs = {};
  // The build's own scripts count as sources too: a change to them makes a new bundle.
  const scripts = ['scripts/build-cli.mjs', 'scripts/esbuild-node.mjs'];
  for (const input of [...Object.keys(result.metafile.inputs), ...scripts]) {
    // A bundled package counts by its package.json (rewritten when npm installs another version).
    const inPackage = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    const file = resolve(root, inPackage ? `${inPackage[1]}/package.json` : input);
    inputs[relative(root, file)] = statSync(file).mtimeMs;
  }
  const manifest = { version: CLI_BUILD_VERSION, build: name, entry: `${name}/main.js`, inputs };
  const temporary = join(outdir, `${MANIFEST}.${process.pid}.tmp`);
  writeFileSync(temporary, JSON.stringify(manifest));
  renameSync(temporary, join(outdir, MANIFEST));
  rmSync(join(outdir, FAILED), { force: true });
  // Older builds: removed after ten minutes, so that a process that started with one can still load its chunks.
  for (const entry of readdirSync(outdir)) {
    if (!entry.startsWith('b-') || entry === name) continue;
    try {
      if (Date.now() - statSync(join(outdir, entry)).mtimeMs > 600_000)
        rmSync(join(outdir, entry), { recursive: true, force: true });
    } catch {
      // another process removed it
    }
  }
  return manifest;
}

/** The manifest's entry file when every listed source is unchanged, else undefined. */
export function freshEntry({ root, outdir = join(root, 'dist', 'cli') }) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.version !== CLI_BUILD_VERSION) return undefined;
  for (const [file, mtime] of Object.entries(manifest.inputs)) {
    try {
      if (statSync(join(root, file)).mtimeMs !== mtime) return undefined;
    } catch {
      return undefined;
    }
  }
  return join(outdir, manifest.entry);
}

const mtimes = (root, files) =>
  Object.fromEntries(
    files.map((file) => {
      try {
        return [file, statSync(join(root, file)).mtimeMs];
      } catch {
        return [file, null];
      }
    }),
  );

function sameMtimes(root, recorded) {
  return Object.entries(recorded).every(([file, mtime]) => mtimes(root, [file])[file] === mtime);
}

/**
 * Notes that the sources as they are now do not build: the files of the last good build with their current
 * mtimes (an edit that breaks the build touches one of them, or a file they import). Without a last good
 * build there is nothing to compare, and the next run tries again.
 */
export function recordFailure({ root, outdir = join(root, 'dist', 'cli') }) {
  try {
    const { inputs } = JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8'));
    writeFileSync(
      join(outdir, FAILED),
      JSON.stringify({ version: CLI_BUILD_VERSION, inputs: mtimes(root, Object.keys(inputs)) }),
    );
  } catch {
    // no last good build, or nowhere to write: the next run tries again
  }
}

/** True when the last build failed and none of the sources it saw has changed since. */
export function knownFailure({ root, outdir = join(root, 'dist', 'cli') }) {
  try {
    const failed = JSON.parse(readFileSync(join(outdir, FAILED), 'utf8'));
    return failed.version === CLI_BUILD_VERSION && sameMtimes(root, failed.inputs);
  } catch {
    return false;
  }
}

const LOCK = 'build.lock';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The entry to run, building it when needed, one build at a time: twenty `thaw launch` started together
 * on a fresh clone make one build, and the others wait for it (instead of twenty builds on two cores).
 * Undefined when the sources do not build (the caller falls back to tsx; the failure is recorded).
 */
export async function ensureBuilt({ root, outdir = join(root, 'dist', 'cli') }) {
  const fresh = freshEntry({ root, outdir });
  if (fresh || knownFailure({ root, outdir })) return fresh;
  mkdirSync(outdir, { recursive: true });
  const lock = join(outdir, LOCK);
  const waitUntil = Date.now() + 60_000;
  for (;;) {
    let fd;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        // Another process may have finished a build between our look and the lock.
        const built = freshEntry({ root, outdir });
        if (built) return built;
        const manifest = await buildCli({ root, outdir });
        return join(outdir, manifest.entry);
      } catch {
        recordFailure({ root, outdir });
        return undefined;
      } finally {
        closeSync(fd);
        rmSync(lock, { force: true });
      }
    }
    // Someone else is building: wait for their result.
    await sleep(50);
    const built = freshEntry({ root, outdir });
    if (built || knownFailure({ root, outdir })) return built;
    // A lock left by a process that died mid-build: take it over.
    if (Date.now() > waitUntil) rmSync(lock, { force: true });
  }
}

// Bundles src/ into one CommonJS file, dist/main.cjs, that bin/rds-migrate.cjs loads, and writes
// its V8 code cache, dist/main.cjs.cache (scripts/code-cache.cjs).
// One CommonJS file starts faster than ESM chunks (no ESM loader, one read and compile:
// ~13 ms of an `events` run on this machine); esbuild wraps every module in a function
// that runs on first use, so `--help` and `--version` still run only commander's code, and
// yaml and ora are initialized only by the commands that use them.
// @kubernetes/client-node (for legacy auth-provider users only) is a second file,
// dist/client-node.cjs, imported when needed: bundled it loads in ~0.2 s, from node_modules ~0.9 s.
// The build goes to a temporary folder and is moved in (main.cjs last), so a CLI started
// while another build runs never sees a half-written dist.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Keeps main.cjs's import of src/kube/client-node.ts an import of the file built from it. */
const separateClientNode = {
  name: 'separate-client-node',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-node\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'kube', 'auth.ts')) ? { path: './client-node.cjs', external: true } : undefined,
    );
  },
};

/** The esbuild options of the CLI bundle, writing `outdir`/main.cjs and client-node.cjs (shared with the bench scripts). */
export function cliBuildOptions(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts', 'client-node': 'src/kube/client-node.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    minify: true,
    legalComments: 'none',
    // The one import() (of client-node.cjs) as a require(): bin/rds-migrate.cjs compiles main.cjs
    // as a vm.Script, where an import() would need an experimental module loader.
    supported: { 'dynamic-import': false },
    plugins: [separateClientNode],
    // The shell completion scripts (src/app/shell) are kept as scripts and inlined as strings.
    loader: { '.bash': 'text', '.zsh': 'text', '.fish': 'text' },
    define: { __VERSION__: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  };
}

/**
 * Writes `outdir`/main.cjs.cache, the code cache of the main.cjs built there (scripts/code-cache.cjs).
 * Its warm-up runs print errors on purpose (a refused connection, findings): its output is shown
 * only when it fails, and it gets no proxy or kubeconfig from the environment.
 */
export function writeCodeCache(outdir) {
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'code-cache.cjs'), outdir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`scripts/code-cache.cjs exited ${res.status ?? res.signal}:\n${res.stderr}`);
}

/** Builds dist/ through a staging folder. */
async function buildDist() {
  const dist = join(root, 'dist');
  const staging = join(root, `dist.tmp-${process.pid}`);
  try {
    await build(cliBuildOptions(staging));
    writeCodeCache(staging);
    mkdirSync(dist, { recursive: true });
    const built = readdirSync(staging).sort((a, b) => Number(a === 'main.cjs') - Number(b === 'main.cjs'));
    for (const file of built) renameSync(join(staging, file), join(dist, file));
    // Drop files of earlier builds (ESM chunks of older versions) no build has written for a minute.
    const keep = new Set(built);
    for (const file of readdirSync(dist)) {
      if (!keep.has(file) && Date.now() - statSync(join(dist, file)).mtimeMs > 60_000) rmSync(join(dist, file), { force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist();

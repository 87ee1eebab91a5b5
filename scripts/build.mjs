// Bundles src/ into ESM chunks in dist/. Heavy modules (the Kubernetes client,
// yaml, cli-table3, ora) are reached only through dynamic import(), so esbuild
// splits them into chunks that `--help` and `--version` never load.
// The build goes to a temporary folder and is moved in file by file (main.js
// last), so a CLI started while another build runs never sees a half-written dist.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The esbuild options of the CLI bundle, writing to `outdir` (shared with bench/build.mjs). */
export function cliBuildOptions(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    minify: true,
    legalComments: 'none',
    define: { __VERSION__: JSON.stringify(pkg.version) },
    // CommonJS dependencies bundled into ESM need a real `require`.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  };
}

/** Builds dist/ through a staging folder. */
async function buildDist() {
  const dist = join(root, 'dist');
  const staging = join(root, `dist.tmp-${process.pid}`);
  try {
    await build(cliBuildOptions(staging));
    mkdirSync(dist, { recursive: true });
    const built = readdirSync(staging).sort((a, b) => Number(a.startsWith('main.')) - Number(b.startsWith('main.')));
    for (const file of built) renameSync(join(staging, file), join(dist, file));
    // Chunks of earlier builds are content-hashed; drop those no build has written for a minute.
    const keep = new Set(built);
    for (const file of readdirSync(dist)) {
      if (!keep.has(file) && Date.now() - statSync(join(dist, file)).mtimeMs > 60_000) rmSync(join(dist, file), { force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist();

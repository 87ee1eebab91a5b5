#!/usr/bin/env node
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
// Builds what the benchmark runs into bench/out/ (gitignored), never touching dist/:
//   bench/out/cli/dist/main.cjs (+ its code cache) + bench/out/cli/bin/rds-migrate.cjs  the CLI, bundled from the
//       working tree's src/ with the same esbuild options as scripts/build.mjs (no tsc);
//   bench/out/serve.mjs  the fake API server (test/fake) + the scale generator (bench/generate.ts).
// Usage: node bench/build.mjs
import { build, stop } from 'esbuild';
import { cliBuildOptions, writeCodeCache } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bench/out`;

export async function buildAll() {
  rmSync(`${out}/cli`, { recursive: true, force: true });
  mkdirSync(`${out}/cli/bin`, { recursive: true });
  await build(cliBuildOptions(`${out}/cli/dist`));
  writeCodeCache(`${out}/cli/dist`);
  // Byte-for-byte the repository's bin/rds-migrate.cjs (it loads ../dist/main.cjs with its cache).
  writeFileSync(`${out}/cli/bin/rds-migrate.cjs`, readFileSync(`${root}bin/rds-migrate.cjs`));
  await build({
    absWorkingDir: root,
    entryPoints: ['bench/serve.ts'],
    outfile: `${out}/serve.mjs`,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // test/fake/tls.ts finds its certificates relative to its own import.meta.url; keep that
    // pointing at test/fake/ once bundled (bench/serve.ts itself does not use import.meta.url).
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(`${root}test/fake/tls.ts`).href) },
  });
  // esbuild's service process would otherwise live (and ping) during the measurements.
  await stop();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildAll();

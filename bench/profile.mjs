#!/usr/bin/env node
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// CPU profile of one `rds-migrate audit -o json` (or any CLI args) against a generated cluster:
//   node bench/profile.mjs [--size L] [--top 30] [--kubeconfig <served cluster>] [-- <rds-migrate args>]
// Builds an unminified copy of the CLI (bench/out/cli-prof, so function names survive), serves the
// size with bench/out/serve.mjs (run `node bench/build.mjs` first), runs the CLI under
// `node --cpu-prof`, and prints the top self-time functions (ms, %), the hottest lines and the
// totals by file.
import { build, stop } from 'esbuild';
import { cliBuildOptions, writeCodeCache } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const cliArgs = dash >= 0 ? argv.slice(dash + 1) : ['audit', '-o', 'json'];
const opt = (n, d) => (own.includes(`--${n}`) ? own[own.indexOf(`--${n}`) + 1] : d);
const size = opt('size', 'L');
const top = Number(opt('top', '30'));

const out = join(root, 'bench/out/cli-prof');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bin'), { recursive: true });
// The CLI's own build options, unminified so that function names survive in the profile. Not
// keepNames: it wraps every closure in a __name() call that the real build does not make, which
// showed up as ~3 % of an L audit's time.
await build({ ...cliBuildOptions(join(out, 'dist')), minify: false });
await stop();
writeCodeCache(join(out, 'dist'));
writeFileSync(join(out, 'bin/rds-migrate.cjs'), readFileSync(join(root, 'bin/rds-migrate.cjs')));

const work = mkdtempSync(join(os.tmpdir(), 'rds-prof-'));
// --kubeconfig: a cluster already served (bench/out/serve.mjs run by hand), so that profiles
// can be repeated without generating and seeding the size each time.
const given = opt('kubeconfig', undefined);
const server =
  given === undefined
    ? spawn(process.execPath, ['--max-old-space-size=4096', join(root, 'bench/out/serve.mjs'), '--size', size, '--dir', work], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
    : null;
const kubeconfig =
  server === null ? given : JSON.parse(await new Promise((r) => createInterface({ input: server.stdout }).once('line', r))).kubeconfig;
const profDir = join(work, 'prof');
const env = { PATH: process.env.PATH, HOME: work, KUBECONFIG: kubeconfig, NO_COLOR: '1' };
// One unprofiled run first (file cache), then the profiled one.
spawnSync(process.execPath, [join(out, 'bin/rds-migrate.cjs'), ...cliArgs], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const t0 = performance.now();
spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, join(out, 'bin/rds-migrate.cjs'), ...cliArgs], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const wall = performance.now() - t0;
server?.stdin.end();
server?.kill('SIGTERM');

const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(root, '')
    .replace(/^node:/, 'node:');
const byFn = new Map();
const byFile = new Map();
for (const [id, ms] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'}  ${short(url) || ''}${url ? `:${lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + ms);
  const f = short(url) || functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + ms);
}
const pct = (ms) => `${((ms / total) * 100).toFixed(1)}%`;
console.log(`rds-migrate ${cliArgs.join(' ')} on ${size}: wall ${wall.toFixed(0)} ms (profiled), ${total.toFixed(0)} ms sampled`);
console.log(`\nTop ${top} self time:`);
for (const [k, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms.toFixed(1).padStart(8)} ms ${pct(ms).padStart(6)}  ${k}`);
// Line-level self time (V8's positionTicks) of the bundle's hottest lines.
const byLine = new Map();
for (const n of profile.nodes) {
  if (!n.positionTicks || !n.callFrame.url.includes('cli-prof')) continue;
  const perTick = n.hitCount > 0 ? (self.get(n.id) ?? 0) / n.hitCount : 0;
  for (const { line, ticks } of n.positionTicks) {
    const key = `${n.callFrame.functionName || '(anonymous)'}:${line}`;
    byLine.set(key, (byLine.get(key) ?? 0) + ticks * perTick);
  }
}
console.log(`\nTop ${top} lines of bench/out/cli-prof/dist/main.cjs:`);
for (const [k, ms] of [...byLine].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms.toFixed(1).padStart(8)} ms ${pct(ms).padStart(6)}  ${k}`);
console.log('\nBy file:');
for (const [k, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${ms.toFixed(1).padStart(8)} ms ${pct(ms).padStart(6)}  ${k}`);
writeFileSync(join(root, 'bench/out', `audit-${size}.cpuprofile`), JSON.stringify(profile));
console.log(`\nprofile: bench/out/audit-${size}.cpuprofile (open in Chrome DevTools)`);
rmSync(work, { recursive: true, force: true });

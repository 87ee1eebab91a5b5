#!/usr/bin/env node
// Startup cost of the bundled CLI: `rds-migrate --version` and `--help` against
// `node -e 0`, alternating runs, median of N after a warm-up. Run after `npm run build`.
//   node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const bin = fileURLToPath(new URL('../bin/rds-migrate.cjs', import.meta.url));
const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'rds-migrate --version': [process.execPath, [bin, '--version']],
  'rds-migrate --help': [process.execPath, [bin, '--help']],
};

function timeOnce([cmd, args]) {
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) timeOnce(c); // warm-up (file cache)
for (let i = 0; i < runs; i++) {
  for (const [name, c] of Object.entries(cases)) samples[name].push(timeOnce(c));
}
const base = median(samples['node -e 0']);
console.log(`| command | median ms | ratio to node -e 0 |`);
console.log(`|---|---|---|`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`| ${name} | ${m.toFixed(1)} | ${(m / base).toFixed(2)}× |`);
}
console.log(`\n${runs} alternating runs per command after one warm-up; node ${process.version}.`);

#!/usr/bin/env node
import { fileURLToPath, pathToFileURL } from 'node:url';
// Linear time on hostile input, measured instead of asserted in tests: the sanitizer,
// the message parser and the table layout on inputs 10× and 100× larger. A linear
// function shows ratios near 10 between sizes; a backtracking one explodes.
//   node bench/linear.mjs
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bench/out/linear.mjs`;
await build({
  absWorkingDir: root,
  stdin: {
    contents: [
      "export { sanitizeText } from './src/domain/sanitize.ts';",
      "export { parseMigrationMessage } from './src/domain/messages.ts';",
      "export { renderTable } from './src/render/table.ts';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: out,
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
const { sanitizeText, parseMigrationMessage, renderTable } = await import(pathToFileURL(out).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, reps = 7) {
  fn();
  const samples = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

// Messages are parsed only up to 64 KiB, so the parser is measured up to 60 kB.
const cases = [
  ['sanitizeText: unterminated OSC', (n) => '\u001b]'.repeat(n / 2), (s) => sanitizeText(s), [10_000, 100_000, 1_000_000]],
  ['sanitizeText: mixed controls', (n) => 'a\u001b[31mb\u202ec\n'.repeat(n / 10), (s) => sanitizeText(s), [10_000, 100_000, 1_000_000]],
  [
    'parseMigrationMessage: repeated ", elapsed: "',
    (n) => `[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: ${', elapsed: 1s'.repeat(n / 13)}`,
    (s) => parseMigrationMessage('MigrationFailed', s),
    [600, 6_000, 60_000],
  ],
  [
    'parseMigrationMessage: repeated "]"',
    (n) => `[${' ]'.repeat(n / 2)}`,
    (s) => parseMigrationMessage('MigrationStarted', s),
    [600, 6_000, 60_000],
  ],
  [
    'renderTable: rows',
    (n) => Array.from({ length: n }, (_, i) => [`ns-${i % 7}`, `pvc-${i}`, i % 3 ? 'completed' : 'failed', `${i % 60}m`]),
    (rows) => renderTable(['namespace', 'pvc', 'state', 'age'], rows),
    [1_000, 10_000, 100_000],
  ],
];

console.log('| case | sizes | median ms | ratio per 10× |');
console.log('|---|---|---|---|');
for (const [name, make, fn, sizes] of cases) {
  const ms = sizes.map((n) => {
    const input = make(n);
    return time(() => fn(input));
  });
  const ratios = ms.slice(1).map((m, i) => (m / ms[i]).toFixed(1));
  console.log(`| ${name} | ${sizes.join(' / ')} | ${ms.map((m) => m.toFixed(2)).join(' / ')} | ${ratios.join(', ')} |`);
}

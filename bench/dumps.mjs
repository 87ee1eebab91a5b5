#!/usr/bin/env node
// Offline input benchmark: time and peak RSS of `rds-migrate audit --from-file` on generated kubectl
// dumps (JSON and YAML) of several sizes, per MB of dump, against a floor measured in the same run.
// See bench/README.md ("Offline dumps").
//   node bench/dumps.mjs [--events 10000,50000,200000] [--yaml-events 10000,50000] [--reps 3]
//                        [--reference-max 20000] [--seed 5] [--no-build] [--no-write]
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';
import { cliBuildOptions } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bench = join(root, 'bench');
const out = join(bench, 'out');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const list = (s) => s.split(',').filter(Boolean).map(Number);
const jsonEvents = list(opt('events', '10000,50000,200000'));
const yamlEvents = list(opt('yaml-events', '10000,50000'));
const reps = Number(opt('reps', '3'));
// The previous way of reading YAML (parse the whole text) needs ~55× the file in memory: only on small sizes.
const referenceMax = Number(opt('reference-max', '20000'));
const seed = Number(opt('seed', '5'));
const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  console.error('bench: GNU time not found at /usr/bin/time: install it with `apt-get install time` (peak RSS via %M)');
  process.exit(2);
}
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------------------------------------
// Build: the CLI exactly as scripts/build.mjs bundles it, and the scale generator.

const CLI = join(out, 'dumps-cli', 'bin', 'rds-migrate.cjs');
if (!flag('no-build')) {
  rmSync(join(out, 'dumps-cli'), { recursive: true, force: true });
  mkdirSync(join(out, 'dumps-cli', 'bin'), { recursive: true });
  await build(cliBuildOptions(join(out, 'dumps-cli', 'dist')));
  writeFileSync(CLI, readFileSync(join(root, 'bin', 'rds-migrate.cjs')));
  await build({
    absWorkingDir: root,
    entryPoints: ['bench/generate.ts'],
    outfile: join(out, 'generate.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  await stop();
}
const { generate } = await import(join(out, 'generate.mjs'));
const YAML = await import('yaml');

// ---------------------------------------------------------------------------------------------
// Dumps: one List of every object, written as `kubectl get ... -o json` (4-space indent, kind after
// items) and `-o yaml` (sequences not indented) write them. Cached in bench/out/dumps/.

function specFor(events) {
  return {
    name: String(events),
    namespaces: Math.max(5, Math.round(events / 2000)),
    pvs: Math.round(events / 20),
    volumeAttachments: Math.round(events / 20),
    migrationEvents: Math.round(events / 10),
    totalEvents: events,
  };
}

function writeStream(path, pieces) {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path);
    stream.on('error', reject);
    stream.on('finish', resolve);
    let i = 0;
    const next = () => {
      while (i < pieces.length) {
        if (!stream.write(pieces[i++]())) {
          stream.once('drain', next);
          return;
        }
      }
      stream.end();
    };
    next();
  });
}

async function dumpsFor(events) {
  const dir = join(out, 'dumps');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `events-${events}-seed-${seed}`);
  const meta = `${base}.meta.json`;
  const files = { json: `${base}.json`, yaml: `${base}.yaml`, meta };
  if (existsSync(meta) && existsSync(files.json) && existsSync(files.yaml)) return { ...JSON.parse(readFileSync(meta, 'utf8')), files };
  log(`generating ${events} events ...`);
  const g = generate(specFor(events), seed, NOW);
  const indent = (text, by) => text.replace(/\n(?=.)/g, `\n${by}`);
  const items = g.objects;
  await writeStream(files.json, [
    () => '{\n    "apiVersion": "v1",\n    "items": [\n',
    ...items.map((o, i) => () => `        ${indent(JSON.stringify(o, null, 4), '        ')}${i < items.length - 1 ? ',' : ''}\n`),
    () => '    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
  ]);
  await writeStream(files.yaml, [
    () => 'apiVersion: v1\nitems:\n',
    ...items.map((o) => () => YAML.stringify([o], { indentSeq: false, lineWidth: 0 })),
    () => 'kind: List\nmetadata:\n  resourceVersion: ""\n',
  ]);
  const info = { events, objects: items.length, expected: g.expected, counts: g.counts };
  writeFileSync(meta, JSON.stringify(info));
  return { ...info, files };
}

// ---------------------------------------------------------------------------------------------
// Measurement: wall time around GNU time (fork/exec included for every case alike), peak RSS %M.

const work = join(out, 'dumps-work');
mkdirSync(work, { recursive: true });

function run(cmd, args, env = {}) {
  const rssFile = join(work, 'rss');
  const outFd = openSync(join(work, 'stdout'), 'w');
  const errFd = openSync(join(work, 'stderr'), 'w');
  const t0 = process.hrtime.bigint();
  const res = spawnSync(TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], {
    env: { PATH: process.env.PATH, HOME: work, ...env },
    stdio: ['ignore', outFd, errFd],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(outFd);
  closeSync(errFd);
  const rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { code: res.status, ms, rssMb: rssKb / 1024, stdout: join(work, 'stdout'), stderr: readFileSync(join(work, 'stderr'), 'utf8') };
}

const yamlModule = join(root, 'node_modules', 'yaml', 'dist', 'index.js');
const CASES = {
  rds: (file) => [process.execPath, [CLI, 'audit', '--from-file', file, '-o', 'json', '--now', new Date(NOW).toISOString()]],
  jsonFloor: (file) => [process.execPath, ['-e', 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))', file]],
  yamlReference: (file) => [
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(yamlModule)}).parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8")).map((d) => d.toJS())`,
      file,
    ],
  ],
};
const LABEL = {
  rds: 'rds-migrate audit --from-file … -o json',
  jsonFloor: 'floor: `node -e` readFileSync + JSON.parse',
  yamlReference: 'reference: `node -e` readFileSync + yaml parseAllDocuments + toJS (the previous reader)',
};
const SUMMARY_KEYS = [
  'migrations',
  'completed',
  'failed',
  'inProgress',
  'unresolved',
  'untimedOccurrences',
  'dualAttaches',
  'stuckDualAttaches',
  'multiAttaches',
];

const results = [];
const mismatches = [];
const notes = new Set();
const summaries = new Map();
const plan = [
  ...jsonEvents.map((events) => ({ format: 'json', events, cases: ['rds', 'jsonFloor'] })),
  ...yamlEvents.map((events) => ({ format: 'yaml', events, cases: events <= referenceMax ? ['rds', 'yamlReference'] : ['rds'] })),
];
const started = Date.now();
for (const p of plan) {
  const dump = await dumpsFor(p.events);
  const file = dump.files[p.format];
  const mb = statSync(file).size / 1e6;
  const samples = Object.fromEntries(p.cases.map((c) => [c, []]));
  // One warm-up round (page cache, JIT of node itself), then `reps` rounds alternating the cases.
  for (let round = 0; round <= reps; round++) {
    for (const c of p.cases) {
      const [cmd, args] = CASES[c](file);
      const r = run(cmd, args);
      if (c === 'rds') {
        if (r.code !== 0 && r.code !== 1) {
          mismatches.push(`${p.format} ${p.events}: rds-migrate exited ${r.code}: ${r.stderr.trim()}`);
          continue;
        }
        const summary = JSON.parse(readFileSync(r.stdout, 'utf8')).summary;
        for (const k of SUMMARY_KEYS) {
          if (summary[k] !== dump.expected[k])
            mismatches.push(`${p.format} ${p.events}: ${k} = ${summary[k]}, generator expects ${dump.expected[k]}`);
        }
        const key = p.events;
        const seen = summaries.get(key);
        if (seen === undefined) summaries.set(key, JSON.stringify(summary));
        else if (seen !== JSON.stringify(summary)) mismatches.push(`${p.format} ${p.events}: summary differs from the other format's`);
      } else if (r.code !== 0) {
        // A floor that cannot run at this size (a string over V8's 512 MiB limit) is a result, not a failed check.
        const why = r.stderr.split('\n').find((l) => /Error|ERR_/.test(l)) ?? `exit ${r.code}`;
        notes.add(`${p.format} ${p.events}: ${LABEL[c]} failed: ${why.trim()}`);
        continue;
      }
      if (round > 0) samples[c].push(r);
      log(`${p.format} ${p.events} round ${round} ${c}: ${(r.ms / 1000).toFixed(2)} s, ${r.rssMb.toFixed(0)} MB`);
    }
  }
  results.push({ ...p, mb, objects: dump.objects, samples });
}

// ---------------------------------------------------------------------------------------------
// Report.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
/** A Markdown table with padded columns, as the formatter (Biome) lays tables out. */
function markdownTable(header, rows) {
  const width = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]].length)));
  const line = (cells) => `| ${cells.map((c, i) => c + ' '.repeat(width[i] - [...c].length)).join(' | ')} |`;
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const rows = [];
for (const r of results) {
  const floorCase = r.format === 'json' ? 'jsonFloor' : 'yamlReference';
  const floor = r.samples[floorCase];
  const floorMs = floor ? median(floor.map((s) => s.ms)) : Number.NaN;
  const floorRss = floor ? Math.max(...floor.map((s) => s.rssMb)) : Number.NaN;
  for (const c of r.cases) {
    const s = r.samples[c];
    if (s.length === 0) continue;
    const ms = median(s.map((x) => x.ms));
    const rss = Math.max(...s.map((x) => x.rssMb));
    const bold = (text) => (c === 'rds' ? `**${text}**` : text);
    const ratio = (x) => (c !== 'rds' ? '1×' : Number.isFinite(x) ? `${fmt(x)}×` : '—');
    rows.push([
      r.format,
      String(r.events),
      String(r.objects),
      fmt(r.mb, 1),
      bold(LABEL[c]),
      bold(fmt(ms / 1000)),
      `${fmt(Math.min(...s.map((x) => x.ms)) / 1000)}–${fmt(Math.max(...s.map((x) => x.ms)) / 1000)}`,
      fmt(ms / 1000 / r.mb, 3),
      ratio(ms / floorMs),
      bold(fmt(rss, 0)),
      fmt(rss / r.mb),
      ratio(rss / floorRss),
    ]);
  }
}
const lines = [
  `Generated by \`node bench/dumps.mjs\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}, ${reps} rounds after one warm-up; node ${process.version}, ${os.cpus().length} cores).`,
  '',
  markdownTable(
    [
      'format',
      'events',
      'objects',
      'dump MB',
      'case',
      'median s',
      'min–max s',
      's per MB',
      '× floor time',
      'peak RSS MB',
      'RSS MB per dump MB',
      '× floor RSS',
    ],
    rows,
  ),
  '',
  ...(notes.size > 0 ? [[...notes].map((n) => `- ${n}`).join('\n'), ''] : []),
  mismatches.length === 0
    ? "Checks: every run of rds-migrate reported the generator's expected summary, and JSON and YAML dumps of the same cluster gave the same summary."
    : `Checks FAILED:\n\n${mismatches.map((m) => `- ${m}`).join('\n')}`,
];
const table = lines.join('\n');
console.log(table);

if (!flag('no-write')) {
  const BEGIN = '<!-- bench/dumps.mjs: begin (rewritten by each run) -->';
  const END = '<!-- bench/dumps.mjs: end -->';
  const section = `${BEGIN}\n\n## Offline dumps (\`node bench/dumps.mjs\`)\n\n${table}\n\n${END}`;
  const file = join(bench, 'RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = old.indexOf(BEGIN);
  const to = old.indexOf(END);
  const next = from >= 0 && to > from ? old.slice(0, from) + section + old.slice(to + END.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
process.exit(mismatches.length === 0 ? 0 : 1);

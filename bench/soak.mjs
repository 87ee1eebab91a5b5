#!/usr/bin/env node
// Soak benchmark of the live commands (see bench/README.md, "Soak"): pushes watch events through
// `events <pvc> -w -o json` and `audit -w -o json` running against the fake API server in its own
// process, and reports the client's resident memory after 100k and after 1M events and its CPU time
// per event.
//   node bench/soak.mjs [--events N] [--batch N] [--scenarios events,audit] [--no-build]
//   node bench/soak.mjs --serve [--example]   # only start the server (prints its kubeconfig and
//                                              # control port), for trying the live commands by hand
// The runner drives the server batch by batch (POST /soak: N changes, then a marker change) and
// waits until the client has printed the marker, so the client is never more than one batch behind
// and the server never buffers more than one batch. "Events" are watch events the server sent to
// the client (every stream, bookmarks included), counted by the server.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';
import { cliBuildOptions } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'bench/out');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const TOTAL = Number(opt('events', '1000000'));
const BATCH = Number(opt('batch', '1000'));
const SAMPLES = [100_000, TOTAL].filter((n, i, all) => n <= TOTAL && all.indexOf(n) === i);
const scenarios = opt('scenarios', 'events,audit').split(',');
// --heap-mb N: run the client with a V8 heap of at most N MB: a leak then ends it (out of memory)
// instead of only raising the RSS, which V8 lets grow before it collects.
const heapLimitMb = opt('heap-mb', undefined);
const log = (...a) => console.error(...a);

async function buildSoak() {
  mkdirSync(join(out, 'soak/cli/bin'), { recursive: true });
  await build(cliBuildOptions(join(out, 'soak/cli/dist')));
  writeFileSync(join(out, 'soak/cli/bin/rds-migrate.cjs'), readFileSync(join(root, 'bin/rds-migrate.cjs')));
  await build({
    absWorkingDir: root,
    entryPoints: ['bench/soak-serve.ts'],
    outfile: join(out, 'soak-serve.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // The yaml library (test/helpers/examples.ts) is CommonJS and requires Node's modules.
    banner: { js: "import { createRequire as soakCreateRequire } from 'node:module'; const require = soakCreateRequire(import.meta.url);" },
    // test/fake/tls.ts and test/helpers/examples.ts find their files relative to import.meta.url.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(root, 'test/fake/tls.ts')).href) },
  });
  await stop();
}

async function startServer(dir, extra = []) {
  const child = spawn(process.execPath, [join(out, 'soak-serve.mjs'), '--dir', dir, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`soak-serve.mjs exited ${code}`)));
  });
  return { ...JSON.parse(line), child };
}

function call(control, path, method = 'POST') {
  return new Promise((resolve, reject) => {
    const req = http.request(`${control}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resident and peak memory (MB) and CPU time (ms) of a process, from /proc. */
function usage(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/<pid>/stat (after the command name in parentheses): utime, stime in ticks (100/s).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuMs: ticks * 10 };
}

/**
 * The client's output, line by line: `waitFor(test)` resolves once a line passes it, including one
 * of the last lines that came before it was asked (the marker may come before the server's answer).
 */
function follow(stream) {
  let waiter = null;
  let lines = 0;
  let heapMb = NaN;
  const recent = [];
  createInterface({ input: stream }).on('line', (line) => {
    // --trace-gc lines (on stdout too): the heap a full collection leaves is what the client keeps alive.
    if (line.startsWith('[')) {
      const kept = /Mark-Compact.* -> ([\d.]+) \(/.exec(line);
      if (kept) heapMb = Number(kept[1]);
      return;
    }
    lines++;
    recent.push(line);
    if (recent.length > 5000) recent.shift();
    if (waiter?.test(line)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  return {
    lines: () => lines,
    heapMb: () => heapMb,
    waitFor: (test, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        if (recent.some(test)) {
          recent.length = 0;
          resolve();
          return;
        }
        const timer = setTimeout(() => reject(new Error('the client did not print the marker in time')), timeoutMs);
        waiter = {
          test,
          resolve: () => {
            clearTimeout(timer);
            recent.length = 0;
            resolve();
          },
        };
      }),
  };
}

const COMMANDS = {
  events: ['events', 'vm-disk', '-n', 'soak', '-w', '-o', 'json'],
  audit: ['audit', '-n', 'soak', '-w', '-o', 'json'],
};

/** A line of the client's output that shows the marker change. */
function markerTest(scenario, marker) {
  if (scenario === 'events') return (line) => line.includes(`"name":"${marker}"`);
  const type = marker.split(' ')[0];
  return (line) => line.startsWith(`{"type":"${type}"`) && line.includes('"code":"StuckDualAttach"') && line.includes('"pvc":"vm-marker"');
}

async function soak(scenario, work) {
  const dir = mkdtempSync(join(work, `${scenario}-`));
  const server = await startServer(dir);
  const cli = join(out, 'soak/cli/bin/rds-migrate.cjs');
  const nodeArgs = ['--trace-gc', ...(heapLimitMb === undefined ? [] : [`--max-old-space-size=${heapLimitMb}`])];
  const client = spawn(process.execPath, [...nodeArgs, cli, ...COMMANDS[scenario]], {
    env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: server.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  client.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const output = follow(client.stdout);
  // The first marker: the client has read the state and follows the watches.
  let { marker } = await call(server.control, `/soak?scenario=${scenario}&n=0`);
  await output.waitFor(markerTest(scenario, marker));
  const start = await call(server.control, '/stats', 'GET');
  const base = usage(client.pid);
  const rows = [{ events: 0, ...base, cpuMs: 0, heapMb: output.heapMb() }];
  log(`${scenario}: started; RSS ${base.rssMb.toFixed(1)} MB`);
  const began = performance.now();
  let sent = 0;
  for (const sample of SAMPLES) {
    while (sent < sample) {
      const res = await call(server.control, `/soak?scenario=${scenario}&n=${BATCH}`);
      marker = res.marker;
      await output.waitFor(markerTest(scenario, marker));
      sent = res.frames - start.frames;
      if (Math.floor(sent / 100_000) !== Math.floor((sent - BATCH) / 100_000)) {
        const now = usage(client.pid);
        log(
          `${scenario}: ${sent} events, RSS ${now.rssMb.toFixed(1)} MB, heap after full GC ${output.heapMb()} MB, CPU ${((now.cpuMs - base.cpuMs) / 1000).toFixed(1)} s`,
        );
      }
    }
    const now = usage(client.pid);
    rows.push({ events: sent, rssMb: now.rssMb, peakMb: now.peakMb, cpuMs: now.cpuMs - base.cpuMs, heapMb: output.heapMb() });
  }
  const seconds = (performance.now() - began) / 1000;
  const stats = await call(server.control, '/stats', 'GET');
  client.kill('SIGINT');
  const code = await new Promise((resolve) => client.once('exit', (c) => resolve(c)));
  server.child.kill('SIGTERM');
  return { scenario, rows, seconds, lines: output.lines(), exitCode: code, stderr: stderr.trim(), stats };
}

if (flag('serve')) {
  if (!flag('no-build')) await buildSoak();
  const dir = mkdtempSync(join(os.tmpdir(), 'rds-soak-'));
  const server = await startServer(dir, flag('example') ? ['--example'] : []);
  console.log(`KUBECONFIG=${server.kubeconfig}\ncontrol: ${server.control}\n(Ctrl-C stops the server)`);
  process.on('SIGINT', () => {
    server.child.kill('SIGTERM');
    process.exit(0);
  });
} else {
  if (!flag('no-build')) await buildSoak();
  const work = mkdtempSync(join(os.tmpdir(), 'rds-soak-'));
  const results = [];
  try {
    for (const scenario of scenarios) results.push(await soak(scenario, work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nSoak (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, batches of ${BATCH})\n`);
  console.log(
    '| command | watch events | RSS MB | peak RSS MB | heap after full GC MB | client CPU s | CPU µs/event | output lines | wall s | exit |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    for (const row of r.rows) {
      const perEvent = row.events === 0 ? '' : ((row.cpuMs * 1000) / row.events).toFixed(1);
      const last = row === r.rows.at(-1);
      console.log(
        `| \`${COMMANDS[r.scenario].join(' ')}\` | ${row.events} | ${row.rssMb.toFixed(1)} | ${row.peakMb.toFixed(1)} | ${Number.isNaN(row.heapMb) ? '—' : row.heapMb} | ${(row.cpuMs / 1000).toFixed(1)} | ${perEvent} | ${last ? r.lines : ''} | ${last ? r.seconds.toFixed(0) : ''} | ${last ? r.exitCode : ''} |`,
      );
    }
    log(`${r.scenario}: server saw ${r.stats.watches} watch requests, ${r.stats.lists} list requests, ${r.stats.requests} in all`);
    if (r.stderr !== '') log(`${r.scenario} stderr: ${r.stderr.split('\n').slice(-3).join(' | ')}`);
  }
}

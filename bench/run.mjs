#!/usr/bin/env node
// Benchmark harness (see bench/README.md). `npm run bench` or `bench/run`.
//   node bench/run.mjs [--sizes S,M,L,Lq] [--reps N] [--reps-large N] [--events-reps N] [--seed N]
//                      [--slow-store] [--no-build] [--no-write] [--version-reps N]
// For each size: starts bench/out/serve.mjs (the generated cluster on the fake API server, HTTPS, in
// its own process), then, alternating case by case after one warm-up round, times and records the
// peak RSS, HTTP requests and response bytes of
//   audit:  rds-migrate audit -o json | kubectl ×4 + jq (bench/kubectl-audit.sh) | bench/floor.mjs
//   events: rds-migrate events <pvc> -o json | kubectl get events --field-selector ... -o json | floor
// and, once, rds-migrate --version vs node -e 0. Checks that rds-migrate, the jq peer and the
// generator's ground truth agree and that rds-migrate and the floor made exactly the requests
// needed (one per page), prints the tables and writes bench/RESULTS.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bench = join(root, 'bench');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const sizes = opt('sizes', 'S,M,L,Lq').split(',');
const LARGE = new Set(['L', 'Lq']);
const repsFor = (size) => Number(LARGE.has(size) ? opt('reps-large', opt('reps', '5')) : opt('reps', '7'));
const versionReps = Number(opt('version-reps', '15'));
// events runs take ~0.2 s and differ from kubectl's by tens of ms: more rounds than the audit
// (whose kubectl way takes seconds on L) keep the host's noise out of their medians.
const eventsReps = Number(opt('events-reps', '21'));
const seed = Number(opt('seed', '5'));

const TIME = '/usr/bin/time';
const KUBECTL = process.env.KUBECTL ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
const JQ = '/usr/bin/jq';
for (const [what, path, hint] of [
  [TIME, TIME, 'install it with `apt-get install time` (GNU time, for peak RSS via %M)'],
  ['kubectl', KUBECTL, 'set KUBECTL=/path/to/kubectl'],
  ['jq', JQ, 'install jq'],
]) {
  if (!existsSync(path)) {
    console.error(`bench: ${what} not found at ${path}: ${hint}`);
    process.exit(2);
  }
}

if (!flag('no-build')) {
  const { buildAll } = await import('./build.mjs');
  await buildAll();
}
const CLI = join(bench, 'out/cli/bin/rds-migrate.cjs');
const SERVE = join(bench, 'out/serve.mjs');
const work = mkdtempSync(join(os.tmpdir(), 'rds-bench-'));
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function startServer(size) {
  const dir = join(work, size);
  mkdirSync(join(dir, 'home'), { recursive: true });
  const args = ['--max-old-space-size=4096', SERVE, '--size', size, '--seed', String(seed), '--dir', dir];
  if (flag('slow-store')) args.push('--slow-store');
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve.mjs exited ${code}`)));
  });
  const info = JSON.parse(line);
  return { ...info, dir, child };
}

/** A control request on a fresh connection (no keep-alive race with the server's idle timeout). */
function control(server, what) {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.control}/${what}`, { agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Runs one command under GNU time; returns wall ms and peak RSS KiB. */
function timed(cmd, args, { env, stdout, ok = [0] }) {
  const rssFile = join(work, 'rss.txt');
  const outFd = openSync(stdout, 'w');
  const errFile = `${stdout}.err`;
  const errFd = openSync(errFile, 'w');
  const start = process.hrtime.bigint();
  const res = spawnSync(TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], { env, stdio: ['ignore', outFd, errFd] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(outFd);
  closeSync(errFd);
  if (!ok.includes(res.status)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${readFileSync(errFile, 'utf8').slice(0, 2000)}`);
  }
  const rssKiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { ms, rssKiB };
}

function cleanEnv(server, extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(server.dir, 'home'),
    KUBECONFIG: server.kubeconfig,
    NO_COLOR: '1',
    ...extra,
  };
}

function casesFor(server) {
  const out = (name) => join(server.dir, `${name}.out`);
  const { namespace, pvc } = server.eventsTarget;
  const env = cleanEnv(server);
  return {
    audit: [
      {
        name: 'rds-migrate audit -o json',
        key: 'rds',
        run: () => timed(process.execPath, [CLI, 'audit', '-o', 'json'], { env, stdout: out('audit-rds'), ok: [0, 1] }),
        check: () => JSON.parse(readFileSync(out('audit-rds'), 'utf8')).summary,
      },
      {
        name: 'kubectl ×4 + jq (bench/audit.jq)',
        key: 'kubectl',
        run: () => {
          const kdir = join(server.dir, 'kubectl-audit');
          rmSync(kdir, { recursive: true, force: true });
          mkdirSync(kdir);
          const r = timed('/bin/sh', [join(bench, 'kubectl-audit.sh'), kdir], {
            env: { ...env, KUBECTL, TIME: `${TIME} -f %M -o` },
            stdout: out('audit-kubectl'),
          });
          const rss = Object.fromEntries(
            readdirSync(kdir)
              .filter((f) => f.startsWith('rss.'))
              .map((f) => [f.slice(4), Number(readFileSync(join(kdir, f), 'utf8').trim().split('\n').pop())]),
          );
          const kubectls = Object.entries(rss)
            .filter(([k]) => k !== 'jq')
            .map(([, v]) => v);
          // Peak of the pipeline: the four kubectls run together, then jq alone.
          const together = kubectls.reduce((a, b) => a + b, 0);
          return { ms: r.ms, rssKiB: Math.max(together, rss.jq ?? 0), rssMaxProcKiB: Math.max(...Object.values(rss)), rssParts: rss };
        },
        check: () => JSON.parse(readFileSync(out('audit-kubectl'), 'utf8')),
      },
      {
        name: 'floor (bench/floor.mjs audit)',
        key: 'floor',
        run: () => timed(process.execPath, [join(bench, 'floor.mjs'), server.conn, 'audit'], { env, stdout: out('audit-floor') }),
        check: () => JSON.parse(readFileSync(out('audit-floor'), 'utf8')),
      },
    ],
    events: [
      {
        name: `rds-migrate events <pvc> -o json`,
        key: 'rds',
        run: () => timed(process.execPath, [CLI, 'events', pvc, '-n', namespace, '-o', 'json'], { env, stdout: out('events-rds') }),
        check: () => JSON.parse(readFileSync(out('events-rds'), 'utf8')).events.length,
      },
      {
        name: 'kubectl get events --field-selector involvedObject.name=<pvc> -o json',
        key: 'kubectl',
        run: () =>
          timed(KUBECTL, ['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${pvc}`, '-o', 'json'], {
            env,
            stdout: out('events-kubectl'),
          }),
        // rds-migrate lists the PVC's Migration* events (without --all): compare those.
        check: () =>
          JSON.parse(readFileSync(out('events-kubectl'), 'utf8')).items.filter(
            (e) => e.involvedObject?.kind === 'PersistentVolumeClaim' && /^Migration(Started|Completed|Failed)$/.test(e.reason),
          ).length,
      },
      {
        name: 'floor (bench/floor.mjs events)',
        key: 'floor',
        run: () =>
          timed(process.execPath, [join(bench, 'floor.mjs'), server.conn, 'events', namespace, pvc], { env, stdout: out('events-floor') }),
        check: () => JSON.parse(readFileSync(out('events-floor'), 'utf8')),
      },
    ],
  };
}

const COUNT_KEYS = [
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

/** The form bench/generate.ts gives the requests a command must make (requestSignature there). */
function requestSignature(r) {
  const q = Object.keys(r.query)
    .filter((k) => k !== 'continue')
    .sort()
    .map((k) => `${k}=${r.query[k]}`)
    .join('&');
  return `${r.method} ${r.path}${q === '' ? '' : `?${q}`} [${r.accept}]`;
}

/**
 * What differs between the requests a command made and those it must make (one per page needed,
 * each asking for gzip): a request made that was not needed, or made more or fewer times.
 */
function requestProblems(list, needed) {
  const made = {};
  for (const r of list) made[requestSignature(r)] = (made[requestSignature(r)] ?? 0) + 1;
  const problems = [];
  for (const sig of new Set([...Object.keys(made), ...Object.keys(needed)])) {
    if ((made[sig] ?? 0) !== (needed[sig] ?? 0)) problems.push(`${made[sig] ?? 0}× ${sig}, needed ${needed[sig] ?? 0}×`);
  }
  const plain = list.filter((r) => r.acceptEncoding !== 'gzip').length;
  if (plain > 0) problems.push(`${plain} request(s) without Accept-Encoding: gzip`);
  return problems;
}

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

async function benchSize(size) {
  const t0 = performance.now();
  const server = await startServer(size);
  log(
    `\n[${size}] serving ${JSON.stringify(server.counts)} at ${server.url} (generate ${server.startupMs.generate} ms, seed ${server.startupMs.seed} ms)`,
  );
  const groups = casesFor(server);
  if (size === 'Lq') delete groups.events; // Lq exists to show what unrelated events cost the audit
  const reps = repsFor(size);
  const repsOf = { audit: reps, events: Math.max(reps, eventsReps) };
  const results = {};
  const mismatches = [];
  for (const [group, cases] of Object.entries(groups)) {
    for (const c of cases)
      results[`${group}/${c.key}`] = {
        group,
        name: c.name,
        key: c.key,
        ms: [],
        rssKiB: [],
        rssMaxProcKiB: [],
        requests: [],
        bytes: [],
        serverCpuMs: [],
        rssParts: null,
        checked: null,
        paths: null,
      };
  }
  const rounds = Math.max(...Object.keys(groups).map((g) => repsOf[g]));
  for (let round = 0; round <= rounds; round++) {
    for (const [group, cases] of Object.entries(groups)) {
      if (round > repsOf[group]) continue;
      for (const c of cases) {
        await control(server, 'reset');
        const r = c.run();
        const stats = await control(server, 'stats');
        const checked = c.check();
        const rec = results[`${group}/${c.key}`];
        rec.checked = checked;
        if (round === 0) {
          rec.warmup = { ms: r.ms, requests: stats.requests };
          rec.paths = stats.byPath;
          rec.requestList = stats.list;
          continue;
        }
        rec.ms.push(r.ms);
        rec.rssKiB.push(r.rssKiB);
        if (r.rssMaxProcKiB) rec.rssMaxProcKiB.push(r.rssMaxProcKiB);
        if (r.rssParts) rec.rssParts = r.rssParts;
        rec.requests.push(stats.requests);
        rec.bytes.push(stats.bytes);
        rec.serverCpuMs.push(stats.serverCpuMs);
        rec.paths = stats.byPath;
        if (group === 'audit' && c.key !== 'floor') {
          // The kubectl way reads events, VolumeAttachments and PVs only: it cannot know KubeVirt's migrations.
          const expected = c.key === 'rds' ? server.expected : server.expectedFromEvents;
          for (const k of COUNT_KEYS) {
            if (checked[k] !== expected[k])
              mismatches.push(`${size} round ${round} ${c.name}: ${k} = ${checked[k]}, generator expects ${expected[k]}`);
          }
        }
        if (c.key !== 'kubectl') {
          for (const problem of requestProblems(stats.list, server.requests[group]))
            mismatches.push(`${size} round ${round} ${c.name}: ${problem}`);
        }
      }
    }
    log(
      `[${size}] round ${round === 0 ? 'warm-up' : round}/${rounds}: ` +
        Object.entries(results)
          .filter(([, r]) => round <= repsOf[r.group])
          .map(([k, r]) => `${k} ${(round === 0 ? r.warmup.ms : r.ms.at(-1)).toFixed(0)}ms`)
          .join(', '),
    );
  }
  if (groups.events) {
    const e = (k) => results[`events/${k}`].checked;
    if (e('rds') !== e('kubectl')) mismatches.push(`${size} events: rds-migrate shows ${e('rds')} events, kubectl ${e('kubectl')}`);
  }
  server.child.stdin.end();
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  log(
    `[${size}] done in ${((performance.now() - t0) / 1000).toFixed(0)} s` +
      (mismatches.length ? `; MISMATCHES:\n  ${mismatches.join('\n  ')}` : '; all counts agree'),
  );
  return {
    size,
    server: {
      counts: server.counts,
      expected: server.expected,
      expectedFromEvents: server.expectedFromEvents,
      podNamespaces: server.podNamespaces,
      requests: server.requests,
      eventsTarget: server.eventsTarget,
      startupMs: server.startupMs,
      digest: server.digest,
      fastStore: server.fastStore,
    },
    reps,
    repsOf,
    results,
    mismatches,
  };
}

function benchVersion() {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work };
  const cases = [
    { name: 'node -e 0', key: 'node', cmd: process.execPath, args: ['-e', '0'] },
    { name: 'rds-migrate --version', key: 'version', cmd: process.execPath, args: [CLI, '--version'] },
    { name: 'rds-migrate --help', key: 'help', cmd: process.execPath, args: [CLI, '--help'] },
  ];
  const res = Object.fromEntries(cases.map((c) => [c.key, { name: c.name, ms: [], rssKiB: [] }]));
  for (let round = 0; round <= versionReps; round++) {
    for (const c of cases) {
      const r = timed(c.cmd, c.args, { env, stdout: join(work, `${c.key}.out`) });
      if (round > 0) {
        res[c.key].ms.push(r.ms);
        res[c.key].rssKiB.push(r.rssKiB);
      }
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
      return `unknown (${err.message.split('\n')[0]})`;
    }
  };
  let kubectl = sh(KUBECTL, ['version', '--client', '-o', 'json']);
  try {
    kubectl = JSON.parse(kubectl).clientVersion.gitVersion;
  } catch {}
  return {
    nproc: sh('nproc', []),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    kubectl: `${kubectl} (${KUBECTL}, called directly, no dispatcher)`,
    jq: sh(JQ, ['--version']),
    time: sh(TIME, ['--version']).split('\n')[0],
  };
}

const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const fmtMB = (kib) => (Number.isFinite(kib) ? (kib / 1024).toFixed(0) : '–');
const fmtBytes = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`);
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

function report(all, version, info, totalSeconds) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p('# rds-migrate benchmark results');
  p();
  p(`Generated by \`bench/run\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} in ${totalSeconds.toFixed(0)} s (seed ${seed}).`);
  p();
  p('## Machine');
  p();
  for (const [k, v] of Object.entries(info)) p(`- ${k}: ${v}`);
  p('- the fake API server runs in its own Node process, but on the same 2 cores: its CPU per run is shown as "server CPU"');
  p();
  p('## Clusters');
  p();
  p(
    '| size | events | Migration* events | PVs | VolumeAttachments | Nodes | VMIs | VMIMs | pods | namespaces (pods listed in) | expected migrations (completed / failed / in-progress / unresolved) | of which from events alone | untimed | dual / stuck / multi | `events` target |',
  );
  p('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of all) {
    const { counts: c, expected: e, expectedFromEvents: ev, eventsTarget: t } = s.server;
    p(
      `| ${s.size} | ${c.events} | ${c.migrationReasonEvents} | ${c.pvs} | ${c.volumeAttachments} | ${c.nodes} | ${c.vmis} | ${c.vmims} | ${c.pods} | ${c.namespaces} (${s.server.podNamespaces.length}) | ${e.migrations} (${e.completed} / ${e.failed} / ${e.inProgress} / ${e.unresolved}) | ${ev.migrations} | ${e.untimedOccurrences} | ${e.dualAttaches} / ${e.stuckDualAttaches} / ${e.multiAttaches} | ${t.namespace}/${t.pvc} (${t.events} events) |`,
    );
  }
  p();
  p(
    'Migrations beyond "from events alone" are KubeVirt\'s: final VMIMs that no driver migration matches (older than the event TTL, or never recorded by the driver). The kubectl+jq peer reads events, VolumeAttachments and PVs only, and is checked against the events-alone numbers.',
  );
  p();
  for (const s of all) {
    const eventsRounds = s.results['events/rds'] ? `, events ${s.repsOf.events}` : '';
    p(`## ${s.size}: medians of alternating runs after one warm-up (audit ${s.repsOf.audit}${eventsRounds})`);
    p();
    p('| case | median ms | min–max ms | × floor | × kubectl | peak RSS MB | requests | response bytes | server CPU ms |');
    p('|---|---|---|---|---|---|---|---|---|');
    for (const group of ['audit', 'events']) {
      const floor = s.results[`${group}/floor`];
      const kubectl = s.results[`${group}/kubectl`];
      if (!floor) continue;
      for (const key of ['rds', 'kubectl', 'floor']) {
        const r = s.results[`${group}/${key}`];
        const m = median(r.ms);
        const rss =
          key === 'kubectl' && group === 'audit'
            ? `${fmtMB(Math.max(...r.rssKiB))} (4 kubectl together; largest process ${fmtMB(Math.max(...r.rssMaxProcKiB))})`
            : fmtMB(Math.max(...r.rssKiB));
        p(
          `| ${r.name} | **${fmtMs(m)}** | ${fmtMs(Math.min(...r.ms))}–${fmtMs(Math.max(...r.ms))} | ${ratio(m, median(floor.ms))} | ${ratio(m, median(kubectl.ms))} | ${rss} | ${[...new Set(r.requests)].join('/')} | ${fmtBytes(median(r.bytes))} | ${fmtMs(median(r.serverCpuMs))} |`,
        );
      }
    }
    p();
    const paths = (r) =>
      Object.entries(r.paths ?? {})
        .map(([path, v]) => `${path} ${v.requests}× ${fmtBytes(v.bytes)}`)
        .join('; ');
    p(
      `Requests by path (last run): rds-migrate audit: ${paths(s.results['audit/rds'])}. kubectl+jq: ${paths(s.results['audit/kubectl'])}. floor: ${paths(s.results['audit/floor'])}.`,
    );
    if (s.results['audit/kubectl'].rssParts)
      p(`kubectl+jq peak RSS by process (KiB, last run): ${JSON.stringify(s.results['audit/kubectl'].rssParts)}.`);
    p(
      `Requests needed (one per page, with the API server's paging): audit ${sum(s.server.requests.audit)}, \`events <pvc>\` ${sum(s.server.requests.events)}; pods are listed in ${s.server.podNamespaces.join(', ')} only (the namespaces of the driver's volumes attached to two or more nodes).`,
    );
    p(
      s.mismatches.length
        ? `**Mismatches:** ${s.mismatches.join('; ')}`
        : "Checks: rds-migrate's summary, the jq peer and the generator's ground truth agree on every run (migrations by state, untimed occurrences, dual / stuck / multi attaches); rds-migrate and the floor made exactly the requests needed on every run (same paths, queries, page sizes and Accept headers, one per page, all asking for gzip; pods only in the namespaces above); `events` shows as many Migration* events as kubectl returns on the PVC (kubectl returns all of the PVC's events; rds-migrate without `--all` only the Migration* ones).",
    );
    p();
  }
  p(`## Startup: medians of ${versionReps} alternating runs after one warm-up`);
  p();
  p('| command | median ms | × node -e 0 | peak RSS MB |');
  p('|---|---|---|---|');
  const base = median(version.node.ms);
  for (const r of Object.values(version))
    p(`| ${r.name} | ${fmtMs(median(r.ms))} | ${ratio(median(r.ms), base)} | ${fmtMB(Math.max(...r.rssKiB))} |`);
  p();

  // Scaling
  p('## Scaling of `rds-migrate audit`');
  p();
  p(
    '| size | total events | Migration* events | rds-migrate ms | floor ms | kubectl+jq ms | rds ms per 1k Migration* events | rds − floor ms |',
  );
  p('|---|---|---|---|---|---|---|---|');
  for (const s of all) {
    const m = median(s.results['audit/rds'].ms);
    const f = median(s.results['audit/floor'].ms);
    p(
      `| ${s.size} | ${s.server.counts.events} | ${s.server.counts.migrationReasonEvents} | ${fmtMs(m)} | ${fmtMs(f)} | ${fmtMs(median(s.results['audit/kubectl'].ms))} | ${fmtMs((m / s.server.counts.migrationReasonEvents) * 1000)} | ${fmtMs(m - f)} |`,
    );
  }
  p();

  // Targets
  const by = Object.fromEntries(all.map((s) => [s.size, s]));
  const t = [];
  const target = (what, value, goal, ok) => t.push(`| ${what} | ${value} | ${goal} | ${ok === null ? 'n/a' : ok ? 'met' : '**missed**'} |`);
  if (by.L) {
    const L = by.L.results;
    const rds = median(L['audit/rds'].ms);
    target(
      'L audit wall time vs floor',
      `${fmtMs(rds)} ms = ${ratio(rds, median(L['audit/floor'].ms))}`,
      '≤ 1.5×',
      rds <= 1.5 * median(L['audit/floor'].ms),
    );
    const rss = Math.max(...L['audit/rds'].rssKiB) / 1024;
    target('L audit peak RSS', `${rss.toFixed(0)} MB`, '≤ 250 MB', rss <= 250);
    const made = [...new Set(L['audit/rds'].requests)].join('/');
    const need = sum(by.L.server.requests.audit);
    const exact = !by.L.mismatches.some((m) => m.includes('needed'));
    target(
      'L audit requests = pages needed (pods only where volumes are on ≥ 2 nodes)',
      `${made}, each the one needed${exact ? '' : ' — **not**: see mismatches'}`,
      `= ${need}`,
      exact && L['audit/rds'].requests.every((n) => n === need),
    );
  }
  for (const s of all) {
    if (!s.results['events/rds']) continue;
    const r = median(s.results['events/rds'].ms);
    const f = median(s.results['events/floor'].ms);
    target(`${s.size} \`events <pvc>\` vs its floor`, `${fmtMs(r)} vs ${fmtMs(f)} ms = ${ratio(r, f)}`, '≤ 1.3×', r <= 1.3 * f);
  }
  const v = median(version.version.ms);
  target('`--version` vs `node -e 0`', `${fmtMs(v)} vs ${fmtMs(base)} ms = ${ratio(v, base)}`, '≤ 2×', v <= 2 * base);
  // The fake server's own cost grows with total events (each field-selected list scans all of
  // them, as the API server's storage does), and the floor pays it too: judge the client by its
  // time above the floor.
  const over = (x) => median(x.results['audit/rds'].ms) - median(x.results['audit/floor'].ms);
  if (by.L && by.Lq) {
    const l = median(by.L.results['audit/rds'].ms);
    const q = median(by.Lq.results['audit/rds'].ms);
    target(
      'audit time follows Migration* events, not total events (L vs Lq: same Migration* data, 10× the events); judged on rds − floor',
      `raw L ${fmtMs(l)} vs Lq ${fmtMs(q)} ms = ${ratio(l, q)} (floor ${ratio(median(by.L.results['audit/floor'].ms), median(by.Lq.results['audit/floor'].ms))}); rds − floor: L ${fmtMs(over(by.L))} vs Lq ${fmtMs(over(by.Lq))} ms`,
      "rds − floor ≤ 1.2× Lq's",
      over(by.L) <= 1.2 * over(by.Lq),
    );
  }
  if (by.M && by.L) {
    const m = median(by.M.results['audit/rds'].ms);
    const l = median(by.L.results['audit/rds'].ms);
    const mf = median(by.M.results['audit/floor'].ms);
    const lf = median(by.L.results['audit/floor'].ms);
    target(
      'audit time growth M → L (5× the Migration* events); judged on rds − floor',
      `raw ${ratio(l, m)} (floor ${ratio(lf, mf)}); rds − floor ${fmtMs(over(by.M))} → ${fmtMs(over(by.L))} ms = ${ratio(over(by.L), over(by.M))}`,
      '≤ 5.5× (linear)',
      over(by.L) <= 5.5 * over(by.M),
    );
  }
  p('## Targets (measured, not asserted)');
  p();
  p('| target | measured | goal | |');
  p('|---|---|---|---|');
  for (const line of t) p(line);
  p();
  p(
    "Notes: wall time is measured by the runner around `/usr/bin/time` (fork/exec included, same for every case); peak RSS is GNU time's %M (max resident set of the process; for the kubectl way, the sum of the four concurrent kubectl processes, or jq alone if larger). Requests and bytes are recorded by the fake server: response body bytes as sent (gzip over 128 KiB, as the API server sends them to clients that ask; no headers, no TLS framing). kubectl reuses a warm discovery cache (persistent HOME, filled during the warm-up round), as on an operator's machine.",
  );
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

/** RESULTS.md from this line on is written by hand and kept as it is by every run. */
const NOTES_MARKER = '<!-- Notes below are written by hand; bench/run keeps them. -->';

const started = performance.now();
const info = machine();
log(`bench: ${JSON.stringify(info)}`);
const all = [];
try {
  for (const size of sizes) all.push(await benchSize(size));
  log('\n[startup] --version / --help vs node -e 0');
  const version = benchVersion();
  const text = report(all, version, info, (performance.now() - started) / 1000);
  console.log(text);
  if (!flag('no-write')) {
    // Hand-written notes below the marker (profiles, what changed and why) survive a new run.
    const file = join(bench, 'RESULTS.md');
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const at = old.indexOf(NOTES_MARKER);
    writeFileSync(file, at >= 0 ? `${text}\n${old.slice(at)}` : text);
    writeFileSync(join(bench, 'out', 'results.json'), JSON.stringify({ info, all, version }, null, 1));
    log('bench: wrote bench/RESULTS.md and bench/out/results.json');
  }
  if (all.some((s) => s.mismatches.length)) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

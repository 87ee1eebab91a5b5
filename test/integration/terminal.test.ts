// The built binary on a person's terminal and in scripts: pseudo-terminals (`script`) of a given
// width or of none, signals, a full disk, the widths the text output keeps to, --no-headers for
// awk and cut, --color. The cluster is the bundled example (examples/cluster) loaded into the fake.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { EXAMPLE_CLUSTER, exampleObjects } from '../helpers/examples.js';
import { event, pv, pvc } from '../helpers/objects.js';
import { completedMessage, failedMessage, startedMessage } from '../helpers/read-side.js';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli.js';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeServer({ objects: exampleObjects(), kubevirt: true });
  dir = mkdtempSync(join(tmpdir(), 'rds-terminal-'));
  kubeconfig = server.writeKubeconfig(dir);
});
beforeEach(() => server.reset());
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const VA_PATH = '/apis/storage.k8s.io/v1/volumeattachments';
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** What a person sees of a terminal's output: no colour or cursor codes, no carriage returns. */
const visible = (s: string): string => s.replace(ANSI, '').replaceAll('\r', '');
/** Columns of a line of plain text (the example holds ASCII and the `…` of a cut cell). */
const columns = (line: string): number => [...line].length;

const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

interface TerminalRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string; ms: number }>;
  /** The output so far (the pseudo-terminal merges stdout and stderr). */
  output: () => string;
}

/**
 * Runs the CLI in a pseudo-terminal (util-linux `script`): `cols` columns set with stty, or none,
 * which leaves the terminal reporting 0 columns as `script` without a terminal of its own does.
 */
function inTerminal(args: string[], opts: { cols?: number; env?: Record<string, string>; killAfterMs?: number } = {}): TerminalRun {
  const command = [
    ...(opts.cols !== undefined ? [`stty cols ${opts.cols} rows 50`] : []),
    `exec ${[process.execPath, cliPath, ...args].map(shellQuote).join(' ')}`,
  ].join('; ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color', KUBECONFIG: kubeconfig, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const started = Date.now();
  const done = new Promise<{ code: number | null; out: string; ms: number }>((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, ms: Date.now() - started });
    });
  });
  return { child, done, output: () => out };
}

/** The CLI's process inside `script`: its only child (the shell that exec'd node). */
function cliProcess(scriptPid: number): number {
  const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/);
  expect(children).toHaveLength(1);
  return Number(children[0]);
}

/** Resolves once `ready()` holds, polling every 20 ms; rejects after `ms`. */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] reading migration events/;

describe('the spinner and signals', () => {
  it('a pseudo-terminal reporting 0 columns gets no spinner, and the audit ends on its own', async () => {
    server.fault({ path: VA_PATH, delayMs: 1500, times: 1 });
    const res = await inTerminal(['audit']).done;
    expect(res.code, res.out.slice(-500)).toBe(1); // the example's findings
    // Before, ora counted infinitely many lines to clear and wrote cursor-up sequences without end.
    expect(res.out).not.toContain('\u001b[1A');
    expect(visible(res.out)).not.toMatch(SPINNER_FRAME);
    expect(res.out.length).toBeLessThan(20_000);
    expect(visible(res.out)).toContain('SUMMARY\n');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops an audit whose spinner is running: exit 130 within 2 s, the line cleared, the cursor back',
    async (signal) => {
      server.fault({ path: VA_PATH, delayMs: 30_000, times: 1 });
      const run = inTerminal(['audit'], { cols: 100 });
      await until(() => server.requests.some((r) => r.path === VA_PATH) && SPINNER_FRAME.test(visible(run.output())));
      const sentAt = Date.now();
      process.kill(cliProcess(run.child.pid ?? 0), signal);
      const res = await run.done;
      expect(Date.now() - sentAt).toBeLessThan(2000);
      expect(res.code).toBe(130);
      const afterSpinner = res.out.slice(res.out.lastIndexOf('reading migration events'));
      expect(afterSpinner).toContain('\u001b[?25h'); // cursor shown again
      expect(visible(afterSpinner)).toMatch(/error: interrupted\n$/);
      expect(res.out).not.toContain('SUMMARY');
    },
  );

  it('SIGTERM stops an audit writing JSON to a pipe: exit 130, no half document', async () => {
    server.fault({ path: VA_PATH, delayMs: 30_000, times: 1 });
    const child = spawn(process.execPath, [cliPath, 'audit', '-o', 'json'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => server.requests.some((r) => r.path === VA_PATH));
    const sentAt = Date.now();
    child.kill('SIGTERM');
    expect(await closed).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: interrupted\n');
  });

  it('the spinner is coloured on a terminal, and not under NO_COLOR or --color never', async () => {
    const spinnerOutput = async (extra: string[], env?: Record<string, string>): Promise<string> => {
      server.reset();
      server.fault({ path: VA_PATH, delayMs: 30_000, times: 1 });
      const run = inTerminal(['audit', ...extra], { cols: 100, ...(env ? { env } : {}) });
      await until(() => SPINNER_FRAME.test(visible(run.output())));
      process.kill(cliProcess(run.child.pid ?? 0), 'SIGTERM');
      return (await run.done).out;
    };
    expect(await spinnerOutput([])).toMatch(/\u001b\[36m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    for (const out of [await spinnerOutput([], { NO_COLOR: '1' }), await spinnerOutput(['--color', 'never'])]) {
      expect(visible(out)).toMatch(SPINNER_FRAME);
      expect(out).not.toMatch(/\u001b\[3\dm/);
    }
  });
});

describe('output errors', () => {
  it('a full disk is one line and exit 74, not a stack trace and not "findings" (1)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [cliPath, 'audit', '--from-file', EXAMPLE_CLUSTER, '-o', 'json'], {
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('error: cannot write the output: no space left on device\n');
      expect(code).toBe(74);
    } finally {
      closeSync(full);
    }
  });
});

describe('commander errors never echo control characters', () => {
  it('an unknown command with an escape sequence: one error line, escapes shown, a hint', async () => {
    const res = await runCli(['aud\u001b]0;PWNED\u0007it']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("error: unknown command 'aud\\u001b]0;PWNED\\u0007it'\n");
    const near = await runCli(['audt']);
    expect(near.stderr).toBe("error: unknown command 'audt'\nhint: did you mean audit?\n");
  });
});

/**
 * Lines of the tables that have no room left on a narrow terminal: MIGRATIONS (no text to cut, 92
 * columns in the audit) and EVENTS (its DETAIL is cut to no less than 20 columns). Names are never cut.
 */
const isTableWithoutRoom = (line: string): boolean =>
  /^(NAMESPACE +PVC +(SOURCE|NODES)|SOURCE +TARGET +STATE|VMIM +PHASE|kubevirt-[\w-]+ +[A-Z]\w+ +|worker-\d +worker-\d +|[\w-]+ +[\w-]+ +worker-\d(,worker-\d)* +worker-\d +|LAST SEEN +TYPE|\d+[smhdy]\w*( \(x\d+ over \w+\))? +(Normal|Warning) )/.test(
    line,
  );

/** The REJECTED TARGETS section of a table output. */
const rejectedSection = (out: string): string => out.slice(out.indexOf('REJECTED TARGETS'), out.indexOf('\nNOTE'));

describe('the text output fits the terminal', () => {
  const EVENTS_OF = [
    ['vms-dev', 'pg-01-rootdisk'],
    ['vms-prod', 'erp-01-rootdisk'],
    ['vms-dev', 'api-01-rootdisk'],
    ['ci', 'runner-01-rootdisk'],
  ];

  it.each([80, 100, 200])('audit --from-file examples/cluster on a %i-column terminal', async (width) => {
    const res = await inTerminal(['audit', '--from-file', EXAMPLE_CLUSTER], { cols: width }).done;
    expect(res.code).toBe(1);
    const lines = visible(res.out).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(30);
    for (const line of lines) {
      expect(columns(line), line).toBeLessThanOrEqual(100);
      // Free text and tables with text to cut keep to a narrower terminal too.
      if (!isTableWithoutRoom(line)) expect(columns(line), line).toBeLessThanOrEqual(width);
    }
    // The VolumeAttachments' 68-character names are in -o wide only; the rejected attach says why.
    const rejected = rejectedSection(visible(res.out));
    expect(rejected).toMatch(/worker-4 +10m +Volume migration timeout /);
    expect(rejected).not.toMatch(/csi-[0-9a-f]{64}|pvc-[0-9a-f-]{36}|rpc error/);
  });

  it.each([80, 100, 200])('events of the example PVCs on a %i-column terminal', async (width) => {
    for (const [namespace, pvc] of EVENTS_OF) {
      const res = await inTerminal(['events', pvc ?? '', '-n', namespace ?? '', '--all'], { cols: width }).done;
      expect(res.code, res.out).toBe(0);
      for (const line of visible(res.out).trimEnd().split('\n')) {
        expect(columns(line), line).toBeLessThanOrEqual(100);
        if (!isTableWithoutRoom(line)) expect(columns(line), line).toBeLessThanOrEqual(width);
      }
    }
  });

  it('a pipe gets 100 columns: audit and events', async () => {
    const audit = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER]);
    const events = await runCli(['events', 'pg-01-rootdisk', '-n', 'vms-dev', '--all'], { kubeconfig });
    for (const out of [audit.stdout, events.stdout]) {
      for (const line of out.trimEnd().split('\n')) expect(columns(line), line).toBeLessThanOrEqual(100);
    }
    // Durations read like kubectl's ages (the driver's Go durations stay in its messages).
    expect(audit.stdout).toMatch(/ completed +47m +102s +5m\n/);
    expect(audit.stdout).toContain('Durations:       7 completed: min 14s, p50 44s, p95 4m10s, max 4m10s\n');
    expect(audit.stdout).toMatch(/ worker-1,worker-2 +worker-1 +20m +5m +yes\n/);
    expect(events.stdout).toContain(' timeout 5m ');
    expect(events.stdout).toContain('State:   STUCK: dual-attached for ');
    expect(events.stdout).toMatch(/ of 5m timeout\n/);
  });

  it('-o wide shows the VolumeAttachments, the volume and the whole message', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER, '-o', 'wide']);
    expect(res.stdout).toContain('csi-d8baf6f7851990f6d415c55abe569cdc03f8f78ceae094a3dc4a33bf8a23b082');
    expect(res.stdout).toContain(
      'rpc error: code = FailedPrecondition desc = Volume pvc-780bbc63-9627-4319-b87c-13571c9bc821 migration timeout exceeded (19m33s elapsed, 5m0s max).',
    );
  });
});

describe('--no-headers: table rows only, for awk and cut', () => {
  const SECTION =
    /^(SUMMARY|FINDINGS|MIGRATIONS|DUAL-ATTACHES|MULTI-ATTACHES|REJECTED TARGETS|NOTE|WARNINGS|EVENTS|ATTACHMENT|ERROR|WARNING|INFO)\b|^[A-Z][a-z-]+: |^No |^ /;

  it('audit: finding, migration and attachment rows; warnings on stderr', async () => {
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const res = await runCli(['audit', '--no-headers'], { kubeconfig });
    expect(res.code).toBe(1);
    const lines = res.stdout.trimEnd().split('\n');
    for (const line of lines) {
      expect(line).not.toMatch(SECTION);
      expect(line).not.toBe('');
    }
    expect(lines.filter((l) => /^(error|warning|info) +[A-Z]\w+ /.test(l))).not.toHaveLength(0);
    expect(lines.filter((l) => / (completed|failed|in-progress|unresolved) /.test(l))).toHaveLength(11);
    expect(res.stdout).not.toMatch(/forbidden/i);
    expect(res.stderr).toMatch(/^warning: VolumeAttachments could not be read: .*forbidden/m);
    // awk sees the same fields on every migration row.
    const states = lines.filter((l) => / worker-\d +worker-\d /.test(l)).map((l) => l.split(/ +/)[4]);
    // Served live, the example is days old: its in-progress migration is unresolved by now.
    expect(new Set(states)).toEqual(new Set(['completed', 'failed', 'unresolved']));
  });

  it('events: event, migration, rejected-target, VMIM and user rows; no PVC header, no attachment text', async () => {
    const res = await runCli(['events', 'pg-01-rootdisk', '-n', 'vms-dev', '--no-headers'], { kubeconfig });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).not.toMatch(SECTION);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/ Normal +MigrationStarted +worker-1 +worker-2 +timeout 5m +1$/);
    expect(lines[1]).toMatch(/^worker-1 +worker-2 +unresolved +\S+ +<none> +5m +kubevirt-evacuation-rp76v$/);
    expect(lines.slice(3, 5).map((l) => l.split(/ +/)[1])).toEqual(['Failed', 'Scheduling']);
    expect(lines.slice(5).map((l) => l.split(/ +/).slice(0, 2).join(' '))).toEqual([
      'worker-1 virt-launcher-pg-01-gqmgb',
      'worker-2 virt-launcher-pg-01-q8zt5',
      'worker-3 virt-launcher-pg-01-7xk4n',
    ]);
  });
});

describe('--color', () => {
  const RED = '\u001b[31m';

  it('auto: a pipe gets no colour, a terminal does; --color always colours a pipe (| less -R)', async () => {
    const piped = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER]);
    expect(piped.stdout).not.toContain('\u001b[');
    const forced = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER, '--color', 'always']);
    expect(forced.stdout).toContain(`${RED}failed`);
    expect(forced.stdout.replace(ANSI, '')).toBe(piped.stdout);
    const forcedOverNoColor = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER, '--color', 'always'], { env: { NO_COLOR: '1' } });
    expect(forcedOverNoColor.stdout).toContain(RED);
    const terminal = await inTerminal(['audit', '--from-file', EXAMPLE_CLUSTER], { cols: 100 }).done;
    expect(terminal.out).toContain(RED);
  });

  it.each([
    ['--color never', ['--color', 'never'], {}],
    ['--no-color', ['--no-color'], {}],
    ['NO_COLOR', [], { NO_COLOR: '1' }],
  ])('%s on a terminal: no colour', async (_name, flags, env) => {
    const res = await inTerminal(['audit', '--from-file', EXAMPLE_CLUSTER, ...flags], { cols: 100, env }).done;
    expect(res.code).toBe(1);
    expect(res.out).not.toMatch(/\u001b\[\d+m/);
  });

  it('a value other than auto, always or never is a usage error', async () => {
    const res = await runCli(['audit', '--color', 'sometimes']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^error: option '--color <when>' argument 'sometimes' is invalid\. Allowed choices are auto, always, never\.$/m,
    );
  });
});

describe('durations on the command line', () => {
  it('--since and --stuck-after accept days', async () => {
    const all = JSON.parse((await runCli(['audit', '--from-file', EXAMPLE_CLUSTER, '-o', 'json'])).stdout);
    const twoDays = await runCli(['audit', '--from-file', EXAMPLE_CLUSTER, '-o', 'json', '--since', '2d', '--stuck-after', '1d12h']);
    expect(twoDays.stderr).toBe('');
    const doc = JSON.parse(twoDays.stdout);
    expect(doc.migrations).toEqual(all.migrations);
    // Attached for 20m: not stuck after a day and a half.
    expect(doc.dualAttaches[0].stuck).toBe(false);
  });
});

describe('-o yaml is read alike by YAML 1.1 and YAML 1.2 readers', () => {
  it('audit: names that look like numbers, booleans or nulls stay strings', async () => {
    // DNS-valid names a YAML reader could take for something else: 0o17 (1.2 octal), 1e3, yes, null, 0x1f.
    const claim = pvc({ namespace: '0o17', name: '1e3', uid: 'a1b2c3d4-0000-4000-8000-000000000001', volumeName: 'pvc-yaml' });
    const at = (s: number) => new Date(Date.parse('2026-11-26T10:00:00Z') - s * 1000);
    const dump = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        claim,
        pv({ name: 'pvc-yaml', claimRef: { namespace: '0o17', name: '1e3', uid: claim.metadata.uid } }),
        event({
          pvc: claim,
          type: 'Normal',
          reason: 'MigrationStarted',
          message: startedMessage('pvc-yaml', 'yes', '0x1f', '5m0s'),
          firstTimestamp: at(600),
        }),
        event({
          pvc: claim,
          type: 'Normal',
          reason: 'MigrationCompleted',
          message: completedMessage('pvc-yaml', 'yes', '0x1f', '1m0s'),
          firstTimestamp: at(540),
        }),
        event({
          pvc: claim,
          type: 'Normal',
          reason: 'MigrationStarted',
          message: startedMessage('pvc-yaml', '0x1f', 'null', '5m0s'),
          firstTimestamp: at(300),
        }),
        event({
          pvc: claim,
          type: 'Warning',
          reason: 'MigrationFailed',
          message: failedMessage('pvc-yaml', '0x1f', 'null', '0o17', '1m0s'),
          firstTimestamp: at(240),
        }),
      ],
    };
    const file = join(dir, 'yaml-dump.json');
    writeFileSync(file, JSON.stringify(dump));
    const [json, yaml] = await Promise.all([
      runCli(['audit', '--from-file', file, '-o', 'json']),
      runCli(['audit', '--from-file', file, '-o', 'yaml']),
    ]);
    const doc = JSON.parse(json.stdout);
    expect(doc.migrations.map((m: { failureReason: string | null }) => m.failureReason)).toEqual([null, '0o17']);
    expect(doc.migrations[0]).toMatchObject({ namespace: '0o17', pvc: '1e3', sourceNode: 'yes', targetNode: '0x1f' });
    for (const version of ['1.1', '1.2'] as const) expect(parseYaml(yaml.stdout, { version })).toEqual(doc);
  });

  it('post --dry-run -o yaml: the Event reads back the same under both', async () => {
    const res = await runCli(
      ['post-failed', 'pg-01-rootdisk', '-n', 'vms-dev', '--reason', 'timeout', '--component', 'yes', '--dry-run', '-o', 'yaml'],
      { kubeconfig },
    );
    expect(res.code, res.stderr).toBe(0);
    const one = parseYaml(res.stdout, { version: '1.1' });
    expect(one.source.component).toBe('yes');
    expect(parseYaml(res.stdout, { version: '1.2' })).toEqual(one);
  });
});

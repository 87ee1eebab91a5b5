// `events <pvc> --watch` and `audit --watch` through the built binary against the fake
// API server: the state first, then every change exactly once, across dropped connections, 410
// relists and 429s; forbidden watches as warnings; the terminal screen of `audit -w`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { startCli, stopClis } from '../helpers/live-cli.js';
import { event, namespace, node, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { completedMessage, newVolumeIdentity, startedMessage } from '../helpers/read-side.js';
import { cliPath } from '../helpers/run-cli.js';

const NS = 'vms';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  server = await startFakeServer({ objects: [namespace(NS), node('node-a'), node('node-b'), node('node-c')] });
  dir = mkdtempSync(join(tmpdir(), 'rds-watch-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterEach(async () => {
  stopClis();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ago = (seconds: number): Date => new Date(Date.now() - seconds * 1000);

/** A bound PVC attached to node-a, whose kubelet uses it (a healthy attachment). */
function seedPvc(name: string) {
  const { uid, vol } = newVolumeIdentity();
  const claim = pvc({ namespace: NS, name, uid, volumeName: vol });
  const volume = pv({ name: vol, claimRef: { namespace: NS, name, uid }, timeout: '300' });
  const va = volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: ago(3600) });
  server.add(claim, volume, va, node('node-a', [`kubernetes.io/csi/rds.csi.srvlab.io^${vol}`]));
  return { claim, volume, vol, va };
}

function startedEvent(s: ReturnType<typeof seedPvc>, secondsAgo: number, name: string, target = 'node-b') {
  return event({
    pvc: s.claim,
    name,
    reason: 'MigrationStarted',
    type: 'Normal',
    message: startedMessage(s.vol, 'node-a', target, '5m0s'),
    firstTimestamp: ago(secondsAgo),
  });
}

/** The names of the event lines printed so far, in order. */
function eventNames(lines: any[]): string[] {
  return lines.filter((l) => l.type === 'event').map((l) => l.event.name);
}

const EVENTS_PATH = '/api/v1/namespaces/vms/events';

describe('events -w -o json', () => {
  it('prints the state, then each new event exactly once across a dropped connection and a 410 relist', async () => {
    const s = seedPvc('disk');
    server.add(startedEvent(s, 30, 'disk.e1'));
    const cli = startCli(['events', 'disk', '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('"type":"attachment"'));
    expect(cli.jsonLines().map((l) => l.type)).toEqual(['event', 'migration', 'attachment']);
    expect(cli.jsonLines()[1]).toMatchObject({ type: 'migration', previousState: null, migration: { state: 'in-progress' } });
    expect(cli.jsonLines()[2]).toMatchObject({ type: 'attachment', attachment: { nodes: ['node-a'], dualAttach: null } });

    server.add(startedEvent(s, 20, 'disk.e2'));
    await cli.waitForStdout((t) => t.includes('disk.e2'));

    // The connection drops (an API server restart); the event arrives while it is down.
    server.dropWatches();
    server.add(startedEvent(s, 10, 'disk.e3'));
    await cli.waitForStdout((t) => t.includes('disk.e3'));

    // While the watch is down, something it does not follow changes and the history is compacted:
    // resuming from its resourceVersion gets 410 Gone, and the state is read again.
    server.dropWatches();
    server.add(namespace('elsewhere'));
    server.compactHistory();
    server.add(startedEvent(s, 5, 'disk.e4'));
    // Each failure in a row doubles the watch's backoff (client-go's 800 ms, 1.6 s, 3.2 s, … with jitter).
    await cli.waitForStdout((t) => t.includes('disk.e4'), 40_000);
    // Later changes still arrive after the relist.
    server.add(startedEvent(s, 1, 'disk.e5'));
    await cli.waitForStdout((t) => t.includes('disk.e5'));

    expect(eventNames(cli.jsonLines())).toEqual(['disk.e1', 'disk.e2', 'disk.e3', 'disk.e4', 'disk.e5']);
    const eventWatches = server.requests.filter((r) => r.path === EVENTS_PATH && r.query.watch === '1');
    expect(eventWatches.some((r) => r.query.resourceVersion !== undefined && r.watchEvents?.includes('ERROR'))).toBe(true);
    cli.signal('SIGINT');
    expect((await cli.exited).code).toBe(130);
  }, 90_000);

  it('prints an event again when it changes (count + 1), and a migration line when its outcome comes', async () => {
    const s = seedPvc('bumped');
    const first = startedEvent(s, 30, 'bumped.s');
    server.add(first);
    const cli = startCli(['events', 'bumped', '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('"type":"attachment"'));
    server.update('Event', NS, 'bumped.s', (e) => {
      e.count = 2;
      e.lastTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    });
    await cli.waitForStdout((t) => t.includes('"count":2'));
    server.add(
      event({
        pvc: s.claim,
        name: 'bumped.c',
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(s.vol, 'node-a', 'node-b', '25s'),
        firstTimestamp: new Date(),
      }),
    );
    await cli.waitForStdout((t) => t.includes('"previousState":"in-progress"'));
    const lines = cli.jsonLines();
    expect(lines.map((l) => [l.type, l.event?.name ?? l.migration?.state ?? l.attachment?.nodes.join(',')])).toEqual([
      ['event', 'bumped.s'],
      ['migration', 'in-progress'],
      ['attachment', 'node-a'],
      ['event', 'bumped.s'],
      ['event', 'bumped.c'],
      ['migration', 'completed'],
    ]);
    cli.signal('SIGTERM');
    expect((await cli.exited).code).toBe(130);
  });

  it('retries a watch answered with 429 with backoff, not in a tight loop', async () => {
    const s = seedPvc('throttled');
    const cli = startCli(['events', 'throttled', '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('"type":"attachment"'));
    const watchesOnEvents = () => server.requests.filter((r) => r.path === EVENTS_PATH && r.query.watch === '1');
    const before = watchesOnEvents().length;
    server.fault({ when: (r) => r.path === EVENTS_PATH && r.query.watch === '1', status: 429, times: 2 });
    server.dropWatches();
    server.add(startedEvent(s, 1, 'throttled.s'));
    await cli.waitForStdout((t) => t.includes('throttled.s'), 60_000);
    const retries = watchesOnEvents().slice(before);
    expect(retries.map((r) => r.status)).toEqual([429, 429, 200]);
    // The fake says Retry-After: 1; client-go's backoff starts at 800 ms: never sooner than that.
    for (let i = 1; i < retries.length; i++) {
      expect(retries[i]!.receivedAt - retries[i - 1]!.receivedAt).toBeGreaterThanOrEqual(900);
    }
    expect(eventNames(cli.jsonLines())).toEqual(['throttled.s']);
    cli.signal('SIGINT');
    expect((await cli.exited).code).toBe(130);
  }, 90_000);

  it('follows with a warning what it cannot watch (VolumeAttachments forbidden), as the one-shot read does', async () => {
    const s = seedPvc('denied');
    server.deny({ verb: 'watch', resource: 'volumeattachments' });
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const cli = startCli(['events', 'denied', '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('"type":"attachment"'));
    expect(cli.stderr()).toMatch(/^warning: the current attachment is unknown: forbidden: cannot (watch|list) volumeattachments/);
    server.add(startedEvent(s, 1, 'denied.s'));
    await cli.waitForStdout((t) => t.includes('denied.s'));
    cli.signal('SIGINT');
    const res = await cli.exited;
    expect(res.code).toBe(130);
    expect(res.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toHaveLength(1);
  });
  it('ends with exit 0 once its reader has gone (| head) and it has something to print', async () => {
    const s = seedPvc('headed');
    const child = spawn(process.execPath, [cliPath, 'events', 'headed', '-w', '-o', 'json'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // `| head -1`: the reader takes one line and goes.
      child.stdout.destroy();
      server.add(startedEvent(s, 1, 'headed.s'));
      expect(await exited).toBe(0);
      expect(err).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('follows a PVC that binds while it watches: its PV and attachments are then read', async () => {
    const { uid, vol } = newVolumeIdentity();
    const claim = pvc({ namespace: NS, name: 'late', uid });
    server.add(claim);
    const cli = startCli(['events', 'late', '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('"type":"attachment"'));
    expect(cli.jsonLines().at(-1).attachment.nodes).toEqual([]);
    const volume = pv({ name: vol, claimRef: { namespace: NS, name: 'late', uid }, timeout: '300' });
    server.add(volume, volumeAttachment({ pv: volume, node: 'node-c', attached: true, createdAt: ago(5) }));
    server.update('PersistentVolumeClaim', NS, 'late', (p) => {
      p.spec.volumeName = vol;
      p.status = { phase: 'Bound' };
    });
    await cli.waitForStdout((t) => t.includes('"nodes":["node-c"]'));
    // The PV is watched by name once the PVC names it.
    expect(server.requests.some((r) => r.path === '/api/v1/persistentvolumes' && r.query.fieldSelector === `metadata.name=${vol}`)).toBe(
      true,
    );
    cli.signal('SIGINT');
    expect((await cli.exited).code).toBe(130);
  });

  it.each([
    [['events', 'x', '-w', '-o', 'yaml'], 'error: --watch prints rows (-o table|wide) or one JSON object per line (-o json), not YAML\n'],
    [['audit', '-w', '--from-file', '/dev/null'], 'error: --watch follows a cluster; it cannot be used with --from-file\n'],
    [
      ['audit', '-w', '-o', 'prometheus'],
      'error: --watch redraws the report (-o table|wide on a terminal) or prints one JSON object per line (-o json), not prometheus\n',
    ],
  ])('%j is a usage error', async (args, stderr) => {
    const res = await startCli(args, { kubeconfig }).exited;
    expect([res.code, res.stdout, res.stderr]).toEqual([2, '', stderr]);
  });
});

describe('events -w (table)', () => {
  it('prints the header once, a row per new event, and a line per migration or attachment change', async () => {
    const s = seedPvc('rows');
    server.add(startedEvent(s, 30, 'rows.s'));
    const second = volumeAttachment({ pv: s.volume, node: 'node-b', attached: true, createdAt: ago(25) });
    server.add(second);
    const cli = startCli(['events', 'rows', '-w'], { kubeconfig });
    await cli.waitForStdout((t) => t.includes('attachment:'));
    server.add(
      event({
        pvc: s.claim,
        name: 'rows.c',
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(s.vol, 'node-a', 'node-b', '31s'),
        firstTimestamp: new Date(),
      }),
    );
    await cli.waitForStdout((t) => t.includes('completed in 31s'));
    server.remove('VolumeAttachment', undefined, s.va.metadata.name);
    await cli.waitForStdout((t) => t.includes('attachment: node-b\n'));
    cli.signal('SIGINT');
    const lines = (await cli.exited).stdout.trimEnd().split('\n');
    // Columns as wide as the first rows need (REASON fits every reason), DETAIL as wide as a 100-column line allows.
    expect(lines[0]).toBe('LAST SEEN   TYPE      REASON               SOURCE   TARGET   DETAIL             COUNT');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^3\ds {9}Normal {4}MigrationStarted {5}node-a {3}node-b {3}timeout 5m {9}1$/),
      expect.stringMatching(/^migration node-a -> node-b: in-progress \(started 3\ds ago, timeout 5m\)$/),
      expect.stringMatching(/^attachment: node-a, node-b: dual-attached for 2\ds of 5m timeout$/),
      expect.stringMatching(/^\ds {10}Normal {4}MigrationCompleted {3}node-a {3}node-b {3}took 31s {11}1$/),
      expect.stringMatching(/^migration node-a -> node-b: completed in 31s \(started 3\ds ago\)$/),
      'attachment: node-b',
    ]);
  });
});

describe('audit -w', () => {
  it('-o json: prints opened, then resolved, for a stuck dual-attach that appears and goes', async () => {
    const s = seedPvc('stuck');
    const cli = startCli(['audit', '-n', NS, '-w', '-o', 'json'], { kubeconfig });
    // Nothing is wrong yet: no line. The watches are open once the pods of shared volumes could be asked for.
    await waitUntil(() => server.requests.some((r) => r.path === '/api/v1/nodes' && r.query.watch === '1'));
    // Past its 5m timeout, younger than --stale-after (10m): a stuck dual-attach, nothing else.
    const second = volumeAttachment({ pv: s.volume, node: 'node-b', attached: true, createdAt: ago(400) });
    server.add(second);
    await cli.waitForStdout((t) => t.includes('"type":"opened"'));
    server.remove('VolumeAttachment', undefined, second.metadata.name);
    await cli.waitForStdout((t) => t.includes('"type":"resolved"'));
    cli.signal('SIGINT');
    const res = await cli.exited;
    expect(res.code).toBe(130);
    const lines = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.type, l.finding.code, l.finding.pvc])).toEqual([
      ['opened', 'StuckDualAttach', 'stuck'],
      ['resolved', 'StuckDualAttach', 'stuck'],
    ]);
    expect(lines[0].finding.objects).toEqual(
      expect.arrayContaining([{ kind: 'VolumeAttachment', namespace: null, name: second.metadata.name }]),
    );
    // The pods of the namespace were watched once a volume there was on two nodes.
    expect(server.requests.some((r) => r.path === '/api/v1/namespaces/vms/pods' && r.query.watch === '1')).toBe(true);
    // Three event watches (one per reason), as the one-shot audit lists them.
    const reasons = server.requests.filter((r) => r.path === EVENTS_PATH && r.query.watch === '1').map((r) => r.query.fieldSelector);
    expect(new Set(reasons)).toEqual(new Set(['reason=MigrationStarted', 'reason=MigrationCompleted', 'reason=MigrationFailed']));
  });

  it('-o json: a forbidden watch (Nodes) is a warning, as in the one-shot audit, and the audit goes on', async () => {
    const s = seedPvc('no-nodes');
    server.deny({ verb: 'watch', resource: 'nodes' });
    server.deny({ verb: 'list', resource: 'nodes' });
    const cli = startCli(['audit', '-n', NS, '-w', '-o', 'json'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('warning: Nodes could not be read'));
    server.add(volumeAttachment({ pv: s.volume, node: 'node-b', attached: true, createdAt: ago(400) }));
    await cli.waitForStdout((t) => t.includes('StuckDualAttach'));
    cli.signal('SIGINT');
    const res = await cli.exited;
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/^warning: Nodes could not be read: forbidden: cannot (watch|list) nodes/);
    expect(res.stderr).toContain('so no StaleAttachment, AttachedToMissingNode or DetachStuck findings could be made');
  });

  it('on a terminal, redraws the report in place and marks what changed; Ctrl-C leaves the last screen', async () => {
    const s = seedPvc('screen');
    // A pseudo-terminal of 100 x 40 (script(1)); Ctrl-C is typed into it.
    const command = `stty cols 100 rows 40; exec ${process.execPath} ${cliPath} audit -n ${NS} -w`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitUntil(() => out.includes('No findings.'), 15_000);
      expect(out).toContain('\x1b[?1049h');
      const second = volumeAttachment({ pv: s.volume, node: 'node-b', attached: true, createdAt: ago(400) });
      server.add(second);
      // Colours off for matching (the terminal gets them).
      const plain = (): string => out.replace(/\x1b\[[0-9;]*m/g, '');
      await waitUntil(() => /\* error +StuckDualAttach +vms\/screen +Attached to both node-a and node-b/.test(plain()), 15_000);
      const frames = out.split('\x1b[H').length - 1;
      // Ages tick: it redraws about once a second even when nothing changes.
      await new Promise((r) => setTimeout(r, 2500));
      expect(out.split('\x1b[H').length - 1).toBeGreaterThan(frames);
      child.stdin.write('\x03');
      expect(await exited).toBe(130);
      const after = out.slice(out.lastIndexOf('\x1b[?1049l'));
      expect(after.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/StuckDualAttach +vms\/screen/);
      expect(after).toContain('error: interrupted');
      // Every screen line fits the terminal.
      const lastScreen = out.slice(out.lastIndexOf('\x1b[H'), out.lastIndexOf('\x1b[?1049l'));
      for (const line of lastScreen.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').split(/\r?\n/)) expect(line.length).toBeLessThanOrEqual(100);
    } finally {
      // A failed expectation must not leave the terminal and the watcher behind.
      child.kill('SIGKILL');
    }
  });
});

async function waitUntil(test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

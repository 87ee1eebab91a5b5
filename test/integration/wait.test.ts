// `wait <pvc>` through the built binary against the fake API server: it reads the
// state, then follows the watches while the test posts outcomes or detaches the volume.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { startCli, stopClis } from '../helpers/live-cli.js';
import { event, namespace, node, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { checkSchema, completedMessage, failedMessage, migrationSchema, newVolumeIdentity, startedMessage } from '../helpers/read-side.js';
import { runCli } from '../helpers/run-cli.js';

const NS = 'vms';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeServer({ objects: [namespace(NS), node('node-a'), node('node-b'), node('node-c')] });
  dir = mkdtempSync(join(tmpdir(), 'rds-wait-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());
afterEach(stopClis);

const ago = (seconds: number): Date => new Date(Date.now() - seconds * 1000);

/** A bound PVC (PV timeout 5m) attached to `nodes`, under a name no other test uses. */
function seedPvc(name: string, nodes: string[] = ['node-a']) {
  const { uid, vol } = newVolumeIdentity();
  const claim = pvc({ namespace: NS, name, uid, volumeName: vol });
  const volume = pv({ name: vol, claimRef: { namespace: NS, name, uid }, timeout: '300' });
  const vas = nodes.map((n, i) => volumeAttachment({ pv: volume, node: n, attached: true, createdAt: ago(3600 - i * 3590) }));
  server.add(claim, volume, ...vas);
  return { claim, vol, vas };
}

function started(s: ReturnType<typeof seedPvc>, secondsAgo: number, target = 'node-b') {
  return event({
    pvc: s.claim,
    reason: 'MigrationStarted',
    type: 'Normal',
    message: startedMessage(s.vol, 'node-a', target, '5m0s'),
    firstTimestamp: ago(secondsAgo),
  });
}

/** Watch requests and plain (non-watch) list requests the server received on a path. */
function requestsTo(path: RegExp) {
  const on = server.requests.filter((r) => path.test(r.path) && r.method === 'GET');
  return { watches: on.filter((r) => r.query.watch === '1'), lists: on.filter((r) => r.query.watch === undefined) };
}

describe('wait --for outcome', () => {
  it('follows the open migration and exits 0 when post-completed records its outcome', async () => {
    const s = seedPvc('w-complete', ['node-a', 'node-b']);
    server.add(started(s, 20));
    const cli = startCli(['wait', 'w-complete', '--timeout', '1m'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('in-progress'));
    expect(cli.stdout()).toBe('');
    const post = await runCli(['post-completed', 'w-complete'], { kubeconfig });
    expect(post.code).toBe(0);
    const res = await cli.exited;
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^migration node-a -> node-b: in-progress \(started \d+s ago, timeout 5m\)\n$/);
    expect(res.stdout).toMatch(/^migration node-a -> node-b: completed in \d+s \(started \d+s ago\)\n$/);
    // It followed the change through the watch API; it did not poll with lists.
    const events = requestsTo(/\/namespaces\/vms\/events$/);
    expect(events.watches.length).toBeGreaterThanOrEqual(1);
    expect(events.lists.length).toBeLessThanOrEqual(1);
    expect(events.watches[0]?.query).toMatchObject({
      fieldSelector: 'involvedObject.kind=PersistentVolumeClaim,involvedObject.name=w-complete',
      allowWatchBookmarks: 'true',
    });
    expect(Number(events.watches[0]?.query.timeoutSeconds)).toBeGreaterThan(0);
  });

  it('exits 1 when a MigrationFailed is posted, printing the failure', async () => {
    const s = seedPvc('w-fail');
    server.add(started(s, 10));
    const cli = startCli(['wait', 'w-fail', '--timeout', '1m'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('in-progress'));
    server.add(
      event({
        pvc: s.claim,
        reason: 'MigrationFailed',
        type: 'Warning',
        message: failedMessage(s.vol, 'node-a', 'node-b', 'target not ready', '12s'),
        firstTimestamp: new Date(),
      }),
    );
    const res = await cli.exited;
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^migration node-a -> node-b: failed after 12s \(started \d+s ago\): target not ready\n$/);
  });

  it('without an open migration, waits for the next one and prints it as JSON (-o json)', async () => {
    const s = seedPvc('w-next');
    // An earlier migration that completed: not the one waited for.
    server.add(started(s, 900), {
      ...event({
        pvc: s.claim,
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(s.vol, 'node-a', 'node-b', '40s'),
        firstTimestamp: ago(860),
      }),
    });
    const cli = startCli(['wait', 'w-next', '-o', 'json'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('waiting for the next migration of PVC vms/w-next to start'));
    const next = started(s, 0, 'node-c');
    server.add(next);
    await cli.waitForStderr((t) => t.includes('node-a -> node-c: in-progress'));
    expect(cli.stdout()).toBe('');
    server.add(
      event({
        pvc: s.claim,
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(s.vol, 'node-a', 'node-c', '3s'),
        firstTimestamp: new Date(),
      }),
    );
    const res = await cli.exited;
    expect(res.code).toBe(0);
    const migration = JSON.parse(res.stdout);
    expect(checkSchema(migration, migrationSchema)).toEqual([]);
    expect(migration).toMatchObject({ namespace: NS, pvc: 'w-next', sourceNode: 'node-a', targetNode: 'node-c', state: 'completed' });
    expect(migration.events).toEqual([next.metadata.name, expect.any(String)]);
  });

  it('exits 1 at once for an open migration that is already unresolved', async () => {
    const s = seedPvc('w-unresolved');
    server.add(started(s, 400));
    const res = await runCli(['wait', 'w-unresolved', '--timeout', '1m'], { kubeconfig });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^migration node-a -> node-b: unresolved: no outcome within its 5m timeout \(started 6m\d+s ago\)\n$/);
  });

  it('exits 5 when --timeout passes first, with one error line and nothing on stdout', async () => {
    const s = seedPvc('w-timeout');
    server.add(started(s, 5));
    const began = Date.now();
    const res = await runCli(['wait', 'w-timeout', '--timeout', '2s'], { kubeconfig });
    expect(res.code).toBe(5);
    expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([
      'error: timed out after 2s waiting for a migration of PVC vms/w-timeout to record an outcome (its migration node-a -> node-b is in-progress)',
      'hint: see where it stands: rds-migrate events w-timeout -n vms',
    ]);
  });

  it('exits 130 on SIGINT while it waits', async () => {
    seedPvc('w-interrupt');
    const cli = startCli(['wait', 'w-interrupt'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('waiting for the next migration'));
    const signalled = Date.now();
    cli.signal('SIGINT');
    const res = await cli.exited;
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/error: interrupted\n$/);
    expect(Date.now() - signalled).toBeLessThan(3000);
  });

  it('exits 3 for a PVC that does not exist', async () => {
    const res = await runCli(['wait', 'w-missing', '--timeout', '5s'], { kubeconfig });
    expect(res.code).toBe(3);
    expect(res.stderr).toBe('error: persistentvolumeclaims "w-missing" not found in namespace "vms"\n');
  });
});

describe('wait --for single-attach', () => {
  it('exits 0 when the second attachment goes', async () => {
    const s = seedPvc('w-single', ['node-a', 'node-b']);
    const cli = startCli(['wait', 'w-single', '--for', 'single-attach', '--timeout', '1m'], { kubeconfig });
    await cli.waitForStderr((t) => t.includes('attachment: node-a, node-b: dual-attached for'));
    expect(cli.stdout()).toBe('');
    server.remove('VolumeAttachment', undefined, s.vas[0].metadata.name);
    const res = await cli.exited;
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('attachment: node-b\n');
  });

  it('exits 0 at once when the volume is attached to one node, and prints the attachment as JSON', async () => {
    seedPvc('w-single-now');
    const res = await runCli(['wait', 'w-single-now', '--for', 'single-attach', '-o', 'json'], { kubeconfig });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ nodes: ['node-a'], dualAttach: null, rejectedTargets: [] });
  });
});

describe('wait: bad input', () => {
  it.each([
    [['wait', 'x', '--timeout', '0s'], 'error: invalid --timeout "0s": must be greater than zero\n'],
    [
      ['wait', 'x', '--for', 'gone'],
      "error: option '--for <condition>' argument 'gone' is invalid. Allowed choices are outcome, single-attach.\n",
    ],
    [['wait', 'x', '--timeout', '8d'], 'error: invalid --timeout "8d": must be at most 7d\n'],
  ])('%j is a usage error', async (args, stderr) => {
    const res = await runCli(args, { kubeconfig });
    expect([res.code, res.stdout, res.stderr]).toEqual([2, '', stderr]);
  });
});

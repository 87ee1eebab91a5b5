// post-started / post-completed / post-failed through the built binary against the fake API server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { DRIVER, event, namespace, node, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { kubectlAvailable, runCli, runKubectl } from '../helpers/run-cli.js';

const NS = 'vms';
const VOL = 'pvc-6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b';
const claim = pvc({
  namespace: NS,
  name: 'vm-disk',
  uid: '6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b',
  volumeName: VOL,
  resourceVersion: '5123',
});
const volume = pv({ name: VOL, claimRef: { namespace: NS, name: 'vm-disk', uid: claim.metadata.uid }, timeout: '600' });
const attachedA = volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: new Date(Date.now() - 3_600_000) });

let server: FakeServer;
let dir: string;
let kubeconfig: string;

/** A fresh PVC + PV (+ attachment on node-a) so tests do not see each other's events. */
function seedVolume(name: string, opts: { timeout?: string; attachedTo?: string[]; driver?: string } = {}) {
  const uid = `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const vol = `pvc-${uid}`;
  const c = pvc({ namespace: NS, name, uid, volumeName: vol, resourceVersion: '77' });
  const v = pv({
    name: vol,
    claimRef: { namespace: NS, name, uid },
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    ...(opts.driver !== undefined ? { driver: opts.driver } : {}),
  });
  server.add(
    c,
    v,
    ...(opts.attachedTo ?? ['node-a']).map((node) =>
      volumeAttachment({ pv: v, node, attached: true, createdAt: new Date(Date.now() - 600_000) }),
    ),
  );
  return { claim: c, volume: v, vol };
}

const cli = (args: string[]) => runCli(args, { kubeconfig });
const posted = () => server.writes().filter((r) => r.method === 'POST');

beforeAll(async () => {
  server = await startFakeServer({
    objects: [
      namespace(NS),
      claim,
      volume,
      attachedA,
      pvc({ namespace: NS, name: 'unbound-disk' }),
      ...['node-a', 'node-b', 'node-c', 'node-d', 'node-x'].map((n) => node(n)),
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'rds-post-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  // Every test starts without events: a migration one test opens must not draw a warning in the next.
  for (const e of server.objects('Event')) server.remove('Event', e.metadata.namespace, e.metadata.name);
});

describe('post-started', () => {
  it('derives source and timeout from the cluster and creates the event as the recorder would', async () => {
    const { claim: c, vol } = seedVolume('derive-disk', { timeout: '600' });
    const res = await cli(['post-started', 'derive-disk', '--target', 'node-b']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^event\/derive-disk\.[0-9a-f]{15,16} created\n$/);
    const [create] = posted();
    expect(create?.path).toBe(`/api/v1/namespaces/${NS}/events`);
    const body = create!.body as Record<string, any>;
    expect(body.message).toBe(`[${vol}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 10m0s`);
    expect(body).toMatchObject({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { namespace: NS, creationTimestamp: null },
      involvedObject: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: NS,
        name: 'derive-disk',
        uid: c.metadata.uid,
        resourceVersion: server.objects('PersistentVolumeClaim').find((p) => p.metadata.name === 'derive-disk').metadata.resourceVersion,
      },
      reason: 'MigrationStarted',
      type: 'Normal',
      count: 1,
      eventTime: null,
      source: { component: 'rds-migrate' },
      reportingComponent: 'rds-migrate',
      reportingInstance: '',
    });
    expect(body.metadata.name).toBe(res.stdout.slice('event/'.length, res.stdout.indexOf(' ')));
    expect(body.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.lastTimestamp).toBe(body.firstTimestamp);
  });

  it.each([
    ['2m15.5s', '2m16s'],
    ['2m15.456s', '2m15s'],
    ['59.5', '1m0s'],
    ['1.5h', '1h30m0s'],
  ])('--timeout %s prints as %s; --source and --component are used as given', async (timeout, shown) => {
    const res = await cli([
      'post-started',
      'vm-disk',
      '--source',
      'node-c',
      '--target',
      'node-d',
      '--timeout',
      timeout,
      '--component',
      'rds-csi-node',
    ]);
    expect(res.code).toBe(0);
    const body = posted()[0]!.body as Record<string, any>;
    expect(body.message).toBe(`[${VOL}]: KubeVirt live migration started - source: node-c, target: node-d, timeout: ${shown}`);
    expect(body.source).toEqual({ component: 'rds-csi-node' });
    expect(body.reportingComponent).toBe('rds-csi-node');
  });

  it('defaults the timeout to 300s when the PV has none, and clamps 15 to 30s', async () => {
    seedVolume('plain-disk');
    seedVolume('short-disk', { timeout: '15' });
    await cli(['post-started', 'plain-disk', '--target', 'node-b']);
    await cli(['post-started', 'short-disk', '--target', 'node-b']);
    const messages = posted().map((r) => (r.body as { message: string }).message);
    expect(messages[0]).toMatch(/timeout: 5m0s$/);
    expect(messages[1]).toMatch(/timeout: 30s$/);
  });

  it('refuses to guess the source of a dual-attached volume', async () => {
    seedVolume('dual-disk', { attachedTo: ['node-a', 'node-b'] });
    const res = await cli(['post-started', 'dual-disk', '--target', 'node-c']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^error: cannot tell the source node: volume pvc-\S+ is attached to 2 nodes \(node-a, node-b\)\nhint: pass --source <node>\n$/,
    );
    expect(server.writes()).toEqual([]);
  });

  it('--volume-id overrides the bound volume, and is required for an unbound PVC', async () => {
    const ok = await cli(['post-started', 'unbound-disk', '--source', 'node-a', '--target', 'node-b', '--volume-id', 'pvc-manual']);
    expect(ok.code).toBe(0);
    expect((posted()[0]!.body as { message: string }).message).toMatch(/^\[pvc-manual\]: /);
    server.reset();
    const bad = await cli(['post-started', 'unbound-disk', '--source', 'node-a', '--target', 'node-b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('error: PVC "unbound-disk" in namespace "vms" is not bound to a volume');
    expect(server.writes()).toEqual([]);
  });
});

describe('post-completed and post-failed', () => {
  it('take source, target and duration from the open migration', async () => {
    const { claim: c, vol } = seedVolume('open-disk');
    server.add(
      event({
        pvc: c,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: `[${vol}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`,
        firstTimestamp: new Date(Date.now() - 135_000),
      }),
    );
    const res = await cli(['post-completed', 'open-disk']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const body = posted()[0]!.body as Record<string, any>;
    expect(body.message).toMatch(
      new RegExp(`^\\[${vol}\\]: KubeVirt live migration completed - source: node-a -> target: node-b \\(duration: 2m1[5-7]s\\)$`),
    );
    expect(body.type).toBe('Normal');
    expect(body.reason).toBe('MigrationCompleted');
  });

  it.each([
    ['2m15.456s', '2m15s'],
    ['2m15.5s', '2m16s'],
    ['0.4', '0s'],
    ['26h3m4s', '26h3m4s'],
  ])('post-completed --duration %s prints %s', async (duration, shown) => {
    const res = await cli(['post-completed', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--duration', duration]);
    expect(res.code).toBe(0);
    expect((posted()[0]!.body as { message: string }).message).toBe(
      `[${VOL}]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: ${shown})`,
    );
  });

  it('post-failed writes a Warning with the free-text reason and the rounded elapsed time', async () => {
    const res = await cli([
      'post-failed',
      'vm-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--reason',
      'manual abort, target node drained',
      '--elapsed',
      '4m59.5s',
    ]);
    expect(res.code).toBe(0);
    const body = posted()[0]!.body as Record<string, any>;
    expect(body.message).toBe(
      `[${VOL}]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: manual abort, target node drained, elapsed: 5m0s`,
    );
    expect(body.type).toBe('Warning');
    expect(body.reason).toBe('MigrationFailed');
  });

  it('post-failed with no open migration asks for the missing values', async () => {
    seedVolume('quiet-disk');
    const res = await cli(['post-failed', 'quiet-disk', '--reason', 'timeout']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe(
      'error: PVC "quiet-disk" in namespace "vms" has no open migration (no MigrationStarted without an outcome) to take --source, --target, --elapsed from',
    );
    expect(server.writes()).toEqual([]);
  });
});

describe('output, dry run and dedupe', () => {
  const fixed = ['vm-disk', '--source', 'node-a', '--target', 'node-b', '--timeout', '5m'];

  it('-o json prints the event the server stored', async () => {
    const res = await cli(['post-started', ...fixed, '-o', 'json']);
    expect(res.code).toBe(0);
    const stored = JSON.parse(res.stdout);
    expect(stored.metadata.uid).toEqual(expect.any(String));
    expect(stored.metadata.resourceVersion).toEqual(expect.any(String));
    expect(stored.involvedObject.uid).toBe(claim.metadata.uid);
  });

  it('-o yaml and -o name', async () => {
    const yaml = await cli(['post-started', ...fixed, '-o', 'yaml']);
    expect(parseYaml(yaml.stdout).reason).toBe('MigrationStarted');
    const name = await cli(['post-started', ...fixed, '-o', 'name']);
    expect(name.stdout).toMatch(/^event\/vm-disk\.[0-9a-f]+\n$/);
  });

  it('--dedupe bumps the count of an identical event with a strategic-merge patch', async () => {
    const { vol } = seedVolume('dedupe-disk');
    const args = ['post-started', 'dedupe-disk', '--source', 'node-a', '--target', 'node-b', '--timeout', '5m', '--dedupe'];
    const first = await cli(args);
    expect(first.stdout).toMatch(/ created\n$/);
    const second = await cli(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^event\/dedupe-disk\.[0-9a-f]+ patched \(count 2\)\n$/);
    const patch = server.writes().find((r) => r.method === 'PATCH');
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(patch?.body).toMatchObject({
      count: 2,
      message: `[${vol}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`,
    });
    const stored = server.objects('Event').filter((e) => e.involvedObject.name === 'dedupe-disk');
    expect(stored).toHaveLength(1);
    expect(stored[0].count).toBe(2);
    // A different message is a new event even with --dedupe.
    await cli(['post-started', 'dedupe-disk', '--source', 'node-a', '--target', 'node-c', '--timeout', '5m', '--dedupe']);
    expect(server.objects('Event').filter((e) => e.involvedObject.name === 'dedupe-disk')).toHaveLength(2);
  });

  it('without --dedupe every post is a new event', async () => {
    seedVolume('twice-disk');
    const args = ['post-started', 'twice-disk', '--source', 'node-a', '--target', 'node-b'];
    await cli(args);
    await cli(args);
    expect(server.objects('Event').filter((e) => e.involvedObject.name === 'twice-disk')).toHaveLength(2);
  });
});

describe('the PVC must be a volume of the driver', () => {
  it('refuses a PVC whose PV is of another CSI driver, even with --volume-id; --driver names that driver', async () => {
    seedVolume('ceph-disk', { driver: 'rook-ceph.rbd.csi.ceph.com' });
    for (const extra of [[], ['--volume-id', 'pvc-manual']]) {
      const res = await cli(['post-started', 'ceph-disk', '--source', 'node-a', '--target', 'node-b', ...extra]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      const [line, hint] = res.stderr.trimEnd().split('\n');
      expect(line).toMatch(
        /^error: PVC "ceph-disk" in namespace "vms" is bound to PV "pvc-\S+" of CSI driver "rook-ceph.rbd.csi.ceph.com", not rds.csi.srvlab.io/,
      );
      expect(hint).toBe('hint: pass --driver "rook-ceph.rbd.csi.ceph.com" if that driver is meant');
    }
    expect(server.writes()).toEqual([]);
    const meant = await cli([
      'post-started',
      'ceph-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--driver',
      'rook-ceph.rbd.csi.ceph.com',
    ]);
    expect(meant.code).toBe(0);
    expect(posted()).toHaveLength(1);
  });

  it('refuses a PVC whose PV is not a CSI volume', async () => {
    const { volume: v } = seedVolume('nfs-disk');
    v.spec.nfs = { server: 'nfs.example.com', path: '/exports/vm' };
    delete v.spec.csi;
    server.add(v);
    const res = await cli([
      'post-completed',
      'nfs-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--duration',
      '1m',
      '--volume-id',
      'x',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^error: PVC "nfs-disk" in namespace "vms" is bound to PV "pvc-\S+", which is not a CSI volume; only volumes of rds.csi.srvlab.io can be posted on\n$/,
    );
    expect(server.writes()).toEqual([]);
  });
});

describe('source and target must be existing Nodes', () => {
  it('a --target the API server does not know is exit 3, nothing posted', async () => {
    const res = await cli(['post-started', 'vm-disk', '--source', 'node-a', '--target', 'worker-9']);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('error: nodes "worker-9" not found\n');
    expect(server.writes()).toEqual([]);
    const outcome = await cli(['post-failed', 'vm-disk', '--source', 'worker-9', '--target', 'node-b', '--reason', 'x', '--elapsed', '1s']);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toBe('error: nodes "worker-9" not found\n');
    expect(server.writes()).toEqual([]);
  });

  it('a derived node that no longer exists is exit 3 with a hint to give it', async () => {
    seedVolume('gone-disk', { attachedTo: ['retired-node'] });
    const res = await cli(['post-started', 'gone-disk', '--target', 'node-b']);
    expect(res.code).toBe(3);
    expect(res.stderr).toBe(
      'error: nodes "retired-node" not found\nhint: the source node was taken from the cluster; pass --source <node>\n',
    );
    expect(server.writes()).toEqual([]);
  });

  it('where reading Nodes is forbidden the check is skipped, and --verbose says so', async () => {
    seedVolume('no-nodes-disk');
    server.deny({ verb: 'get', resource: 'nodes' });
    const quiet = await cli([
      'post-failed',
      'no-nodes-disk',
      '--source',
      'node-a',
      '--target',
      'worker-9',
      '--reason',
      'x',
      '--elapsed',
      '1s',
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const res = await cli(['post-started', 'no-nodes-disk', '--source', 'node-a', '--target', 'worker-9', '--verbose']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(
      /^forbidden: cannot get nodes "(node-a|worker-9)" \(needs RBAC: get nodes\): not checking that nodes "node-a" and "worker-9" exist$/m,
    );
    expect(posted()).toHaveLength(2);
  });
});

describe('--dry-run[=client|server|none]', () => {
  const fixed = ['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--timeout', '5m'];
  const message = `[${VOL}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`;

  it("bare --dry-run is client: kubectl's line with (dry run), nothing sent", async () => {
    const res = await cli([...fixed, '--dry-run']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^event\/vm-disk\.[0-9a-f]+ created \(dry run\)\n$/);
    expect(server.writes()).toEqual([]);
  });

  it('a bare --dry-run never takes the next word as its value', async () => {
    const res = await cli(['post-started', '--dry-run', 'vm-disk', '--source', 'node-a', '--target', 'node-b']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^event\/vm-disk\.[0-9a-f]+ created \(dry run\)\n$/);
  });

  it('--dry-run=client -o yaml|json prints the Event that would be sent', async () => {
    const yaml = await cli([...fixed, '--dry-run=client', '-o', 'yaml']);
    const body = parseYaml(yaml.stdout);
    expect(body.message).toBe(message);
    expect(body.eventTime).toBeNull();
    expect(body.metadata.uid).toBeUndefined();
    const json = await cli([
      'post-failed',
      'vm-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--reason',
      'x',
      '--elapsed',
      '1s',
      '--dry-run=client',
      '-o',
      'json',
    ]);
    expect(JSON.parse(json.stdout).type).toBe('Warning');
    expect(server.writes()).toEqual([]);
  });

  it('--dry-run=server sends the create with dryRun=All: validated, stored nowhere', async () => {
    const before = server.objects('Event').length;
    const res = await cli([...fixed, '--dry-run=server']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^event\/vm-disk\.[0-9a-f]+ created \(server dry run\)\n$/);
    expect(posted()).toHaveLength(1);
    expect(posted()[0]).toMatchObject({ query: { dryRun: 'All' }, status: 201, body: { message } });
    expect(server.objects('Event')).toHaveLength(before);

    const json = await cli([...fixed, '--dry-run=server', '-o', 'json']);
    const answered = JSON.parse(json.stdout);
    // The server's answer: a uid, but no resourceVersion, since nothing was written.
    expect(answered.metadata.uid).toEqual(expect.any(String));
    expect(answered.metadata.resourceVersion).toBeUndefined();
    expect(server.objects('Event')).toHaveLength(before);
  });

  it("--dry-run=server meets the API server's checks: a forbidden create is exit 4", async () => {
    server.deny({ verb: 'create', resource: 'events', namespace: NS });
    const res = await cli([...fixed, '--dry-run=server']);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe('error: forbidden: cannot create events in namespace "vms" (needs RBAC: create events)\n');
  });

  it('--dry-run=none posts; an unknown strategy is exit 2', async () => {
    const none = await cli([...fixed, '--dry-run=none']);
    expect(none.stdout).toMatch(/ created\n$/);
    expect(posted()[0]!.query).toEqual({});
    const bad = await cli([...fixed, '--dry-run=maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'maybe' is invalid. Allowed choices are none, client, server.");
  });

  it('with --dedupe: client reads only, server sends the patch with dryRun=All', async () => {
    seedVolume('dry-dedupe-disk');
    const args = ['post-started', 'dry-dedupe-disk', '--source', 'node-a', '--target', 'node-b', '--dedupe'];
    await cli(args);
    server.reset();
    const client = await cli([...args, '--dry-run']);
    expect(client.stdout).toMatch(/^event\/dry-dedupe-disk\.[0-9a-f]+ patched \(count 2\) \(dry run\)\n$/);
    expect(server.writes()).toEqual([]);
    const serverSide = await cli([...args, '--dry-run=server', '-o', 'json']);
    expect(JSON.parse(serverSide.stdout).count).toBe(2);
    expect(server.writes()).toMatchObject([{ method: 'PATCH', query: { dryRun: 'All' }, status: 200 }]);
    expect(server.objects('Event').find((e) => e.involvedObject.name === 'dry-dedupe-disk').count).toBe(1);
  });

  it.skipIf(!kubectlAvailable)('kubectl create --dry-run=server of the same Event agrees', async () => {
    const sent = await cli([...fixed, '--dry-run=client', '-o', 'json']);
    const file = join(dir, 'dry-run-event.json');
    writeFileSync(file, sent.stdout);
    const name = JSON.parse(sent.stdout).metadata.name;
    const ours = await cli([...fixed, '--dry-run=server']);
    const theirs = await runKubectl(['create', '-f', file, '--dry-run=server', '--validate=false'], { kubeconfig });
    expect(theirs.stderr).toBe('');
    expect(theirs.stdout).toBe(`event/${name} created (server dry run)\n`);
    expect(ours.stdout.replace(/\.[0-9a-f]+ /, '. ')).toBe(theirs.stdout.replace(/\.[0-9a-f]+ /, '. '));
    const client = await runKubectl(['create', '-f', file, '--dry-run=client', '--validate=false'], { kubeconfig });
    expect(client.stdout).toBe(`event/${name} created (dry run)\n`);
    expect(server.objects('Event').some((e) => e.metadata.name === name)).toBe(false);
    expect(server.writes().filter((r) => r.query.dryRun !== 'All')).toEqual([]);
  });
});

describe('warnings about the migration being posted', () => {
  const started = (c: any, vol: string, ago: number, timeout = '5m0s', source = 'node-a', target = 'node-b') =>
    event({
      pvc: c,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: `[${vol}]: KubeVirt live migration started - source: ${source}, target: ${target}, timeout: ${timeout}`,
      firstTimestamp: new Date(Date.now() - ago),
    });

  it('post-started for a migration already open on the PVC posts, but names the open one and its age', async () => {
    const { claim: c, vol } = seedVolume('restart-disk');
    const open = started(c, vol, 330_000, '10m0s');
    server.add(open);
    const res = await cli(['post-started', 'restart-disk', '--target', 'node-b']);
    expect(res.code).toBe(0);
    expect(posted()).toHaveLength(1);
    expect(res.stderr).toMatch(
      new RegExp(
        `^warning: a migration from node-a to node-b is already open on PVC vms/restart-disk \\(in-progress, started 5m3[0-2]s ago by event ${open.metadata.name.replace('.', '\\.')}\\); posting MigrationStarted again\\n$`,
      ),
    );
    // Another target is another migration: no warning.
    const other = await cli(['post-started', 'restart-disk', '--target', 'node-c']);
    expect(other.stderr).toBe('');
  });

  it("post-completed warns when the duration it posts exceeds the migration's timeout", async () => {
    const { claim: c, vol } = seedVolume('late-disk', { attachedTo: ['node-b'] });
    server.add(started(c, vol, 11 * 60_000));
    const res = await cli(['post-completed', 'late-disk']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(
      /^warning: the posted duration exceeds the migration's timeout \(5m\) by 6m(\ds)? \(migration node-a -> node-b, started 11m ago\)\n$/,
    );
    expect((posted()[0]!.body as { message: string }).message).toMatch(/\(duration: 11m[0-2]s\)$/);
  });

  it("with every value given, the timeout is the volume's when no migration is open", async () => {
    seedVolume('given-disk', { timeout: '600', attachedTo: ['node-b'] });
    const within = await cli([
      'post-failed',
      'given-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--reason',
      'x',
      '--elapsed',
      '10m',
    ]);
    expect(within.stderr).toBe('');
    const over = await cli([
      'post-failed',
      'given-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--reason',
      'x',
      '--elapsed',
      '10m1s',
    ]);
    expect(over.code).toBe(0);
    expect(over.stderr).toBe("warning: the posted elapsed time exceeds the migration's timeout (10m) by 1s\n");
    // The message carries whole seconds: 10m0.4s is 10m0s, within the timeout.
    const rounded = await cli([
      'post-failed',
      'given-disk',
      '--source',
      'node-a',
      '--target',
      'node-b',
      '--reason',
      'x',
      '--elapsed',
      '10m0.4s',
    ]);
    expect(rounded.stderr).toBe('');
  });

  it('post-completed and post-failed warn while the volume is still attached to both nodes', async () => {
    const { claim: c, vol } = seedVolume('busy-disk', { attachedTo: ['node-a', 'node-b'] });
    server.add(started(c, vol, 60_000));
    const derived = ['post-completed', 'busy-disk'];
    const given = ['post-failed', 'busy-disk', '--reason', 'manual abort', '--source', 'node-a', '--target', 'node-b', '--elapsed', '1m'];
    for (const args of [derived, given]) {
      const res = await cli(args);
      expect(res.code).toBe(0);
      expect(res.stderr).toBe(
        `warning: volume ${vol} is still attached to both node-a and node-b: the migration may not have ended, so this outcome may be premature\n`,
      );
    }
    expect(posted()).toHaveLength(2);
  });

  it('reads needed only for warnings are skipped where forbidden', async () => {
    const { claim: c, vol } = seedVolume('rbac-disk', { attachedTo: ['node-a', 'node-b'] });
    server.add(started(c, vol, 60_000));
    server.deny({ verb: 'list', resource: 'events' });
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const res = await cli(['post-completed', 'rbac-disk', '--source', 'node-a', '--target', 'node-b', '--duration', '1m', '--verbose']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(': not comparing with the open migration');
    expect(res.stderr).toContain(': not checking whether the volume is still attached to both nodes');
    expect(res.stderr).not.toContain('warning:');
    expect(posted()).toHaveLength(1);
  });
});

describe('cluster access and exit codes', () => {
  it('exit 3 names the missing PVC; --ignore-not-found makes it a warning', async () => {
    const res = await cli(['post-started', 'nope', '--target', 'node-b']);
    expect(res.code).toBe(3);
    expect(res.stderr).toBe('error: persistentvolumeclaims "nope" not found in namespace "vms"\n');
    const ignored = await cli(['post-started', 'nope', '--target', 'node-b', '--ignore-not-found']);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toBe('');
    expect(ignored.stderr).toBe('warning: persistentvolumeclaims "nope" not found in namespace "vms"; nothing posted\n');
    expect(server.writes()).toEqual([]);
  });

  it('-n overrides the context namespace', async () => {
    const res = await cli(['post-started', 'vm-disk', '--target', 'node-b', '-n', 'other']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('not found in namespace "other"');
  });

  it('--context and --kubeconfig pick the configuration; an unknown context is exit 3', async () => {
    const other = server.writeKubeconfig(dir, { fileName: 'other', contextName: 'lab', namespace: NS });
    const res = await runCli([
      'post-started',
      ...['vm-disk', '--source', 'node-a', '--target', 'node-b'],
      '--kubeconfig',
      other,
      '--context',
      'lab',
    ]);
    expect(res.code).toBe(0);
    const missing = await runCli(['post-started', 'vm-disk', '--target', 'node-b', '--kubeconfig', other, '--context', 'prod']);
    expect(missing.code).toBe(3);
    expect(missing.stderr.split('\n')[0]).toBe('error: context "prod" not found in kubeconfig');
  });

  it('--driver selects whose VolumeAttachments name the source node', async () => {
    const { volume: v } = seedVolume('other-driver-disk', { attachedTo: [] });
    server.add(volumeAttachment({ pv: v, node: 'node-a', attached: true, createdAt: new Date(), driver: DRIVER }));
    const theirVolume = structuredClone(v);
    theirVolume.spec.csi.driver = 'other.csi.example.com';
    server.add(theirVolume);
    server.add(volumeAttachment({ pv: theirVolume, node: 'node-x', attached: true, createdAt: new Date() }));
    const theirs = await cli(['post-started', 'other-driver-disk', '--target', 'node-b', '--driver', 'other.csi.example.com']);
    expect(theirs.code).toBe(0);
    expect((posted()[0]!.body as { message: string }).message).toContain('source: node-x, target: node-b');
  });

  it('KUBECONFIG with several paths skips missing files and lets the first current-context win', async () => {
    const first = server.writeKubeconfig(dir, { fileName: 'first', contextName: 'first', namespace: NS });
    const second = server.writeKubeconfig(dir, { fileName: 'second', contextName: 'second', namespace: 'elsewhere' });
    const res = await runCli(['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--dry-run', '-o', 'name'], {
      env: { KUBECONFIG: [join(dir, 'missing'), first, second].join(':') },
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^event\/vm-disk\./);
  });

  it('a forbidden create is exit 4 naming the RBAC it needs', async () => {
    server.deny({ verb: 'create', resource: 'events', namespace: NS });
    const res = await cli(['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-b']);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe('error: forbidden: cannot create events in namespace "vms" (needs RBAC: create events)\n');
  });

  it('a rejected token is exit 4', async () => {
    const bad = server.writeKubeconfig(dir, { fileName: 'badtoken', token: 'wrong', namespace: NS });
    const res = await runCli(['post-started', 'vm-disk', '--target', 'node-b'], { kubeconfig: bad });
    expect(res.code).toBe(4);
    expect(res.stderr.split('\n')[0]).toBe('error: unauthorized: the cluster rejected the credentials (401)');
  });

  it('an unreachable server is exit 4 with the address', async () => {
    const closed = server.writeKubeconfig(dir, { fileName: 'closed', server: 'https://127.0.0.1:1', namespace: NS });
    const res = await runCli(['post-started', 'vm-disk', '--target', 'node-b'], { kubeconfig: closed });
    expect(res.code).toBe(4);
    expect(res.stderr.split('\n')[0]).toBe('error: cannot reach the cluster at https://127.0.0.1:1: connection refused');
  });

  it('--request-timeout bounds every request', async () => {
    server.fault({ method: 'GET', path: /persistentvolumeclaims/, delayMs: 3000 });
    const res = await cli(['post-started', 'vm-disk', '--target', 'node-b', '--request-timeout', '500ms']);
    expect(res.code).toBe(4);
    expect(res.stderr.split('\n')[0]).toBe(
      `error: cannot reach the cluster at ${server.url}: request timed out after 0.5s (--request-timeout)`,
    );
  });

  it('a 503 on create is retried with the same name: one event', async () => {
    seedVolume('retry-disk');
    server.fault({ method: 'POST', path: `/api/v1/namespaces/${NS}/events`, status: 503, times: 1 });
    const res = await cli(['post-started', 'retry-disk', '--source', 'node-a', '--target', 'node-b']);
    expect(res.code).toBe(0);
    const names = posted().map((r) => (r.body as { metadata: { name: string } }).metadata.name);
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(names[1]);
    expect(server.objects('Event').filter((e) => e.involvedObject.name === 'retry-disk')).toHaveLength(1);
  });

  it('--verbose logs each request without the token', async () => {
    const res = await cli(['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--verbose']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^GET \/api\/v1\/namespaces\/vms\/persistentvolumeclaims\/vm-disk 200 \d+ms$/m);
    expect(res.stderr).toMatch(/^POST \/api\/v1\/namespaces\/vms\/events 201 \d+ms$/m);
    expect(res.stderr).not.toContain(server.token);
  });
});

describe('bad input: exit 2, one line naming the value, nothing written', () => {
  const tooLong = 'x'.repeat(1100);
  it.each([
    [
      'a PVC name with capitals',
      ['post-started', 'VM_Disk', '--target', 'node-b'],
      'invalid PVC name "VM_Disk": must be a DNS-1123 subdomain',
    ],
    [
      'a target with underscores',
      ['post-started', 'vm-disk', '--target', 'Node_B'],
      'invalid --target "Node_B": must be a DNS-1123 subdomain',
    ],
    [
      'a source starting with a dash',
      ['post-completed', 'vm-disk', '--source=-node', '--target', 'b', '--duration', '1s'],
      'invalid --source "-node"',
    ],
    [
      'a zero timeout',
      ['post-started', 'vm-disk', '--target', 'node-b', '--timeout', '0s'],
      'invalid --timeout "0s": must be greater than zero',
    ],
    [
      'a negative timeout',
      ['post-started', 'vm-disk', '--target', 'node-b', '--timeout=-5s'],
      'invalid --timeout "-5s": must not be negative',
    ],
    ['an unknown unit', ['post-started', 'vm-disk', '--target', 'node-b', '--timeout', '5x'], 'invalid --timeout "5x": unknown unit "x"'],
    ['an unparsable duration', ['post-completed', 'vm-disk', '--duration', 'abc'], 'invalid --duration "abc"'],
    ['a negative elapsed', ['post-failed', 'vm-disk', '--reason', 'r', '--elapsed=-1s'], 'invalid --elapsed "-1s": must not be negative'],
    ['post-failed without --reason', ['post-failed', 'vm-disk'], 'post-failed needs --reason <text>'],
    [
      'a two-line reason',
      ['post-failed', 'vm-disk', '--reason', 'two\nlines'],
      'invalid --reason "two\\nlines": must be one line of printable text',
    ],
    ['an empty reason', ['post-failed', 'vm-disk', '--reason', ''], 'invalid --reason "": must not be empty'],
    ['a reason with an escape sequence', ['post-failed', 'vm-disk', '--reason', 'a\u001b[2Jb'], 'invalid --reason "a\\u001b[2Jb"'],
    ['a reason over 1024 bytes', ['post-failed', 'vm-disk', '--reason', tooLong], 'invalid --reason "xxxxx'],
    ['post-started without --target', ['post-started', 'vm-disk'], 'post-started needs --target <node>'],
    [
      'source equal to target',
      ['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-a'],
      'invalid --target "node-a": must differ from --source',
    ],
    [
      'a bad namespace',
      ['post-started', 'vm-disk', '--target', 'node-b', '-n', 'Bad_NS'],
      'invalid --namespace "Bad_NS": must be a DNS-1123 label',
    ],
    [
      'a zero request timeout',
      ['post-started', 'vm-disk', '--target', 'node-b', '--request-timeout', '0'],
      'invalid --request-timeout "0": must be greater than zero',
    ],
    ['a volume id with a space', ['post-started', 'vm-disk', '--target', 'node-b', '--volume-id', 'a b'], 'invalid --volume-id "a b"'],
    [
      'an empty component',
      ['post-started', 'vm-disk', '--target', 'node-b', '--component', ''],
      'invalid --component "": must not be empty',
    ],
    [
      'an unknown output format',
      ['post-started', 'vm-disk', '--target', 'node-b', '-o', 'xml'],
      "option '-o, --output <format>' argument 'xml' is invalid",
    ],
    ['an unknown flag', ['post-started', 'vm-disk', '--target', 'node-b', '--frobnicate'], "unknown option '--frobnicate'"],
    ['a missing PVC argument', ['post-completed'], "missing required argument 'pvc'"],
    ['a bad driver name', ['post-started', 'vm-disk', '--target', 'node-b', '--driver', 'Bad Driver'], 'invalid --driver "Bad Driver"'],
    [
      'a missing kubeconfig',
      ['post-started', 'vm-disk', '--target', 'node-b', '--kubeconfig', '/nonexistent/kubeconfig'],
      '--kubeconfig "/nonexistent/kubeconfig": no such file',
    ],
  ])('%s', async (_what, args, expected) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toContain(expected);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a malformed kubeconfig is exit 2', async () => {
    const bad = join(dir, 'malformed');
    writeFileSync(bad, 'clusters: [\n  - : :');
    const res = await runCli(['post-started', 'vm-disk', '--target', 'node-b'], { kubeconfig: bad });
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(/^error: kubeconfig ".*malformed" is not valid YAML/);
  });

  it('no configuration at all is exit 4 with a hint', async () => {
    const res = await runCli(['post-started', 'vm-disk', '--target', 'node-b']);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe(
      'error: no cluster configuration found: no kubeconfig file and not running inside a cluster\nhint: set --kubeconfig or KUBECONFIG, or create ~/.kube/config\n',
    );
  });
});

describe.skipIf(!kubectlAvailable)('kubectl sees what rds-migrate posts', () => {
  it('kubectl describe pvc and get events show the MigrationStarted event with the PVC uid', async () => {
    const { vol } = seedVolume('kubectl-disk');
    const res = await cli(['post-started', 'kubectl-disk', '--source', 'node-a', '--target', 'node-b', '--timeout', '5m']);
    expect(res.code).toBe(0);
    const message = `[${vol}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`;

    const describe = await runKubectl(['describe', 'pvc', 'kubectl-disk', '-n', NS], { kubeconfig });
    expect(describe.code).toBe(0);
    const events = describe.stdout.slice(describe.stdout.indexOf('Events:')).trimEnd().split('\n');
    const row = events[3]!.trim().split(/\s{2,}/);
    expect(row[0]).toBe('Normal');
    expect(row[1]).toBe('MigrationStarted');
    expect(row[3]).toBe('rds-migrate');
    expect(row.slice(4).join('  ')).toBe(message);

    const list = await runKubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=MigrationStarted', '-o', 'json'], { kubeconfig });
    const items = (JSON.parse(list.stdout).items as any[]).filter((e) => e.involvedObject.name === 'kubectl-disk');
    expect(items).toHaveLength(1);
    expect(items[0].involvedObject.uid).toBe(
      server.objects('PersistentVolumeClaim').find((p) => p.metadata.name === 'kubectl-disk').metadata.uid,
    );
    expect(items[0].message).toBe(message);

    const forPvc = await runKubectl(['events', '--for', 'pvc/kubectl-disk', '-n', NS], { kubeconfig });
    expect(forPvc.stdout).toContain(message);
  });
});

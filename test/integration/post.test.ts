// post-started / post-completed / post-failed through the built binary against the fake API server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { event, namespace, pv, pvc, volumeAttachment } from '../helpers/objects.js';
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
function seedVolume(name: string, opts: { timeout?: string; attachedTo?: string[] } = {}) {
  const uid = `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const vol = `pvc-${uid}`;
  const c = pvc({ namespace: NS, name, uid, volumeName: vol, resourceVersion: '77' });
  const v = pv({ name: vol, claimRef: { namespace: NS, name, uid }, ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}) });
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
  server = await startFakeServer({ objects: [namespace(NS), claim, volume, attachedA, pvc({ namespace: NS, name: 'unbound-disk' })] });
  dir = mkdtempSync(join(tmpdir(), 'rds-post-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

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

  it('--dry-run prints the Event and writes nothing', async () => {
    const res = await cli(['post-started', ...fixed, '--dry-run']);
    expect(res.code).toBe(0);
    const body = parseYaml(res.stdout);
    expect(body.message).toBe(`[${VOL}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`);
    expect(body.eventTime).toBeNull();
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
      '--dry-run',
      '-o',
      'json',
    ]);
    expect(JSON.parse(json.stdout).type).toBe('Warning');
    expect(server.writes()).toEqual([]);
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
    server.add(volumeAttachment({ pv: v, node: 'node-x', attached: true, createdAt: new Date(), driver: 'other.csi.example.com' }));
    const ours = await cli(['post-started', 'other-driver-disk', '--target', 'node-b']);
    expect(ours.code).toBe(2);
    expect(ours.stderr.split('\n')[0]).toMatch(/is not attached to any node$/);
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

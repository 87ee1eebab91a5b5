// `audit` through the built binary against the fake API server. The cluster is
// seeded once (beforeAll) and never changed, so cluster-wide counts are known in every test;
// each scenario lives in its own namespace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, type RecordedRequest, startFakeServer } from '../fake/server.js';
import { event, namespace, pv, pvc, volumeAttachment, withNodes } from '../helpers/objects.js';
import {
  auditSchema,
  checkMigrationInvariants,
  checkSchema,
  completedMessage,
  failedMessage,
  newVolumeIdentity,
  startedMessage,
} from '../helpers/read-side.js';
import { runCli } from '../helpers/run-cli.js';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

const cli = (args: string[], env?: Record<string, string>) => runCli(args, { kubeconfig, ...(env ? { env } : {}) });
const auditJson = async (args: string[]) => {
  const res = await cli(['audit', '-o', 'json', ...args]);
  if (res.code !== 0 && res.code !== 1) throw new Error(`audit failed (${res.code}): ${res.stderr}`);
  return { ...res, doc: JSON.parse(res.stdout) };
};

const NAMESPACES = ['a-ok', 'b-warn', 'c-err', 'd-info', 'e-stuck', 'f-multi', 'g-ceph', 'h-empty'];

/** Builds the cluster: one scenario per namespace, times relative to `now`. */
function buildCluster(now: number): object[] {
  const ago = (s: number) => new Date(now - s * 1000);
  const objects: object[] = NAMESPACES.map((ns) => namespace(ns));
  const volume = (ns: string, name: string, opts: { timeout?: string; driver?: string } = {}) => {
    const { uid, vol } = newVolumeIdentity();
    const claim = pvc({ namespace: ns, name, uid, volumeName: vol });
    const v = pv({
      name: vol,
      claimRef: { namespace: ns, name, uid },
      ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
      ...(opts.driver !== undefined ? { driver: opts.driver } : {}),
    });
    objects.push(claim, v);
    return { claim, v, vol };
  };
  const attach = (v: any, node: string, secondsAgo: number) =>
    objects.push(volumeAttachment({ pv: v, node, attached: true, createdAt: ago(secondsAgo) }));
  const ev = (claim: any, reason: string, message: string, secondsAgo: number) =>
    objects.push(
      event({ pvc: claim, reason, type: reason === 'MigrationFailed' ? 'Warning' : 'Normal', message, firstTimestamp: ago(secondsAgo) }),
    );

  // a-ok: one fast completed migration, attached to its target.
  const ok = volume('a-ok', 'ok-disk', { timeout: '300' });
  ev(ok.claim, 'MigrationStarted', startedMessage(ok.vol, 'node-a', 'node-b', '5m0s'), 1200);
  ev(ok.claim, 'MigrationCompleted', completedMessage(ok.vol, 'node-a', 'node-b', '1m0s'), 1140);
  attach(ok.v, 'node-b', 1200);
  // KubeVirt's MigrationStarted on a VirtualMachineInstance: same reason, not the driver's.
  objects.push({
    ...event({
      pvc: ok.claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: 'VMI is migrating',
      firstTimestamp: ago(1190),
      component: 'virt-controller',
    }),
    involvedObject: {
      kind: 'VirtualMachineInstance',
      apiVersion: 'kubevirt.io/v1',
      namespace: 'a-ok',
      name: 'ok-vm',
      uid: 'aaaaaaaa-0000-4000-8000-000000000001',
    },
    metadata: { name: 'ok-vm.vmi', namespace: 'a-ok' },
  });

  // b-warn: a slow migration (4m10s of 5m0s) and an unparsed MigrationStarted.
  const slow = volume('b-warn', 'slow-disk', { timeout: '300' });
  ev(slow.claim, 'MigrationStarted', startedMessage(slow.vol, 'node-a', 'node-b', '5m0s'), 2400);
  ev(slow.claim, 'MigrationCompleted', completedMessage(slow.vol, 'node-a', 'node-b', '4m10s'), 2150);
  attach(slow.v, 'node-b', 2400);
  const odd = volume('b-warn', 'odd-disk');
  ev(odd.claim, 'MigrationStarted', 'migration started by hand, see ticket 42', 600);

  // c-err: a failed migration.
  const fail = volume('c-err', 'fail-disk', { timeout: '300' });
  ev(fail.claim, 'MigrationStarted', startedMessage(fail.vol, 'node-c', 'node-d', '5m0s'), 1800);
  ev(fail.claim, 'MigrationFailed', failedMessage(fail.vol, 'node-c', 'node-d', 'timeout', '5m0s'), 1500);
  attach(fail.v, 'node-c', 7200);

  // d-info: a migration in progress, dual-attached for 2 minutes of its 10.
  const live = volume('d-info', 'live-disk', { timeout: '600' });
  ev(live.claim, 'MigrationStarted', startedMessage(live.vol, 'node-a', 'node-b', '10m0s'), 120);
  attach(live.v, 'node-a', 7200);
  attach(live.v, 'node-b', 120);

  // e-stuck: an unresolved migration whose volume is stuck dual-attached, and an older completed one.
  const stuck = volume('e-stuck', 'stuck-disk', { timeout: '300' });
  ev(stuck.claim, 'MigrationStarted', startedMessage(stuck.vol, 'node-e', 'node-f', '5m0s'), 1200);
  attach(stuck.v, 'node-e', 10800);
  attach(stuck.v, 'node-f', 1200);
  const past = volume('e-stuck', 'past-disk', { timeout: '300' });
  ev(past.claim, 'MigrationStarted', startedMessage(past.vol, 'node-e', 'node-g', '5m0s'), 2700);
  ev(past.claim, 'MigrationCompleted', completedMessage(past.vol, 'node-e', 'node-g', '1m0s'), 2640);
  attach(past.v, 'node-g', 2700);

  // f-multi: attached to three nodes, which the driver must never allow.
  const multi = volume('f-multi', 'multi-disk');
  attach(multi.v, 'node-a', 3600);
  attach(multi.v, 'node-b', 1800);
  attach(multi.v, 'node-c', 600);

  // g-ceph: another driver's dual-attach is not ours.
  const ceph = volume('g-ceph', 'ceph-disk', { driver: 'rook-ceph.rbd.csi.ceph.com' });
  attach(ceph.v, 'node-a', 7200);
  attach(ceph.v, 'node-b', 3600);
  return objects;
}

/** The report without what depends on the instant it was made (now, ages, horizon and finding texts that quote ages). */
function stable(doc: any): any {
  const copy = structuredClone(doc);
  delete copy.now;
  delete copy.horizon;
  for (const d of [...copy.dualAttaches, ...(copy.multiAttaches ?? [])]) delete d.ageSeconds;
  copy.findings = copy.findings.map((f: any) => ({
    severity: f.severity,
    code: f.code,
    namespace: f.namespace,
    pvc: f.pvc,
    volumeId: f.volumeId,
  }));
  return copy;
}

const eventRequests = (): RecordedRequest[] => server.requests.filter((r) => /\/events$/.test(r.path));

let baseline: any;

beforeAll(async () => {
  server = await startFakeServer({ objects: withNodes(buildCluster(Date.now())) });
  dir = mkdtempSync(join(tmpdir(), 'rds-audit-'));
  // The context's namespace must not narrow an audit: all namespaces is the default.
  kubeconfig = server.writeKubeconfig(dir, { namespace: 'a-ok' });
  baseline = (await auditJson([])).doc;
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

describe('audit output formats', () => {
  it('-o json covers the whole cluster by default and follows docs/output.md', async () => {
    const { code, stderr, doc } = await auditJson([]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(checkMigrationInvariants(doc.migrations)).toEqual([]);
    expect(doc.scope).toEqual({ namespace: null, driver: 'rds.csi.srvlab.io' });
    expect(doc.summary).toEqual({
      migrations: 6,
      completed: 3,
      failed: 1,
      inProgress: 1,
      unresolved: 1,
      untimedOccurrences: 0,
      dualAttaches: 2,
      stuckDualAttaches: 1,
      multiAttaches: 1,
      findings: { error: 3, warning: 3, info: 1 },
      excluded: 0,
      durationSeconds: { count: 3, min: 60, p50: 60, p95: 250, max: 250 },
    });
    expect(doc.migrations.map((m: any) => `${m.namespace}/${m.pvc} ${m.state}`)).toEqual([
      'e-stuck/past-disk completed',
      'b-warn/slow-disk completed',
      'c-err/fail-disk failed',
      'a-ok/ok-disk completed',
      'e-stuck/stuck-disk unresolved',
      'd-info/live-disk in-progress',
    ]);
    expect(doc.findings.map((f: any) => `${f.severity} ${f.code} ${f.namespace}/${f.pvc}`)).toEqual([
      'error MigrationFailed c-err/fail-disk',
      'error StuckDualAttach e-stuck/stuck-disk',
      'error MultiAttach f-multi/multi-disk',
      'warning UnparsedEvent b-warn/odd-disk',
      'warning SlowMigration b-warn/slow-disk',
      'warning UnresolvedMigration e-stuck/stuck-disk',
      'info DualAttachInProgress d-info/live-disk',
    ]);
    expect(doc.dualAttaches.map((d: any) => [d.pvc, d.nodes, d.stuck, d.timeoutSeconds])).toEqual([
      ['live-disk', ['node-a', 'node-b'], false, 600],
      ['stuck-disk', ['node-e', 'node-f'], true, 300],
    ]);
    expect(doc.dualAttaches[1].ageSeconds).toBeGreaterThanOrEqual(1200);
    expect(doc.multiAttaches.map((d: any) => d.nodes)).toEqual([['node-a', 'node-b', 'node-c']]);
    expect(doc.warnings).toEqual([]);
    // Reading is all the audit does.
    expect(server.writes()).toEqual([]);
  });

  it('-o yaml carries the same report as -o json', async () => {
    const res = await cli(['audit', '-o', 'yaml']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('');
    const doc = parseYaml(res.stdout);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(stable(doc)).toEqual(stable(baseline));
    expect(res.stdout).toMatch(/^apiVersion: rds-migrate\/v1\nkind: MigrationAudit\nnow: "\d{4}-/);
  });

  it('-o table prints summary, findings by severity, migrations and dual-attaches, without colour when piped', async () => {
    const res = await cli(['audit']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(''); // no spinner on a pipe
    expect(res.stdout).not.toContain('\x1b');
    const out = res.stdout;
    const order = ['SUMMARY', 'FINDINGS', 'MIGRATIONS', 'DUAL-ATTACHES', 'MULTI-ATTACHES'].map((t) => out.indexOf(`${t}\n`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out).toMatch(/^Migrations: +6 \(3 completed, 1 failed, 1 in-progress, 1 unresolved\)$/m);
    expect(out).toMatch(/^Dual-attaches: +2 \(1 stuck\)$/m);
    expect(out).toMatch(/^Findings: +3 error, 3 warning, 1 info$/m);
    expect(out).toMatch(/^Durations: +3 completed: min 60s, p50 60s, p95 4m10s, max 4m10s$/m);
    expect(out).toMatch(/^ERROR \(3\)\n {2}MigrationFailed: c-err\/fail-disk/m);
    expect(out).toMatch(/^WARNING \(3\)$/m);
    expect(out).toMatch(/^INFO \(1\)\n {2}DualAttachInProgress: d-info\/live-disk/m);
    expect(out).toMatch(/^NAMESPACE +PVC +SOURCE +TARGET +STATE +AGE +DURATION +TIMEOUT$/m);
    expect(out).toMatch(/^b-warn +slow-disk +node-a +node-b +completed +40m +4m10s +5m$/m);
    // The volume ID and the VolumeAttachments are in -o wide: the PVC names the volume.
    expect(out).toMatch(/^NAMESPACE +PVC +NODES +VM ON +AGE +TIMEOUT +STUCK$/m);
    expect(out).toMatch(/^e-stuck +stuck-disk +node-e,node-f +<none> +20m +5m +yes$/m);
    expect(out).toMatch(/^d-info +live-disk +node-a,node-b +<none> +2m(\d+s)? +10m +no$/m);
    expect(out).not.toContain('ceph-disk');
    expect(out).not.toContain('WARNINGS');
  });

  it('-o wide adds volume, id, start time and events to migrations, and since and VolumeAttachments to dual-attaches', async () => {
    const res = await cli(['audit', '-o', 'wide', '-n', 'e-stuck']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /^NAMESPACE +PVC +SOURCE +TARGET +STATE +AGE +DURATION +TIMEOUT +VOLUME +ID +STARTED AT +FAILURE REASON +RECORDED BY +VMIM +EVENTS$/m,
    );
    expect(res.stdout).toMatch(/^NAMESPACE +PVC +VOLUME +NODES +VM ON +AGE +TIMEOUT +STUCK +SINCE +VOLUMEATTACHMENTS +USERS$/m);
    expect(res.stdout).toMatch(
      /^e-stuck +stuck-disk +pvc-\S+ +node-e,node-f +<none> +20m +5m +yes +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +csi-[0-9a-f]{64},csi-[0-9a-f]{64} +<none>$/m,
    );
    expect(res.stdout).toMatch(
      /^e-stuck +stuck-disk +node-e +node-f +unresolved +20m +<none> +5m +pvc-\S+ +e-stuck\/stuck-disk\/\S+ +\S+Z +<none> +events +<none> +stuck-disk\.[0-9a-f]+$/m,
    );
  });

  it('-o prometheus prints gauges and the duration histogram with HELP and TYPE', async () => {
    const res = await cli(['audit', '-o', 'prometheus']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('');
    const lines = res.stdout.trimEnd().split('\n');
    const samples = Object.fromEntries(
      lines.filter((l) => !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)]),
    );
    expect(samples).toMatchObject({
      'rds_migrate_audit_migrations{state="completed"}': '3',
      'rds_migrate_audit_migrations{state="failed"}': '1',
      'rds_migrate_audit_migrations{state="in-progress"}': '1',
      'rds_migrate_audit_migrations{state="unresolved"}': '1',
      rds_migrate_audit_dual_attaches: '2',
      rds_migrate_audit_stuck_dual_attaches: '1',
      rds_migrate_audit_multi_attaches: '1',
      'rds_migrate_audit_findings{severity="error"}': '3',
      'rds_migrate_audit_findings{severity="warning"}': '3',
      'rds_migrate_audit_findings{severity="info"}': '1',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="15"}': '0',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="60"}': '2',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="180"}': '2',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="300"}': '3',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="600"}': '3',
      'rds_migrate_audit_migration_duration_seconds_bucket{le="+Inf"}': '3',
      rds_migrate_audit_migration_duration_seconds_sum: '370',
      rds_migrate_audit_migration_duration_seconds_count: '3',
    });
    const stamp = Number(samples.rds_migrate_audit_timestamp_seconds);
    expect(Math.abs(stamp - Date.now() / 1000)).toBeLessThan(30);
    for (const name of ['migrations', 'dual_attaches', 'stuck_dual_attaches', 'multi_attaches', 'findings', 'timestamp_seconds']) {
      expect(lines).toContain(`# TYPE rds_migrate_audit_${name} gauge`);
      expect(lines.some((l) => l.startsWith(`# HELP rds_migrate_audit_${name} `))).toBe(true);
    }
    expect(lines).toContain('# TYPE rds_migrate_audit_migration_duration_seconds histogram');
  });
});

describe('audit reading the cluster', () => {
  it('reads each migration reason with a server-side field selector, and VolumeAttachments and PVs', async () => {
    await cli(['audit', '-o', 'json']);
    const events = eventRequests();
    expect(events.every((r) => r.path === '/api/v1/events')).toBe(true);
    expect(events.map((r) => r.query.fieldSelector).sort()).toEqual([
      'reason=MigrationCompleted',
      'reason=MigrationFailed',
      'reason=MigrationStarted',
    ]);
    expect(events.every((r) => r.query.limit === '500')).toBe(true);
    expect(server.requests.filter((r) => r.path === '/apis/storage.k8s.io/v1/volumeattachments')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/api/v1/persistentvolumes')).toHaveLength(1);
  });

  it('--chunk-size 2 follows continue tokens across several pages and counts the same', async () => {
    const { code, doc } = await auditJson(['--chunk-size', '2']);
    expect(code).toBe(1);
    expect(stable(doc)).toEqual(stable(baseline));
    const started = eventRequests().filter((r) => r.query.fieldSelector === 'reason=MigrationStarted');
    // 8 MigrationStarted events (the VMI's included) → 4 full pages; the etcd store may add an empty 5th.
    expect(started.length).toBeGreaterThanOrEqual(4);
    expect(started.every((r) => r.query.limit === '2')).toBe(true);
    expect(started[0]!.query.continue).toBeUndefined();
    expect(started.slice(1).every((r) => typeof r.query.continue === 'string' && r.query.continue !== '')).toBe(true);
    const vas = server.requests.filter((r) => r.path === '/apis/storage.k8s.io/v1/volumeattachments');
    expect(vas.length).toBeGreaterThanOrEqual(7); // 13 VolumeAttachments
    expect(vas.filter((r) => r.query.continue).length).toBe(vas.length - 1);
    expect(server.requests.filter((r) => r.path === '/api/v1/persistentvolumes').length).toBeGreaterThanOrEqual(5);
  });

  it('restarts a list whose continue token expired (410) and still counts right', async () => {
    server.expireContinueTokens(1);
    const { code, doc, stderr } = await auditJson(['--chunk-size', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stable(doc)).toEqual(stable(baseline));
    const expired = server.requests.filter((r) => r.status === 410);
    expect(expired).toHaveLength(1);
    const gone = expired[0]!;
    const after = server.requests.slice(server.requests.indexOf(gone) + 1);
    // The same list started over from its first page.
    expect(
      after.some((r) => r.path === gone.path && r.query.fieldSelector === gone.query.fieldSelector && r.query.continue === undefined),
    ).toBe(true);
  });

  it('gives up with exit 4 when continue tokens keep expiring', async () => {
    server.expireContinueTokens(1000);
    const res = await cli(['audit', '--chunk-size', '2']);
    expect(res.code).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toMatch(/^error: /);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("-n reads only that namespace's events and keeps only its dual-attaches", async () => {
    const { code, doc } = await auditJson(['-n', 'c-err']);
    expect(code).toBe(1);
    expect(doc.scope.namespace).toBe('c-err');
    expect(eventRequests().map((r) => r.path)).toEqual(Array(3).fill('/api/v1/namespaces/c-err/events'));
    expect(doc.migrations.map((m: any) => m.pvc)).toEqual(['fail-disk']);
    expect(doc.dualAttaches).toEqual([]);
    expect(doc.multiAttaches).toEqual([]);
    expect(doc.findings.map((f: any) => f.code)).toEqual(['MigrationFailed']);
    expect(doc.summary.dualAttaches).toBe(0);

    const stuck = await auditJson(['-n', 'e-stuck']);
    expect(stuck.doc.dualAttaches.map((d: any) => d.pvc)).toEqual(['stuck-disk']);
    expect(stuck.doc.findings.map((f: any) => f.code)).toEqual(['StuckDualAttach', 'UnresolvedMigration']);
  });

  it('-n of a namespace with nothing in it is an empty report, not an error', async () => {
    const { code, doc } = await auditJson(['-n', 'h-empty']);
    expect(code).toBe(0);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(doc.migrations).toEqual([]);
    expect(doc.dualAttaches).toEqual([]);
    expect(doc.findings).toEqual([]);
    expect(doc.summary.durationSeconds).toEqual({ count: 0, min: null, p50: null, p95: null, max: null });
    const table = await cli(['audit', '-n', 'h-empty']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('No findings.');
    expect(table.stdout).toContain('No migrations found.');
  });

  it('-n of a namespace that does not exist is exit 3, so a typo cannot pass as "no findings"', async () => {
    const res = await cli(['audit', '-n', 'no-such-namespace', '-o', 'json']);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('error: namespaces "no-such-namespace" not found\n');
  });

  it('-n where reading namespaces is forbidden skips the check', async () => {
    server.deny({ verb: 'get', resource: 'namespaces' });
    const res = await cli(['audit', '-n', 'h-empty', '-o', 'json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).warnings).toEqual([]);
  });

  it('-A is accepted and means all namespaces; -n with -A is a usage error', async () => {
    const { code, doc } = await auditJson(['-A']);
    expect(code).toBe(1);
    expect(doc.scope.namespace).toBeNull();
    expect(stable(doc)).toEqual(stable(baseline));
    expect(eventRequests().every((r) => r.path === '/api/v1/events')).toBe(true);
    server.reset();
    const both = await cli(['audit', '-n', 'c-err', '-A']);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toBe('error: --namespace and --all-namespaces cannot be used together\n');
    expect(server.requests).toEqual([]);
  });

  it('a forbidden VolumeAttachments list is a warning; the exit code still follows the findings', async () => {
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const { code, doc, stderr } = await auditJson(['-n', 'c-err']);
    expect(code).toBe(1); // the failed migration
    expect(stderr).toBe('');
    expect(doc.warnings).toEqual([
      expect.stringMatching(/^VolumeAttachments could not be read: forbidden: .*volumeattachments/),
      'VolumeAttachments could not be read, so no StuckDualAttach, MultiAttach, DualAttachInProgress, UnsafeSharedAttach, StaleAttachment, AttachedToMissingNode or DetachStuck findings could be made.',
    ]);
    expect(doc.findings.map((f: any) => f.code)).toEqual(['MigrationFailed']);

    const all = await auditJson([]);
    expect(all.doc.dualAttaches).toEqual([]);
    expect(all.doc.summary.multiAttaches).toBe(0);
    expect(all.doc.findings.map((f: any) => f.code)).not.toContain('StuckDualAttach');

    const table = await cli(['audit', '-n', 'd-info']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /\nWARNINGS\nWarning: VolumeAttachments could not be read: forbidden: [^\n]*\n( {9}[^\n]*\n)*Warning: VolumeAttachments could not be read, so no\s+StuckDualAttach/,
    );
  });

  it('forbidden event lists are warnings saying which findings may be missing; attachments are still audited', async () => {
    server.deny({ verb: 'list', resource: 'events' });
    const { code, doc } = await auditJson([]);
    expect(doc.migrations).toEqual([]);
    expect(
      doc.warnings.filter((w: string) => /^Migration(Started|Completed|Failed) events could not be read: forbidden/.test(w)),
    ).toHaveLength(3);
    expect(doc.warnings).toContain(
      'Migration events could not be read, so migrations are missing and MigrationFailed, UnresolvedMigration, SlowMigration and UnparsedEvent findings may be too.',
    );
    expect(doc.summary.dualAttaches).toBeGreaterThan(0);
    expect(code).toBe(doc.summary.findings.error > 0 ? 1 : 0);
  });

  it('a forbidden PersistentVolumes list is a warning; timeouts fall back to the messages and 300s', async () => {
    server.deny({ verb: 'list', resource: 'persistentvolumes' });
    const { code, doc } = await auditJson(['-n', 'd-info']);
    expect(code).toBe(0);
    expect(doc.warnings[0]).toMatch(/^PersistentVolumes could not be read: forbidden/);
    // The in-progress migration keeps its own 10m0s.
    expect(doc.migrations[0]).toMatchObject({ state: 'in-progress', timeoutSeconds: 600 });
    // Without PVs no attachment can be placed in d-info: they are not shown, and the report says so.
    expect(doc.dualAttaches).toEqual([]);
    expect(doc.warnings.slice(1)).toEqual([
      'PersistentVolumes could not be read, so migrations without a timeout in their events use the default of 300s and attachments name no PVC.',
      expect.stringMatching(
        /^3 volume\(s\) attached to several nodes could not be placed in a namespace .* and are not shown: pvc-.*; audit all namespaces to see them\.$/,
      ),
    ]);
    // Across all namespaces they are shown, without a PVC, judged by the default 300s.
    const all = await auditJson([]);
    expect(all.doc.dualAttaches.map((d: any) => [d.namespace, d.pvc, d.timeoutSeconds])).toEqual([
      [null, null, 300],
      [null, null, 300],
    ]);
    expect(all.doc.warnings.join('\n')).not.toContain('could not be placed');
  });
});

describe('audit --fail-on', () => {
  it.concurrent.each([
    ['a-ok', 'error', 0],
    ['a-ok', 'never', 0],
    ['b-warn', 'error', 0],
    ['b-warn', 'warning', 1],
    ['b-warn', 'never', 0],
    ['c-err', 'error', 1],
    ['c-err', 'warning', 1],
    ['c-err', 'never', 0],
    ['d-info', 'warning', 0],
  ] as const)('-n %s --fail-on %s exits %d', async (ns, level, exit) => {
    const res = await cli(['audit', '-n', ns, '--fail-on', level, '-o', 'json']);
    expect(res.code).toBe(exit);
    expect(JSON.parse(res.stdout).scope.namespace).toBe(ns);
  });
});

describe('audit options', () => {
  it('--fail-on rejects other levels', async () => {
    const res = await cli(['audit', '--fail-on', 'info']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: option '--fail-on <level>' argument 'info' is invalid/);
  });

  it('--since drops older migrations but keeps attachment findings', async () => {
    const { code, doc } = await auditJson(['-n', 'e-stuck', '--since', '30m']);
    expect(code).toBe(1);
    expect(doc.migrations.map((m: any) => m.pvc)).toEqual(['stuck-disk']); // past-disk started 45m ago
    const recent = await auditJson(['-n', 'e-stuck', '--since', '10m']);
    expect(recent.doc.migrations).toEqual([]);
    expect(recent.doc.findings.map((f: any) => f.code)).toEqual(['StuckDualAttach']);
    expect(recent.doc.summary.stuckDualAttaches).toBe(1);
    expect(recent.code).toBe(1);
  });

  it('--stuck-after turns an in-progress dual-attach into a stuck one', async () => {
    const before = await auditJson(['-n', 'd-info']);
    expect(before.code).toBe(0);
    expect(before.doc.findings.map((f: any) => f.code)).toEqual(['DualAttachInProgress']);
    const after = await auditJson(['-n', 'd-info', '--stuck-after', '1m']);
    expect(after.code).toBe(1);
    expect(after.doc.dualAttaches[0]).toMatchObject({ stuck: true, timeoutSeconds: 60 });
    expect(after.doc.findings.map((f: any) => f.code)).toEqual(['StuckDualAttach']);
    // The migration still judges itself by its own timeout.
    expect(after.doc.migrations[0].state).toBe('in-progress');
  });

  it('--now is an input error online, before any request', async () => {
    const res = await cli(['audit', '--now', '2026-11-26T10:00:00Z']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toBe('error: --now applies only to --from-file audits; a live audit runs at the current time');
    expect(server.requests).toEqual([]);
  });

  it.each([
    [['--since', '-5m'], /^error: invalid --since "-5m"/],
    [['--stuck-after', '0'], /^error: invalid --stuck-after "0": must be greater than zero/],
    [['--chunk-size', '0'], /^error: invalid --chunk-size "0": must be a whole number/],
  ])('rejects %j with exit 2', async (args, message) => {
    const res = await cli(['audit', ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(server.requests).toEqual([]);
  });
});

// The whole migration through the built binary against the fake API server: KubeVirt served or
// not, its lists forbidden, every finding the VMs, their pods and the kubelets add, --exclude,
// and `events` showing the VM. Each scenario lives in its own namespace of one cluster built
// relative to now.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { event, launcherPod, namespace, node, pod, pv, pvc, vmi, vmim, volumeAttachment } from '../helpers/objects.js';
import {
  auditSchema,
  checkSchema,
  completedMessage,
  failedMessage,
  historySchema,
  newVolumeIdentity,
  startedMessage,
} from '../helpers/read-side.js';
import { runCli } from '../helpers/run-cli.js';

let server: FakeServer;
let plain: FakeServer;
let dir: string;
let kubeconfig: string;

const DRIVER = 'rds.csi.srvlab.io';
const inUse = (vol: string): string => `kubernetes.io/csi/${DRIVER}^${vol}`;

/** The cluster: one scenario per namespace, times relative to `now`. */
function buildCluster(now: number): object[] {
  const ago = (s: number) => new Date(now - s * 1000);
  const objects: object[] = [];
  const nodes = new Map<string, string[]>();
  const use = (n: string, vol?: string) => {
    const list = nodes.get(n) ?? [];
    if (vol !== undefined) list.push(inUse(vol));
    nodes.set(n, list);
  };
  const volume = (ns: string, name: string) => {
    const { uid, vol } = newVolumeIdentity();
    const claim = pvc({ namespace: ns, name, uid, volumeName: vol });
    const v = pv({ name: vol, claimRef: { namespace: ns, name, uid }, timeout: '300' });
    objects.push(namespace(ns), claim, v);
    return { claim, v, vol };
  };
  const attach = (x: { v: any; vol: string }, n: string, secondsAgo: number, o: { kubeletUses?: boolean; deletedAgo?: number } = {}) => {
    objects.push(
      volumeAttachment({
        pv: x.v,
        node: n,
        attached: true,
        createdAt: ago(secondsAgo),
        ...(o.deletedAgo !== undefined ? { deletionTimestamp: ago(o.deletedAgo) } : {}),
      }),
    );
    if (n !== 'gone') use(n, o.kubeletUses === false ? undefined : x.vol);
  };
  const ev = (claim: any, reason: string, message: string, secondsAgo: number) =>
    objects.push(
      event({ pvc: claim, reason, type: reason === 'MigrationFailed' ? 'Warning' : 'Normal', message, firstTimestamp: ago(secondsAgo) }),
    );

  // k-mismatch: the driver recorded Failed, KubeVirt Succeeded.
  const mm = volume('k-mismatch', 'db-disk');
  ev(mm.claim, 'MigrationStarted', startedMessage(mm.vol, 'w1', 'w2', '5m0s'), 900);
  ev(mm.claim, 'MigrationFailed', failedMessage(mm.vol, 'w1', 'w2', 'timeout', '5m0s'), 600);
  attach(mm, 'w2', 900);
  const mmVm = vmi({ namespace: 'k-mismatch', name: 'db', node: 'w2', pvcs: ['db-disk'] });
  objects.push(
    mmVm,
    vmim({
      namespace: 'k-mismatch',
      name: 'kubevirt-migrate-vm-db',
      vmi: 'db',
      phase: 'Succeeded',
      createdAt: ago(905),
      transitions: { Scheduled: ago(895), Succeeded: ago(590) },
      state: { sourceNode: 'w1', targetNode: 'w2', endTimestamp: ago(590) },
    }),
    launcherPod({ vmi: mmVm, name: 'virt-launcher-db-2kx9q', node: 'w2' }),
  );

  // k-missing: KubeVirt migrated the VM (two driver disks), the driver recorded nothing.
  const d1 = volume('k-missing', 'app-root');
  const d2 = volume('k-missing', 'app-data');
  attach(d1, 'w3', 400);
  attach(d2, 'w3', 400);
  objects.push(
    vmi({ namespace: 'k-missing', name: 'app', node: 'w3', pvcs: ['app-root', 'app-data'] }),
    vmim({
      namespace: 'k-missing',
      name: 'kubevirt-evacuation-app',
      vmi: 'app',
      phase: 'Succeeded',
      createdAt: ago(420),
      transitions: { Scheduled: ago(410), Succeeded: ago(380) },
      state: { sourceNode: 'w1', targetNode: 'w3', endTimestamp: ago(380) },
    }),
  );

  // k-retried: a failure followed by a completed migration, and history older than the TTL.
  const rt = volume('k-retried', 'web-disk');
  ev(rt.claim, 'MigrationStarted', startedMessage(rt.vol, 'w1', 'w2', '5m0s'), 1500);
  ev(rt.claim, 'MigrationFailed', failedMessage(rt.vol, 'w1', 'w2', 'timeout', '5m0s'), 1200);
  ev(rt.claim, 'MigrationStarted', startedMessage(rt.vol, 'w1', 'w2', '5m0s'), 1000);
  ev(rt.claim, 'MigrationCompleted', completedMessage(rt.vol, 'w1', 'w2', '40s'), 960);
  attach(rt, 'w2', 1000);
  objects.push(
    vmi({ namespace: 'k-retried', name: 'web', node: 'w2', pvcs: ['web-disk'] }),
    vmim({
      namespace: 'k-retried',
      name: 'kubevirt-migrate-vm-old',
      vmi: 'web',
      phase: 'Succeeded',
      createdAt: ago(20_000),
      transitions: { Scheduled: ago(19_990), Succeeded: ago(19_900) },
      state: { sourceNode: 'w2', targetNode: 'w1', endTimestamp: ago(19_900) },
    }),
  );

  // k-shared: a plain pod writes to a VM's dual-attached block volume.
  const sh = volume('k-shared', 'erp-disk');
  attach(sh, 'w1', 80_000);
  attach(sh, 'w4', 100);
  const shVm = vmi({ namespace: 'k-shared', name: 'erp', node: 'w1', pvcs: ['erp-disk'] });
  objects.push(
    shVm,
    launcherPod({ vmi: shVm, name: 'virt-launcher-erp-8sd2k', node: 'w1' }),
    pod({ namespace: 'k-shared', name: 'dd-backup', node: 'w4', pvcs: ['erp-disk'] }),
  );

  // k-kubelet: stale, on a deleted node, stuck detaching.
  const stale = volume('k-kubelet', 'stale-disk');
  attach(stale, 'w1', 3600, { kubeletUses: false });
  const lost = volume('k-kubelet', 'lost-disk');
  attach(lost, 'gone', 3600);
  const stuck = volume('k-kubelet', 'stuck-disk');
  attach(stuck, 'w2', 3600, { deletedAgo: 1800 });

  for (const [name, volumes] of nodes) objects.push(node(name, volumes));
  return objects;
}

const cli = (args: string[], cfg = kubeconfig) => runCli(args, { kubeconfig: cfg });
const auditJson = async (args: string[], cfg = kubeconfig) => {
  const res = await cli(['audit', '-o', 'json', ...args], cfg);
  if (res.code !== 0 && res.code !== 1) throw new Error(`audit failed (${res.code}): ${res.stderr}`);
  return { ...res, doc: JSON.parse(res.stdout) };
};
const codes = (doc: any) => doc.findings.map((f: any) => `${f.code} ${f.namespace}/${f.pvc}`);

beforeAll(async () => {
  const objects = buildCluster(Date.now());
  server = await startFakeServer({ objects, kubevirt: true });
  plain = await startFakeServer({ objects: objects.filter((o: any) => !String(o.apiVersion).startsWith('kubevirt.io')) });
  dir = mkdtempSync(join(tmpdir(), 'rds-kubevirt-'));
  kubeconfig = server.writeKubeconfig(dir);
});
afterAll(async () => {
  await server?.close();
  await plain?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  plain.reset();
});

describe('audit with KubeVirt', () => {
  it('makes every finding the VMs, their pods and the kubelets add, and follows the output contract', async () => {
    const { code, doc, stderr } = await auditJson([]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(codes(doc)).toEqual([
      'AttachedToMissingNode k-kubelet/lost-disk',
      'OutcomeMismatch k-mismatch/db-disk',
      'UnsafeSharedAttach k-shared/erp-disk',
      'StaleAttachment k-kubelet/stale-disk',
      'DetachStuck k-kubelet/stuck-disk',
      'MissingMigrationEvents k-missing/app-data',
      'MissingMigrationEvents k-missing/app-root',
      'MigrationRetried k-retried/web-disk',
    ]);
    const unsafe = doc.findings.find((f: any) => f.code === 'UnsafeSharedAttach');
    expect(unsafe.next).toContain('kubectl delete pod dd-backup -n k-shared');
    expect(unsafe.next).not.toContain('virt-launcher-erp-8sd2k');
    expect(doc.dualAttaches[0]).toMatchObject({
      pvc: 'erp-disk',
      vmiNode: 'w1',
      users: [
        { node: 'w1', pod: 'virt-launcher-erp-8sd2k', kind: 'virt-launcher', vmi: 'erp' },
        { node: 'w4', pod: 'dd-backup', kind: 'other', vmi: null },
      ],
    });
    // The migration only KubeVirt remembers, beyond the event TTL.
    const old = doc.migrations.find((m: any) => m.kubevirt?.migration === 'kubevirt-migrate-vm-old');
    expect(old).toMatchObject({ recordedBy: ['kubevirt'], state: 'completed', sourceNode: 'w2', targetNode: 'w1', events: [] });
    // Discovery once, VMIs and VMIMs listed, pods only in the namespace of the dual-attached volume.
    const paths = server.requests.map((r) => r.path);
    expect(paths).toContain('/apis/kubevirt.io/v1');
    expect(paths).toContain('/apis/kubevirt.io/v1/virtualmachineinstances');
    expect(paths).toContain('/apis/kubevirt.io/v1/virtualmachineinstancemigrations');
    expect(paths.filter((p) => p.endsWith('/pods'))).toEqual(['/api/v1/namespaces/k-shared/pods']);
  });

  it('--exclude acknowledges a finding everywhere or on one PVC: out of the report and the exit code, counted in summary.excluded', async () => {
    const one = await auditJson(['-n', 'k-missing', '--exclude', 'MissingMigrationEvents=k-missing/app-root']);
    expect(codes(one.doc)).toEqual(['MissingMigrationEvents k-missing/app-data']);
    expect(one.doc.summary.excluded).toBe(1);
    const all = await auditJson(['-n', 'k-mismatch', '--exclude', 'OutcomeMismatch', '--fail-on', 'warning']);
    expect(all.doc.findings).toEqual([]);
    expect(all.doc.summary).toMatchObject({ excluded: 1, findings: { error: 0, warning: 0, info: 0 } });
    expect(all.code).toBe(0);
    server.reset();
    const bad = await cli(['audit', '--exclude', 'NoSuchCode']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid --exclude "NoSuchCode": "NoSuchCode" is not a finding code/);
    expect(server.requests).toEqual([]);
  });

  it('a forbidden VMIM list is a warning naming what it costs; the rest is still audited', async () => {
    server.deny({ verb: 'list', resource: 'virtualmachineinstancemigrations' });
    const { doc } = await auditJson([]);
    expect(doc.warnings).toEqual([
      expect.stringMatching(/^VirtualMachineInstanceMigrations could not be read: forbidden: /),
      expect.stringMatching(/^VirtualMachineInstanceMigrations could not be read, so .*OutcomeMismatch or MissingMigrationEvents/),
    ]);
    expect(codes(doc)).not.toContain('OutcomeMismatch k-mismatch/db-disk');
    expect(codes(doc)).toContain('UnsafeSharedAttach k-shared/erp-disk');
  });

  it('forbidden pods in one namespace: no UnsafeSharedAttach there, and a warning naming the namespace', async () => {
    server.deny({ verb: 'list', resource: 'pods', namespace: 'k-shared' });
    const { doc } = await auditJson(['-n', 'k-shared']);
    expect(codes(doc)).toEqual(['DualAttachInProgress k-shared/erp-disk']);
    expect(doc.warnings).toEqual([
      expect.stringMatching(/^Pods in namespace k-shared could not be read: forbidden/),
      expect.stringMatching(/^Pods in namespace k-shared could not be read, so /),
    ]);
  });

  it('forbidden Nodes: no kubelet findings, and a warning', async () => {
    server.deny({ verb: 'list', resource: 'nodes' });
    const { doc } = await auditJson(['-n', 'k-kubelet']);
    expect(doc.findings).toEqual([]);
    expect(doc.warnings[1]).toBe(
      'Nodes could not be read, so no StaleAttachment, AttachedToMissingNode or DetachStuck findings could be made.',
    );
  });
});

describe('audit without KubeVirt', () => {
  it('is silent about it: discovery only, no warning, no KubeVirt findings', async () => {
    const cfg = plain.writeKubeconfig(join(dir, 'plain'));
    const { doc } = await auditJson([], cfg);
    expect(doc.warnings).toEqual([]);
    expect(codes(doc)).not.toContain('OutcomeMismatch k-mismatch/db-disk');
    expect(doc.migrations.every((m: any) => m.kubevirt === null && m.recordedBy.join() === 'events')).toBe(true);
    const kubevirtPaths = plain.requests.map((r) => r.path).filter((p) => p.startsWith('/apis/kubevirt.io'));
    expect(kubevirtPaths).toEqual(['/apis/kubevirt.io/v1']);
  });
});

describe('events <pvc> with KubeVirt', () => {
  it('shows the VM, where it runs, its VMIMs, each migration with its VMIM, and the users', async () => {
    const json = await cli(['events', 'db-disk', '-n', 'k-mismatch', '-o', 'json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    expect(doc.kubevirt).toMatchObject({ vmi: 'db', node: 'w2', migrations: [{ name: 'kubevirt-migrate-vm-db', phase: 'Succeeded' }] });
    expect(doc.migrations[0].kubevirt).toMatchObject({ migration: 'kubevirt-migrate-vm-db', phase: 'Succeeded' });
    expect(doc.users).toEqual([{ node: 'w2', namespace: 'k-mismatch', pod: 'virt-launcher-db-2kx9q', kind: 'virt-launcher', vmi: 'db' }]);
    const table = await cli(['events', 'db-disk', '-n', 'k-mismatch']);
    expect(table.stdout).toContain('\nVM\nVMI:     db on w2\n');
    expect(table.stdout).toMatch(/\nUSERS\nNODE +POD +KIND +VMI\nw2 +virt-launcher-db-2kx9q +virt-launcher +db\n/);
  });
});

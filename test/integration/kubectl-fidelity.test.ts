// The real kubectl against the fake API server: what it prints and what it asks the server for.
// kubectl here is Google's dispatcher; with the fake reporting v1.31 it runs kubectl.1.31
// (see test/helpers/run-cli.ts). Every run gets a fresh HOME, so no discovery cache is shared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer, RecordedRequest } from '../fake/server.js';
import { startFakeServer } from '../fake/server.js';
import { kubeRequest } from '../helpers/kube-request.js';
import { event, namespace, pod, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { kubectlAvailable, kubectlBinary, runKubectl } from '../helpers/run-cli.js';

const claim = pvc({
  namespace: 'vms',
  name: 'vm-disk',
  uid: '6f1c2a4e-8d3b-4f5a-9c7e-1b2d3e4f5a6b',
  volumeName: 'pvc-6f1c2a4e',
  resourceVersion: '5123',
});
const volume = pv({ name: 'pvc-6f1c2a4e', claimRef: { namespace: 'vms', name: 'vm-disk', uid: claim.metadata.uid }, timeout: 300 });
const now = Date.now();
const startedMessage = '[pvc-6f1c2a4e]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s';
const started = event({
  pvc: claim,
  reason: 'MigrationStarted',
  type: 'Normal',
  message: startedMessage,
  firstTimestamp: new Date(now - 90_000),
});
// Same PVC name, but the UID of an earlier, deleted PVC: describe must not show it.
const stale = event({
  pvc: { ...claim.metadata, uid: '00000000-0000-4000-8000-000000000000' },
  name: 'vm-disk.stale',
  reason: 'MigrationFailed',
  type: 'Warning',
  message: '[pvc-old]: KubeVirt live migration failed - source: node-a, attempted target: node-c, reason: timeout, elapsed: 5m0s',
  firstTimestamp: new Date(now - 3_000_000),
});
const vaSource = volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: new Date(now - 3_600_000) });
const vaTarget = volumeAttachment({ pv: volume, node: 'node-b', attached: true, createdAt: new Date(now - 90_000) });

let server: FakeServer;
let dir: string;
let kubeconfig: string;

/**
 * Requests kubectl itself made. The dispatcher's own /version probe (User-Agent
 * `kubectl-dispatcher/v1.0`) is excluded. Run through the dispatcher, kubectl says `kubectl/v1.31.9`;
 * run directly, a versioned binary says `kubectl.1.29/v1.29.14` (Go uses the executable's name).
 */
function kubectlRequests(): RecordedRequest[] {
  return server.requests.filter((r) => /^kubectl(\.[\d.]+)?\//.test(r.userAgent ?? ''));
}

describe.skipIf(!kubectlAvailable)('real kubectl against the fake API server', () => {
  beforeAll(async () => {
    server = await startFakeServer({
      serverVersion: '1.31',
      objects: [
        namespace('vms'),
        claim,
        volume,
        started,
        stale,
        vaSource,
        vaTarget,
        pod({ namespace: 'vms', name: 'virt-launcher-vm-x7k2p', node: 'node-a', pvcs: ['vm-disk'] }),
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'kubectl-fidelity-'));
    kubeconfig = server.writeKubeconfig(dir);
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  it('kubectl get pvc prints the server-side table', async () => {
    const res = await runKubectl(['get', 'pvc', '-n', 'vms'], { kubeconfig });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [header, row] = res.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ]);
    expect(row!.split(/\s+/).slice(0, 7)).toEqual(['vm-disk', 'Bound', 'pvc-6f1c2a4e', '10Gi', 'RWX', 'rds-nvme', '<unset>']);
    const list = kubectlRequests().find((r) => r.path === '/api/v1/namespaces/vms/persistentvolumeclaims');
    expect(list?.headers.accept).toContain('as=Table');
    expect(list?.query.limit).toBe('500');
  });

  it('kubectl get events --field-selector -o json returns the seeded event', async () => {
    const res = await runKubectl(['get', 'events', '-n', 'vms', '--field-selector', 'reason=MigrationStarted', '-o', 'json'], {
      kubeconfig,
    });
    expect(res.code).toBe(0);
    const list = JSON.parse(res.stdout);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      metadata: { name: started.metadata.name, namespace: 'vms' },
      involvedObject: { kind: 'PersistentVolumeClaim', name: 'vm-disk', uid: claim.metadata.uid },
      reason: 'MigrationStarted',
      message: startedMessage,
    });
    const sent = kubectlRequests().find((r) => r.path === '/api/v1/namespaces/vms/events');
    expect(sent?.query.fieldSelector).toBe('reason=MigrationStarted');
  });

  it('kubectl describe pvc shows the event, found by the PVC uid', async () => {
    const res = await runKubectl(['describe', 'pvc', 'vm-disk', '-n', 'vms'], { kubeconfig });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Name:\s+vm-disk$/m);
    expect(res.stdout).toMatch(/^Used By:\s+virt-launcher-vm-x7k2p$/m);
    const events = res.stdout.slice(res.stdout.indexOf('Events:'));
    const lines = events.trimEnd().split('\n');
    expect(lines[1]!.trim().split(/\s+/)).toEqual(['Type', 'Reason', 'Age', 'From', 'Message']);
    expect(lines.slice(3)).toHaveLength(1); // the stale event of the old PVC uid is not shown
    const row = lines[3]!.trim().split(/\s{2,}/);
    expect(row).toEqual(['Normal', 'MigrationStarted', expect.stringMatching(/^(9\d|1[01]\d)s$/), 'rds-csi-node', startedMessage]);

    const eventList = kubectlRequests().find((r) => r.path === '/api/v1/namespaces/vms/events');
    const terms = eventList?.query.fieldSelector?.split(',').sort();
    expect(terms).toEqual([
      'involvedObject.kind=PersistentVolumeClaim',
      'involvedObject.name=vm-disk',
      'involvedObject.namespace=vms',
      `involvedObject.uid=${claim.metadata.uid}`,
    ]);
  });

  it('kubectl get volumeattachments lists both attachments', async () => {
    const res = await runKubectl(['get', 'volumeattachments'], { kubeconfig });
    expect(res.code).toBe(0);
    const rows = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows[0]).toEqual(['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE']);
    expect(
      rows
        .slice(1)
        .map((r) => r.slice(0, 5))
        .sort((a, b) => a[3]!.localeCompare(b[3]!)),
    ).toEqual([
      [vaSource.metadata.name, 'rds.csi.srvlab.io', 'pvc-6f1c2a4e', 'node-a', 'true'],
      [vaTarget.metadata.name, 'rds.csi.srvlab.io', 'pvc-6f1c2a4e', 'node-b', 'true'],
    ]);
    expect(kubectlRequests().some((r) => r.path === '/apis/storage.k8s.io/v1/volumeattachments')).toBe(true);
  });

  it('kubectl events --for pvc/vm-disk lists the PVC events by kind, apiVersion and name', async () => {
    const res = await runKubectl(['events', '--for', 'pvc/vm-disk', '-n', 'vms'], { kubeconfig });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    // No uid filter: the stale event with the same name shows too, oldest first.
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1))).toEqual([
      ['Warning', 'MigrationFailed', 'PersistentVolumeClaim/vm-disk', stale.message],
      ['Normal', 'MigrationStarted', 'PersistentVolumeClaim/vm-disk', startedMessage],
    ]);
    const sent = kubectlRequests().find((r) => r.path === '/api/v1/namespaces/vms/events');
    expect(sent?.query.fieldSelector?.split(',').sort()).toEqual([
      'involvedObject.apiVersion=v1',
      'involvedObject.kind=PersistentVolumeClaim',
      'involvedObject.name=vm-disk',
    ]);
  });

  it('an event posted over the API the way client-go posts it shows up in kubectl describe', async () => {
    const posted = event({
      pvc: claim,
      reason: 'MigrationCompleted',
      type: 'Normal',
      component: 'rds-migrate',
      firstTimestamp: new Date(now - 30_000),
      message: '[pvc-6f1c2a4e]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 1m0s)',
    });
    const created = await kubeRequest(server, { path: '/api/v1/namespaces/vms/events', body: posted });
    expect(created.status).toBe(201);
    try {
      const res = await runKubectl(['describe', 'pvc', 'vm-disk', '-n', 'vms'], { kubeconfig });
      const rows = res.stdout
        .slice(res.stdout.indexOf('Events:'))
        .trimEnd()
        .split('\n')
        .slice(3)
        .map((l) => l.trim().split(/\s{2,}/));
      expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([
        ['Normal', 'MigrationStarted', 'rds-csi-node'],
        ['Normal', 'MigrationCompleted', 'rds-migrate'],
      ]);
    } finally {
      server.remove('Event', 'vms', posted.metadata.name);
    }
  });

  it('a versioned kubectl binary can be run directly', async () => {
    const res = await runKubectl(['get', 'ns'], { kubeconfig, binary: kubectlBinary('1.29') });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^vms\s+Active\s+/m);
    expect(new Set(kubectlRequests().map((r) => r.userAgent?.split(' ')[0]))).toEqual(new Set(['kubectl.1.29/v1.29.14']));
  });

  it('kubectl reports a forbidden list with the Status message', async () => {
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const res = await runKubectl(['get', 'volumeattachments'], { kubeconfig });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      'Error from server (Forbidden): volumeattachments.storage.k8s.io is forbidden: User "system:serviceaccount:test:rds" cannot list resource "volumeattachments" in API group "storage.k8s.io" at the cluster scope',
    );
  });
});

describe.skipIf(!kubectlAvailable)('real kubectl watching the fake API server', () => {
  let watchServer: FakeServer;
  let watchDir: string;
  let watchKubeconfig: string;

  beforeAll(async () => {
    // The server closes watches after 3 s, as a real one does after its timeout: kubectl then exits 0.
    watchServer = await startFakeServer({
      serverVersion: '1.31',
      objects: [namespace('vms'), claim, started],
      watch: { defaultTimeoutSeconds: 3 },
    });
    watchDir = mkdtempSync(join(tmpdir(), 'kubectl-watch-'));
    watchKubeconfig = watchServer.writeKubeconfig(watchDir);
  });
  afterAll(async () => {
    await watchServer?.close();
    if (watchDir) rmSync(watchDir, { recursive: true, force: true });
  });
  beforeEach(() => watchServer.reset());

  /** Waits until kubectl's watch on `path` is open on the server. */
  async function kubectlWatching(path: string): Promise<RecordedRequest> {
    for (let i = 0; i < 500; i++) {
      const watch = watchServer.requests.find((r) => r.path === path && r.query.watch !== undefined && r.status === 200);
      if (watch && watchServer.openWatches() > 0) return watch;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`kubectl did not watch ${path}`);
  }

  it('kubectl get pvc -w prints the list, then a row per change from the Table watch', async () => {
    const listed = await kubeRequest(watchServer, { path: '/api/v1/namespaces/vms/persistentvolumeclaims' });
    const running = runKubectl(['get', 'pvc', '-n', 'vms', '-w'], { kubeconfig: watchKubeconfig });
    const watch = await kubectlWatching('/api/v1/namespaces/vms/persistentvolumeclaims');
    watchServer.update('PersistentVolumeClaim', 'vms', 'vm-disk', (p) => {
      p.status.phase = 'Lost';
    });
    const res = await running;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/).slice(0, 2));
    expect(rows).toEqual([
      ['NAME', 'STATUS'],
      ['vm-disk', 'Bound'],
      ['vm-disk', 'Lost'],
    ]);
    // It watched from the list's resourceVersion, asking for Tables.
    expect(watch.query.resourceVersion).toBe(listed.body.metadata.resourceVersion);
    expect(watch.headers.accept).toContain('as=Table');
    expect(watch.watchEvents).toEqual(['MODIFIED']);
  });

  it('kubectl get events --watch-only -o json prints each new event as JSON', async () => {
    const running = runKubectl(['get', 'events', '-n', 'vms', '--watch-only', '-o', 'json'], { kubeconfig: watchKubeconfig });
    await kubectlWatching('/api/v1/namespaces/vms/events');
    const completed = event({
      pvc: claim,
      name: 'vm-disk.completed',
      reason: 'MigrationCompleted',
      type: 'Normal',
      component: 'rds-migrate',
      message: '[pvc-6f1c2a4e]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 1m0s)',
    });
    watchServer.add(completed);
    const res = await running;
    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout);
    expect(printed).toMatchObject({ kind: 'Event', metadata: { name: 'vm-disk.completed' }, reason: 'MigrationCompleted' });
    watchServer.remove('Event', 'vms', 'vm-disk.completed');
  });

  it('kubectl events -w prints the existing events, then new ones', async () => {
    const running = runKubectl(['events', '-n', 'vms', '-w'], { kubeconfig: watchKubeconfig });
    const watch = await kubectlWatching('/api/v1/namespaces/vms/events');
    watchServer.add(
      event({
        pvc: claim,
        name: 'vm-disk.attached',
        reason: 'VolumeAttached',
        type: 'Normal',
        message: '[pvc-6f1c2a4e]: Attached to node node-b',
      }),
    );
    const res = await running;
    expect(res.code).toBe(0);
    const rows = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['MigrationStarted', 'VolumeAttached']);
    // One watch without a resourceVersion: the existing events arrive as synthetic ADDED.
    expect(watch.query.resourceVersion).toBeUndefined();
    expect(watch.watchEvents).toEqual(['ADDED', 'ADDED']);
    watchServer.remove('Event', 'vms', 'vm-disk.attached');
  });
});

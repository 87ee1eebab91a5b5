// `events <pvc>` through the built binary against the fake API server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { event, namespace, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import {
  checkMigrationInvariants,
  checkSchema,
  completedMessage,
  failedMessage,
  historySchema,
  newVolumeIdentity,
  startedMessage,
} from '../helpers/read-side.js';
import { runCli } from '../helpers/run-cli.js';

const NS = 'vms';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

const cli = (args: string[], env?: Record<string, string>) => runCli(args, { kubeconfig, ...(env ? { env } : {}) });
const ago = (base: number, seconds: number): Date => new Date(base - seconds * 1000);

interface Seeded {
  claim: any;
  volume: any;
  vol: string;
  uid: string;
}

/** A fresh bound PVC + PV (+ VolumeAttachments) under a name no other test uses. */
function seedPvc(
  name: string,
  opts: { timeout?: string; attach?: { node: string; createdAt: Date; attached?: boolean; attachError?: string }[] } = {},
): Seeded {
  const { uid, vol } = newVolumeIdentity();
  const claim = pvc({ namespace: NS, name, uid, volumeName: vol, resourceVersion: '4242' });
  const volume = pv({
    name: vol,
    claimRef: { namespace: NS, name, uid },
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
  });
  server.add(claim, volume);
  for (const a of opts.attach ?? []) {
    server.add(
      volumeAttachment({
        pv: volume,
        node: a.node,
        attached: a.attached ?? true,
        createdAt: a.createdAt,
        ...(a.attachError !== undefined ? { attachError: a.attachError } : {}),
      }),
    );
  }
  return { claim, volume, vol, uid };
}

/** The table rows (split on runs of 2+ spaces) of the section that starts with `title`. */
function sectionRows(stdout: string, title: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) throw new Error(`no section ${title} in:\n${stdout}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '') break;
    rows.push(line.trim().split(/ {2,}/));
  }
  return rows;
}

beforeAll(async () => {
  server = await startFakeServer({ objects: [namespace(NS), namespace('other')] });
  dir = mkdtempSync(join(tmpdir(), 'rds-events-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

/** One PVC with a completed and a failed migration, a VolumeAttached event, and a stale event of an older PVC of the same name. */
function seedHistory(name: string) {
  const now = Date.now();
  const s = seedPvc(name, { timeout: '300', attach: [{ node: 'node-b', createdAt: ago(now, 1500) }] });
  const events = [
    event({
      pvc: s.claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(s.vol, 'node-a', 'node-b', '5m0s'),
      firstTimestamp: ago(now, 1800),
    }),
    event({
      pvc: s.claim,
      reason: 'MigrationCompleted',
      type: 'Normal',
      message: completedMessage(s.vol, 'node-a', 'node-b', '1m42s'),
      firstTimestamp: ago(now, 1698),
    }),
    event({
      pvc: s.claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(s.vol, 'node-b', 'node-c', '5m0s'),
      firstTimestamp: ago(now, 900),
    }),
    event({
      pvc: s.claim,
      reason: 'MigrationFailed',
      type: 'Warning',
      message: failedMessage(s.vol, 'node-b', 'node-c', 'timeout', '5m0s'),
      firstTimestamp: ago(now, 600),
    }),
    // The driver's own non-migration event: shown only with --all.
    event({
      pvc: s.claim,
      reason: 'VolumeAttached',
      type: 'Normal',
      message: `[${s.vol}]: Attached to node node-b (duration: 1.234s)`,
      firstTimestamp: ago(now, 1500),
    }),
    // An older PVC with the same name but another uid: kubectl describe does not show its events, nor may we.
    event({
      pvc: { ...s.claim.metadata, uid: '00000000-0000-4000-8000-000000000001' },
      name: `${name}.stale`,
      reason: 'MigrationFailed',
      type: 'Warning',
      message: failedMessage('pvc-old', 'node-x', 'node-y', 'timeout', '5m0s'),
      firstTimestamp: ago(now, 1200),
    }),
    // Same name in another namespace: not this PVC.
    event({
      pvc: { namespace: 'other', name, uid: 'ffffffff-0000-4000-8000-000000000002' },
      name: `${name}.other-ns`,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage('pvc-other', 'node-q', 'node-r', '5m0s'),
      firstTimestamp: ago(now, 100),
    }),
  ];
  server.add(...events);
  return { ...s, events, now };
}

describe('events <pvc>', () => {
  it('prints the migration events oldest first, the migrations and the attachment as a table', async () => {
    const s = seedHistory('table-disk');
    const res = await cli(['events', 'table-disk']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^PVC: +vms/table-disk\nVolume: +${s.vol}\n`));
    const events = sectionRows(res.stdout, 'EVENTS');
    expect(events[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'SOURCE', 'TARGET', 'DETAIL', 'COUNT']);
    expect(events.slice(1).map((r) => r.slice(1))).toEqual([
      ['Normal', 'MigrationStarted', 'node-a', 'node-b', 'timeout 5m', '1'],
      ['Normal', 'MigrationCompleted', 'node-a', 'node-b', 'took 102s', '1'],
      ['Normal', 'MigrationStarted', 'node-b', 'node-c', 'timeout 5m', '1'],
      ['Warning', 'MigrationFailed', 'node-b', 'node-c', 'failed after 5m: timeout', '1'],
    ]);
    // kubectl ages: 30m, 28m, 15m, 10m (a second or two of run time does not change minutes ≥ 10).
    expect(events.slice(1).map((r) => r[0])).toEqual(['30m', '28m', '15m', '10m']);
    expect(res.stdout).not.toContain('VolumeAttached');
    expect(res.stdout).not.toContain('node-x'); // the stale PVC's event
    expect(res.stdout).not.toContain('node-q'); // the other namespace's event

    const migrations = sectionRows(res.stdout, 'MIGRATIONS');
    expect(migrations[0]).toEqual(['SOURCE', 'TARGET', 'STATE', 'AGE', 'DURATION', 'TIMEOUT']);
    expect(migrations.slice(1)).toEqual([
      ['node-a', 'node-b', 'completed', '30m', '102s', '5m'],
      ['node-b', 'node-c', 'failed', '15m', '5m', '5m'],
    ]);
    expect(res.stdout).toMatch(/\nATTACHMENT\nNodes: +node-b\n/);
    expect(res.stdout).not.toMatch(/State:/);

    // The events were read in the PVC's namespace with a server-side selector; nothing was written.
    const eventLists = server.requests.filter((r) => r.path.endsWith('/events'));
    expect(eventLists.map((r) => r.path)).toEqual([`/api/v1/namespaces/${NS}/events`]);
    expect(eventLists[0]!.query.fieldSelector).toContain('involvedObject.name=table-disk');
    expect(server.writes()).toEqual([]);
  });

  it('-o wide adds the message, the component and the event name', async () => {
    const s = seedHistory('wide-disk');
    const res = await cli(['events', 'wide-disk', '-o', 'wide']);
    expect(res.code).toBe(0);
    const events = sectionRows(res.stdout, 'EVENTS');
    expect(events[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'SOURCE', 'TARGET', 'DETAIL', 'COUNT', 'MESSAGE', 'COMPONENT', 'NAME']);
    const failed = events.find((r) => r[2] === 'MigrationFailed')!;
    expect(failed.slice(7)).toEqual([s.events[3].message, 'rds-csi-node', s.events[3].metadata.name]);
    const migrations = sectionRows(res.stdout, 'MIGRATIONS');
    expect(migrations[0]).toEqual([
      'SOURCE',
      'TARGET',
      'STATE',
      'AGE',
      'DURATION',
      'TIMEOUT',
      'VOLUME',
      'ID',
      'STARTED AT',
      'FAILURE REASON',
      'RECORDED BY',
      'VMIM',
      'EVENTS',
    ]);
    expect(migrations[2]!.slice(6, 10)).toEqual([
      s.vol,
      `vms/wide-disk/${s.events[2].firstTimestamp}`,
      s.events[2].firstTimestamp,
      'timeout',
    ]);
  });

  it('-o json is the PvcMigrationHistory document of docs/output.md', async () => {
    const s = seedHistory('json-disk');
    const res = await cli(['events', 'json-disk', '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(res.stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    expect(checkMigrationInvariants(doc.migrations)).toEqual([]);
    expect(doc.pvc).toEqual({ namespace: NS, name: 'json-disk', uid: s.uid, volumeId: s.vol, driver: 'rds.csi.srvlab.io' });
    expect(doc.events.map((e: any) => e.name)).toEqual(s.events.slice(0, 4).map((e) => e.metadata.name));
    expect(doc.events[3]).toEqual({
      name: s.events[3].metadata.name,
      type: 'Warning',
      reason: 'MigrationFailed',
      count: 1,
      firstSeen: s.events[3].firstTimestamp,
      lastSeen: s.events[3].lastTimestamp,
      component: 'rds-csi-node',
      message: s.events[3].message,
      parsed: {
        volumeId: s.vol,
        sourceNode: 'node-b',
        targetNode: 'node-c',
        timeoutSeconds: null,
        durationSeconds: 300,
        failureReason: 'timeout',
      },
    });
    expect(doc.migrations).toEqual([
      {
        id: `vms/json-disk/${s.events[0].firstTimestamp}`,
        namespace: NS,
        pvc: 'json-disk',
        volumeId: s.vol,
        sourceNode: 'node-a',
        targetNode: 'node-b',
        state: 'completed',
        startedAt: s.events[0].firstTimestamp,
        endedAt: s.events[1].firstTimestamp,
        durationSeconds: 102,
        timeoutSeconds: 300,
        startInferred: false,
        failureReason: null,
        events: [s.events[0].metadata.name, s.events[1].metadata.name],
        recordedBy: ['events'],
        kubevirt: null,
      },
      expect.objectContaining({
        state: 'failed',
        sourceNode: 'node-b',
        targetNode: 'node-c',
        durationSeconds: 300,
        failureReason: 'timeout',
      }),
    ]);
    expect(doc.attachment).toEqual({ nodes: ['node-b'], dualAttach: null, rejectedTargets: [] });
    expect(doc.warnings).toEqual([]);
  });

  it('-o yaml carries the same document as -o json', async () => {
    seedHistory('yaml-disk');
    const [yamlRes, jsonRes] = await Promise.all([cli(['events', 'yaml-disk', '-o', 'yaml']), cli(['events', 'yaml-disk', '-o', 'json'])]);
    expect(yamlRes.code).toBe(0);
    expect(yamlRes.stdout.endsWith('\n')).toBe(true);
    expect(yamlRes.stdout).not.toMatch(/^---/);
    const fromYaml = parseYaml(yamlRes.stdout);
    const fromJson = JSON.parse(jsonRes.stdout);
    // Timestamps stay strings for YAML 1.1 readers too (kubectl quotes them).
    expect(yamlRes.stdout).toMatch(/firstSeen: "\d{4}-/);
    delete fromYaml.now;
    delete fromJson.now;
    expect(fromYaml).toEqual(fromJson);
  });

  it("--all shows every event on the PVC, including the driver's VolumeAttached", async () => {
    seedHistory('all-disk');
    const table = await cli(['events', 'all-disk', '--all']);
    expect(table.code).toBe(0);
    const rows = sectionRows(table.stdout, 'EVENTS').slice(1);
    expect(rows.map((r) => r[2])).toEqual([
      'MigrationStarted',
      'MigrationCompleted',
      'VolumeAttached',
      'MigrationStarted',
      'MigrationFailed',
    ]);
    const attached = rows[2]!;
    // The narrow table shows other events' messages in DETAIL, without the volume ID the header names,
    // their end cut to fit 100 columns.
    expect(attached.slice(3)).toEqual(['<none>', '<none>', 'Attached to node node-b (durat…', '1']);
    for (const line of table.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    const json = JSON.parse((await cli(['events', 'all-disk', '--all', '-o', 'json'])).stdout);
    expect(json.events.map((e: any) => e.reason)).toContain('VolumeAttached');
    expect(json.events.find((e: any) => e.reason === 'VolumeAttached').parsed).toBeNull();
    // Still the same migrations: non-migration events take no part in pairing.
    expect(json.migrations.map((m: any) => m.state)).toEqual(['completed', 'failed']);
    // Still not the stale PVC's event.
    expect(json.events.map((e: any) => e.name)).not.toContain('all-disk.stale');
  });

  it('a PVC without events says so in the table, and has empty lists in JSON', async () => {
    const s = seedPvc('quiet-disk', { attach: [{ node: 'node-a', createdAt: new Date(Date.now() - 86_400_000) }] });
    const table = await cli(['events', 'quiet-disk']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('EVENTS\nNo migration events found for PVC vms/quiet-disk.\n');
    const all = await cli(['events', 'quiet-disk', '--all']);
    expect(all.stdout).toContain('EVENTS\nNo events found for PVC vms/quiet-disk.\n');
    expect(table.stdout).toContain('MIGRATIONS\nNo migrations found.\n');
    const json = await cli(['events', 'quiet-disk', '-o', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    expect(doc.events).toEqual([]);
    expect(doc.migrations).toEqual([]);
    expect(doc.attachment).toEqual({ nodes: ['node-a'], dualAttach: null, rejectedTargets: [] });
    expect(doc.pvc.volumeId).toBe(s.vol);
  });

  it('an unbound PVC has a null volume ID and no attachment', async () => {
    server.add(pvc({ namespace: NS, name: 'pending-disk' }));
    const res = await cli(['events', 'pending-disk', '-o', 'json']);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    expect(doc.pvc.volumeId).toBeNull();
    expect(doc.attachment).toEqual({ nodes: [], dualAttach: null, rejectedTargets: [] });
    // No PV and no VolumeAttachment was read: there is no volume (the VolumeAttachment list goes
    // out with the PVC read, before the PVC says it is unbound).
    expect(server.requests.some((r) => r.path.includes('volumeattachments/') || r.path.includes('persistentvolumes/'))).toBe(false);
  });

  it('a missing PVC is exit 3 naming the PVC and namespace', async () => {
    const res = await cli(['events', 'x']);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toBe('error: persistentvolumeclaims "x" not found in namespace "vms"');
    const other = await cli(['events', 'x', '-n', 'other']);
    expect(other.code).toBe(3);
    expect(other.stderr.split('\n')[0]).toBe('error: persistentvolumeclaims "x" not found in namespace "other"');
  });

  it('shows a dual-attach in progress with its age against the volume timeout', async () => {
    const now = Date.now();
    const s = seedPvc('dual-disk', {
      timeout: '600',
      attach: [
        { node: 'node-a', createdAt: ago(now, 7200) },
        { node: 'node-b', createdAt: ago(now, 120) },
        {
          node: 'node-c',
          createdAt: ago(now, 60),
          attached: false,
          attachError: 'rpc error: already attached to 2 nodes (migration limit)',
        },
      ],
    });
    server.add(
      event({
        pvc: s.claim,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: startedMessage(s.vol, 'node-a', 'node-b', '10m0s'),
        firstTimestamp: ago(now, 120),
      }),
    );
    const table = await cli(['events', 'dual-disk']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /\nATTACHMENT\nNodes: +node-a, node-b\nState: +dual-attached for 2m(\d+s)? of 10m timeout\nSince: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/,
    );
    expect(table.stdout).toContain('REJECTED TARGETS');
    // The VolumeAttachment's name is in -o wide; the narrow row gives the reason.
    expect(table.stdout).toMatch(/node-c +\d+s +rpc error: already attached to 2 nodes \(migration limit\)/);
    expect(table.stdout).not.toMatch(/csi-[0-9a-f]{64}/);
    const migrations = sectionRows(table.stdout, 'MIGRATIONS');
    expect(migrations[1]!.slice(0, 3)).toEqual(['node-a', 'node-b', 'in-progress']);

    const doc = JSON.parse((await cli(['events', 'dual-disk', '-o', 'json'])).stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    const d = doc.attachment.dualAttach;
    expect(d).toMatchObject({
      volumeId: s.vol,
      namespace: NS,
      pvc: 'dual-disk',
      nodes: ['node-a', 'node-b'],
      timeoutSeconds: 600,
      stuck: false,
    });
    expect(d.since).toBe(
      ago(now, 120)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    );
    expect(d.ageSeconds).toBeGreaterThanOrEqual(120);
    expect(d.ageSeconds).toBeLessThan(180); // run time under load
    expect(d.volumeAttachments).toHaveLength(2);
    expect(doc.migrations[0].durationSeconds).toBeNull();
    expect(doc.migrations[0].endedAt).toBeNull();
  });

  it('a dual-attach past its timeout is STUCK', async () => {
    const now = Date.now();
    seedPvc('stuck-disk', {
      attach: [
        { node: 'node-a', createdAt: ago(now, 7200) },
        { node: 'node-b', createdAt: ago(now, 1200) },
      ],
    });
    const table = await cli(['events', 'stuck-disk']);
    expect(table.code).toBe(0); // events never fails on findings
    expect(table.stdout).toMatch(/State: +STUCK: dual-attached for 20m of 5m timeout\n/);
    const doc = JSON.parse((await cli(['events', 'stuck-disk', '-o', 'json'])).stdout);
    expect(doc.attachment.dualAttach).toMatchObject({ stuck: true, timeoutSeconds: 300 });
  });

  it("another driver's volume: its attachments are shown, not judged", async () => {
    const now = Date.now();
    const { uid, vol } = newVolumeIdentity();
    const volume = pv({ name: vol, claimRef: { namespace: NS, name: 'ceph-disk', uid }, driver: 'rook-ceph.rbd.csi.ceph.com' });
    server.add(pvc({ namespace: NS, name: 'ceph-disk', uid, volumeName: vol }), volume);
    for (const [node, seconds] of [
      ['node-a', 7200],
      ['node-b', 1200],
    ] as const) {
      server.add(volumeAttachment({ pv: volume, node, attached: true, createdAt: ago(now, seconds) }));
    }
    const table = await cli(['events', 'ceph-disk']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("Driver:  rook-ceph.rbd.csi.ceph.com, another driver's volume: its attachments are shown, not judged\n");
    expect(table.stdout).not.toContain('STUCK');
    const doc = JSON.parse((await cli(['events', 'ceph-disk', '-o', 'json'])).stdout);
    expect(doc.pvc.driver).toBe('rook-ceph.rbd.csi.ceph.com');
    expect(doc.attachment.dualAttach).toBeNull();
  });

  it.each([
    ['a server without Tables (the list answered as objects)', 'objects'],
    ['a Table without the PV column (the objects are listed next)', 'table-without-pv'],
  ])('finds the attachment through %s', async (_what, answer) => {
    const now = Date.now();
    const s = seedPvc(`plain-${answer}`, {
      attach: [
        { node: 'node-a', createdAt: ago(now, 7200) },
        { node: 'node-b', createdAt: ago(now, 1200) },
      ],
    });
    const body =
      answer === 'objects'
        ? {
            kind: 'VolumeAttachmentList',
            apiVersion: 'storage.k8s.io/v1',
            metadata: { resourceVersion: '1' },
            items: server.objects('VolumeAttachment'),
          }
        : { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: [{ name: 'Name' }, { name: 'Node' }], rows: [] };
    const vaList = '/apis/storage.k8s.io/v1/volumeattachments';
    server.fault({ path: vaList, when: (r) => r.query.includeObject === 'None', status: 200, body, times: 1 });
    const res = await cli(['events', `plain-${answer}`, '-o', 'json']);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.attachment.dualAttach).toMatchObject({ volumeId: s.vol, nodes: ['node-a', 'node-b'], stuck: true });
    const vaReads = server.requests
      .filter((r) => r.path.startsWith(vaList))
      .map((r) => (r.path === vaList ? `list ${r.query.includeObject ?? 'objects'}` : 'get'));
    // Objects in hand are not read again by name.
    expect(vaReads).toEqual(answer === 'objects' ? ['list None'] : ['list None', 'list objects']);
  });

  it('a forbidden VolumeAttachments list is a warning, not a failure', async () => {
    const now = Date.now();
    const s = seedPvc('denied-disk', {
      attach: [
        { node: 'node-a', createdAt: ago(now, 7200) },
        { node: 'node-b', createdAt: ago(now, 60) },
      ],
    });
    server.add(
      event({
        pvc: s.claim,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: startedMessage(s.vol, 'node-a', 'node-b', '5m0s'),
        firstTimestamp: ago(now, 60),
      }),
    );
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const table = await cli(['events', 'denied-disk']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('MigrationStarted');
    expect(table.stdout).toMatch(/\nWARNINGS\nWarning: the current attachment is unknown: .*volumeattachments.*\n/);
    const json = await cli(['events', 'denied-disk', '-o', 'json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/^the current attachment is unknown: forbidden/);
    expect(doc.attachment).toEqual({ nodes: [], dualAttach: null, rejectedTargets: [] });
    expect(doc.migrations).toHaveLength(1);
  });

  it('a forbidden PersistentVolume (cluster-scoped) is a warning, not a failure', async () => {
    const now = Date.now();
    const s = seedPvc('nopv-disk', { timeout: '600', attach: [{ node: 'node-a', createdAt: ago(now, 7200) }] });
    server.add(
      event({
        pvc: s.claim,
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(s.vol, 'node-z', 'node-a', '9m0s'),
        firstTimestamp: ago(now, 60),
      }),
    );
    server.deny({ verb: 'get', resource: 'persistentvolumes' });
    const res = await cli(['events', 'nopv-disk', '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.pvc.volumeId).toBe(s.vol); // the claim's spec.volumeName
    expect(doc.attachment.nodes).toEqual(['node-a']);
    expect(doc.warnings).toEqual([expect.stringMatching(/^the volume's migration timeout is unknown .*: forbidden: /)]);
    // Without the PV the inferred migration falls back to the default timeout.
    expect(doc.migrations).toMatchObject([{ state: 'completed', startInferred: true, timeoutSeconds: 300, durationSeconds: 540 }]);
  });

  it('prints ages like kubectl: 45s, 5m30s, 3h, 2d5h, and merged events as (xN over ...)', async () => {
    const now = Date.now();
    const s = seedPvc('age-disk');
    const at = (secondsAgo: number, reason = 'MigrationStarted', extra: Partial<Parameters<typeof event>[0]> = {}) =>
      event({
        pvc: s.claim,
        reason,
        type: 'Normal',
        message: startedMessage(s.vol, `n${secondsAgo}`, 'node-z', '5m0s'),
        firstTimestamp: ago(now, secondsAgo),
        ...extra,
      });
    server.add(
      at(2 * 86400 + 5 * 3600 + 100),
      at(3 * 3600 + 20),
      at(5 * 60 + 30),
      at(45),
      // client-go merged three identical events: first 12m ago, last 3m ago.
      at(720, 'MigrationStarted', {
        count: 3,
        lastTimestamp: ago(now, 180),
        message: startedMessage(s.vol, 'node-m', 'node-n', '5m0s'),
        name: 'age-disk.merged',
      }),
    );
    const res = await cli(['events', 'age-disk']);
    expect(res.code).toBe(0);
    const rows = sectionRows(res.stdout, 'EVENTS').slice(1);
    const lastSeen = rows.map((r) => [r[0], r[3]]);
    expect(lastSeen).toEqual([
      ['2d5h', 'n190900'],
      [expect.stringMatching(/^3h$/), 'n10820'],
      [expect.stringMatching(/^5m[34]\ds$/), 'n330'],
      [expect.stringMatching(/^3m(\d+s)? \(x3 over 12m\)$/), 'node-m'],
      [expect.stringMatching(/^(4[5-9]|[5-9]\d)s$/), 'n45'],
    ]);

    expect(rows[3]![6]).toBe('3');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditSnapshot, eventTtlNote, newestTimestamp } from '../../../src/domain/audit.js';
import { unreadWarning } from '../../../src/domain/kinds.js';
import type { ClusterSnapshot } from '../../../src/domain/types.js';
import { indexVolumes } from '../../../src/domain/volumes.js';
import { at, completed, event, failed, launcher, PARAMS as options, pv, shuffled, snapshot, started, va, vmi, vmim } from './builders.js';

const EVENT_TTL_NOTE = eventTtlNote(3600);

/** Two namespaces: vms/disk migrates and is stuck dual-attached; team/db failed once. */
function cluster(): ClusterSnapshot {
  return snapshot({
    events: [
      started(at('11:10:00'), '5m0s', { name: 'disk.1' }),
      completed(at('11:11:00'), '1m0s', { name: 'disk.2' }),
      started(at('11:40:00'), '5m0s', { name: 'disk.3', src: 'node-b', tgt: 'node-a' }),
      failed(at('11:30:00'), 'manual abort, see runbook', '2m0s', { name: 'db.1', namespace: 'team', pvc: 'db', vol: 'pvc-db' }),
      event('MigrationStarted', 'hand-written', at('11:20:00'), { name: 'db.2', namespace: 'team', pvc: 'db' }),
      event('VolumeAttached', 'not a migration event', at('11:00:00'), { name: 'disk.0' }),
    ],
    persistentVolumes: [pv(), pv({ name: 'pvc-db', namespace: 'team', pvc: 'db', timeout: '600' })],
    volumeAttachments: [
      va('node-b', at('09:00:00'), { name: 'csi-b' }),
      va('node-a', at('11:40:00'), { name: 'csi-a' }),
      va('node-x', at('11:00:00'), { name: 'csi-db', persistentVolumeName: 'pvc-db' }),
    ],
  });
}

describe('auditSnapshot', () => {
  it('pairs, finds attachments, builds findings and summarizes', () => {
    const report = auditSnapshot(cluster(), options);
    expect(report.apiVersion).toBe('rds-migrate/v1');
    expect(report.kind).toBe('MigrationAudit');
    expect(report.now).toBe('2025-06-01T12:00:00Z');
    expect(report.scope).toEqual({ namespace: null, driver: 'rds.csi.srvlab.io' });
    expect(report.migrations.map((m) => [m.id, m.state])).toEqual([
      ['vms/disk/2025-06-01T11:10:00Z', 'completed'],
      ['team/db/2025-06-01T11:28:00Z', 'failed'],
      ['vms/disk/2025-06-01T11:40:00Z', 'unresolved'],
    ]);
    expect(report.summary).toEqual({
      migrations: 3,
      completed: 1,
      failed: 1,
      inProgress: 0,
      unresolved: 1,
      untimedOccurrences: 0,
      dualAttaches: 1,
      stuckDualAttaches: 1,
      multiAttaches: 0,
      findings: { error: 2, warning: 2, info: 0 },
      excluded: 0,
      durationSeconds: { count: 1, min: 60, p50: 60, p95: 60, max: 60 },
    });
    expect(report.findings.map((f) => [f.severity, f.namespace, f.code])).toEqual([
      ['error', 'team', 'MigrationFailed'],
      ['error', 'vms', 'StuckDualAttach'],
      ['warning', 'team', 'UnparsedEvent'],
      ['warning', 'vms', 'UnresolvedMigration'],
    ]);
    expect(report.dualAttaches).toMatchObject([{ pvc: 'disk', nodes: ['node-b', 'node-a'], stuck: true, ageSeconds: 1200 }]);
    expect(report.warnings).toEqual([]);
    expect(report.horizon).toEqual({ oldestEvent: '2025-06-01T11:10:00Z', note: null }); // 50 min: within the TTL
  });

  it('uses the volume timeout of the PVC for inferred migrations', () => {
    const report = auditSnapshot(cluster(), options);
    expect(report.migrations.find((m) => m.pvc === 'db')?.timeoutSeconds).toBe(600);
  });

  it('with --since keeps only migrations that started in the window, and all attachment findings', () => {
    const report = auditSnapshot(cluster(), { ...options, sinceSeconds: 30 * 60 });
    expect(report.migrations.map((m) => m.startedAt)).toEqual(['2025-06-01T11:40:00Z']);
    expect(report.summary.migrations).toBe(1);
    expect(report.findings.map((f) => f.code)).toEqual(['StuckDualAttach', 'UnresolvedMigration']);
  });

  it('includes a migration that started exactly at now − since', () => {
    const report = auditSnapshot(cluster(), { ...options, sinceSeconds: 20 * 60 });
    expect(report.migrations.map((m) => m.startedAt)).toEqual(['2025-06-01T11:40:00Z']);
  });

  it('with a namespace keeps its events and the dual-attaches of PVs claimed in it', () => {
    const team = auditSnapshot(cluster(), { ...options, namespace: 'team' });
    expect(team.scope.namespace).toBe('team');
    expect(team.migrations.map((m) => m.pvc)).toEqual(['db']);
    expect(team.dualAttaches).toEqual([]);
    expect(team.findings.map((f) => f.code)).toEqual(['MigrationFailed', 'UnparsedEvent']);
    const vms = auditSnapshot(cluster(), { ...options, namespace: 'vms' });
    expect(vms.dualAttaches).toHaveLength(1);
    expect(vms.migrations.every((m) => m.namespace === 'vms')).toBe(true);
  });

  it('gives an empty report for a namespace with nothing in it', () => {
    const report = auditSnapshot(cluster(), { ...options, namespace: 'empty' });
    expect(report.migrations).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.horizon).toEqual({ oldestEvent: null, note: EVENT_TTL_NOTE });
  });

  it('without VolumeAttachments makes no attachment findings and says so', () => {
    const report = auditSnapshot({ ...cluster(), unread: ['VolumeAttachment'], warnings: ['volumeattachments is forbidden'] }, options);
    expect(report.dualAttaches).toEqual([]);
    expect(report.summary.dualAttaches).toBe(0);
    expect(report.findings.map((f) => f.code)).not.toContain('StuckDualAttach');
    expect(report.warnings).toEqual(['volumeattachments is forbidden', unreadWarning('VolumeAttachment')]);
    expect(unreadWarning('VolumeAttachment')).toMatch(/StuckDualAttach.*MultiAttach.*DualAttachInProgress/);
  });

  it('warns when PersistentVolumes could not be read', () => {
    const report = auditSnapshot(snapshot({ unread: ['PersistentVolume'] }), options);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain('PersistentVolumes could not be read');
  });

  it('counts untimed occurrences and warns about events with no time at all', () => {
    const report = auditSnapshot(
      snapshot({
        events: [
          started(null, '5m0s', { count: 4, firstSeen: at('11:50:00'), lastSeen: at('11:55:00') }),
          completed(null, '1m0s', { name: 'disk.notime' }),
        ],
      }),
      options,
    );
    expect(report.summary.untimedOccurrences).toBe(3);
    expect(report.warnings).toEqual([expect.stringContaining('vms/disk.notime')]);
  });

  it('applies --stuck-after to dual-attaches', () => {
    const vas = [va('node-a', at('11:00:00')), va('node-b', at('11:59:00'))];
    const within = auditSnapshot(snapshot({ volumeAttachments: vas, persistentVolumes: [pv()] }), options);
    expect(within.findings.map((f) => f.code)).toEqual(['DualAttachInProgress']);
    const past = auditSnapshot(snapshot({ volumeAttachments: vas, persistentVolumes: [pv()] }), { ...options, stuckAfterSeconds: 30 });
    expect(past.findings.map((f) => f.code)).toEqual(['StuckDualAttach']);
    expect(past.summary.stuckDualAttaches).toBe(1);
  });

  it('a stuck dual-attach held by a failed migration while its retry waits: names the leftover pod, not the retry', () => {
    // vm runs on node-a; mig-1 to node-b failed but left its target pod running; the retry mig-2 to node-c cannot attach.
    const report = auditSnapshot(
      snapshot({
        events: [started(at('11:40:00'))],
        persistentVolumes: [pv()],
        volumeAttachments: [
          va('node-a', at('09:00:00')),
          va('node-b', at('11:40:00')),
          va('node-c', at('11:46:00'), { attached: false, attachError: { time: at('11:46:01'), message: 'already attached to 2 nodes' } }),
        ],
        vmis: [vmi('vm', 'node-a')],
        vmims: [
          vmim('mig-1', 'vm', 'Failed', at('11:39:50'), at('11:45:00'), { source: 'node-a', target: 'node-b' }),
          vmim('mig-2', 'vm', 'Scheduling', at('11:46:00'), null, { scheduledAt: null }),
        ],
        pods: [
          launcher('launcher-a', 'node-a', 'vm'),
          launcher('launcher-b', 'node-b', 'vm', 'mig-1'),
          launcher('launcher-c', 'node-c', 'vm', 'mig-2'),
        ],
      }),
      options,
    );
    expect(report.findings.map((f) => f.code)).toEqual(['StuckDualAttach', 'UnresolvedMigration']);
    expect(report.findings[0]?.next).toBe(
      'The VM runs on node-a: keep it there and end the attachment on node-b: delete the pod there: kubectl delete pod launcher-b -n vms.',
    );
    expect(report.dualAttaches[0]?.users.map((u) => u.pod)).toEqual(['launcher-a', 'launcher-b', 'launcher-c']);
  });

  it('reports a multi-attach', () => {
    const vas = [va('node-a', at('11:00:00')), va('node-b', at('11:01:00')), va('node-c', at('11:02:00'))];
    const report = auditSnapshot(snapshot({ volumeAttachments: vas }), options);
    expect(report.summary.multiAttaches).toBe(1);
    expect(report.multiAttaches).toHaveLength(1);
    expect(report.findings.map((f) => f.code)).toEqual(['MultiAttach']);
  });

  it.each([
    ['11:05:00', null], // 55 min old: not yet past the horizon
    ['11:04:59', EVENT_TTL_NOTE],
  ])('explains the event TTL when the oldest event is from %s? %s', (time, note) => {
    const report = auditSnapshot(snapshot({ events: [completed(at(time))] }), options);
    expect(report.horizon).toEqual({ oldestEvent: `2025-06-01T${time}Z`, note });
  });

  it('gives the same report for any order of its inputs', () => {
    const base = cluster();
    base.events.push(
      started(null, '5m0s', { name: 'disk.4', count: 3, firstSeen: at('11:41:00'), lastSeen: at('11:43:00') }),
      completed(at('11:11:00'), '1m0s', { name: 'disk.5', uid: 'other' }),
    );
    base.volumeAttachments.push(
      va('node-c', at('11:59:00'), { name: 'csi-c', attached: false, attachError: { time: at('11:59:01'), message: 'no' } }),
    );
    const expected = auditSnapshot(base, options);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const shuffledSnapshot = {
          ...base,
          events: shuffled(base.events, seed),
          persistentVolumes: shuffled(base.persistentVolumes, seed + 1),
          volumeAttachments: shuffled(base.volumeAttachments, seed + 2),
        };
        expect(auditSnapshot(shuffledSnapshot, options)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});

describe('indexVolumes: the timeout of a claim', () => {
  const volumes = indexVolumes(
    [
      pv({ name: 'p1', pvc: 'a', timeout: '15' }),
      pv({ name: 'p2', pvc: 'b', timeout: '7200', claimRef: { namespace: 'vms', name: 'b', uid: null } }),
      pv({ name: 'p3', pvc: 'c', timeout: '600', driver: 'other.csi.io' }),
    ],
    'rds.csi.srvlab.io',
  );
  const lookup = (ref: { uid: string; namespace: string; name: string }) => volumes.byClaim(ref)?.timeoutSeconds ?? null;

  it.each([
    [{ uid: 'uid-a', namespace: 'x', name: 'y' }, 30, 'by claimRef uid'],
    [{ uid: '', namespace: 'vms', name: 'a' }, 30, 'by namespace/name'],
    [{ uid: 'whatever', namespace: 'vms', name: 'b' }, 3600, 'by namespace/name when the uid is unknown'],
    [{ uid: 'uid-c', namespace: 'vms', name: 'c' }, null, "not another driver's PV"],
    [{ uid: '', namespace: 'vms', name: 'none' }, null, 'no PV'],
  ])('%j → %j (%s)', (ref, expected, _why) => {
    expect(lookup(ref)).toBe(expected);
  });

  it('two PVs claiming one PVC (hostile input): the smaller PV name wins, whatever the order', () => {
    const twins = [
      pv({ name: 'pv-b', pvc: 'a', timeout: '600' }),
      pv({ name: 'pv-a', pvc: 'a', timeout: '60' }),
      pv({ name: 'pv-c', pvc: 'a', timeout: '900' }),
    ];
    for (const order of [twins, [...twins].reverse(), [twins[2]!, twins[0]!, twins[1]!]]) {
      const of = indexVolumes(order, 'rds.csi.srvlab.io');
      expect(of.byClaim({ uid: 'uid-a', namespace: 'vms', name: 'a' })?.timeoutSeconds).toBe(60);
      expect(of.byClaim({ uid: '', namespace: 'vms', name: 'a' })?.timeoutSeconds).toBe(60);
    }
  });
});

describe('newestTimestamp', () => {
  it('is the newest event or VolumeAttachment time', () => {
    expect(
      newestTimestamp(
        snapshot({
          events: [completed(at('11:00:00')), started(null, '5m0s', { count: 2, firstSeen: at('10:00:00'), lastSeen: at('11:30:00') })],
          volumeAttachments: [
            va('node-a', at('11:10:00'), { deletingSince: at('11:40:00') }),
            va('node-b', null, { attached: false, attachError: { time: at('11:45:00'), message: 'x' } }),
          ],
        }),
      ),
    ).toBe(at('11:45:00'));
  });

  it('is null for a snapshot without times', () => {
    expect(newestTimestamp(snapshot({ events: [completed(null)] }))).toBeNull();
  });
});

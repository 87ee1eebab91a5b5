import { describe, expect, it } from 'vitest';
import { buildFindings, FINDING_SEVERITY } from '../../../src/domain/findings.js';
import type { DualAttach, Migration } from '../../../src/domain/types.js';
import { event, VOL } from './builders.js';

function migration(o: Partial<Migration> = {}): Migration {
  return {
    id: 'vms/disk/2025-06-01T11:00:00Z',
    namespace: 'vms',
    pvc: 'disk',
    volumeId: VOL,
    sourceNode: 'node-a',
    targetNode: 'node-b',
    state: 'completed',
    startedAt: '2025-06-01T11:00:00Z',
    endedAt: '2025-06-01T11:00:45Z',
    durationSeconds: 45,
    timeoutSeconds: 300,
    startInferred: false,
    failureReason: null,
    events: ['disk.1', 'disk.2'],
    ...o,
  };
}

function dual(o: Partial<DualAttach> = {}): DualAttach {
  return {
    volumeId: VOL,
    namespace: 'vms',
    pvc: 'disk',
    nodes: ['node-a', 'node-b'],
    since: '2025-06-01T11:50:00Z',
    ageSeconds: 600,
    timeoutSeconds: 300,
    stuck: true,
    volumeAttachments: ['csi-aaa', 'csi-bbb'],
    rejectedTargets: [],
    ...o,
  };
}

const none = { migrations: [], unparsedEvents: [], dualAttaches: [], multiAttaches: [] };

describe('FINDING_SEVERITY (SPEC §2.5)', () => {
  it('matches the catalogue', () => {
    expect(FINDING_SEVERITY).toEqual({
      MigrationFailed: 'error',
      StuckDualAttach: 'error',
      MultiAttach: 'error',
      UnresolvedMigration: 'warning',
      SlowMigration: 'warning',
      UnparsedEvent: 'warning',
      DualAttachInProgress: 'info',
    });
  });
});

describe('buildFindings', () => {
  it('reports a failed migration as MigrationFailed with what to check next', () => {
    const findings = buildFindings({
      ...none,
      migrations: [migration({ state: 'failed', failureReason: 'timeout', durationSeconds: 300, endedAt: '2025-06-01T11:05:00Z' })],
    });
    expect(findings).toEqual([
      {
        severity: 'error',
        code: 'MigrationFailed',
        namespace: 'vms',
        pvc: 'disk',
        volumeId: VOL,
        message: `Migration of PVC vms/disk (volume ${VOL}) from node-a to node-b failed at 2025-06-01T11:05:00Z after 5m0s: timeout.`,
        nextStep: 'Check the VMI migration (kubectl get vmim -n vms) and the CSI driver logs on node-b.',
      },
    ]);
  });

  it('reports an unresolved migration as UnresolvedMigration', () => {
    const [f] = buildFindings({ ...none, migrations: [migration({ state: 'unresolved', endedAt: null, durationSeconds: null })] });
    expect(f).toMatchObject({ severity: 'warning', code: 'UnresolvedMigration', namespace: 'vms', pvc: 'disk', volumeId: VOL });
    expect(f?.message).toContain('node-a to node-b');
    expect(f?.nextStep).toContain('kubectl get vmi -n vms');
  });

  it('reports nothing for an in-progress migration or a quick completed one', () => {
    expect(
      buildFindings({ ...none, migrations: [migration({ state: 'in-progress', endedAt: null, durationSeconds: null }), migration()] }),
    ).toEqual([]);
  });

  it.each([
    [240, 300, false], // exactly 80 %
    [241, 300, true],
    [239, 300, false],
    [48, 60, false],
    [49, 60, true],
  ])('SlowMigration for %d s of a %d s timeout: %s', (durationSeconds, timeoutSeconds, slow) => {
    const findings = buildFindings({ ...none, migrations: [migration({ durationSeconds, timeoutSeconds })] });
    expect(findings.map((f) => f.code)).toEqual(slow ? ['SlowMigration'] : []);
  });

  it('reports an unparsed event with its name and says its message does not match', () => {
    const e = event('MigrationStarted', 'started by hand', 0, { name: 'disk.17c3' });
    const [f] = buildFindings({ ...none, unparsedEvents: [e] });
    expect(f).toMatchObject({ severity: 'warning', code: 'UnparsedEvent', namespace: 'vms', pvc: 'disk', volumeId: null });
    expect(f?.message).toContain('disk.17c3');
    expect(f?.message).toContain("does not match the driver's format");
    expect(f?.nextStep).toContain('kubectl get event disk.17c3 -n vms -o yaml');
  });

  it('reports a stuck dual-attach with the source VolumeAttachment to inspect', () => {
    const [f] = buildFindings({ ...none, dualAttaches: [dual()] });
    expect(f).toMatchObject({ severity: 'error', code: 'StuckDualAttach', namespace: 'vms', pvc: 'disk', volumeId: VOL });
    expect(f?.message).toBe(
      `PVC vms/disk (volume ${VOL}) has been attached to both node-a and node-b for 10m0s, at or past its 5m0s migration timeout.`,
    );
    expect(f?.nextStep).toBe(
      'Inspect VolumeAttachment csi-aaa on node-a (kubectl get volumeattachment csi-aaa -o yaml); deleting the migration source pod (virt-launcher) on node-a ends the dual-attach.',
    );
  });

  it('reports a dual-attach that is not stuck as DualAttachInProgress (info)', () => {
    const [f] = buildFindings({ ...none, dualAttaches: [dual({ stuck: false, ageSeconds: 60 })] });
    expect(f).toMatchObject({ severity: 'info', code: 'DualAttachInProgress' });
    expect(f?.message).toContain('for 1m0s of its 5m0s');
  });

  it('mentions rejected targets next to a dual-attach', () => {
    const [f] = buildFindings({
      ...none,
      dualAttaches: [dual({ rejectedTargets: [{ node: 'node-c', volumeAttachment: 'csi-c', message: 'x', time: null }] })],
    });
    expect(f?.message).toContain('attach rejected on node-c');
  });

  it('reports a multi-attach as MultiAttach naming every node', () => {
    const [f] = buildFindings({
      ...none,
      multiAttaches: [dual({ nodes: ['node-a', 'node-b', 'node-c'], volumeAttachments: ['csi-a', 'csi-b', 'csi-c'] })],
    });
    expect(f).toMatchObject({ severity: 'error', code: 'MultiAttach', volumeId: VOL });
    expect(f?.message).toContain('3 nodes at once (node-a, node-b, node-c)');
    expect(f?.nextStep).toContain('kubectl get volumeattachment csi-a csi-b csi-c');
  });

  it('names the volume alone when its PVC is unknown', () => {
    const [f] = buildFindings({ ...none, dualAttaches: [dual({ namespace: null, pvc: null })] });
    expect(f?.message.startsWith(`Volume ${VOL} has been attached`)).toBe(true);
  });

  it('sorts by severity, then namespace, PVC and code', () => {
    const findings = buildFindings({
      migrations: [
        migration({ namespace: 'b', pvc: 'x', durationSeconds: 299 }), // SlowMigration warning
        migration({ namespace: 'a', pvc: 'y', state: 'unresolved', endedAt: null, durationSeconds: null }),
        migration({ namespace: 'a', pvc: 'y', durationSeconds: 299 }),
        migration({ namespace: 'c', pvc: 'z', state: 'failed', failureReason: 'timeout' }),
      ],
      unparsedEvents: [],
      dualAttaches: [dual({ namespace: 'a', pvc: 'a', stuck: false }), dual({ namespace: 'd', pvc: 'd' })],
      multiAttaches: [],
    });
    expect(findings.map((f) => [f.severity, f.namespace, f.pvc, f.code])).toEqual([
      ['error', 'c', 'z', 'MigrationFailed'],
      ['error', 'd', 'd', 'StuckDualAttach'],
      ['warning', 'a', 'y', 'SlowMigration'],
      ['warning', 'a', 'y', 'UnresolvedMigration'],
      ['warning', 'b', 'x', 'SlowMigration'],
      ['info', 'a', 'a', 'DualAttachInProgress'],
    ]);
  });
});

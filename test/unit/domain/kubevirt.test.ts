// KubeVirt correlation, through the audit and on its own.
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../../src/domain/audit.js';
import { correlateKubevirt, viewVmim } from '../../../src/domain/kubevirt.js';
import { at, completed, failed, launcher, PARAMS, pv, snapshot, started, VOL, vmi, vmim } from './builders.js';

const MIN = 60_000;

/** Audits one PVC vms/disk on VOL with the given driver events, VMIs and VMIMs. */
function audit(o: Parameters<typeof snapshot>[0]) {
  return auditSnapshot(snapshot({ persistentVolumes: [pv()], ...o }), PARAMS);
}

describe('viewVmim: what can be trusted of a VMIM', () => {
  const vm = vmi('vm', 'node-a');

  it('takes the nodes of a migrationState whose migrationUid is its own', () => {
    const v = viewVmim(
      vmim('m', 'vm', 'Succeeded', at('11:00:00'), at('11:01:00'), { source: 'node-a', target: 'node-b', reason: 'x' }),
      vm,
      [],
    );
    expect(v).toMatchObject({ trusted: true, sourceNode: 'node-a', targetNode: 'node-b', failureReason: 'x', end: at('11:01:00') });
  });

  it("ignores another migration's state (KubeVirt before 1.5 copied it unconditionally)", () => {
    const v = viewVmim(
      vmim('m', 'vm', 'Failed', at('11:00:00'), at('11:01:00'), {
        source: 'node-x',
        target: 'node-y',
        reason: 'other',
        stateUid: 'uid-of-another',
      }),
      vm,
      [],
    );
    expect(v).toMatchObject({ trusted: false, sourceNode: null, targetNode: null, failureReason: null });
  });

  it('reads `migrationUid` (lower-case id) only: an empty one is not trusted', () => {
    const v = viewVmim(
      vmim('m', 'vm', 'Succeeded', at('11:00:00'), at('11:01:00'), { source: 'node-a', target: 'node-b', stateUid: '' }),
      vm,
      [],
    );
    expect(v.trusted).toBe(false);
  });

  it('in flight: source = where the VMI runs, target = the node of the pod labelled with its uid', () => {
    const pods = [launcher('src', 'node-a', 'vm'), launcher('tgt', 'node-c', 'vm', 'm')];
    const v = viewVmim(vmim('m', 'vm', 'Scheduling', at('11:58:00')), vm, pods);
    expect(v).toMatchObject({ final: false, trusted: false, sourceNode: 'node-a', targetNode: 'node-c', end: null });
  });

  it('in flight without pods: the target is unknown', () => {
    expect(viewVmim(vmim('m', 'vm', 'Running', at('11:58:00')), vm, []).targetNode).toBeNull();
  });

  it.each([
    ['Scheduling', null, null],
    ['Running', null, 'created'],
    ['Succeeded', null, 'created'],
    ['Failed', null, null],
    ['Failed', at('11:00:30'), 'scheduled'],
  ] as const)('reached Scheduled: phase %s with a Scheduled time %s -> %s', (phase, scheduledAt, expected) => {
    const v = viewVmim(vmim('m', 'vm', phase, at('11:00:00'), null, { scheduledAt }), vm, []);
    expect(v.scheduledAt).toBe(expected === null ? null : expected === 'created' ? at('11:00:00') : at('11:00:30'));
  });
});

describe('matching a driver migration to a VMIM', () => {
  const vm = vmi('vm', 'node-b');
  const events = [started(at('11:10:00')), completed(at('11:11:00'))];

  it.each([
    ['the VMIM starts 2 minutes after the migration', at('11:12:00'), null, true],
    ['a second later than that', at('11:12:01'), null, false],
    ['the VMIM ended 2 minutes before the migration started', at('11:05:00'), at('11:08:00'), true],
    ['a second earlier than that', at('11:05:00'), at('11:07:59'), false],
  ])('matches when %s: %s', (_why, created, finished, matches) => {
    const report = audit({ events, vmis: [vm], vmims: [vmim('m', 'vm', 'Succeeded', created, finished ?? at('11:11:30'))] });
    const driver = report.migrations.find((m) => m.recordedBy.includes('events'))!;
    expect(driver.kubevirt?.migration ?? null).toBe(matches ? 'm' : null);
    expect(driver.recordedBy).toEqual(matches ? ['events', 'kubevirt'] : ['events']);
  });

  it('needs the nodes known on both sides to agree', () => {
    const report = audit({
      events,
      vmis: [vm],
      vmims: [vmim('m', 'vm', 'Succeeded', at('11:09:50'), at('11:11:00'), { source: 'node-a', target: 'node-c' })],
    });
    expect(report.migrations.find((m) => m.recordedBy.includes('events'))?.kubevirt).toBeNull();
  });

  it('prefers the VMIM whose start is closest', () => {
    const report = audit({
      events,
      vmis: [vm],
      vmims: [
        vmim('early', 'vm', 'Failed', at('11:08:30'), at('11:09:00')),
        vmim('close', 'vm', 'Succeeded', at('11:09:50'), at('11:11:00')),
      ],
    });
    expect(report.migrations.find((m) => m.recordedBy.includes('events'))?.kubevirt?.migration).toBe('close');
  });

  it('matches each VMIM to at most one migration of a PVC', () => {
    const report = audit({
      events: [...events, started(at('11:10:30'), '5m0s', { src: 'node-a', tgt: 'node-c' })],
      vmis: [vm],
      vmims: [vmim('m', 'vm', 'Succeeded', at('11:10:00'), at('11:11:00'))],
    });
    const matched = report.migrations.filter((m) => m.kubevirt?.migration === 'm');
    expect(matched).toHaveLength(1);
    expect(matched[0]?.targetNode).toBe('node-b');
  });

  it('two VMs draining from the same node in the same minute are told apart by their PVCs, not by nodes and time', () => {
    const web = vmi('web', 'node-b', { claimNames: ['web-disk'] });
    const db = vmi('db', 'node-c', { claimNames: ['db-disk'] });
    const report = auditSnapshot(
      snapshot({
        persistentVolumes: [pv({ name: 'pv-web', pvc: 'web-disk' }), pv({ name: 'pv-db', pvc: 'db-disk' })],
        events: [
          started(at('11:10:00'), '5m0s', { pvc: 'web-disk', vol: 'pv-web', src: 'node-a', tgt: 'node-b' }),
          completed(at('11:11:00'), '1m0s', { pvc: 'web-disk', vol: 'pv-web', src: 'node-a', tgt: 'node-b' }),
          started(at('11:10:10'), '5m0s', { pvc: 'db-disk', vol: 'pv-db', src: 'node-a', tgt: 'node-c' }),
          completed(at('11:11:10'), '1m0s', { pvc: 'db-disk', vol: 'pv-db', src: 'node-a', tgt: 'node-c' }),
        ],
        vmis: [web, db],
        // Untrusted (in flight long ago? no: final without state): nodes unknown, so only the PVC tells them apart.
        vmims: [
          vmim('mig-db', 'db', 'Succeeded', at('11:10:05'), at('11:11:05')),
          vmim('mig-web', 'web', 'Succeeded', at('11:10:05'), at('11:11:05')),
        ],
      }),
      PARAMS,
    );
    expect(report.migrations.map((m) => [m.pvc, m.kubevirt?.migration, m.kubevirt?.vmi])).toEqual([
      ['web-disk', 'mig-web', 'web'],
      ['db-disk', 'mig-db', 'db'],
    ]);
  });

  it('one VMIM of a VM with three driver disks matches the migration of each disk', () => {
    const disks = ['d1', 'd2', 'd3'];
    const report = auditSnapshot(
      snapshot({
        persistentVolumes: disks.map((d) => pv({ name: `pv-${d}`, pvc: d })),
        events: disks.flatMap((d) => [
          started(at('11:10:00'), '5m0s', { pvc: d, vol: `pv-${d}` }),
          completed(at('11:11:00'), '1m0s', { pvc: d, vol: `pv-${d}` }),
        ]),
        vmis: [vmi('vm', 'node-b', { claimNames: disks })],
        vmims: [vmim('m', 'vm', 'Succeeded', at('11:09:55'), at('11:11:00'))],
      }),
      PARAMS,
    );
    expect(report.migrations.map((m) => [m.pvc, m.kubevirt?.migration])).toEqual([
      ['d1', 'm'],
      ['d2', 'm'],
      ['d3', 'm'],
    ]);
    expect(report.findings).toEqual([]);
  });
});

describe('history beyond the event TTL', () => {
  it("a final VMIM matched to no driver migration is a migration of each of its VM's driver volumes", () => {
    const report = audit({
      vmis: [vmi('vm', 'node-b')],
      vmims: [
        vmim('old-ok', 'vm', 'Succeeded', at('08:00:00'), at('08:01:30'), { source: 'node-a', target: 'node-b' }),
        vmim('old-bad', 'vm', 'Failed', at('07:00:00'), at('07:00:40'), {
          source: 'node-b',
          target: 'node-a',
          reason: 'Live migration has been aborted',
        }),
      ],
    });
    expect(report.migrations).toEqual([
      expect.objectContaining({
        id: 'vms/disk/2025-06-01T07:00:00Z',
        state: 'failed',
        sourceNode: 'node-b',
        targetNode: 'node-a',
        durationSeconds: 40,
        failureReason: 'Live migration has been aborted',
        recordedBy: ['kubevirt'],
        events: [],
        timeoutSeconds: 300,
        volumeId: VOL,
      }),
      expect.objectContaining({ id: 'vms/disk/2025-06-01T08:00:00Z', state: 'completed', durationSeconds: 90, recordedBy: ['kubevirt'] }),
    ]);
    // The failure was followed by a success: it no longer needs action.
    expect(report.findings.map((f) => f.code)).toEqual(['MigrationRetried']);
    expect(report.summary.durationSeconds).toMatchObject({ count: 1, max: 90 });
  });

  it('an in-flight VMIM is not a migration', () => {
    expect(audit({ vmis: [vmi('vm', 'node-b')], vmims: [vmim('m', 'vm', 'Scheduling', at('11:59:00'))] }).migrations).toEqual([]);
  });

  it('VMIMs of VMs on volumes of other drivers are ignored', () => {
    const report = audit({
      persistentVolumes: [pv({ driver: 'rook-ceph.rbd.csi.ceph.com' })],
      vmis: [vmi('vm', 'node-b')],
      vmims: [vmim('m', 'vm', 'Succeeded', at('11:00:00'), at('11:01:00'))],
    });
    expect(report.migrations).toEqual([]);
    expect(report.findings).toEqual([]);
  });
});

describe('OutcomeMismatch and MissingMigrationEvents through the audit', () => {
  it('driver Failed while KubeVirt Succeeded', () => {
    const report = audit({
      events: [started(at('11:10:00')), failed(at('11:15:00'))],
      vmis: [vmi('vm', 'node-b')],
      vmims: [vmim('m', 'vm', 'Succeeded', at('11:09:50'), at('11:15:10'))],
    });
    expect(report.findings.map((f) => f.code)).toEqual(['OutcomeMismatch']);
  });

  const horizon = 0.8 * 3600 * 1000;
  it.each([
    ['reached Scheduled just inside 0.8 × --event-ttl', PARAMS.now - horizon, true],
    ['just outside', PARAMS.now - horizon - 1000, false],
  ])('a VMIM with no driver events that %s raises MissingMigrationEvents: %s', (_why, scheduledAt, raised) => {
    const report = audit({
      vmis: [vmi('vm', 'node-b')],
      vmims: [vmim('m', 'vm', 'Succeeded', scheduledAt - 5000, scheduledAt + 60_000, { scheduledAt })],
    });
    expect(report.findings.some((f) => f.code === 'MissingMigrationEvents')).toBe(raised);
  });

  it('a VMIM still Scheduling (target pod not running) raises nothing', () => {
    const report = audit({
      vmis: [vmi('vm', 'node-b')],
      vmims: [vmim('m', 'vm', 'Scheduling', at('11:50:00'), null, { scheduledAt: null })],
    });
    expect(report.findings).toEqual([]);
  });

  it('honours --event-ttl', () => {
    const snap = snapshot({
      persistentVolumes: [pv()],
      vmis: [vmi('vm', 'node-b')],
      vmims: [vmim('m', 'vm', 'Succeeded', at('10:00:00'), at('10:01:00'), { scheduledAt: at('10:00:05') })],
    });
    expect(auditSnapshot(snap, PARAMS).findings.map((f) => f.code)).not.toContain('MissingMigrationEvents');
    expect(auditSnapshot(snap, { ...PARAMS, eventTtlSeconds: 3 * 3600 }).findings.map((f) => f.code)).toContain('MissingMigrationEvents');
  });
});

describe('correlateKubevirt', () => {
  it('says a VMI is migrating while a VMIM is in flight or ended less than 2 minutes ago', () => {
    const vm = vmi('vm', 'node-b');
    const volumes = { byPv: () => undefined, byClaim: () => undefined };
    const input = (vmims: ReturnType<typeof vmim>[]) => ({ vmis: [vm], vmims, pods: [], volumes, now: PARAMS.now, eventTtlSeconds: 3600 });
    expect(correlateKubevirt([], input([vmim('m', 'vm', 'Running', at('11:50:00'))])).migrating(vm)).toBe(true);
    expect(correlateKubevirt([], input([vmim('m', 'vm', 'Succeeded', at('11:50:00'), PARAMS.now - 2 * MIN + 1000)])).migrating(vm)).toBe(
      true,
    );
    expect(correlateKubevirt([], input([vmim('m', 'vm', 'Succeeded', at('11:50:00'), PARAMS.now - 2 * MIN)])).migrating(vm)).toBe(false);
    expect(correlateKubevirt([], input([])).migrating(vm)).toBe(false);
  });
});

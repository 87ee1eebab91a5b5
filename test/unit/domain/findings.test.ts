import { describe, expect, it } from 'vitest';
import { arg, buildFindings, FINDING_SEVERITY, type FindingsInput, type SharedVolume } from '../../../src/domain/findings.js';
import type { AttachmentIssue } from '../../../src/domain/kubelet.js';
import { viewVmim } from '../../../src/domain/kubevirt.js';
import type { DualAttach, Migration, MigrationKubevirt } from '../../../src/domain/types.js';
import type { ResolvedUser } from '../../../src/domain/users.js';
import { at, event, NOW, pv, VOL, va, vmi, vmim } from './builders.js';

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
    recordedBy: ['events'],
    kubevirt: null,
    ...o,
  };
}

function kubevirt(o: Partial<MigrationKubevirt> = {}): MigrationKubevirt {
  return { vmi: 'vm', migration: 'mig-1', migrationUid: 'uid-vmim-mig-1', phase: 'Succeeded', failureReason: null, ...o };
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
    vmi: null,
    vmiNode: null,
    users: [],
    ...o,
  };
}

function user(pod: string, node: string, o: Partial<ResolvedUser> = {}): ResolvedUser {
  return { node, namespace: 'vms', pod, kind: 'virt-launcher', vmi: 'vm', vmiUid: 'uid-vmi-vm', migrationUid: null, ...o };
}

function shared(attach: DualAttach, o: Partial<SharedVolume> = {}): SharedVolume {
  return { attach, users: null, problem: null, claimed: false, vmi: attach.vmi, inFlightVmim: null, ...o };
}

const none: FindingsInput = {
  now: NOW,
  migrations: [],
  unparsedEvents: [],
  shared: [],
  issues: [],
  missingEvents: [],
  driver: 'rds.csi.srvlab.io',
};

function only(input: Partial<FindingsInput>) {
  const findings = buildFindings({ ...none, ...input });
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('FINDING_SEVERITY', () => {
  it('matches the catalogue', () => {
    expect(FINDING_SEVERITY).toEqual({
      MigrationFailed: 'error',
      StuckDualAttach: 'error',
      MultiAttach: 'error',
      UnsafeSharedAttach: 'error',
      AttachedToMissingNode: 'error',
      OutcomeMismatch: 'error',
      UnresolvedMigration: 'warning',
      SlowMigration: 'warning',
      UnparsedEvent: 'warning',
      StaleAttachment: 'warning',
      DetachStuck: 'warning',
      MissingMigrationEvents: 'warning',
      DualAttachInProgress: 'info',
      MigrationRetried: 'info',
    });
  });
});

describe('migration findings', () => {
  it('reports a failed migration as MigrationFailed, without repeating the PVC, with what to check next', () => {
    const f = only({
      migrations: [migration({ state: 'failed', failureReason: 'timeout', durationSeconds: 300, endedAt: '2025-06-01T11:05:00Z' })],
    });
    expect(f).toEqual({
      severity: 'error',
      code: 'MigrationFailed',
      namespace: 'vms',
      pvc: 'disk',
      volumeId: VOL,
      message: 'Migration from node-a to node-b failed 55m ago after 5m: timeout.',
      next: "See why the target could not take the VM: kubectl get vmim -n vms, and the CSI driver's logs on node-b.",
      objects: [{ kind: 'PersistentVolumeClaim', namespace: 'vms', name: 'disk' }],
    });
  });

  it("names KubeVirt's VMIM in the command and the objects once it is matched", () => {
    const f = only({ migrations: [migration({ state: 'failed', failureReason: 'timeout', kubevirt: kubevirt({ phase: 'Failed' }) })] });
    expect(f.next).toContain('kubectl get vmim mig-1 -n vms -o yaml');
    expect(f.objects).toContainEqual({ kind: 'VirtualMachineInstanceMigration', namespace: 'vms', name: 'mig-1' });
  });

  it('turns a failure followed by a completed migration of the same PVC into MigrationRetried (info)', () => {
    const failedOne = migration({
      state: 'failed',
      failureReason: 'timeout',
      startedAt: '2025-06-01T11:00:00Z',
      endedAt: '2025-06-01T11:05:00Z',
    });
    const retry = migration({ id: 'r', startedAt: '2025-06-01T11:10:00Z', endedAt: '2025-06-01T11:11:00Z' });
    const f = only({ migrations: [failedOne, retry] });
    expect(f).toMatchObject({ severity: 'info', code: 'MigrationRetried', pvc: 'disk' });
    expect(f.message).toContain('A later migration of this PVC from node-a to node-b completed 49m ago.');
    expect(f.next).toBe('Nothing to do: the failure no longer needs action.');
  });

  it.each([
    ['an earlier completed migration', { startedAt: '2025-06-01T10:00:00Z' }],
    ['a completed migration of another PVC', { pvc: 'other', startedAt: '2025-06-01T11:10:00Z' }],
  ])('keeps MigrationFailed after %s', (_why, o) => {
    const findings = buildFindings({
      ...none,
      migrations: [migration({ state: 'failed', failureReason: 'x' }), migration({ id: 'o', ...o })],
    });
    expect(findings.map((f) => f.code)).toEqual(['MigrationFailed']);
  });

  it('reports an unresolved migration without KubeVirt data with how to find out', () => {
    const f = only({ migrations: [migration({ state: 'unresolved', endedAt: null, durationSeconds: null })] });
    expect(f).toMatchObject({ severity: 'warning', code: 'UnresolvedMigration' });
    expect(f.message).toBe('Migration from node-a to node-b started 60m ago and recorded no outcome within its 5m timeout.');
    expect(f.next).toContain('kubectl get vmi -n vms -o wide');
  });

  it.each([
    ['Failed', 'failed', "rds-migrate post-failed disk -n vms --source node-a --target node-b --reason 'failed in KubeVirt (VMIM mig-1)'"],
    ['Succeeded', 'succeeded', 'rds-migrate post-completed disk -n vms --source node-a --target node-b'],
  ])('for an unresolved migration KubeVirt saw %s, gives the command that records it', (phase, says, command) => {
    const f = only({
      migrations: [migration({ state: 'unresolved', endedAt: null, durationSeconds: null, kubevirt: kubevirt({ phase }) })],
    });
    expect(f.message).toContain(`KubeVirt's migration mig-1 says it ${says}`);
    expect(f.next).toBe(`Record the outcome KubeVirt saw: ${command}.`);
  });

  it('for an unresolved migration KubeVirt still runs, says to follow it', () => {
    const f = only({
      migrations: [migration({ state: 'unresolved', endedAt: null, durationSeconds: null, kubevirt: kubevirt({ phase: 'Running' }) })],
    });
    expect(f.message).toContain("KubeVirt's migration mig-1 is still Running.");
    expect(f.next).toContain('kubectl get vmim mig-1 -n vms -w');
  });

  it.each([
    ['completed', 'Failed', 'completed', 'failed'],
    ['failed', 'Succeeded', 'failed', 'succeeded'],
  ])(
    'reports OutcomeMismatch when the driver says %s and KubeVirt %s, instead of the outcome finding',
    (state, phase, driverSays, kubevirtSays) => {
      const f = only({
        migrations: [
          migration({ state: state as Migration['state'], durationSeconds: 299, failureReason: 'timeout', kubevirt: kubevirt({ phase }) }),
        ],
      });
      expect(f).toMatchObject({ severity: 'error', code: 'OutcomeMismatch' });
      expect(f.message).toContain(`as ${driverSays}`);
      expect(f.message).toContain(`says it ${kubevirtSays}`);
      expect(f.next).toContain('kubectl get vmi vm -n vms -o wide');
    },
  );

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

  it('never advises raising a StorageClass parameter for a slow migration (it cannot reach existing volumes)', () => {
    const f = only({ migrations: [migration({ durationSeconds: 290 })] });
    expect(f.message).toBe('Migration from node-a to node-b took 4m50s, over 80% of its 5m timeout.');
    expect(f.next).not.toMatch(/StorageClass|raise/i);
  });

  it('reports an unparsed event with its name and says its message does not match', () => {
    const e = event('MigrationStarted', 'started by hand', 0, { name: 'disk.17c3' });
    const f = only({ unparsedEvents: [e] });
    expect(f).toMatchObject({ severity: 'warning', code: 'UnparsedEvent', namespace: 'vms', pvc: 'disk', volumeId: null });
    expect(f.message).toBe(
      "Event disk.17c3 (MigrationStarted) has a message that does not match the driver's format, so it is not part of any migration.",
    );
    expect(f.next).toBe('Check who posted it and what it says: kubectl get event disk.17c3 -n vms -o yaml.');
    expect(f.objects).toContainEqual({ kind: 'Event', namespace: 'vms', name: 'disk.17c3' });
  });
});

describe('sentences from hostile values', () => {
  it('sanitizes each value before composing: an unterminated escape cannot swallow the words after it', () => {
    const f = only({
      migrations: [migration({ state: 'failed', sourceNode: 'node-a\u001b]0;x', targetNode: 'node-b', failureReason: 'y\u0007' })],
    });
    expect(f.message).toMatch(/^Migration from node-a0;x to node-b failed .* after 45s: y\.$/);
  });

  it('quotes values for the shell in suggested commands', () => {
    expect(arg('disk')).toBe('disk');
    expect(arg("x; rm -rf ~ 'y'")).toBe(`'x; rm -rf ~ '\\''y'\\'''`);
    expect(arg('$(reboot)')).toBe("'$(reboot)'");
    const f = only({ migrations: [migration({ state: 'unresolved', endedAt: null, pvc: '$(reboot)', durationSeconds: null })] });
    expect(f.next).toContain("rds-migrate events '$(reboot)' -n vms");
  });

  it('shows durations like kubectl ages, never as Go durations with hundreds of hours', () => {
    const f = only({ shared: [shared(dual({ ageSeconds: 108 * 3600 + 28 * 60 + 15 }))] });
    expect(f.message).toContain('for 4d12h,');
    expect(f.message).not.toMatch(/\d+h\d+m\d+s/);
  });
});

describe('dual-attach findings and their advice', () => {
  it('without KubeVirt data, says how to find where the VM runs before anything is deleted', () => {
    const f = only({ shared: [shared(dual())] });
    expect(f).toMatchObject({ severity: 'error', code: 'StuckDualAttach', namespace: 'vms', pvc: 'disk', volumeId: VOL });
    expect(f.message).toBe('Attached to both node-a and node-b for 10m, at or past its 5m migration timeout.');
    expect(f.next).toBe(
      'Find out where the VM runs before deleting anything (kubectl get vmi -n vms -o wide); then delete the virt-launcher pod on the other node, never the one on the node it runs on.',
    );
  });

  it('names the pod on the node the VM does not run on, never the one it runs on', () => {
    const users = [user('launcher-a', 'node-a'), user('launcher-b', 'node-b', { migrationUid: 'uid-vmim-old' })];
    const d = dual({ vmi: 'vm', vmiNode: 'node-a' });
    const f = only({ shared: [shared(d, { users })] });
    expect(f.message).toContain('The VM (VMI vm) runs on node-a.');
    expect(f.next).toBe(
      'The VM runs on node-a: keep it there and end the attachment on node-b: delete the pod there: kubectl delete pod launcher-b -n vms.',
    );
    expect(f.next).not.toContain('launcher-a');
    expect(f.objects).toContainEqual({ kind: 'Pod', namespace: 'vms', name: 'launcher-b' });
    expect(f.objects).not.toContainEqual({ kind: 'Pod', namespace: 'vms', name: 'launcher-a' });
  });

  it('the VM on the newer node: the other pod is on the older one', () => {
    const users = [user('launcher-a', 'node-a'), user('launcher-b', 'node-b')];
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-b' }), { users })] });
    expect(f.next).toContain('kubectl delete pod launcher-a -n vms');
    expect(f.next).not.toContain('launcher-b');
  });

  const inFlight = { name: 'mig-9', uid: 'uid-vmim-mig-9', targetNode: 'node-b' };
  const abort =
    'The VM runs on node-a: keep it there and end the attachment on node-b by aborting its migration: kubectl delete vmim mig-9 -n vms (KubeVirt then removes the target pod).';

  it('with a migration in flight, aborts it instead of deleting pods', () => {
    const users = [user('launcher-a', 'node-a'), user('launcher-b', 'node-b', { migrationUid: 'uid-vmim-mig-9' })];
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { inFlightVmim: inFlight, users })] });
    expect(f.next).toBe(abort);
    // Without the pods, the target node of the migration tells the same.
    expect(only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { inFlightVmim: inFlight })] }).next).toBe(abort);
    // …and so does a migration whose target is unknown, with nothing on the other node to delete instead.
    const unknown = { ...inFlight, targetNode: null };
    const quiet = shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { inFlightVmim: unknown, users: [user('launcher-a', 'node-a')] });
    expect(only({ shared: [quiet] }).next).toBe(abort);
  });

  it('with a migration in flight to a third node, names the pod an earlier migration left on the other node', () => {
    // The retry (mig-9, to node-c) cannot attach while the failed migration's target pod holds node-b:
    // aborting the retry would leave that pod, so the advice names it.
    const users = [
      user('launcher-a', 'node-a'),
      user('launcher-b', 'node-b', { migrationUid: 'uid-vmim-failed' }),
      user('launcher-c', 'node-c', { migrationUid: 'uid-vmim-mig-9' }),
    ];
    const retry = { ...inFlight, targetNode: 'node-c' };
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { inFlightVmim: retry, users })] });
    expect(f.next).toBe(
      'The VM runs on node-a: keep it there and end the attachment on node-b: delete the pod there: kubectl delete pod launcher-b -n vms.',
    );
    expect(f.next).not.toContain('delete vmim');
    expect(f.objects).toEqual([
      { kind: 'PersistentVolumeClaim', namespace: 'vms', name: 'disk' },
      { kind: 'VolumeAttachment', namespace: null, name: 'csi-aaa' },
      { kind: 'VolumeAttachment', namespace: null, name: 'csi-bbb' },
      { kind: 'Pod', namespace: 'vms', name: 'launcher-b' },
    ]);
    // Without the pods: find the one on node-b, rather than abort a migration that does not hold it.
    const blind = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { inFlightVmim: retry })] });
    expect(blind.next).toContain('find the pod using disk there (kubectl get pods -n vms -o wide --field-selector spec.nodeName=node-b)');
    expect(blind.next).not.toContain('delete vmim');
  });

  it('with no pod left on the other node, points at the kubelet instead of deleting anything', () => {
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }), { users: [user('launcher-a', 'node-a')] })] });
    expect(f.next).toContain('no pod uses the volume there any more');
    expect(f.next).not.toContain('delete');
  });

  it('without the pods, says how to find the one on the other node', () => {
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-a' }))] });
    expect(f.next).toContain('kubectl get pods -n vms -o wide --field-selector spec.nodeName=node-b');
  });

  it('when the VM runs on neither node, deletes nothing', () => {
    const f = only({ shared: [shared(dual({ vmi: 'vm', vmiNode: 'node-z' }), { users: [user('launcher-a', 'node-a')] })] });
    expect(f.next).toContain('on none of these nodes');
    expect(f.next).not.toContain('kubectl delete');
  });

  it('reports a dual-attach that is not stuck as DualAttachInProgress (info)', () => {
    const f = only({ shared: [shared(dual({ stuck: false, ageSeconds: 60 }))] });
    expect(f).toMatchObject({ severity: 'info', code: 'DualAttachInProgress' });
    expect(f.message).toBe('Attached to both node-a and node-b for 60s of its 5m migration timeout, as during a live migration.');
  });

  it('mentions rejected targets', () => {
    const f = only({
      shared: [shared(dual({ rejectedTargets: [{ node: 'node-c', volumeAttachment: 'csi-c', message: 'x', time: null }] }))],
    });
    expect(f.message).toContain('; attach rejected on node-c.');
  });

  it('reports a multi-attach naming every node, and never the pod on the VM node', () => {
    const d = dual({ nodes: ['node-a', 'node-b', 'node-c'], volumeAttachments: ['csi-a', 'csi-b', 'csi-c'], vmi: 'vm', vmiNode: 'node-b' });
    const users = [user('p-a', 'node-a'), user('p-b', 'node-b'), user('p-c', 'node-c')];
    const f = only({ shared: [shared(d, { users })] });
    expect(f).toMatchObject({ severity: 'error', code: 'MultiAttach' });
    expect(f.message).toContain('3 nodes at once (node-a, node-b, node-c)');
    expect(f.next).toContain('kubectl delete pod p-a p-c -n vms');
    expect(f.next).not.toContain('p-b');
  });

  it('leaves a dual-attach to the kubelet finding of one of its VolumeAttachments', () => {
    expect(buildFindings({ ...none, shared: [shared(dual(), { claimed: true })] })).toEqual([]);
  });
});

describe('UnsafeSharedAttach', () => {
  const d = dual({ vmi: 'vm', vmiNode: 'node-a', stuck: false });

  it('names every user, its node and kind; stops the pod that is not the VM', () => {
    const users = [user('launcher-a', 'node-a'), user('dd', 'node-b', { kind: 'other', vmi: null, vmiUid: null })];
    const f = only({ shared: [shared(d, { users, problem: 'foreign-user', claimed: true })] });
    expect(f).toMatchObject({ severity: 'error', code: 'UnsafeSharedAttach' });
    expect(f.message).toBe(
      'Attached to node-a and node-b and used by pods that are not one VM in a migration: launcher-a (virt-launcher, VMI vm) on node-a and dd (other) on node-b.',
    );
    expect(f.next).toContain('kubectl delete pod dd -n vms');
    expect(f.next).not.toContain('launcher-a');
  });

  it('split brain: deletes the VM pods elsewhere, never the one on its node', () => {
    const users = [user('launcher-a', 'node-a'), user('launcher-b', 'node-b')];
    const f = only({ shared: [shared(d, { users, problem: 'no-migration' })] });
    expect(f.next).toBe(
      'The VM (VMI vm) runs on node-a with no migration in flight: delete its other pod (kubectl delete pod launcher-b -n vms); never the one on node-a.',
    );
  });

  it('without knowing where the VM runs, deletes nothing', () => {
    const users = [user('a', 'node-a'), user('b', 'node-b', { vmi: 'other', vmiUid: 'uid-other' })];
    const f = only({ shared: [shared(dual(), { users, problem: 'several-vms' })] });
    expect(f.next).not.toContain('kubectl delete');
    expect(f.next).toContain('kubectl get vmi -n vms -o wide');
  });
});

describe('kubelet findings', () => {
  const volume = { pv: pv(), volumeId: VOL, timeoutSeconds: 300, namespace: 'vms', pvc: 'disk' };
  const issue = (code: AttachmentIssue['code'], o: Parameters<typeof va>[2] = {}): AttachmentIssue => ({
    code,
    va: va('node-x', at('10:00:00'), { name: 'csi-x', ...o }),
    volume,
    inUseName: `kubernetes.io/csi/rds.csi.srvlab.io^${VOL}`,
  });

  it('AttachedToMissingNode (error)', () => {
    const f = only({ issues: [issue('AttachedToMissingNode')] });
    expect(f).toMatchObject({ severity: 'error', code: 'AttachedToMissingNode', namespace: 'vms', pvc: 'disk', volumeId: VOL });
    expect(f.message).toBe('Still attached on node node-x, which no longer exists (attached there 120m ago).');
    expect(f.next).toContain('kubectl delete volumeattachment csi-x');
    expect(f.objects).toContainEqual({ kind: 'VolumeAttachment', namespace: null, name: 'csi-x' });
  });

  it('DetachStuck (warning) with how long and the detach error, and no advice to force it blindly', () => {
    const f = only({ issues: [issue('DetachStuck', { deletingSince: at('11:35:00'), detachError: 'rpc error: timeout' })] });
    expect(f).toMatchObject({ severity: 'warning', code: 'DetachStuck' });
    expect(f.message).toBe(
      'Its attachment to node-x has been detaching for 25m and the external-attacher has not confirmed the detach (finalizer external-attacher/rds-csi-srvlab-io): rpc error: timeout.',
    );
    expect(f.next).toContain('kubectl describe volumeattachment csi-x');
    expect(f.next).toContain('only once the volume is known to be detached');
  });

  it('StaleAttachment (warning): check first, then detach', () => {
    const f = only({ issues: [issue('StaleAttachment')] });
    expect(f).toMatchObject({ severity: 'warning', code: 'StaleAttachment' });
    expect(f.message).toContain('next migration will be refused');
    expect(f.next).toBe(
      'Confirm no pod on node-x uses disk (kubectl get pods -n vms -o wide --field-selector spec.nodeName=node-x), then let the external-attacher detach it: kubectl delete volumeattachment csi-x.',
    );
  });
});

describe('MissingMigrationEvents', () => {
  it('one finding per PVC, naming the VMIM and what the driver failed to do', () => {
    const vm = vmi('vm', 'node-b', { claimNames: ['disk', 'data'] });
    const view = viewVmim(vmim('mig-1', 'vm', 'Succeeded', at('11:40:00'), at('11:41:00'), { source: 'node-a', target: 'node-b' }), vm, []);
    const findings = buildFindings({
      ...none,
      missingEvents: [
        { namespace: 'vms', pvc: 'disk', volumeId: VOL, view },
        { namespace: 'vms', pvc: 'data', volumeId: 'pvc-data', view },
      ],
    });
    expect(findings.map((f) => [f.code, f.pvc])).toEqual([
      ['MissingMigrationEvents', 'data'],
      ['MissingMigrationEvents', 'disk'],
    ]);
    expect(findings[1]!.message).toBe(
      'KubeVirt migrated VMI vm from node-a to node-b (migration mig-1, Succeeded, scheduled 19m ago), but the driver recorded no migration of this PVC.',
    );
    expect(findings[1]!.next).toContain("check the CSI driver's logs on node-b");
    expect(findings[1]!.objects).toContainEqual({ kind: 'VirtualMachineInstanceMigration', namespace: 'vms', name: 'mig-1' });
  });
});

describe('buildFindings order', () => {
  it('sorts by severity, then namespace, PVC and code', () => {
    const findings = buildFindings({
      ...none,
      migrations: [
        migration({ namespace: 'b', pvc: 'x', durationSeconds: 299 }), // SlowMigration warning
        migration({ namespace: 'a', pvc: 'y', state: 'unresolved', endedAt: null, durationSeconds: null }),
        migration({ namespace: 'a', pvc: 'y', durationSeconds: 299, startedAt: '2025-06-01T10:00:00Z' }),
        migration({ namespace: 'c', pvc: 'z', state: 'failed', failureReason: 'timeout' }),
      ],
      shared: [shared(dual({ namespace: 'a', pvc: 'a', stuck: false })), shared(dual({ namespace: 'd', pvc: 'd' }))],
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

describe('UnsafeSharedAttach with a stranger and a leftover pod of the VM', () => {
  it('stops both, and never the VM pod on its node', () => {
    const d = dual({ vmi: 'vm', vmiNode: 'node-a', stuck: false });
    const users = [
      user('launcher-a', 'node-a'),
      user('launcher-b', 'node-b'),
      user('dd', 'node-c', { kind: 'other', vmi: null, vmiUid: null }),
    ];
    const f = only({ shared: [shared(d, { users, problem: 'foreign-user' })] });
    expect(f.next).toContain('kubectl delete pod launcher-b dd -n vms');
    expect(f.next).not.toContain('launcher-a ');
    const inFlight = only({
      shared: [shared(d, { users, problem: 'foreign-user', inFlightVmim: { name: 'm', uid: 'uid-vmim-m', targetNode: 'node-b' } })],
    });
    expect(inFlight.next).toContain('kubectl delete pod dd -n vms');
  });
});

describe('what KubeVirt saw, in the sentences', () => {
  it("a failed migration says KubeVirt's reason beside the driver's word", () => {
    const f = only({
      migrations: [
        migration({
          state: 'failed',
          failureReason: 'timeout',
          kubevirt: kubevirt({ phase: 'Failed', failureReason: 'Live migration is not completed after 150 seconds' }),
        }),
      ],
    });
    expect(f.message).toMatch(/: timeout\. KubeVirt's migration mig-1: Live migration is not completed after 150 seconds\.$/);
  });

  it('a VMIM still in flight is migrating, not migrated', () => {
    const vm = vmi('vm', 'node-a');
    const view = viewVmim(vmim('mig-1', 'vm', 'Running', at('11:50:00'), null, { scheduledAt: at('11:50:10') }), vm, []);
    const f = only({ missingEvents: [{ namespace: 'vms', pvc: 'disk', volumeId: VOL, view }] });
    expect(f.message).toMatch(/^KubeVirt is migrating VMI vm /);
  });
});

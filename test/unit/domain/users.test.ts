// The users of a volume and the safety of sharing it, and the advice rule: the pod on
// the node the VM runs on is never named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../../src/domain/audit.js';
import type { PodRecord } from '../../../src/domain/types.js';
import { classifyPod, indexUsers, judgeSharing } from '../../../src/domain/users.js';
import { at, launcher, PARAMS, pod, pv, snapshot, started, va, vmi, vmim } from './builders.js';

describe('classifyPod', () => {
  it.each([
    [{ 'kubevirt.io': 'virt-launcher' }, 'virt-launcher'],
    [{ 'kubevirt.io': 'hotplug-disk' }, 'hotplug'],
    [{ app: 'containerized-data-importer', 'cdi.kubevirt.io': 'importer' }, 'cdi'],
    [{ 'cdi.kubevirt.io': 'cdi-upload-server' }, 'cdi'],
    [{ 'kubevirt.io.virt-export-service': 'exp' }, 'export'],
    [{ 'velero.io/data-upload': 'du-1' }, 'backup'],
    [{ 'k10.kasten.io/jobID': 'j' }, 'backup'],
    [{ createdBy: 'Kasten-K10' }, 'backup'],
    [{ app: 'debug' }, 'other'],
    [{}, 'other'],
  ])('%j is %s', (labels, kind) => {
    expect(classifyPod(pod('p', 'node-a', labels))).toBe(kind);
  });
});

describe('indexUsers', () => {
  const vm = vmi('vm', 'node-a');

  it("keeps scheduled, unfinished pods naming the PVC (the attach/detach controller's rule)", () => {
    const pods: PodRecord[] = [
      launcher('running', 'node-a', 'vm'),
      launcher('done', 'node-b', 'vm', undefined, { phase: 'Succeeded', terminated: true }),
      pod('pending', null),
      pod('other-claim', 'node-c', {}, { claimNames: ['other'] }),
      pod('other-ns', 'node-c', {}, { namespace: 'elsewhere' }),
    ];
    expect(
      indexUsers(pods, [vm])
        .usersOf('vms', 'disk')
        .map((u) => u.pod),
    ).toEqual(['running']);
  });

  it('resolves a virt-launcher pod to its VMI by label, else by its controller', () => {
    const byController = pod(
      'p2',
      'node-b',
      { 'kubevirt.io': 'virt-launcher' },
      { controller: { kind: 'VirtualMachineInstance', name: 'vm', uid: 'uid-vmi-vm' } },
    );
    const users = indexUsers([launcher('p1', 'node-a', 'vm'), byController], [vm]).usersOf('vms', 'disk');
    expect(users.map((u) => [u.pod, u.kind, u.vmi, u.vmiUid])).toEqual([
      ['p1', 'virt-launcher', 'vm', 'uid-vmi-vm'],
      ['p2', 'virt-launcher', 'vm', 'uid-vmi-vm'],
    ]);
  });

  it('resolves a hotplug pod through the virt-launcher pod that controls it', () => {
    const owner = launcher('virt-launcher-vm-x', 'node-a', 'vm', undefined, { claimNames: [] });
    const hotplug = pod(
      'hp-volume-abc',
      'node-a',
      { 'kubevirt.io': 'hotplug-disk' },
      { controller: { kind: 'Pod', name: 'virt-launcher-vm-x', uid: 'u' } },
    );
    const [u] = indexUsers([owner, hotplug], [vm]).usersOf('vms', 'disk');
    expect(u).toMatchObject({ pod: 'hp-volume-abc', kind: 'hotplug', vmi: 'vm', vmiUid: 'uid-vmi-vm' });
  });

  it('resolves a hotplug pod by its owner-vmi-uid annotation (newer KubeVirt)', () => {
    const hotplug = pod('hp-volume-abc', 'node-a', { 'kubevirt.io': 'hotplug-disk' }, { ownerVmiUid: 'uid-vmi-vm' });
    expect(indexUsers([hotplug], [vm]).usersOf('vms', 'disk')[0]?.vmi).toBe('vm');
  });
});

describe('judgeSharing', () => {
  const index = (pods: PodRecord[]) =>
    indexUsers(pods, [vmi('vm', 'node-a'), vmi('other', 'node-b', { uid: 'uid-vmi-other' })]).usersOf('vms', 'disk');
  const never = () => false;
  const always = () => true;

  it('one VM migrating between two nodes is safe', () => {
    expect(judgeSharing(index([launcher('a', 'node-a', 'vm'), launcher('b', 'node-b', 'vm', 'm')]), always)).toBeNull();
  });

  it("one VM's two running launcher pods with no migration in flight is split brain", () => {
    expect(judgeSharing(index([launcher('a', 'node-a', 'vm'), launcher('b', 'node-b', 'vm')]), never)).toBe('no-migration');
  });

  it('a VM on one node with the other attachment unused is not a shared use', () => {
    expect(judgeSharing(index([launcher('a', 'node-a', 'vm')]), never)).toBeNull();
  });

  it('a hotplug pod beside its own launcher on the same node is the same VM', () => {
    const owner = launcher('virt-launcher-vm-x', 'node-a', 'vm');
    const hotplug = pod(
      'hp',
      'node-a',
      { 'kubevirt.io': 'hotplug-disk' },
      { controller: { kind: 'Pod', name: 'virt-launcher-vm-x', uid: 'u' } },
    );
    expect(judgeSharing(index([owner, hotplug]), never)).toBeNull();
  });

  it('a CDI pod beside a virt-launcher pod is a foreign writer, even on the same node', () => {
    const cdi = pod('importer-disk', 'node-a', { app: 'containerized-data-importer', 'cdi.kubevirt.io': 'importer' });
    expect(judgeSharing(index([launcher('a', 'node-a', 'vm'), cdi]), always)).toBe('foreign-user');
  });

  it('pods of two VMs', () => {
    expect(judgeSharing(index([launcher('a', 'node-a', 'vm'), launcher('b', 'node-b', 'other')]), always)).toBe('several-vms');
  });
});

describe('UnsafeSharedAttach through the audit', () => {
  const base = {
    persistentVolumes: [pv()],
    volumeAttachments: [va('node-a', at('08:00:00')), va('node-b', at('11:58:00'))],
    vmis: [vmi('vm', 'node-a')],
  };

  it('a plain pod sharing a dual-attached block PVC', () => {
    const report = auditSnapshot(snapshot({ ...base, pods: [launcher('vm-pod', 'node-a', 'vm'), pod('dd', 'node-b')] }), PARAMS);
    expect(report.findings.map((f) => f.code)).toEqual(['UnsafeSharedAttach']);
    expect(report.dualAttaches[0]).toMatchObject({
      vmi: 'vm',
      vmiNode: 'node-a',
      users: [
        { node: 'node-a', namespace: 'vms', pod: 'vm-pod', kind: 'virt-launcher', vmi: 'vm' },
        { node: 'node-b', namespace: 'vms', pod: 'dd', kind: 'other', vmi: null },
      ],
    });
  });

  it('a migration in flight (its VMIM) makes two launcher pods safe', () => {
    const report = auditSnapshot(
      snapshot({
        ...base,
        events: [started(at('11:55:00'), '10m0s')],
        pods: [launcher('src', 'node-a', 'vm'), launcher('tgt', 'node-b', 'vm', 'm')],
        vmims: [vmim('m', 'vm', 'Running', at('11:54:50'))],
      }),
      PARAMS,
    );
    expect(report.findings.map((f) => f.code)).toEqual(['DualAttachInProgress']);
  });

  it("an in-progress driver migration of the volume counts as in flight; an unresolved one doesn't", () => {
    const pods = [launcher('src', 'node-a', 'vm'), launcher('tgt', 'node-b', 'vm')];
    const inProgress = auditSnapshot(snapshot({ ...base, pods, events: [started(at('11:58:00'))] }), PARAMS);
    expect(inProgress.findings.map((f) => f.code)).toEqual(['DualAttachInProgress']);
    const unresolved = auditSnapshot(snapshot({ ...base, pods, events: [started(at('11:50:00'))] }), PARAMS);
    expect(unresolved.findings.map((f) => f.code).sort()).toEqual(['UnresolvedMigration', 'UnsafeSharedAttach']);
  });

  it('without the pods, warns instead of judging', () => {
    const report = auditSnapshot(snapshot({ ...base, unread: ['Pod'] }), PARAMS);
    expect(report.findings.map((f) => f.code)).toEqual(['DualAttachInProgress']);
    expect(report.warnings).toEqual([expect.stringMatching(/^Pods could not be read, so .*UnsafeSharedAttach/)]);
  });

  it('pods forbidden in one namespace: a warning naming it', () => {
    const report = auditSnapshot(snapshot({ ...base, podsUnreadIn: ['vms'] }), PARAMS);
    expect(report.warnings).toEqual([expect.stringMatching(/^Pods in namespace vms could not be read/)]);
  });
});

describe('the advice rule, over generated clusters', () => {
  const nodes = ['node-a', 'node-b', 'node-c', 'node-d'];
  const cluster = fc.record({
    attached: fc.uniqueArray(fc.constantFrom(...nodes), { minLength: 2, maxLength: 3 }),
    vmNode: fc.option(fc.constantFrom(...nodes), { nil: null }),
    podNodes: fc.uniqueArray(fc.constantFrom(...nodes), { maxLength: 4 }),
    foreign: fc.option(fc.constantFrom(...nodes), { nil: null }),
    vmimPhase: fc.option(fc.constantFrom('Running', 'Scheduling', 'Succeeded', 'Failed'), { nil: null }),
    ageMinutes: fc.integer({ min: 0, max: 600 }),
    withPods: fc.boolean(),
  });

  it("never names the VM's pod on the node it runs on, and without KubeVirt data says how to find it", () => {
    fc.assert(
      fc.property(cluster, (c) => {
        const vms = c.vmNode === null ? [] : [vmi('vm', c.vmNode)];
        const launchers = c.podNodes.map((n) => launcher(`launcher-on-${n}`, n, 'vm'));
        const pods = [...launchers, ...(c.foreign === null ? [] : [pod('intruder', c.foreign)])];
        const report = auditSnapshot(
          snapshot({
            persistentVolumes: [pv()],
            volumeAttachments: c.attached.map((n, i) => va(n, PARAMS.now - (c.ageMinutes + i) * 60_000)),
            vmis: vms,
            vmims:
              c.vmimPhase === null || c.vmNode === null
                ? []
                : [
                    vmim(
                      'm',
                      'vm',
                      c.vmimPhase,
                      PARAMS.now - 3 * 60_000,
                      c.vmimPhase === 'Running' || c.vmimPhase === 'Scheduling' ? null : PARAMS.now - 60_000,
                    ),
                  ],
            pods: c.withPods ? pods : [],
            unread: c.withPods ? [] : ['Pod'],
          }),
          PARAMS,
        );
        for (const f of report.findings) {
          const text = `${f.message} ${f.next}`;
          if (c.vmNode !== null) {
            expect(f.next).not.toContain(`launcher-on-${c.vmNode}`);
            // UnsafeSharedAttach names every user in its sentence and objects; the advice never names the VM's pod.
            if (f.code !== 'UnsafeSharedAttach') {
              expect(f.objects).not.toContainEqual({ kind: 'Pod', namespace: 'vms', name: `launcher-on-${c.vmNode}` });
            }
          } else if (['StuckDualAttach', 'MultiAttach', 'UnsafeSharedAttach'].includes(f.code)) {
            expect(f.next).toContain('kubectl get vmi -n vms -o wide');
            expect(text).not.toMatch(/kubectl delete pod/);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

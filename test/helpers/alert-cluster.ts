// A cluster (objects for the fake API server, with KubeVirt) in which `audit` makes every finding
// the PrometheusRule alerts on, each on its own PVC in namespace `vms`: StuckDualAttach,
// UnsafeSharedAttach, MultiAttach, AttachedToMissingNode, MigrationFailed, OutcomeMismatch.
// Volumes attached to two or more nodes make the audit list the pods of `vms`, and KubeVirt makes
// it list VMIs and VMIMs: a run against it reads everything an audit can read.
import { event, launcherPod, namespace, node, pod, pv, pvc, vmi, vmim, volumeAttachment, withNodes } from './objects.js';
import { completedMessage, failedMessage, newVolumeIdentity, startedMessage } from './read-side.js';

/** A finding the cluster is built to produce, with the labels its series carries. */
export interface ExpectedFinding {
  code: string;
  namespace: string;
  pvc: string;
  volume: string;
}

const NS = 'vms';

/** A bound PVC of the driver and its PV (timeout 60 s). */
function volume(name: string): { claim: any; pv: any; vol: string } {
  const { uid, vol } = newVolumeIdentity();
  return {
    vol,
    claim: pvc({ namespace: NS, name, uid, volumeName: vol }),
    pv: pv({ name: vol, claimRef: { namespace: NS, name, uid }, timeout: 60 }),
  };
}

/** The objects of the cluster at `now`, and the findings an audit of it makes. */
export function alertedCluster(now: Date): { objects: object[]; findings: ExpectedFinding[] } {
  const ago = (minutes: number): Date => new Date(now.getTime() - minutes * 60_000);
  const objects: object[] = [namespace(NS)];
  const findings: ExpectedFinding[] = [];
  const expect = (code: string, v: { claim: any; vol: string }): void => {
    findings.push({ code, namespace: NS, pvc: v.claim.metadata.name, volume: v.vol });
  };

  // StuckDualAttach: the VM runs on node-a and only there; the volume is still attached to node-b
  // 20 minutes after the migration's dual-attach began (its timeout is 60 s).
  const stuck = volume('stuck-disk');
  const stuckVm = vmi({ namespace: NS, name: 'stuck-vm', node: 'node-a', pvcs: ['stuck-disk'] });
  objects.push(
    stuck.claim,
    stuck.pv,
    stuckVm,
    launcherPod({ vmi: stuckVm, name: 'virt-launcher-stuck-vm-a', node: 'node-a' }),
    volumeAttachment({ pv: stuck.pv, node: 'node-a', attached: true, createdAt: ago(60) }),
    volumeAttachment({ pv: stuck.pv, node: 'node-b', attached: true, createdAt: ago(20) }),
  );
  expect('StuckDualAttach', stuck);

  // UnsafeSharedAttach: a VM on node-a and a pod that is no VM's on node-c write the same volume.
  const shared = volume('shared-disk');
  const sharedVm = vmi({ namespace: NS, name: 'shared-vm', node: 'node-a', pvcs: ['shared-disk'] });
  objects.push(
    shared.claim,
    shared.pv,
    sharedVm,
    launcherPod({ vmi: sharedVm, name: 'virt-launcher-shared-vm-a', node: 'node-a' }),
    pod({ namespace: NS, name: 'backup-writer', node: 'node-c', pvcs: ['shared-disk'] }),
    volumeAttachment({ pv: shared.pv, node: 'node-a', attached: true, createdAt: ago(60) }),
    volumeAttachment({ pv: shared.pv, node: 'node-c', attached: true, createdAt: ago(30) }),
  );
  expect('UnsafeSharedAttach', shared);

  // MultiAttach: attached to three nodes.
  const multi = volume('multi-disk');
  const multiVm = vmi({ namespace: NS, name: 'multi-vm', node: 'node-a', pvcs: ['multi-disk'] });
  objects.push(
    multi.claim,
    multi.pv,
    multiVm,
    launcherPod({ vmi: multiVm, name: 'virt-launcher-multi-vm-a', node: 'node-a' }),
    ...['node-a', 'node-b', 'node-c'].map((n, i) => volumeAttachment({ pv: multi.pv, node: n, attached: true, createdAt: ago(50 - i) })),
  );
  expect('MultiAttach', multi);

  // MigrationFailed: the driver's Started and Failed, 20 and 15 minutes ago.
  const failed = volume('failed-disk');
  objects.push(
    failed.claim,
    failed.pv,
    event({
      pvc: failed.claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(failed.vol, 'node-a', 'node-b', '1m0s'),
      firstTimestamp: ago(20),
    }),
    event({
      pvc: failed.claim,
      reason: 'MigrationFailed',
      type: 'Warning',
      message: failedMessage(failed.vol, 'node-a', 'node-b', 'timeout', '1m0s'),
      firstTimestamp: ago(19),
    }),
    volumeAttachment({ pv: failed.pv, node: 'node-a', attached: true, createdAt: ago(120) }),
  );
  expect('MigrationFailed', failed);

  // OutcomeMismatch: the driver says completed, KubeVirt's migration of the VM failed.
  const mismatch = volume('mismatch-disk');
  const mismatchVm = vmi({ namespace: NS, name: 'mismatch-vm', node: 'node-a', pvcs: ['mismatch-disk'] });
  objects.push(
    mismatch.claim,
    mismatch.pv,
    mismatchVm,
    launcherPod({ vmi: mismatchVm, name: 'virt-launcher-mismatch-vm-a', node: 'node-a' }),
    vmim({
      namespace: NS,
      name: 'mismatch-vm-migration',
      vmi: 'mismatch-vm',
      phase: 'Failed',
      createdAt: ago(30),
      transitions: { Scheduled: ago(30), Failed: ago(29) },
      state: { sourceNode: 'node-a', targetNode: 'node-b', failureReason: 'target pod crashed', endTimestamp: ago(29) },
    }),
    event({
      pvc: mismatch.claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(mismatch.vol, 'node-a', 'node-b', '1m0s'),
      firstTimestamp: ago(30),
    }),
    event({
      pvc: mismatch.claim,
      reason: 'MigrationCompleted',
      type: 'Normal',
      message: completedMessage(mismatch.vol, 'node-a', 'node-b', '40s'),
      firstTimestamp: ago(29),
    }),
    volumeAttachment({ pv: mismatch.pv, node: 'node-a', attached: true, createdAt: ago(120) }),
  );
  expect('OutcomeMismatch', mismatch);

  // Every node the attachments name exists, its kubelet using what is attached there; then one
  // attachment to a node that no longer exists (AttachedToMissingNode).
  const cluster = withNodes(objects);
  if (!cluster.some((o: any) => o.kind === 'Node' && o.metadata.name === 'node-b')) cluster.push(node('node-b'));
  const orphan = volume('orphan-disk');
  cluster.push(orphan.claim, orphan.pv, volumeAttachment({ pv: orphan.pv, node: 'node-gone', attached: true, createdAt: ago(45) }));
  expect('AttachedToMissingNode', orphan);
  return { objects: cluster, findings };
}

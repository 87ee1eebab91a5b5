// The kubelet's side of attachments: VolumeAttachments the driver counts as
// attached although the node's kubelet no longer uses the volume, that sit on a node that no
// longer exists, or whose detach the external-attacher never confirmed.

import type { NodeRecord, VolumeAttachmentRecord } from './types.js';
import type { DriverVolume, VolumeIndex } from './volumes.js';

export type AttachmentIssueCode = 'AttachedToMissingNode' | 'DetachStuck' | 'StaleAttachment';

/** One VolumeAttachment with what is wrong with it; at most one issue per VolumeAttachment. */
export interface AttachmentIssue {
  code: AttachmentIssueCode;
  va: VolumeAttachmentRecord;
  /** The driver's volume it attaches, when its PV is known. */
  volume: DriverVolume | undefined;
  /** The unique volume name the kubelet reports in status.volumesInUse. */
  inUseName: string;
}

export interface KubeletOptions {
  driver: string;
  /** Epoch ms. */
  now: number;
  staleAfterSeconds: number;
  /** Whether a PV (by name) has a migration in flight: its attachments are changing, so none is judged. */
  migrating(pvName: string): boolean;
}

/** The external-attacher's finalizer: the driver name with every character outside [a-zA-Z0-9-] made '-'. */
export function attacherFinalizer(driver: string): string {
  return `external-attacher/${driver.replace(/[^a-zA-Z0-9-]/g, '-')}`;
}

/** The unique name of a CSI volume in a node's status.volumesInUse. */
export function volumeInUseName(driver: string, volumeHandle: string): string {
  return `kubernetes.io/csi/${driver}^${volumeHandle}`;
}

/**
 * Finds the driver's VolumeAttachments that are attached to a missing node, stuck detaching, or
 * stale, in that order of precedence. Needs the Nodes to have been read; skips
 * volumes with a migration in flight and VolumeAttachments younger than --stale-after.
 */
export function findAttachmentIssues(
  vas: readonly VolumeAttachmentRecord[],
  nodes: readonly NodeRecord[],
  volumes: VolumeIndex,
  options: KubeletOptions,
): AttachmentIssue[] {
  const inUse = new Map<string, Set<string>>();
  for (const node of nodes) inUse.set(node.name, new Set(node.volumesInUse));
  const staleAfterMs = options.staleAfterSeconds * 1000;
  // A time that is unknown cannot prove the object young.
  const oldEnough = (since: number | null): boolean => since === null || options.now - since >= staleAfterMs;
  const finalizer = attacherFinalizer(options.driver);
  const issues: AttachmentIssue[] = [];
  for (const va of vas) {
    const pvName = va.persistentVolumeName;
    if (va.attacher !== options.driver || pvName === null) continue;
    if (!oldEnough(va.createdAt) || options.migrating(pvName)) continue;
    const volume = volumes.byPv(pvName);
    const inUseName = volumeInUseName(options.driver, volume?.volumeId ?? pvName);
    const issue = (code: AttachmentIssueCode): void => {
      issues.push({ code, va, volume, inUseName });
    };
    const deleting = va.deletingSince !== null;
    const nodeVolumes = inUse.get(va.nodeName);
    if (nodeVolumes === undefined) {
      if (va.attached || deleting) issue('AttachedToMissingNode');
    } else if (deleting) {
      // The external-attacher removes its finalizer first once detached.
      if (oldEnough(va.deletingSince) && va.finalizers.includes(finalizer)) issue('DetachStuck');
    } else if (va.attached && !nodeVolumes.has(inUseName)) {
      issue('StaleAttachment');
    }
  }
  return issues;
}

// Dual- and multi-attaches from VolumeAttachments. Attachment state
// comes from VolumeAttachments alone, never from events.

import { formatTimestamp } from './time.js';
import { volumeTimeoutSeconds } from './timeout.js';
import type { DualAttach, PersistentVolumeRecord, RejectedTarget, VolumeAttachmentRecord, VolumeRejectedTarget } from './types.js';

export interface AttachmentOptions {
  /** Epoch ms. */
  now: number;
  driver: string;
  /** --stuck-after in seconds; null = each volume's migration timeout. */
  stuckAfterSeconds: number | null;
}

export interface AttachmentResult {
  /** Volumes attached to exactly two nodes, sorted by namespace, PVC, volumeId. */
  dualAttaches: DualAttach[];
  /** Volumes attached to three or more nodes, same order. */
  multiAttaches: DualAttach[];
  /** volumeId → the nodes it is attached to (sorted), for every volume attached somewhere. */
  attachedNodesByVolume: Map<string, string[]>;
  /** volumeId → rejected migration targets, for every volume with an attached VolumeAttachment. */
  rejectedTargetsByVolume: Map<string, RejectedTarget[]>;
  /** The same rejected targets as one list, each with its volume and PVC, ordered like dual-attaches. */
  rejectedTargets: VolumeRejectedTarget[];
  /** volumeId -> the PV name its VolumeAttachments name, for every volume attached somewhere. */
  pvNameOf: Map<string, string>;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts dual-attaches by namespace, PVC and volume ID (unknown namespace/PVC first). */
export function compareDualAttaches(a: DualAttach, b: DualAttach): number {
  return compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.pvc ?? '', b.pvc ?? '') || compareText(a.volumeId, b.volumeId);
}

/** Known times first, oldest first; an unknown attach time sorts last. */
function compareAttachTime(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function compareAttachments(a: VolumeAttachmentRecord, b: VolumeAttachmentRecord): number {
  return compareText(a.nodeName, b.nodeName) || compareText(a.name, b.name);
}

/** Finds dual-attaches, multi-attaches and rejected targets among the driver's VolumeAttachments. */
export function findAttachments(
  vas: readonly VolumeAttachmentRecord[],
  pvs: readonly PersistentVolumeRecord[],
  options: AttachmentOptions,
): AttachmentResult {
  const pvByName = new Map<string, PersistentVolumeRecord>();
  for (const pv of pvs) pvByName.set(pv.name, pv);

  const byVolume = new Map<string, VolumeAttachmentRecord[]>();
  for (const va of vas) {
    // Other drivers' attachments and inline (non-PV) sources are not ours to judge.
    if (va.attacher !== options.driver || va.persistentVolumeName === null) continue;
    const list = byVolume.get(va.persistentVolumeName);
    if (list === undefined) byVolume.set(va.persistentVolumeName, [va]);
    else list.push(va);
  }

  const dualAttaches: DualAttach[] = [];
  const multiAttaches: DualAttach[] = [];
  const attachedNodesByVolume = new Map<string, string[]>();
  const rejectedTargetsByVolume = new Map<string, RejectedTarget[]>();
  const flatRejected: VolumeRejectedTarget[] = [];
  const pvNameOf = new Map<string, string>();
  for (const [pvName, list] of byVolume) {
    if (list.length === 1) {
      // Most volumes: one VolumeAttachment, so no dual-attach and no rejected target.
      const va = list[0]!;
      if (!va.attached) continue;
      const pv = pvByName.get(pvName);
      const volumeId = pv?.volumeHandle ?? pv?.name ?? pvName;
      pvNameOf.set(volumeId, pvName);
      attachedNodesByVolume.set(volumeId, [va.nodeName]);
      rejectedTargetsByVolume.set(volumeId, []);
      continue;
    }
    list.sort(compareAttachments);
    // A VolumeAttachment being deleted (deletionTimestamp set) still counts while
    // status.attached is true: the volume stays attached until the external-attacher
    // finishes ControllerUnpublish, and a detach stuck there is exactly what to find.
    const attached = list.filter((va) => va.attached);
    if (attached.length === 0) continue;
    const pv = pvByName.get(pvName) ?? null;
    const volumeId = pv?.volumeHandle ?? pv?.name ?? pvName;
    pvNameOf.set(volumeId, pvName);

    // When a node has several attached VolumeAttachments (hostile input), it has been
    // attached since the oldest of them.
    const sinceByNode = new Map<string, number | null>();
    for (const va of attached) {
      const prev = sinceByNode.get(va.nodeName);
      if (prev === undefined) sinceByNode.set(va.nodeName, va.createdAt);
      else if (prev !== null && va.createdAt !== null) sinceByNode.set(va.nodeName, Math.min(prev, va.createdAt));
    }
    const nodes = [...sinceByNode.keys()].sort(compareText);
    attachedNodesByVolume.set(volumeId, nodes);

    const rejectedTargets: RejectedTarget[] = list
      .filter((va) => !va.attached && va.attachError !== null)
      .map((va) => ({
        node: va.nodeName,
        volumeAttachment: va.name,
        message: va.attachError?.message ?? '',
        time: va.attachError?.time == null ? null : formatTimestamp(va.attachError.time),
      }));
    rejectedTargetsByVolume.set(volumeId, rejectedTargets);
    const claim = { volumeId, namespace: pv?.claimRef?.namespace ?? null, pvc: pv?.claimRef?.name ?? null };
    for (const r of rejectedTargets) flatRejected.push({ ...claim, ...r });
    if (nodes.length < 2) continue;

    // The dual-attach began when the newer node was attached; unknown if any start is unknown.
    const starts = [...sinceByNode.values()];
    const sinceMs = starts.some((s) => s === null) ? null : Math.max(...(starts as number[]));
    // Clamped at 0: a VolumeAttachment created after `now` (clock skew) is not negative-aged.
    const ageSeconds = sinceMs === null ? null : Math.max(0, (options.now - sinceMs) / 1000);
    // The threshold in effect is reported, so `stuck` always agrees with age ≥ timeoutSeconds.
    const timeoutSeconds = options.stuckAfterSeconds ?? volumeTimeoutSeconds(pv?.migrationTimeoutAttribute ?? null);
    // Nodes oldest attachment first (the migration source, then the target), and the
    // VolumeAttachments in the same order, so nodes[0] and volumeAttachments[0] name the source.
    const byAttachTime = (a: string, b: string): number =>
      compareAttachTime(sinceByNode.get(a) ?? null, sinceByNode.get(b) ?? null) || compareText(a, b);
    const orderedNodes = [...nodes].sort(byAttachTime);
    const orderedAttachments = [...attached].sort((a, b) => byAttachTime(a.nodeName, b.nodeName) || compareText(a.name, b.name));
    const entry: DualAttach = {
      volumeId,
      namespace: pv?.claimRef?.namespace ?? null,
      pvc: pv?.claimRef?.name ?? null,
      nodes: orderedNodes,
      since: sinceMs === null ? null : formatTimestamp(sinceMs),
      ageSeconds,
      timeoutSeconds,
      stuck: ageSeconds !== null && ageSeconds >= timeoutSeconds,
      volumeAttachments: orderedAttachments.map((va) => va.name),
      rejectedTargets,
      // Filled in by the audit from KubeVirt's objects and the pods, where they were read.
      vmi: null,
      vmiNode: null,
      users: [],
    };
    (nodes.length === 2 ? dualAttaches : multiAttaches).push(entry);
  }
  dualAttaches.sort(compareDualAttaches);
  multiAttaches.sort(compareDualAttaches);
  flatRejected.sort(
    (a, b) =>
      compareText(a.namespace ?? '', b.namespace ?? '') ||
      compareText(a.pvc ?? '', b.pvc ?? '') ||
      compareText(a.volumeId, b.volumeId) ||
      compareText(a.node, b.node) ||
      compareText(a.volumeAttachment, b.volumeAttachment),
  );
  return { dualAttaches, multiAttaches, attachedNodesByVolume, rejectedTargetsByVolume, rejectedTargets: flatRejected, pvNameOf };
}

/** The namespaces of the driver's volumes attached to two or more nodes: where their users must be read. */
export function namespacesOfSharedVolumes(
  vas: readonly VolumeAttachmentRecord[],
  pvs: readonly PersistentVolumeRecord[],
  driver: string,
): string[] {
  const found = findAttachments(vas, pvs, { now: 0, driver, stuckAfterSeconds: null });
  const namespaces = new Set<string>();
  for (const d of [...found.dualAttaches, ...found.multiAttaches]) if (d.namespace !== null) namespaces.add(d.namespace);
  return [...namespaces].sort(compareText);
}

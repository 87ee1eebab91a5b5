// Offline input for `audit --from-file` (SPEC §3.3): the objects of kubectl dumps (read by
// ./dump-input.ts) turned into the same snapshot the cluster path builds.
import type { Context } from '../context.js';
import { normalizeEvent, normalizePersistentVolume, normalizeVolumeAttachment } from '../domain/normalize.js';
import type { ClusterSnapshot, EventRecord, PersistentVolumeRecord, VolumeAttachmentRecord } from '../domain/types.js';
import { forEachDumpObject } from './dump-input.js';

/** Reads every dump named by --from-file into one snapshot; any unreadable or malformed input is exit 2. */
export async function readDumps(paths: string[], ctx: Context): Promise<ClusterSnapshot> {
  const snapshot: ClusterSnapshot = {
    events: [],
    persistentVolumes: [],
    volumeAttachments: [],
    volumeAttachmentsRead: true,
    persistentVolumesRead: true,
    warnings: [],
  };
  // Keyed by object identity: the same object saved twice (overlapping dumps, or
  // `kubectl get events` and `events.events.k8s.io` of one cluster) counts once.
  const events = new Map<string, EventRecord>();
  const volumes = new Map<string, PersistentVolumeRecord>();
  const attachments = new Map<string, VolumeAttachmentRecord>();
  let skipped = 0;
  let duplicates = 0;
  const keep = <T>(map: Map<string, T>, key: string, record: T | null, newer: (a: T, b: T) => boolean): void => {
    if (record === null) {
      skipped++;
      return;
    }
    const seen = map.get(key);
    if (seen !== undefined) duplicates++;
    if (seen === undefined || newer(record, seen)) map.set(key, record);
  };
  await forEachDumpObject(paths, ctx, (object) => {
    const kind = (object as { kind?: unknown }).kind;
    if (kind === 'Event') {
      const e = normalizeEvent(object);
      keep(events, e ? `${e.namespace}/${e.name}` : '', e, laterEvent);
    } else if (kind === 'PersistentVolume') {
      const pv = normalizePersistentVolume(object);
      keep(volumes, pv?.name ?? '', pv, laterByContent);
    } else if (kind === 'VolumeAttachment') {
      const va = normalizeVolumeAttachment(object);
      keep(attachments, va?.name ?? '', va, laterByContent);
    }
    // Other kinds (PVCs, pods, nodes, ...) are fine to have in a dump and not needed.
  });
  snapshot.events = [...events.values()];
  snapshot.persistentVolumes = [...volumes.values()];
  snapshot.volumeAttachments = [...attachments.values()];
  if (skipped > 0) snapshot.warnings.push(`${skipped} object(s) in the dump could not be read and were skipped`);
  if (duplicates > 0)
    snapshot.warnings.push(
      `${duplicates} object(s) appeared more than once in the dump (same kind, namespace and name) and were counted once`,
    );
  return snapshot;
}

/** Of two copies of one event, the one seen later (then the higher count): a later dump of it. */
function laterEvent(a: EventRecord, b: EventRecord): boolean {
  const seen = (a.lastSeen ?? -Infinity) - (b.lastSeen ?? -Infinity);
  if (seen !== 0) return seen > 0;
  return a.count !== b.count ? a.count > b.count : laterByContent(a, b);
}

/** A deterministic choice between two differing copies, whatever the input order. */
function laterByContent<T>(a: T, b: T): boolean {
  return JSON.stringify(a) > JSON.stringify(b);
}

// The one registry of what an audit reads: where each kind is listed, how a raw
// object becomes a record, how two copies of one object are told apart, and what is lost
// when the kind cannot be read. The online path (src/app/read-cluster.ts) and the offline
// path (src/app/dump.ts) both go through it, and meet at the same ClusterSnapshot.

import {
  normalizeEvent,
  normalizeNode,
  normalizePersistentVolume,
  normalizePod,
  normalizeVmi,
  normalizeVmim,
  normalizeVolumeAttachment,
} from './normalize.js';
import type {
  ClusterSnapshot,
  EventRecord,
  KindName,
  NodeRecord,
  PersistentVolumeRecord,
  PodRecord,
  VmimRecord,
  VmiRecord,
  VolumeAttachmentRecord,
} from './types.js';

/** The record type of each kind. */
export interface KindRecords {
  Event: EventRecord;
  PersistentVolume: PersistentVolumeRecord;
  VolumeAttachment: VolumeAttachmentRecord;
  Node: NodeRecord;
  Pod: PodRecord;
  VirtualMachineInstance: VmiRecord;
  VirtualMachineInstanceMigration: VmimRecord;
}

/** The snapshot lists, by field name. */
type SnapshotLists = Pick<ClusterSnapshot, 'events' | 'persistentVolumes' | 'volumeAttachments' | 'nodes' | 'pods' | 'vmis' | 'vmims'>;

export interface KindSource<K extends KindName> {
  kind: K;
  /** The kind's objects as a sentence names them (`VolumeAttachments`). */
  title: string;
  /** API group ('' for core), version and plural resource: where the kind is listed. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** The snapshot list its records go to. */
  field: { [F in keyof SnapshotLists]: SnapshotLists[F] extends KindRecords[K][] ? F : never }[keyof SnapshotLists];
  /** A raw object (API or dump) as a record, or null when it cannot be read. */
  normalize(raw: unknown): KindRecords[K] | null;
  /** Identity: the same object saved twice (overlapping dumps) counts once. */
  key(record: KindRecords[K]): string;
  /** Of two copies of one object, whether `a` is the one to keep. */
  newer(a: KindRecords[K], b: KindRecords[K]): boolean;
  /** What cannot be found without it; completes "<plural> could not be read, so …". */
  lost: string;
  /** Absent means "not installed" (KubeVirt): its absence is silent. */
  optional: boolean;
}

/** A deterministic choice between two differing copies, whatever the input order. */
function laterByContent<T>(a: T, b: T): boolean {
  return JSON.stringify(a) > JSON.stringify(b);
}

/** Of two copies of one event, the one seen later (then the higher count): a later dump of it. */
function laterEvent(a: EventRecord, b: EventRecord): boolean {
  const seen = (a.lastSeen ?? Number.NEGATIVE_INFINITY) - (b.lastSeen ?? Number.NEGATIVE_INFINITY);
  if (seen !== 0) return seen > 0;
  return a.count !== b.count ? a.count > b.count : laterByContent(a, b);
}

const namespaced = (r: { namespace: string; name: string }): string => `${r.namespace}/${r.name}`;
const named = (r: { name: string }): string => r.name;

/** Every kind an audit reads, in the order they are listed. */
export const KINDS: { readonly [K in KindName]: KindSource<K> } = {
  Event: {
    kind: 'Event',
    title: 'Migration events',
    group: '',
    version: 'v1',
    plural: 'events',
    namespaced: true,
    field: 'events',
    normalize: normalizeEvent,
    key: namespaced,
    newer: laterEvent,
    lost: 'migrations are missing and MigrationFailed, UnresolvedMigration, SlowMigration and UnparsedEvent findings may be too',
    optional: false,
  },
  PersistentVolume: {
    kind: 'PersistentVolume',
    title: 'PersistentVolumes',
    group: '',
    version: 'v1',
    plural: 'persistentvolumes',
    namespaced: false,
    field: 'persistentVolumes',
    normalize: normalizePersistentVolume,
    key: named,
    newer: laterByContent,
    lost: 'migrations without a timeout in their events use the default of 300s and attachments name no PVC',
    optional: false,
  },
  VolumeAttachment: {
    kind: 'VolumeAttachment',
    title: 'VolumeAttachments',
    group: 'storage.k8s.io',
    version: 'v1',
    plural: 'volumeattachments',
    namespaced: false,
    field: 'volumeAttachments',
    normalize: normalizeVolumeAttachment,
    key: named,
    newer: laterByContent,
    lost: 'no StuckDualAttach, MultiAttach, DualAttachInProgress, UnsafeSharedAttach, StaleAttachment, AttachedToMissingNode or DetachStuck findings could be made',
    optional: false,
  },
  Node: {
    kind: 'Node',
    title: 'Nodes',
    group: '',
    version: 'v1',
    plural: 'nodes',
    namespaced: false,
    field: 'nodes',
    normalize: normalizeNode,
    key: named,
    newer: laterByContent,
    lost: 'no StaleAttachment, AttachedToMissingNode or DetachStuck findings could be made',
    optional: false,
  },
  Pod: {
    kind: 'Pod',
    title: 'Pods',
    group: '',
    version: 'v1',
    plural: 'pods',
    namespaced: true,
    field: 'pods',
    normalize: normalizePod,
    key: namespaced,
    newer: laterByContent,
    lost: 'the pods using volumes attached to several nodes are unknown: no UnsafeSharedAttach findings could be made and advice cannot name pods',
    optional: false,
  },
  VirtualMachineInstance: {
    kind: 'VirtualMachineInstance',
    title: 'VirtualMachineInstances',
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstances',
    namespaced: true,
    field: 'vmis',
    normalize: normalizeVmi,
    key: namespaced,
    newer: laterByContent,
    lost: 'migrations cannot be related to VMs: no OutcomeMismatch or MissingMigrationEvents findings could be made and advice cannot say where a VM runs',
    optional: true,
  },
  VirtualMachineInstanceMigration: {
    kind: 'VirtualMachineInstanceMigration',
    title: 'VirtualMachineInstanceMigrations',
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstancemigrations',
    namespaced: true,
    field: 'vmims',
    normalize: normalizeVmim,
    key: namespaced,
    newer: laterByContent,
    lost: "KubeVirt's view of migrations is missing: no OutcomeMismatch or MissingMigrationEvents findings could be made and no migration older than the event TTL is shown",
    optional: true,
  },
};

/** The API group and version KubeVirt's kinds are served under, as discovery names it. */
export const KUBEVIRT_GROUP_VERSION = `${KINDS.VirtualMachineInstance.group}/${KINDS.VirtualMachineInstance.version}`;

/** The kinds in listing order. */
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

/** The warning for a kind that could not be read. */
export function unreadWarning(kind: KindName, where?: string): string {
  const { title, lost } = KINDS[kind];
  return `${where === undefined ? title : `${title} in namespace ${where}`} could not be read, so ${lost}.`;
}

/** An empty snapshot: nothing read yet, nothing missing. */
export function emptySnapshot(): ClusterSnapshot {
  return {
    events: [],
    persistentVolumes: [],
    volumeAttachments: [],
    nodes: [],
    pods: [],
    vmis: [],
    vmims: [],
    unread: [],
    podsUnreadIn: [],
    kubevirt: false,
    warnings: [],
  };
}

/** Collects the objects of dumps into a snapshot, kind by kind through the registry. */
export interface SnapshotBuilder {
  /** Adds one parsed object; kinds an audit does not read (PVCs, Namespaces, …) are ignored. */
  add(object: unknown): void;
  /** The snapshot; kinds the input did not hold count as unread (VMIs and VMIMs: KubeVirt absent). */
  finish(): ClusterSnapshot;
}

/** A builder that keeps one record per object: the same object given twice (overlapping dumps) counts once. */
export function createSnapshotBuilder(): SnapshotBuilder {
  const seen = new Map<KindName, Map<string, unknown>>();
  let skipped = 0;
  let duplicates = 0;
  const isKind = (kind: unknown): kind is KindName => typeof kind === 'string' && Object.hasOwn(KINDS, kind);
  const keep = <K extends KindName>(source: KindSource<K>, raw: unknown): void => {
    let records = seen.get(source.kind);
    if (records === undefined) {
      records = new Map();
      seen.set(source.kind, records);
    }
    const record = source.normalize(raw);
    if (record === null) {
      skipped++;
      return;
    }
    const key = source.key(record);
    const held = records.get(key) as KindRecords[K] | undefined;
    if (held !== undefined) duplicates++;
    if (held === undefined || source.newer(record, held)) records.set(key, record);
  };
  return {
    add(object) {
      const kind = (object as { kind?: unknown } | null)?.kind;
      if (isKind(kind)) keep(KINDS[kind] as KindSource<KindName>, object);
    },
    finish() {
      const snapshot = emptySnapshot();
      for (const kind of KIND_NAMES) {
        const records = seen.get(kind);
        const source = KINDS[kind];
        if (records === undefined) {
          if (!source.optional) snapshot.unread.push(kind);
          continue;
        }
        (snapshot[source.field] as unknown[]) = [...records.values()];
      }
      snapshot.kubevirt = seen.has('VirtualMachineInstance') || seen.has('VirtualMachineInstanceMigration');
      if (skipped > 0) snapshot.warnings.push(`${skipped} object(s) in the dump could not be read and were skipped`);
      if (duplicates > 0) {
        snapshot.warnings.push(
          `${duplicates} object(s) appeared more than once in the dump (same kind, namespace and name) and were counted once`,
        );
      }
      return snapshot;
    },
  };
}

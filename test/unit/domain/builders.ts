// Small builders so domain tests state only what matters to each rule.

import { emptySnapshot } from '../../../src/domain/kinds.js';
import type {
  AuditParameters,
  ClusterSnapshot,
  EventRecord,
  NodeRecord,
  PersistentVolumeRecord,
  PodRecord,
  VmimRecord,
  VmiRecord,
  VolumeAttachmentRecord,
} from '../../../src/domain/types.js';

/** The fixed clock of every domain test. */
export const NOW = Date.parse('2025-06-01T12:00:00Z');

/** Epoch ms of a time of day on the test date, e.g. at('11:58:30'). */
export function at(time: string): number {
  return Date.parse(`2025-06-01T${time}Z`);
}

export const VOL = 'pvc-0b7c1c9e-3c1a-4b8e-9a54-1f2e3d4c5b6a';

export interface EventOptions {
  name?: string;
  namespace?: string;
  pvc?: string;
  uid?: string;
  kind?: string;
  count?: number;
  /** Defaults to lastSeen. */
  firstSeen?: number | null;
  lastSeen?: number | null;
  type?: string;
}

let serial = 0;

/** An EventRecord on PVC vms/disk (uid uid-disk) unless options say otherwise. */
export function event(reason: string, message: string, time: number | null, o: EventOptions = {}): EventRecord {
  const lastSeen = o.lastSeen !== undefined ? o.lastSeen : time;
  const pvc = o.pvc ?? 'disk';
  const namespace = o.namespace ?? 'vms';
  return {
    name: o.name ?? `${pvc}.${(serial++).toString(16).padStart(4, '0')}`,
    namespace,
    involvedObject: {
      kind: o.kind ?? 'PersistentVolumeClaim',
      apiVersion: 'v1',
      namespace,
      name: pvc,
      uid: o.uid ?? `uid-${pvc}`,
    },
    reason,
    type: o.type ?? (reason === 'MigrationFailed' ? 'Warning' : 'Normal'),
    message,
    component: 'rds-csi-node',
    count: o.count ?? 1,
    firstSeen: o.firstSeen !== undefined ? o.firstSeen : lastSeen,
    lastSeen,
  };
}

export interface MessageOptions extends EventOptions {
  src?: string;
  tgt?: string;
  vol?: string;
}

export function started(time: number | null, timeout = '5m0s', o: MessageOptions = {}): EventRecord {
  const msg = `[${o.vol ?? VOL}]: KubeVirt live migration started - source: ${o.src ?? 'node-a'}, target: ${o.tgt ?? 'node-b'}, timeout: ${timeout}`;
  return event('MigrationStarted', msg, time, o);
}

export function completed(time: number | null, duration = '45s', o: MessageOptions = {}): EventRecord {
  const msg = `[${o.vol ?? VOL}]: KubeVirt live migration completed - source: ${o.src ?? 'node-a'} -> target: ${o.tgt ?? 'node-b'} (duration: ${duration})`;
  return event('MigrationCompleted', msg, time, o);
}

export function failed(time: number | null, reason = 'timeout', elapsed = '5m0s', o: MessageOptions = {}): EventRecord {
  const msg = `[${o.vol ?? VOL}]: KubeVirt live migration failed - source: ${o.src ?? 'node-a'}, attempted target: ${o.tgt ?? 'node-b'}, reason: ${reason}, elapsed: ${elapsed}`;
  return event('MigrationFailed', msg, time, o);
}

export function pv(
  o: Partial<PersistentVolumeRecord> & { pvc?: string; namespace?: string; timeout?: string | null } = {},
): PersistentVolumeRecord {
  const name = o.name ?? VOL;
  const pvcName = o.pvc ?? 'disk';
  return {
    name,
    driver: o.driver !== undefined ? o.driver : 'rds.csi.srvlab.io',
    volumeHandle: o.volumeHandle !== undefined ? o.volumeHandle : name,
    claimRef: o.claimRef !== undefined ? o.claimRef : { namespace: o.namespace ?? 'vms', name: pvcName, uid: `uid-${pvcName}` },
    migrationTimeoutAttribute: o.timeout !== undefined ? o.timeout : (o.migrationTimeoutAttribute ?? null),
  };
}

export function va(node: string, createdAt: number | null, o: Partial<VolumeAttachmentRecord> = {}): VolumeAttachmentRecord {
  const volume = o.persistentVolumeName !== undefined ? o.persistentVolumeName : VOL;
  return {
    name: o.name ?? `csi-${node}-${volume ?? 'inline'}`,
    attacher: o.attacher ?? 'rds.csi.srvlab.io',
    nodeName: node,
    persistentVolumeName: volume,
    attached: o.attached ?? true,
    attachError: o.attachError ?? null,
    createdAt,
    deletingSince: o.deletingSince ?? null,
    finalizers: o.finalizers ?? ['external-attacher/rds-csi-srvlab-io'],
    detachError: o.detachError ?? null,
  };
}

export const DRIVER = 'rds.csi.srvlab.io';

/** The audit parameters of every domain test: the fixed clock, all namespaces, the defaults. */
export const PARAMS: AuditParameters = {
  now: NOW,
  namespace: null,
  driver: DRIVER,
  sinceSeconds: null,
  stuckAfterSeconds: null,
  eventTtlSeconds: 3600,
  staleAfterSeconds: 600,
  exclude: [],
};

/**
 * A snapshot with every kind read (none unread) and KubeVirt served, plus what is given. Without
 * `nodes`, each node of a VolumeAttachment exists and its kubelet uses what is attached there (a
 * healthy cluster), so tests not about the kubelet see no kubelet findings.
 */
export function snapshot(o: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  const vas = o.volumeAttachments ?? [];
  const inUse = new Map<string, string[]>();
  for (const a of vas) {
    const list = inUse.get(a.nodeName) ?? [];
    if (a.attached && a.persistentVolumeName !== null) list.push(a.persistentVolumeName);
    inUse.set(a.nodeName, list);
  }
  const nodes = o.nodes ?? [...inUse].map(([name, ids]) => node(name, ids));
  return { ...emptySnapshot(), kubevirt: true, ...o, nodes };
}

/** A Node whose kubelet uses the given volume IDs (as CSI unique names of the driver). */
export function node(name: string, inUse: readonly string[] = []): NodeRecord {
  return { name, volumesInUse: inUse.map((id) => `kubernetes.io/csi/${DRIVER}^${id}`) };
}

/** A VMI vms/<name> on `nodeName` using PVC `disk` unless said otherwise. */
export function vmi(name: string, nodeName: string | null, o: Partial<VmiRecord> = {}): VmiRecord {
  return {
    namespace: 'vms',
    name,
    uid: `uid-vmi-${name}`,
    nodeName,
    phase: 'Running',
    claimNames: ['disk'],
    createdAt: at('08:00:00'),
    ...o,
  };
}

export interface VmimOptions extends Partial<VmimRecord> {
  /** migrationState nodes; a state is written only when given, with a trusted migrationUid unless `stateUid` says otherwise. */
  source?: string;
  target?: string;
  stateUid?: string;
  reason?: string;
}

/** A VMIM vms/<name> of VMI `vm`, in `phase`, created at `created` (finished at `finished` when final). */
export function vmim(
  name: string,
  vm: string,
  phase: string,
  created: number,
  finished: number | null = null,
  o: VmimOptions = {},
): VmimRecord {
  const uid = o.uid ?? `uid-vmim-${name}`;
  const withState = o.source !== undefined || o.target !== undefined || o.reason !== undefined;
  return {
    namespace: o.namespace ?? 'vms',
    name,
    uid,
    vmiName: vm,
    phase,
    createdAt: created,
    scheduledAt: o.scheduledAt !== undefined ? o.scheduledAt : created + 5000,
    finishedAt: finished,
    migrationState: withState
      ? {
          migrationUid: o.stateUid ?? uid,
          sourceNode: o.source ?? null,
          targetNode: o.target ?? null,
          startTimestamp: created + 10_000,
          endTimestamp: finished,
          failureReason: o.reason ?? null,
        }
      : (o.migrationState ?? null),
  };
}

/** A running pod in vms on `nodeName` naming PVC `disk`, with the given labels. */
export function pod(name: string, nodeName: string | null, labels: Record<string, string> = {}, o: Partial<PodRecord> = {}): PodRecord {
  return {
    namespace: 'vms',
    name,
    uid: `uid-pod-${name}`,
    nodeName,
    phase: 'Running',
    terminated: false,
    claimNames: ['disk'],
    labels,
    controller: null,
    ownerVmiUid: null,
    ...o,
  };
}

/** A virt-launcher pod of VMI `vm` (a migration target of VMIM `vmimName` when given). */
export function launcher(name: string, nodeName: string, vm: string, vmimName?: string, o: Partial<PodRecord> = {}): PodRecord {
  const labels: Record<string, string> = { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': `uid-vmi-${vm}` };
  if (vmimName !== undefined) labels['kubevirt.io/migrationJobUID'] = `uid-vmim-${vmimName}`;
  return pod(name, nodeName, labels, o);
}

/** A deterministic Fisher–Yates shuffle (seeded LCG) so order-independence tests are reproducible. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

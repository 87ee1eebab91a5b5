// Small builders so domain tests state only what matters to each rule.

import type { EventRecord, PersistentVolumeRecord, VolumeAttachmentRecord } from '../../../src/domain/types.js';

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
  };
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

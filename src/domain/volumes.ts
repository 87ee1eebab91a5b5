// The driver's volumes by the names other objects use for them: the PV name (VolumeAttachments),
// the PVC (events, pods, VMIs), the PVC's uid (events' involvedObject).

import { volumeTimeoutSeconds } from './timeout.js';
import type { PersistentVolumeRecord } from './types.js';

/** One volume of the driver with the claim it is bound to. */
export interface DriverVolume {
  pv: PersistentVolumeRecord;
  /** spec.csi.volumeHandle, else the PV name. */
  volumeId: string;
  /** The volume's migration timeout, seconds. */
  timeoutSeconds: number;
  /** The claim (PVC) it is bound to, or null. */
  namespace: string | null;
  pvc: string | null;
}

export interface VolumeIndex {
  /** By PV name (= a VolumeAttachment's spec.source.persistentVolumeName). */
  byPv(name: string): DriverVolume | undefined;
  /** By the PVC it is bound to: claim uid when known, else namespace/name. */
  byClaim(ref: { namespace: string; name: string; uid?: string }): DriverVolume | undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Indexes the PVs of `driver`; when two PVs claim one PVC (hostile input) the smaller PV name wins. */
export function indexVolumes(pvs: readonly PersistentVolumeRecord[], driver: string): VolumeIndex {
  const byPv = new Map<string, DriverVolume>();
  const byUid = new Map<string, DriverVolume>();
  const byName = new Map<string, DriverVolume>();
  const keep = (map: Map<string, DriverVolume>, key: string, v: DriverVolume): void => {
    const held = map.get(key);
    if (held === undefined || compareText(v.pv.name, held.pv.name) < 0) map.set(key, v);
  };
  for (const pv of pvs) {
    if (pv.driver !== driver) continue;
    const ref = pv.claimRef;
    const volume: DriverVolume = {
      pv,
      volumeId: pv.volumeHandle ?? pv.name,
      timeoutSeconds: volumeTimeoutSeconds(pv.migrationTimeoutAttribute),
      namespace: ref?.namespace ?? null,
      pvc: ref?.name ?? null,
    };
    keep(byPv, pv.name, volume);
    if (ref === null) continue;
    if (ref.uid !== null) keep(byUid, ref.uid, volume);
    keep(byName, `${ref.namespace}/${ref.name}`, volume);
  }
  return {
    byPv: (name) => byPv.get(name),
    byClaim: (ref) => (ref.uid ? byUid.get(ref.uid) : undefined) ?? byName.get(`${ref.namespace}/${ref.name}`),
  };
}

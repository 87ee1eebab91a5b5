// One PVC followed through the watch API (`events -w`, `wait`): the same objects the one-shot
// `events` reads (src/app/events.ts), each kept up to date by a watch with the same scope and
// selectors: the PVC, its events, its PV and the VolumeAttachments of that PV, and, in its
// namespace, the VMIs and VMIMs (where KubeVirt is served) and the pods. Forbidden reads are
// warnings, as in the one-shot command.

import { buildPvcHistory } from '../domain/history.js';
import { KINDS, KUBEVIRT_GROUP_VERSION } from '../domain/kinds.js';
import { isMigrationEvent, normalizePersistentVolume, normalizePvc, normalizeVolumeAttachment } from '../domain/normalize.js';
import type {
  EventRecord,
  PersistentVolumeRecord,
  PodRecord,
  PvcHistory,
  PvcRecord,
  VmimRecord,
  VmiRecord,
  VolumeAttachmentRecord,
} from '../domain/types.js';
import { type Gateway, pvcEventSelector, type ResourceRef } from '../kube/gateway.js';
import type { LiveSet, LiveSource } from './live.js';

const PVC_RESOURCE: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true };

export interface PvcFollowOptions {
  pvc: string;
  driver: string;
  /** Every event on the PVC, not only Migration* ones (`events --all`). */
  all: boolean;
  eventTtlSeconds: number;
}

/** The watched objects of one PVC, built into its history on demand. */
export class PvcFollower {
  private readonly pvcs: LiveSource<PvcRecord>;
  private readonly events: LiveSource<EventRecord>;
  private volume: { pvName: string; pv: LiveSource<PersistentVolumeRecord>; vas: LiveSource<VolumeAttachmentRecord> } | null = null;
  private readonly vmis: LiveSource<VmiRecord> | null;
  private readonly vmims: LiveSource<VmimRecord> | null;
  private readonly pods: LiveSource<PodRecord>;
  /** The PVC as last seen, kept when it is deleted (its history is still shown). */
  private lastPvc: PvcRecord;

  private constructor(
    private readonly gateway: Gateway,
    private readonly live: LiveSet,
    private readonly options: PvcFollowOptions,
    pvc: PvcRecord,
    kubevirt: boolean,
  ) {
    const namespace = pvc.namespace;
    this.lastPvc = pvc;
    this.pvcs = live.follow(`PersistentVolumeClaim ${namespace}/${pvc.name}`, (signal) =>
      gateway.watch(PVC_RESOURCE, { namespace, fieldSelector: `metadata.name=${pvc.name}`, signal }, normalizePvc),
    );
    this.events = live.follow(`events of ${namespace}/${pvc.name}`, (signal) =>
      gateway.watchEvents({ namespace, fieldSelector: pvcEventSelector(pvc.name), signal }, (e) => options.all || isMigrationEvent(e)),
    );
    const inNamespace = <K extends 'VirtualMachineInstance' | 'VirtualMachineInstanceMigration' | 'Pod'>(kind: K) =>
      live.follow(
        `${KINDS[kind].title} in ${namespace}`,
        (signal) => gateway.watch(KINDS[kind], { namespace, signal }, KINDS[kind].normalize),
        { optional: true },
      );
    this.vmis = kubevirt ? inNamespace('VirtualMachineInstance') : null;
    this.vmims = kubevirt ? inNamespace('VirtualMachineInstanceMigration') : null;
    this.pods = inNamespace('Pod');
    this.followVolume(pvc.volumeName);
  }

  /** Reads the PVC (exit 3 when it does not exist) and starts following it. */
  static async start(gateway: Gateway, live: LiveSet, options: PvcFollowOptions): Promise<PvcFollower> {
    const [pvc, kubevirt] = await Promise.all([gateway.getPvc(gateway.namespace, options.pvc), gateway.serves(KUBEVIRT_GROUP_VERSION)]);
    return new PvcFollower(gateway, live, options, pvc, kubevirt);
  }

  /** The PV and its VolumeAttachments, followed while the PVC is bound to it; a new binding starts again. */
  private followVolume(pvName: string | null): void {
    if (this.volume?.pvName === pvName) return;
    if (this.volume !== null) {
      this.live.drop(this.volume.pv);
      this.live.drop(this.volume.vas);
      this.volume = null;
    }
    // An unbound PVC has no volume: nothing to read.
    if (pvName === null) return;
    const { gateway, live } = this;
    const pv = live.follow(
      `PersistentVolume ${pvName}`,
      (signal) =>
        gateway.watch(
          KINDS.PersistentVolume,
          { namespace: null, fieldSelector: `metadata.name=${pvName}`, signal },
          normalizePersistentVolume,
        ),
      { optional: true },
    );
    // VolumeAttachments have no field selector for their PV: all are watched, those of this PV kept.
    const vas = live.follow(
      'VolumeAttachments',
      (signal) =>
        gateway.watch(KINDS.VolumeAttachment, { namespace: null, signal }, (raw) => {
          const va = normalizeVolumeAttachment(raw);
          return va !== null && va.persistentVolumeName === pvName ? va : null;
        }),
      { optional: true },
    );
    this.volume = { pvName, pv, vas };
  }

  /** The PVC's history at `now`, from the records as they are; follows a new binding of the PVC. */
  history(now: number): PvcHistory {
    const current = this.pvcs.records.values().next().value;
    const warnings: string[] = [];
    if (current !== undefined) {
      this.lastPvc = current;
      this.followVolume(current.volumeName);
    } else if (this.pvcs.state === 'synced') {
      warnings.push(`the PersistentVolumeClaim ${this.lastPvc.namespace}/${this.lastPvc.name} was deleted`);
    }
    const pvc = this.lastPvc;
    const volume = this.volume;
    const refused = (what: string, ...sources: (LiveSource<unknown> | null | undefined)[]): boolean => {
      const source = sources.find((s) => s?.state === 'forbidden');
      if (source?.error) warnings.push(`${what}: ${source.error.message}`);
      return source !== undefined;
    };
    const vasRefused = refused('the current attachment is unknown', volume?.vas);
    refused("the volume's migration timeout is unknown (5m is assumed where the events give none)", volume?.pv);
    const kubevirtRefused = refused('the VM using the PVC and its migrations are unknown', this.vmis, this.vmims);
    const podsRefused = refused('the pods using the PVC are unknown', this.pods);
    const persistentVolume = volume?.pv.values()[0] ?? null;
    return buildPvcHistory(
      {
        pvc,
        volumeId: persistentVolume?.volumeHandle ?? pvc.volumeName,
        events: this.events.values(),
        persistentVolume,
        volumeAttachments: vasRefused ? [] : (volume?.vas.values() ?? []),
        vmis: kubevirtRefused ? [] : (this.vmis?.values() ?? []),
        vmims: kubevirtRefused ? [] : (this.vmims?.values() ?? []),
        pods: podsRefused ? null : this.pods.values(),
        warnings,
      },
      { now, driver: this.options.driver, all: this.options.all, eventTtlSeconds: this.options.eventTtlSeconds },
    );
  }
}

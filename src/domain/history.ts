// One PVC's migration history (the `events` command).

import { findAttachments } from './attachments.js';
import { correlateKubevirt, summarizeVmim } from './kubevirt.js';
import { parseMigrationMessage } from './messages.js';
import { isMigrationEvent } from './normalize.js';
import { assignMigrationIds, pairMigrations } from './pairing.js';
import { formatTimestamp } from './time.js';
import type {
  DualAttach,
  EventRecord,
  HistoryEvent,
  PersistentVolumeRecord,
  PodRecord,
  PvcHistory,
  PvcRecord,
  VmimRecord,
  VmiRecord,
  VolumeAttachmentRecord,
} from './types.js';
import { indexUsers, publicUser } from './users.js';
import { indexVolumes } from './volumes.js';

export interface PvcHistoryInput {
  pvc: PvcRecord;
  volumeId: string | null;
  events: readonly EventRecord[];
  persistentVolume: PersistentVolumeRecord | null;
  volumeAttachments: readonly VolumeAttachmentRecord[];
  /** The VMIs and VMIMs of the PVC's namespace ([] without KubeVirt). */
  vmis: readonly VmiRecord[];
  vmims: readonly VmimRecord[];
  /** The pods of the PVC's namespace, or null when they could not be read. */
  pods: readonly PodRecord[] | null;
  warnings: readonly string[];
}

export interface PvcHistoryOptions {
  /** Epoch ms. */
  now: number;
  driver: string;
  /** Every event on the PVC, not only Migration* ones (`events --all`). */
  all: boolean;
  eventTtlSeconds: number;
}

/** True when the event's involvedObject is this PVC; uids are compared only when both are known (as kubectl describe does). */
export function isEventOfPvc(e: EventRecord, pvc: PvcRecord): boolean {
  const ref = e.involvedObject;
  return (
    ref.kind === 'PersistentVolumeClaim' &&
    ref.name === pvc.name &&
    ref.namespace === pvc.namespace &&
    (ref.uid === '' || pvc.uid === '' || ref.uid === pvc.uid)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest first by last seen (events without a time first, as kubectl sorts them), then name. */
function compareByLastSeen(a: EventRecord, b: EventRecord): number {
  if (a.lastSeen !== b.lastSeen) {
    if (a.lastSeen === null) return -1;
    if (b.lastSeen === null) return 1;
    return a.lastSeen - b.lastSeen;
  }
  return compareText(a.name, b.name) || compareText(a.reason, b.reason) || compareText(a.message, b.message);
}

function toHistoryEvent(e: EventRecord): HistoryEvent {
  return {
    name: e.name,
    type: e.type,
    reason: e.reason,
    count: e.count,
    firstSeen: e.firstSeen === null ? null : formatTimestamp(e.firstSeen),
    lastSeen: e.lastSeen === null ? null : formatTimestamp(e.lastSeen),
    component: e.component,
    message: e.message,
    parsed: isMigrationEvent(e) ? parseMigrationMessage(e.reason, e.message) : null,
  };
}

/** Builds the `events` document of one PVC: its events oldest first, its migrations, its VM, users and attachment. */
export function buildPvcHistory(input: PvcHistoryInput, options: PvcHistoryOptions): PvcHistory {
  const { pvc, persistentVolume: pv } = input;
  // Whole milliseconds, as `now` is printed, so ages agree with the document's own `now`.
  const now = Math.floor(options.now);
  const events = input.events.filter((e) => isEventOfPvc(e, pvc) && (options.all || isMigrationEvent(e))).sort(compareByLastSeen);

  // A volume of another driver keeps its own attachments; only --driver's are judged for dual-attaches.
  const driver = pv?.driver ?? options.driver;
  const ours = driver === options.driver;
  const volumes = indexVolumes(pv === null ? [] : [pv], options.driver);
  const volume = pv === null ? undefined : volumes.byPv(pv.name);
  const paired = pairMigrations(events, { now, volumeTimeout: () => volume?.timeoutSeconds ?? null });
  const correlation = correlateKubevirt(paired.migrations, {
    vmis: input.vmis,
    vmims: input.vmims,
    pods: input.pods ?? [],
    volumes,
    now,
    eventTtlSeconds: options.eventTtlSeconds,
  });
  const migrations = assignMigrationIds(correlation.migrations.filter((m) => m.namespace === pvc.namespace && m.pvc === pvc.name));
  const vmi = correlation.vmiOfClaim(pvc.namespace, pvc.name);
  const users = input.pods === null ? [] : indexUsers(input.pods, input.vmis).usersOf(pvc.namespace, pvc.name).map(publicUser);

  // The PVC's VolumeAttachments name its PV; fall back to the claim's volumeName, then the volume ID.
  const pvName = pv?.name ?? pvc.volumeName ?? input.volumeId;
  const vas = input.volumeAttachments.filter((va) => pvName !== null && va.persistentVolumeName === pvName);
  const found = findAttachments(vas, pv === null ? [] : [pv], { now, driver, stuckAfterSeconds: null });
  const dualAttach: DualAttach | null = ours ? (found.dualAttaches[0] ?? found.multiAttaches[0] ?? null) : null;
  if (dualAttach !== null) {
    dualAttach.vmi = vmi?.name ?? null;
    dualAttach.vmiNode = vmi?.nodeName ?? null;
    dualAttach.users = users;
  }
  const nodes = [...found.attachedNodesByVolume.values()].flat().sort(compareText);

  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'PvcMigrationHistory',
    now: formatTimestamp(now),
    pvc: { namespace: pvc.namespace, name: pvc.name, uid: pvc.uid, volumeId: input.volumeId, driver: pv?.driver ?? null },
    events: events.map(toHistoryEvent),
    migrations,
    attachment: {
      nodes,
      dualAttach,
      rejectedTargets: found.rejectedTargets.map(({ node, volumeAttachment, message, time }) => ({
        node,
        volumeAttachment,
        message,
        time,
      })),
    },
    kubevirt: vmi === undefined ? null : { vmi: vmi.name, node: vmi.nodeName, migrations: correlation.vmimsOf(vmi).map(summarizeVmim) },
    users,
    warnings: [...input.warnings],
  };
}

// KubeVirt correlation: which VM uses a driver volume, what KubeVirt's
// VirtualMachineInstanceMigrations say about its migrations, and the migrations only
// KubeVirt still remembers (VMIMs outlive the one-hour event TTL).

import { formatTimestamp } from './time.js';
import type { Migration, MigrationKubevirt, PodRecord, VmimRecord, VmimSummary, VmiRecord } from './types.js';
import type { DriverVolume, VolumeIndex } from './volumes.js';

/** A VMIM and a driver migration match when their starts are this close (and the VMIM had not ended this long before). */
export const MATCH_WINDOW_MS = 2 * 60_000;
/** A VMIM that ended less than this long ago still counts as a migration in flight. */
export const IN_FLIGHT_GRACE_MS = 2 * 60_000;
/** MissingMigrationEvents looks back this share of --event-ttl: older driver events may have expired. */
export const MISSING_EVENTS_TTL_SHARE = 0.8;

const FINAL_PHASES = new Set(['Succeeded', 'Failed']);
/** Phases at or past Scheduled: the target pod runs, so the volume is attached on both nodes. */
const PAST_SCHEDULED = new Set(['Scheduled', 'PreparingTarget', 'TargetReady', 'Running', 'WaitingForSync', 'Synchronizing', 'Succeeded']);

/** A VMIM with what can be trusted of it. */
export interface VmimView {
  vmim: VmimRecord;
  vmi: VmiRecord;
  final: boolean;
  /** Whether status.migrationState belongs to this VMIM (its migrationUid is the VMIM's uid). */
  trusted: boolean;
  sourceNode: string | null;
  targetNode: string | null;
  /** creationTimestamp. */
  start: number | null;
  /** The transition to Succeeded or Failed, else a trusted migrationState.endTimestamp. */
  end: number | null;
  failureReason: string | null;
  /** When it reached Scheduled; its creation when the phase says it did but no time was kept. */
  scheduledAt: number | null;
}

/** Whether a VMIM phase is final (Succeeded or Failed). */
export function isFinalPhase(phase: string): boolean {
  return FINAL_PHASES.has(phase);
}

/** What can be trusted of a VMIM: nodes from its own migrationState, else (in flight) from its VMI and target pod. */
export function viewVmim(vmim: VmimRecord, vmi: VmiRecord, pods: readonly PodRecord[]): VmimView {
  const final = isFinalPhase(vmim.phase);
  const state = vmim.migrationState;
  // Before KubeVirt 1.5 a final VMIM could carry another migration's state.
  const trusted = state !== null && state.migrationUid !== '' && state.migrationUid === vmim.uid;
  let sourceNode: string | null = trusted ? state.sourceNode : null;
  let targetNode: string | null = trusted ? state.targetNode : null;
  if (!trusted && !final) {
    // The VM runs on the source until the hand-off; the target pod carries the VMIM's uid.
    sourceNode = vmi.nodeName;
    const target = pods.find(
      (p) =>
        p.namespace === vmim.namespace &&
        p.labels['kubevirt.io'] === 'virt-launcher' &&
        p.labels['kubevirt.io/migrationJobUID'] === vmim.uid &&
        p.nodeName !== null,
    );
    targetNode = target?.nodeName ?? null;
  }
  const reachedScheduled = vmim.scheduledAt ?? (PAST_SCHEDULED.has(vmim.phase) ? vmim.createdAt : null);
  return {
    vmim,
    vmi,
    final,
    trusted,
    sourceNode,
    targetNode,
    start: vmim.createdAt,
    end: final ? (vmim.finishedAt ?? (trusted ? state.endTimestamp : null)) : null,
    failureReason: trusted ? state.failureReason : null,
    scheduledAt: reachedScheduled,
  };
}

/** The VMIM as `events` lists it. */
export function summarizeVmim(view: VmimView): VmimSummary {
  return {
    name: view.vmim.name,
    uid: view.vmim.uid,
    phase: view.vmim.phase,
    sourceNode: view.sourceNode,
    targetNode: view.targetNode,
    startedAt: view.start === null ? null : formatTimestamp(view.start),
    endedAt: view.end === null ? null : formatTimestamp(view.end),
    failureReason: view.failureReason,
  };
}

/** A VMIM that reached Scheduled recently with no driver migration of one of its VM's volumes matched to it. */
export interface MissingEvents {
  namespace: string;
  pvc: string;
  volumeId: string;
  view: VmimView;
}

export interface KubevirtInput {
  vmis: readonly VmiRecord[];
  vmims: readonly VmimRecord[];
  pods: readonly PodRecord[];
  volumes: VolumeIndex;
  /** Epoch ms. */
  now: number;
  eventTtlSeconds: number;
}

export interface Correlation {
  /** The driver's migrations (matched ones annotated) and KubeVirt's unmatched final ones, unsorted, without ids for the latter. */
  migrations: Migration[];
  missingEvents: MissingEvents[];
  /** The VMI that uses a PVC (namespace/name), if any. */
  vmiOfClaim(namespace: string, pvc: string): VmiRecord | undefined;
  /** The VMIMs of a VMI, oldest first. */
  vmimsOf(vmi: VmiRecord): VmimView[];
  /** Whether a VMI has a migration in flight: a VMIM not final, or one that ended less than 2 minutes ago. */
  migrating(vmi: VmiRecord): boolean;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Of several VMIs naming one PVC (hostile input), the running one, then the newest, then by name. */
function preferVmi(a: VmiRecord, b: VmiRecord): boolean {
  const runningA = a.nodeName !== null ? 1 : 0;
  const runningB = b.nodeName !== null ? 1 : 0;
  if (runningA !== runningB) return runningA > runningB;
  if ((a.createdAt ?? 0) !== (b.createdAt ?? 0)) return (a.createdAt ?? 0) > (b.createdAt ?? 0);
  return compareText(a.name, b.name) < 0;
}

/** Whether the nodes known on both sides agree. */
function nodesAgree(m: Migration, v: VmimView): boolean {
  const agree = (a: string | null, b: string | null): boolean => a === null || b === null || a === b;
  return agree(m.sourceNode, v.sourceNode) && agree(m.targetNode, v.targetNode);
}

function kubevirtOf(v: VmimView): MigrationKubevirt {
  return { vmi: v.vmi.name, migration: v.vmim.name, migrationUid: v.vmim.uid, phase: v.vmim.phase, failureReason: v.failureReason };
}

/**
 * Relates the driver's migrations to KubeVirt's VMIMs: matches each migration of a
 * driver volume to at most one VMIM of the VMI using it (closest start within the window, nodes
 * agreeing), adds KubeVirt's final VMIMs that match nothing as migrations of their own, and
 * lists the recent VMIMs the driver recorded nothing for.
 */
export function correlateKubevirt(driverMigrations: readonly Migration[], input: KubevirtInput): Correlation {
  const vmiByClaim = new Map<string, VmiRecord>();
  const vmiByName = new Map<string, VmiRecord>();
  for (const vmi of input.vmis) {
    const key = `${vmi.namespace}/${vmi.name}`;
    const held = vmiByName.get(key);
    if (held === undefined || preferVmi(vmi, held)) vmiByName.set(key, vmi);
  }
  for (const vmi of vmiByName.values()) {
    for (const claim of vmi.claimNames) {
      const key = `${vmi.namespace}/${claim}`;
      const held = vmiByClaim.get(key);
      if (held === undefined || preferVmi(vmi, held)) vmiByClaim.set(key, vmi);
    }
  }

  const viewsByVmi = new Map<VmiRecord, VmimView[]>();
  for (const vmim of input.vmims) {
    const vmi = vmiByName.get(`${vmim.namespace}/${vmim.vmiName}`);
    if (vmi === undefined) continue; // KubeVirt deletes the VMIMs of a deleted VMI
    const list = viewsByVmi.get(vmi) ?? [];
    list.push(viewVmim(vmim, vmi, input.pods));
    viewsByVmi.set(vmi, list);
  }
  for (const list of viewsByVmi.values()) {
    list.sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || compareText(a.vmim.name, b.vmim.name));
  }

  const migrations = driverMigrations.map((m) => ({ ...m }));
  const byClaim = new Map<string, Migration[]>();
  for (const m of migrations) {
    const key = `${m.namespace}/${m.pvc}`;
    const list = byClaim.get(key) ?? [];
    list.push(m);
    byClaim.set(key, list);
  }

  const added: Migration[] = [];
  const missingEvents: MissingEvents[] = [];
  const horizon = input.now - MISSING_EVENTS_TTL_SHARE * input.eventTtlSeconds * 1000;
  for (const [vmi, views] of viewsByVmi) {
    for (const claim of vmi.claimNames) {
      const volume = input.volumes.byClaim({ namespace: vmi.namespace, name: claim });
      if (volume === undefined) continue; // not a volume of the driver
      if (vmiByClaim.get(`${vmi.namespace}/${claim}`) !== vmi) continue;
      const matched = matchClaim(byClaim.get(`${vmi.namespace}/${claim}`) ?? [], views);
      for (const view of views) {
        if (matched.has(view)) continue;
        if (view.final && view.start !== null) added.push(kubevirtMigration(view, vmi.namespace, claim, volume));
        if (view.scheduledAt !== null && view.scheduledAt >= horizon && view.scheduledAt <= input.now) {
          missingEvents.push({ namespace: vmi.namespace, pvc: claim, volumeId: volume.volumeId, view });
        }
      }
    }
  }
  migrations.push(...added);

  return {
    migrations,
    missingEvents,
    vmiOfClaim: (namespace, pvc) => vmiByClaim.get(`${namespace}/${pvc}`),
    vmimsOf: (vmi) => viewsByVmi.get(vmi) ?? [],
    migrating: (vmi) => (viewsByVmi.get(vmi) ?? []).some((v) => !v.final || (v.end !== null && input.now - v.end < IN_FLIGHT_GRACE_MS)),
  };
}

/**
 * Matches one PVC's driver migrations to its VMI's VMIMs: each pair within the window with agreeing
 * nodes is a candidate; the closest starts pair first; a VMIM and a migration match at most once.
 * Annotates the matched migrations in place and returns the matched VMIMs.
 */
function matchClaim(migrations: Migration[], views: readonly VmimView[]): Set<VmimView> {
  const candidates: { m: Migration; v: VmimView; distance: number }[] = [];
  for (const m of migrations) {
    if (!m.recordedBy.includes('events')) continue;
    const mStart = Date.parse(m.startedAt);
    for (const v of views) {
      if (v.start === null || !nodesAgree(m, v)) continue;
      if (v.start > mStart + MATCH_WINDOW_MS) continue; // the VMIM began after the migration
      if (v.end !== null && v.end < mStart - MATCH_WINDOW_MS) continue; // it was over before
      candidates.push({ m, v, distance: Math.abs(v.start - mStart) });
    }
  }
  candidates.sort((a, b) => a.distance - b.distance || compareText(a.m.id, b.m.id) || compareText(a.v.vmim.name, b.v.vmim.name));
  const usedMigrations = new Set<Migration>();
  const usedViews = new Set<VmimView>();
  for (const { m, v } of candidates) {
    if (usedMigrations.has(m) || usedViews.has(v)) continue;
    usedMigrations.add(m);
    usedViews.add(v);
    m.kubevirt = kubevirtOf(v);
    m.recordedBy = ['events', 'kubevirt'];
  }
  return usedViews;
}

/** A final VMIM that no driver migration matched, as a migration of one of its VM's volumes. */
function kubevirtMigration(view: VmimView, namespace: string, pvc: string, volume: DriverVolume): Migration {
  const start = view.start ?? 0;
  const succeeded = view.vmim.phase === 'Succeeded';
  return {
    id: '',
    namespace,
    pvc,
    volumeId: volume.volumeId,
    sourceNode: view.sourceNode,
    targetNode: view.targetNode,
    state: succeeded ? 'completed' : 'failed',
    startedAt: formatTimestamp(start),
    endedAt: view.end === null ? null : formatTimestamp(view.end),
    durationSeconds: view.end === null ? null : Math.max(0, (view.end - start) / 1000),
    timeoutSeconds: volume.timeoutSeconds,
    startInferred: false,
    failureReason: succeeded ? null : view.failureReason,
    events: [],
    recordedBy: ['kubevirt'],
    kubevirt: kubevirtOf(view),
  };
}

// The audit (SPEC §3.3): one pure function from a snapshot to the report of SPEC §4.

import { findAttachments } from './attachments.js';
import { buildFindings } from './findings.js';
import { isMigrationEvent } from './normalize.js';
import type { PvcRef } from './pairing.js';
import { pairMigrations } from './pairing.js';
import { durationStats } from './stats.js';
import { formatTimestamp, parseTimestamp } from './time.js';
import { volumeTimeoutSeconds } from './timeout.js';
import type {
  AuditOptions,
  AuditReport,
  ClusterSnapshot,
  DualAttach,
  EventRecord,
  PersistentVolumeRecord,
  VolumeRejectedTarget,
} from './types.js';

/** Past this age of the oldest event, older history has probably expired (default --event-ttl is 1h). */
const HORIZON_NOTE_AFTER_MS = 55 * 60 * 1000;

export const EVENT_TTL_NOTE =
  'The API server deletes events after --event-ttl (1h by default), so migrations older than that are not visible; current attachment state comes from VolumeAttachments.';

export const ATTACHMENTS_UNREAD_WARNING =
  'VolumeAttachments could not be read, so no StuckDualAttach, MultiAttach or DualAttachInProgress findings could be made.';

export const PERSISTENT_VOLUMES_UNREAD_WARNING =
  'PersistentVolumes could not be read, so migrations without a timeout in their events use the default of 300s and dual-attaches name no PVC.';

/** Maps a PVC (by claimRef uid, else namespace/name) to its volume's migration timeout, for the driver's PVs only. */
export function volumeTimeoutLookup(pvs: readonly PersistentVolumeRecord[], driver: string): (pvc: PvcRef) => number | null {
  // When two PVs claim the same PVC (hostile input), the one with the smaller name wins, so the
  // answer does not depend on input order.
  type Held = { pv: string; timeout: number };
  const byUid = new Map<string, Held>();
  const byName = new Map<string, Held>();
  const keep = (map: Map<string, Held>, key: string, pv: PersistentVolumeRecord): void => {
    const held = map.get(key);
    if (held === undefined || pv.name < held.pv) map.set(key, { pv: pv.name, timeout: volumeTimeoutSeconds(pv.migrationTimeoutAttribute) });
  };
  for (const pv of pvs) {
    const ref = pv.claimRef;
    if (pv.driver !== driver || ref === null) continue;
    if (ref.uid !== null) keep(byUid, ref.uid, pv);
    keep(byName, `${ref.namespace}/${ref.name}`, pv);
  }
  return (pvc) => ((pvc.uid !== '' ? byUid.get(pvc.uid) : undefined) ?? byName.get(`${pvc.namespace}/${pvc.name}`))?.timeout ?? null;
}

/**
 * The newest time in a snapshot (events, VolumeAttachments), used as `now` for offline dumps;
 * null when it has none. Times after `notAfter` are passed over: one far-future timestamp in
 * hostile or broken input must not age everything else by centuries.
 */
export function newestTimestamp(snapshot: ClusterSnapshot, notAfter = Number.POSITIVE_INFINITY): number | null {
  let newest: number | null = null;
  const see = (ms: number | null): void => {
    if (ms !== null && ms <= notAfter && (newest === null || ms > newest)) newest = ms;
  };
  for (const e of snapshot.events) {
    see(e.firstSeen);
    see(e.lastSeen);
  }
  for (const va of snapshot.volumeAttachments) {
    see(va.createdAt);
    see(va.deletingSince);
    see(va.attachError?.time ?? null);
  }
  return newest;
}

function inNamespace(d: { namespace: string | null }, namespace: string | null): boolean {
  return namespace === null || d.namespace === namespace;
}

/** Names of a few events, for warnings that must stay one line. */
function someNames(events: readonly EventRecord[]): string {
  const shown = events.slice(0, 3).map((e) => `${e.involvedObject.namespace}/${e.name}`);
  return events.length > 3 ? `${shown.join(', ')} and ${events.length - 3} more` : shown.join(', ');
}

/** Audits a snapshot (SPEC §3.3): pairs migrations, finds dual-attaches, builds findings; independent of input order. */
export function auditSnapshot(snapshot: ClusterSnapshot, options: AuditOptions): AuditReport {
  const { namespace, driver } = options;
  // The report states `now` to the millisecond; ages are computed from that same instant, so a
  // live audit (fractional wall clock) and an audit of its dump at `--now <report.now>` agree.
  const now = Math.floor(options.now);
  const events = snapshot.events.filter((e) => isMigrationEvent(e) && (namespace === null || e.involvedObject.namespace === namespace));
  const paired = pairMigrations(events, {
    now,
    volumeTimeout: volumeTimeoutLookup(snapshot.persistentVolumes, driver),
  });

  // --since keeps migrations that started (or by inference would have started) in the
  // window; unparsed and untimed events are kept when last seen in it.
  const cutoff = options.sinceSeconds === null ? null : now - options.sinceSeconds * 1000;
  const recent = (ms: number | null): boolean => cutoff === null || ms === null || ms >= cutoff;
  const migrations = cutoff === null ? paired.migrations : paired.migrations.filter((m) => recent(parseTimestamp(m.startedAt)));
  const unparsedEvents = cutoff === null ? paired.unparsedEvents : paired.unparsedEvents.filter((e) => recent(e.lastSeen));
  const untimed = cutoff === null ? paired.untimedEvents : paired.untimedEvents.filter((u) => recent(u.event.lastSeen));

  const warnings = [...snapshot.warnings];
  let dualAttaches: DualAttach[] = [];
  let multiAttaches: DualAttach[] = [];
  let rejectedTargets: VolumeRejectedTarget[] = [];
  let unplacedWarning: string | null = null;
  if (snapshot.volumeAttachmentsRead) {
    const found = findAttachments(snapshot.volumeAttachments, snapshot.persistentVolumes, {
      now,
      driver,
      stuckAfterSeconds: options.stuckAfterSeconds,
    });
    // VolumeAttachments and PVs are cluster-scoped: a namespace keeps those whose PV claims a PVC in it.
    dualAttaches = found.dualAttaches.filter((d) => inNamespace(d, namespace));
    multiAttaches = found.multiAttaches.filter((d) => inNamespace(d, namespace));
    rejectedTargets = found.rejectedTargets.filter((r) => inNamespace(r, namespace));
    // Without its PV (unreadable, or missing from a dump) an attachment names no namespace,
    // so -n cannot tell whether it is in scope: say so instead of dropping it silently.
    const unplaced = [...found.dualAttaches, ...found.multiAttaches].filter((d) => namespace !== null && d.namespace === null);
    if (unplaced.length > 0) {
      const ids = unplaced
        .slice(0, 3)
        .map((d) => d.volumeId)
        .join(', ');
      const more = unplaced.length > 3 ? ` and ${unplaced.length - 3} more` : '';
      unplacedWarning =
        `${unplaced.length} volume(s) attached to several nodes could not be placed in a namespace ` +
        `(no PersistentVolume claims them) and are not shown: ${ids}${more}; audit all namespaces to see them.`;
    }
  } else {
    warnings.push(ATTACHMENTS_UNREAD_WARNING);
  }
  if (!snapshot.persistentVolumesRead) warnings.push(PERSISTENT_VOLUMES_UNREAD_WARNING);
  if (unplacedWarning !== null) warnings.push(unplacedWarning);
  const timeless = untimed.filter((u) => u.event.firstSeen === null && u.event.lastSeen === null).map((u) => u.event);
  if (timeless.length > 0) {
    warnings.push(
      `${timeless.length} migration event(s) carry no timestamp and could not be paired (${someNames(timeless)}); they are counted in untimedOccurrences.`,
    );
  }

  const findings = buildFindings({ migrations, unparsedEvents, dualAttaches, multiAttaches });
  const count = (state: string): number => migrations.filter((m) => m.state === state).length;
  const completedDurations = migrations.flatMap((m) => (m.state === 'completed' && m.durationSeconds !== null ? [m.durationSeconds] : []));

  let oldest: number | null = null;
  for (const e of events) {
    const first = e.firstSeen ?? e.lastSeen;
    if (first !== null && (oldest === null || first < oldest)) oldest = first;
  }

  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'MigrationAudit',
    now: formatTimestamp(now),
    scope: { namespace, driver },
    summary: {
      migrations: migrations.length,
      completed: count('completed'),
      failed: count('failed'),
      inProgress: count('in-progress'),
      unresolved: count('unresolved'),
      untimedOccurrences: untimed.reduce((sum, u) => sum + u.occurrences, 0),
      dualAttaches: dualAttaches.length,
      stuckDualAttaches: dualAttaches.filter((d) => d.stuck).length,
      multiAttaches: multiAttaches.length,
      findings: {
        error: findings.filter((f) => f.severity === 'error').length,
        warning: findings.filter((f) => f.severity === 'warning').length,
        info: findings.filter((f) => f.severity === 'info').length,
      },
      durationSeconds: durationStats(completedDurations),
    },
    migrations,
    dualAttaches,
    multiAttaches,
    rejectedTargets,
    findings,
    warnings,
    horizon: {
      oldestEvent: oldest === null ? null : formatTimestamp(oldest),
      note: oldest === null || now - oldest > HORIZON_NOTE_AFTER_MS ? EVENT_TTL_NOTE : null,
    },
  };
}

// The audit: one pure function from a snapshot to the report (docs/output.md).

import { findAttachments } from './attachments.js';
import { buildFindings, type SharedVolume } from './findings.js';
import { unreadWarning } from './kinds.js';
import { findAttachmentIssues } from './kubelet.js';
import { type Correlation, correlateKubevirt } from './kubevirt.js';
import { isMigrationEvent } from './normalize.js';
import { assignMigrationIds, pairMigrations } from './pairing.js';
import { durationStats } from './stats.js';
import { formatTimestamp, parseTimestamp } from './time.js';
import type {
  AuditParameters,
  AuditReport,
  ClusterSnapshot,
  DualAttach,
  EventRecord,
  Finding,
  MigrationState,
  VmiRecord,
  VolumeRejectedTarget,
} from './types.js';
import { indexUsers, judgeSharing, publicUser } from './users.js';
import { indexVolumes } from './volumes.js';

/** The default --event-ttl of the API server, seconds. */
export const DEFAULT_EVENT_TTL_SECONDS = 3600;
/** The default --stale-after, seconds. */
export const DEFAULT_STALE_AFTER_SECONDS = 600;
/** The horizon note appears once the oldest event is this close to the event TTL. */
const HORIZON_NOTE_MARGIN_MS = 5 * 60 * 1000;

/** Why history may be missing, for the horizon note. */
export function eventTtlNote(eventTtlSeconds: number): string {
  return (
    `The API server deletes events after its --event-ttl (${formatTtl(eventTtlSeconds)} assumed here; pass --event-ttl if yours differs), ` +
    'so older migrations are visible only where KubeVirt still keeps them; current attachment state comes from VolumeAttachments.'
  );
}

function formatTtl(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * The newest time in a snapshot (events, VolumeAttachments, VMIMs), used as `now` for offline
 * dumps; null when it has none. Times after `notAfter` are passed over: one far-future timestamp
 * in hostile or broken input must not age everything else by centuries.
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
  for (const m of snapshot.vmims) {
    see(m.createdAt);
    see(m.scheduledAt);
    see(m.finishedAt);
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

/** Whether a finding is acknowledged by one of the --exclude rules. */
function excluded(f: Finding, rules: AuditParameters['exclude']): boolean {
  return rules.some((r) => r.code === f.code && (r.pvc === null || (r.namespace === f.namespace && r.pvc === f.pvc)));
}

/** Audits a snapshot: pairs migrations, relates them to KubeVirt, judges attachments, builds findings. */
export function auditSnapshot(snapshot: ClusterSnapshot, params: AuditParameters): AuditReport {
  const { namespace, driver } = params;
  // The report states `now` to the millisecond; ages are computed from that same instant, so a
  // live audit (fractional wall clock) and an audit of its dump at `--now <report.now>` agree.
  const now = Math.floor(params.now);
  const inScope = (ns: string): boolean => namespace === null || ns === namespace;
  const events = snapshot.events.filter((e) => isMigrationEvent(e) && inScope(e.involvedObject.namespace));
  const volumes = indexVolumes(snapshot.persistentVolumes, driver);
  const paired = pairMigrations(events, { now, volumeTimeout: (ref) => volumes.byClaim(ref)?.timeoutSeconds ?? null });
  const correlation = correlateKubevirt(paired.migrations, {
    vmis: snapshot.vmis.filter((vmi) => inScope(vmi.namespace)),
    vmims: snapshot.vmims.filter((vmim) => inScope(vmim.namespace)),
    pods: snapshot.pods,
    volumes,
    now,
    eventTtlSeconds: params.eventTtlSeconds,
  });
  const allMigrations = assignMigrationIds(correlation.migrations);

  // --since keeps migrations that started (or by inference would have started) in the
  // window; unparsed and untimed events are kept when last seen in it.
  const cutoff = params.sinceSeconds === null ? null : now - params.sinceSeconds * 1000;
  const recent = (ms: number | null): boolean => cutoff === null || ms === null || ms >= cutoff;
  const migrations = cutoff === null ? allMigrations : allMigrations.filter((m) => recent(parseTimestamp(m.startedAt)));
  const unparsedEvents = cutoff === null ? paired.unparsedEvents : paired.unparsedEvents.filter((e) => recent(e.lastSeen));
  const untimed = cutoff === null ? paired.untimedEvents : paired.untimedEvents.filter((u) => recent(u.event.lastSeen));
  const missingEvents = correlation.missingEvents.filter((m) => recent(m.view.scheduledAt));

  const warnings = [...snapshot.warnings];
  const unread = new Set(snapshot.unread);
  for (const kind of snapshot.unread) if (kind !== 'Pod') warnings.push(unreadWarning(kind));

  let dualAttaches: DualAttach[] = [];
  let multiAttaches: DualAttach[] = [];
  let rejectedTargets: VolumeRejectedTarget[] = [];
  const shared: SharedVolume[] = [];
  let issues: ReturnType<typeof findAttachmentIssues> = [];
  if (!unread.has('VolumeAttachment')) {
    const found = findAttachments(snapshot.volumeAttachments, snapshot.persistentVolumes, {
      now,
      driver,
      stuckAfterSeconds: params.stuckAfterSeconds,
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
      warnings.push(
        `${unplaced.length} volume(s) attached to several nodes could not be placed in a namespace ` +
          `(no PersistentVolume claims them) and are not shown: ${ids}${more}; audit all namespaces to see them.`,
      );
    }

    const inProgress = new Set(migrations.filter((m) => m.state === 'in-progress').map((m) => `${m.namespace}/${m.pvc}`));
    if (!unread.has('Node')) {
      issues = findAttachmentIssues(snapshot.volumeAttachments, snapshot.nodes, volumes, {
        driver,
        now,
        staleAfterSeconds: params.staleAfterSeconds,
        migrating: (pvName) => {
          const v = volumes.byPv(pvName);
          if (v === undefined || v.namespace === null || v.pvc === null) return false;
          const vmi = correlation.vmiOfClaim(v.namespace, v.pvc);
          return inProgress.has(`${v.namespace}/${v.pvc}`) || (vmi !== undefined && correlation.migrating(vmi));
        },
      }).filter((issue) => namespace === null || issue.volume?.namespace === namespace);
    }
    const claimedPvs = new Set(issues.map((i) => i.va.persistentVolumeName));
    const vmiByUid = new Map<string, VmiRecord>(snapshot.vmis.map((vmi) => [vmi.uid, vmi]));
    const users = indexUsers(snapshot.pods, snapshot.vmis);
    const podsUnread = new Set(snapshot.podsUnreadIn);
    for (const d of [...dualAttaches, ...multiAttaches]) {
      const pvName = found.pvNameOf.get(d.volumeId) ?? d.volumeId;
      shared.push(
        describeSharing(d, {
          correlation,
          users: unread.has('Pod') || d.namespace === null || podsUnread.has(d.namespace) ? null : users,
          vmiByUid,
          driverInProgress: inProgress.has(`${d.namespace}/${d.pvc}`),
          claimed: claimedPvs.has(pvName),
        }),
      );
    }
    const podsMissing = shared.filter((s) => s.users === null && s.attach.namespace !== null).map((s) => s.attach.namespace!);
    if (unread.has('Pod') && podsMissing.length > 0) warnings.push(unreadWarning('Pod'));
    else for (const ns of new Set(podsMissing)) if (podsUnread.has(ns)) warnings.push(unreadWarning('Pod', ns));
  }
  const timeless = untimed.filter((u) => u.event.firstSeen === null && u.event.lastSeen === null).map((u) => u.event);
  if (timeless.length > 0) {
    warnings.push(
      `${timeless.length} migration event(s) carry no timestamp and could not be paired (${someNames(timeless)}); they are counted in untimedOccurrences.`,
    );
  }

  const all = buildFindings({ now, migrations, unparsedEvents, shared, issues, missingEvents, driver });
  const findings = all.filter((f) => !excluded(f, params.exclude));
  // One pass over the migrations (tens of thousands with KubeVirt's history).
  const count: Record<MigrationState, number> = { completed: 0, failed: 0, 'in-progress': 0, unresolved: 0 };
  const completedDurations: number[] = [];
  for (const m of migrations) {
    count[m.state]++;
    if (m.state === 'completed' && m.durationSeconds !== null) completedDurations.push(m.durationSeconds);
  }

  let oldest: number | null = null;
  for (const e of events) {
    const first = e.firstSeen ?? e.lastSeen;
    if (first !== null && (oldest === null || first < oldest)) oldest = first;
  }
  const horizonNoteAfter = Math.max(0, params.eventTtlSeconds * 1000 - HORIZON_NOTE_MARGIN_MS);

  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'MigrationAudit',
    now: formatTimestamp(now),
    scope: { namespace, driver },
    summary: {
      migrations: migrations.length,
      completed: count.completed,
      failed: count.failed,
      inProgress: count['in-progress'],
      unresolved: count.unresolved,
      untimedOccurrences: untimed.reduce((sum, u) => sum + u.occurrences, 0),
      dualAttaches: dualAttaches.length,
      stuckDualAttaches: dualAttaches.filter((d) => d.stuck).length,
      multiAttaches: multiAttaches.length,
      findings: {
        error: findings.filter((f) => f.severity === 'error').length,
        warning: findings.filter((f) => f.severity === 'warning').length,
        info: findings.filter((f) => f.severity === 'info').length,
      },
      excluded: all.length - findings.length,
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
      note: oldest === null || now - oldest > horizonNoteAfter ? eventTtlNote(params.eventTtlSeconds) : null,
    },
  };
}

/** A volume attached to several nodes with its VM, users and whether sharing it is safe. */
function describeSharing(
  d: DualAttach,
  context: {
    correlation: Correlation;
    users: ReturnType<typeof indexUsers> | null;
    vmiByUid: Map<string, VmiRecord>;
    driverInProgress: boolean;
    claimed: boolean;
  },
): SharedVolume {
  const { correlation } = context;
  const vmi = d.namespace === null || d.pvc === null ? undefined : correlation.vmiOfClaim(d.namespace, d.pvc);
  d.vmi = vmi?.name ?? null;
  d.vmiNode = vmi?.nodeName ?? null;
  const resolved = context.users === null || d.namespace === null || d.pvc === null ? null : context.users.usersOf(d.namespace, d.pvc);
  d.users = resolved === null ? [] : resolved.map(publicUser);
  const migrating = (vmiUid: string): boolean => {
    const user = context.vmiByUid.get(vmiUid);
    return context.driverInProgress || (user !== undefined && correlation.migrating(user));
  };
  const inFlight = vmi === undefined ? undefined : correlation.vmimsOf(vmi).find((view) => !view.final);
  return {
    attach: d,
    users: resolved,
    problem: resolved === null ? null : judgeSharing(resolved, migrating),
    claimed: context.claimed,
    vmi: d.vmi,
    inFlightVmim: inFlight === undefined ? null : { name: inFlight.vmim.name, uid: inFlight.vmim.uid, targetNode: inFlight.targetNode },
  };
}

// The findings catalogue (SPEC §2.5) and the findings of one audit.

import { formatGoDuration } from './duration.js';
import type { DualAttach, EventRecord, Finding, FindingCode, Migration, Severity } from './types.js';

/** Stable finding codes with their severities (SPEC §2.5). */
export const FINDING_SEVERITY: Readonly<Record<FindingCode, Severity>> = {
  MigrationFailed: 'error',
  StuckDualAttach: 'error',
  MultiAttach: 'error',
  UnresolvedMigration: 'warning',
  SlowMigration: 'warning',
  UnparsedEvent: 'warning',
  DualAttachInProgress: 'info',
};

/** A completed migration is slow when its duration exceeds this share of its timeout. */
export const SLOW_MIGRATION_RATIO = 0.8;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

export interface FindingsInput {
  migrations: readonly Migration[];
  /** Migration* events whose message could not be parsed. */
  unparsedEvents: readonly EventRecord[];
  dualAttaches: readonly DualAttach[];
  multiAttaches: readonly DualAttach[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders findings by severity (error, warning, info), then namespace, PVC, code, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.pvc ?? '', b.pvc ?? '') ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message) ||
    compareText(a.nextStep, b.nextStep)
  );
}

function make(
  code: FindingCode,
  where: { namespace: string | null; pvc: string | null; volumeId: string | null },
  message: string,
  nextStep: string,
): Finding {
  return { severity: FINDING_SEVERITY[code], code, ...where, message, nextStep };
}

/** "PVC vms/disk (volume pvc-…)", leaving out what is unknown. */
function describeVolume(namespace: string | null, pvc: string | null, volumeId: string | null): string {
  const claim = pvc === null ? null : `PVC ${namespace ?? '?'}/${pvc}`;
  if (claim !== null && volumeId !== null) return `${claim} (volume ${volumeId})`;
  if (claim !== null) return claim;
  return `volume ${volumeId ?? '?'}`;
}

function migrationFindings(m: Migration): Finding[] {
  const what = describeVolume(m.namespace, m.pvc, m.volumeId);
  const where = { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId };
  const route = `from ${m.sourceNode} to ${m.targetNode}`;
  switch (m.state) {
    case 'failed': {
      const elapsed = m.durationSeconds === null ? '' : ` after ${formatGoDuration(m.durationSeconds)}`;
      return [
        make(
          'MigrationFailed',
          where,
          `Migration of ${what} ${route} failed at ${m.endedAt ?? m.startedAt}${elapsed}: ${m.failureReason ?? 'no reason given'}.`,
          `Check the VMI migration (kubectl get vmim -n ${m.namespace}) and the CSI driver logs on ${m.targetNode}.`,
        ),
      ];
    }
    case 'unresolved':
      return [
        make(
          'UnresolvedMigration',
          where,
          `Migration of ${what} ${route} started at ${m.startedAt} recorded no outcome within its ${formatGoDuration(m.timeoutSeconds)} timeout.`,
          `Check where the VM runs now (kubectl get vmi -n ${m.namespace} -o wide) and whether the volume is still attached to both nodes (kubectl get volumeattachment), then record the outcome with rds-migrate post-completed or post-failed.`,
        ),
      ];
    case 'completed':
      // Strictly above 80 %: a migration that used exactly 80 % of its timeout is not slow.
      if (m.durationSeconds !== null && m.durationSeconds > SLOW_MIGRATION_RATIO * m.timeoutSeconds) {
        return [
          make(
            'SlowMigration',
            where,
            `Migration of ${what} ${route} took ${formatGoDuration(m.durationSeconds)}, over 80% of its ${formatGoDuration(m.timeoutSeconds)} timeout.`,
            `Look at the migration's bandwidth and dirty-page rate (kubectl get vmim -n ${m.namespace}) or raise the StorageClass parameter migrationTimeoutSeconds before migrations start to time out.`,
          ),
        ];
      }
      return [];
    case 'in-progress':
      return [];
  }
}

function unparsedFinding(e: EventRecord): Finding {
  const ns = e.involvedObject.namespace;
  return make(
    'UnparsedEvent',
    { namespace: ns, pvc: e.involvedObject.name, volumeId: null },
    `Event ${e.name} (${e.reason}) on PVC ${ns}/${e.involvedObject.name} has a message that does not match the driver's format, so it is not part of any migration.`,
    `Check who posted it and what it says (kubectl get event ${e.name} -n ${e.namespace || ns} -o yaml).`,
  );
}

function attachmentFinding(d: DualAttach, multi: boolean): Finding {
  const what = describeVolume(d.namespace, d.pvc, d.volumeId);
  const where = { namespace: d.namespace, pvc: d.pvc, volumeId: d.volumeId };
  const rejected = d.rejectedTargets.length === 0 ? '' : `; attach rejected on ${d.rejectedTargets.map((r) => r.node).join(', ')}`;
  if (multi) {
    return make(
      'MultiAttach',
      where,
      `${capitalize(what)} is attached to ${d.nodes.length} nodes at once (${d.nodes.join(', ')}), which the driver must never allow${rejected}.`,
      `Inspect its VolumeAttachments (kubectl get volumeattachment ${d.volumeAttachments.join(' ')}) and stop every VM pod using the volume except the one that should run it.`,
    );
  }
  const age = d.ageSeconds === null ? 'for an unknown time' : `for ${formatGoDuration(d.ageSeconds)}`;
  const timeout = formatGoDuration(d.timeoutSeconds);
  if (d.stuck) {
    // findAttachments lists the node attached first (the migration source) and its VolumeAttachment first.
    const sourceNode = d.nodes[0] ?? '?';
    const va = d.volumeAttachments[0] ?? '?';
    return make(
      'StuckDualAttach',
      where,
      `${capitalize(what)} has been attached to both ${d.nodes.join(' and ')} ${age}, at or past its ${timeout} migration timeout${rejected}.`,
      `Inspect VolumeAttachment ${va} on ${sourceNode} (kubectl get volumeattachment ${va} -o yaml); deleting the migration source pod (virt-launcher) on ${sourceNode} ends the dual-attach.`,
    );
  }
  return make(
    'DualAttachInProgress',
    where,
    `${capitalize(what)} is attached to both ${d.nodes.join(' and ')} ${age} of its ${timeout} migration timeout, as during a live migration${rejected}.`,
    `Nothing to do unless it is still dual-attached after ${timeout}; it is then reported as StuckDualAttach.`,
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Builds the findings of SPEC §2.5, sorted by severity, namespace, PVC and code. */
export function buildFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  for (const m of input.migrations) findings.push(...migrationFindings(m));
  for (const e of input.unparsedEvents) findings.push(unparsedFinding(e));
  for (const d of input.dualAttaches) findings.push(attachmentFinding(d, false));
  for (const d of input.multiAttaches) findings.push(attachmentFinding(d, true));
  return findings.sort(compareFindings);
}

// What changed between two builds of the same view (the live commands): the
// events that are new or changed, the migrations whose state changed, whether the attachment
// changed, the findings that opened or resolved. Time passing alone is not a change: an age or
// a migration's elapsed time against its timeout never makes one, but a state it leads to does
// (in-progress -> unresolved, DualAttachInProgress -> StuckDualAttach).

import type { Finding, HistoryEvent, Migration, MigrationState, PvcHistory } from './types.js';

/** A migration that appeared (previousState null) or whose state changed. */
export interface MigrationChange {
  migration: Migration;
  previousState: MigrationState | null;
}

/** The findings that opened and those that resolved between two reports. */
export interface FindingChanges {
  opened: Finding[];
  resolved: Finding[];
}

/** The attachment of a PVC as `events` shows it. */
export type Attachment = PvcHistory['attachment'];

function sameEvent(a: HistoryEvent, b: HistoryEvent): boolean {
  return (
    a.count === b.count &&
    a.lastSeen === b.lastSeen &&
    a.firstSeen === b.firstSeen &&
    a.type === b.type &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.component === b.component
  );
}

/** The events of `after` that `before` does not hold, or held with another count, time or message; in `after`'s order. */
export function changedEvents(before: readonly HistoryEvent[], after: readonly HistoryEvent[]): HistoryEvent[] {
  const known = new Map(before.map((e) => [e.name, e]));
  return after.filter((e) => {
    const was = known.get(e.name);
    return was === undefined || !sameEvent(was, e);
  });
}

const FINAL: ReadonlySet<MigrationState> = new Set(['completed', 'failed']);

/**
 * Pairs each migration of `after` with the one of `before` it continues, or none. By id first
 * (`<namespace>/<pvc>/<start>`, which an outcome does not change); then by KubeVirt's migration
 * uid; then a finished migration by its PVC, nodes and end: when the Started event of a
 * finished migration expires, its start is inferred from its outcome and its id changes, but it
 * is still the same migration and must not read as a new one.
 */
export function matchMigrations(before: readonly Migration[], after: readonly Migration[]): Map<Migration, Migration> {
  const matched = new Map<Migration, Migration>();
  const free = new Set(before);
  const claim = (next: Migration, find: (m: Migration) => boolean): void => {
    if (matched.has(next)) return;
    for (const m of free) {
      if (find(m)) {
        matched.set(next, m);
        free.delete(m);
        return;
      }
    }
  };
  const byId = new Map(before.map((m) => [m.id, m]));
  for (const next of after) {
    const m = byId.get(next.id);
    if (m !== undefined && free.has(m)) {
      matched.set(next, m);
      free.delete(m);
    }
  }
  const samePvc = (a: Migration, b: Migration): boolean => a.namespace === b.namespace && a.pvc === b.pvc;
  for (const next of after) {
    const uid = next.kubevirt?.migrationUid;
    if (uid) claim(next, (m) => samePvc(m, next) && m.kubevirt?.migrationUid === uid);
  }
  for (const next of after) {
    if (!FINAL.has(next.state) || next.endedAt === null) continue;
    claim(
      next,
      (m) =>
        samePvc(m, next) &&
        m.state === next.state &&
        m.endedAt === next.endedAt &&
        m.sourceNode === next.sourceNode &&
        m.targetNode === next.targetNode,
    );
  }
  return matched;
}

/** The migrations of `after` that are new, or whose state differs from the one they continue (matchMigrations). */
export function changedMigrations(before: readonly Migration[], after: readonly Migration[]): MigrationChange[] {
  const matched = matchMigrations(before, after);
  const changes: MigrationChange[] = [];
  for (const m of after) {
    const was = matched.get(m);
    if (was === undefined) changes.push({ migration: m, previousState: null });
    else if (was.state !== m.state) changes.push({ migration: m, previousState: was.state });
  }
  return changes;
}

/**
 * The migration of `after` that continues `target` (matchMigrations), or, when `target` is
 * null, the newest migration of `after` that continues none of `before`: what `wait` follows.
 * Null when there is none (yet, or any longer).
 */
export function followMigration(before: readonly Migration[], after: readonly Migration[], target: Migration | null): Migration | null {
  const matched = matchMigrations(before, after);
  if (target !== null) {
    for (const [next, was] of matched) if (was === target) return next;
    return null;
  }
  let newest: Migration | null = null;
  for (const m of after) {
    if (!matched.has(m) && (newest === null || Date.parse(m.startedAt) >= Date.parse(newest.startedAt))) newest = m;
  }
  return newest;
}

/** The migration of a PVC without an outcome (in-progress or unresolved) that started last, or null. */
export function openMigration(migrations: readonly Migration[]): Migration | null {
  let open: Migration | null = null;
  for (const m of migrations) {
    if (FINAL.has(m.state)) continue;
    if (open === null || Date.parse(m.startedAt) >= Date.parse(open.startedAt)) open = m;
  }
  return open;
}

/** What of an attachment is its state: nodes, dual/multi-attach and whether stuck, rejected targets; not ages. */
function attachmentState(a: Attachment): string {
  const d = a.dualAttach;
  return JSON.stringify([
    [...a.nodes].sort(),
    d === null ? null : [[...d.nodes].sort(), d.stuck],
    a.rejectedTargets.map((r) => r.node).sort(),
  ]);
}

/** Whether the attachment changed state (before null: nothing was shown yet). */
export function attachmentChanged(before: Attachment | null, after: Attachment): boolean {
  return before === null || attachmentState(before) !== attachmentState(after);
}

/** Object kinds that name what a finding is about (the pods and VMIMs it mentions may change while it stays open). */
const IDENTIFYING_KINDS: ReadonlySet<string> = new Set(['VolumeAttachment', 'Event']);

/**
 * What makes a finding the same finding in the next report: its code, PVC, volume and the
 * VolumeAttachments or Event it is about. Its sentences are not part of it: they tell ages.
 */
export function findingKey(f: Finding): string {
  const objects = f.objects
    .filter((o) => IDENTIFYING_KINDS.has(o.kind))
    .map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`)
    .sort();
  return JSON.stringify([f.code, f.namespace, f.pvc, f.volumeId, objects]);
}

/** Ages (`45s`, `5m30s`, `4d12h`) as the sentences tell them, which change as time passes. */
const AGE = /\b\d+(?:[smhdy]\d*)*[smhdy]\b/g;

/** A finding's sentences without their ages: tells apart two findings of one key (two failures of one PVC). */
function findingText(f: Finding): string {
  return `${f.message}\n${f.next}`.replace(AGE, '#');
}

/**
 * The findings of `after` that are not in `before` (opened) and those of `before` that are not
 * in `after` (resolved), by findingKey. Several findings of one key (two failed migrations of
 * one PVC) are paired by their sentences without ages first, then in order.
 */
export function diffFindings(before: readonly Finding[], after: readonly Finding[]): FindingChanges {
  const groups = new Map<string, { before: Finding[]; after: Finding[] }>();
  const group = (f: Finding) => {
    const key = findingKey(f);
    let g = groups.get(key);
    if (g === undefined) {
      g = { before: [], after: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const f of before) group(f).before.push(f);
  for (const f of after) group(f).after.push(f);
  const opened = new Set<Finding>();
  const resolved = new Set<Finding>();
  for (const g of groups.values()) {
    const left = [...g.before];
    const unmatched: Finding[] = [];
    for (const f of g.after) {
      const at = left.findIndex((b) => findingText(b) === findingText(f));
      if (at >= 0) left.splice(at, 1);
      else unmatched.push(f);
    }
    // What is left on both sides is the same finding told differently (a VMI moved, a phase changed).
    const paired = Math.min(left.length, unmatched.length);
    for (const f of unmatched.slice(paired)) opened.add(f);
    for (const f of left.slice(paired)) resolved.add(f);
  }
  return { opened: after.filter((f) => opened.has(f)), resolved: before.filter((f) => resolved.has(f)) };
}

// Pairing Migration* events into migrations.

import { parseMigrationMessage } from './messages.js';
import { isMigrationEvent } from './normalize.js';
import { formatTimestamp } from './time.js';
import type { EventRecord, Migration, MigrationState, ParsedMessage } from './types.js';
import { DEFAULT_MIGRATION_TIMEOUT_SECONDS } from './types.js';

/** The PVC a group of events is about (its involvedObject). */
export interface PvcRef {
  uid: string;
  namespace: string;
  name: string;
}

export interface PairingOptions {
  /** Epoch ms; decides in-progress vs unresolved for migrations still open. */
  now: number;
  /** The migration timeout of the PVC's volume, or null when its volume is unknown. */
  volumeTimeout: (pvc: PvcRef) => number | null;
}

/** An event with occurrences that could not be placed in time. */
export interface UntimedEvent {
  event: EventRecord;
  /** count − 2 for a repeated event; all of its count when the event carries no time at all. */
  occurrences: number;
}

export interface PairingResult {
  /** Sorted by startedAt, then namespace, PVC, id. */
  migrations: Migration[];
  /** Migration* events whose message could not be parsed; they take no part in pairing. */
  unparsedEvents: EventRecord[];
  /** Sum of UntimedEvent.occurrences. */
  untimedOccurrences: number;
  untimedEvents: UntimedEvent[];
}

interface Occurrence {
  at: number;
  event: EventRecord;
  parsed: ParsedMessage;
  /** 0 = first occurrence of a repeated event, 1 = last (keeps the two apart at equal times). */
  index: number;
}

interface Draft {
  /** Its id is filled in once every migration is known. */
  migration: Migration;
  startMs: number;
  group: string;
  seq: number;
}

interface OpenMigration {
  ref: PvcRef;
  sourceNode: string;
  targetNode: string;
  startMs: number;
  timeoutSeconds: number;
  volumeId: string | null;
  events: string[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNullableNumber(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

/** A total order on events that does not depend on input order (names should be unique, but input is untrusted). */
export function compareEvents(a: EventRecord, b: EventRecord): number {
  return (
    compareText(a.involvedObject.namespace, b.involvedObject.namespace) ||
    compareText(a.involvedObject.name, b.involvedObject.name) ||
    compareNullableNumber(a.lastSeen, b.lastSeen) ||
    compareText(a.name, b.name) ||
    compareText(a.reason, b.reason) ||
    compareText(a.message, b.message) ||
    compareNullableNumber(a.firstSeen, b.firstSeen) ||
    a.count - b.count ||
    compareText(a.type, b.type) ||
    compareText(a.component, b.component) ||
    compareText(a.involvedObject.uid, b.involvedObject.uid) ||
    compareText(a.namespace, b.namespace)
  );
}

function phaseOf(reason: string): number {
  // A Started sorts before a Completed/Failed with the same timestamp.
  return reason === 'MigrationStarted' ? 0 : 1;
}

function compareOccurrences(a: Occurrence, b: Occurrence): number {
  // Most occurrences differ in time: decide those without the string comparisons.
  if (a.at !== b.at) return a.at - b.at;
  return (
    phaseOf(a.event.reason) - phaseOf(b.event.reason) ||
    compareText(a.event.name, b.event.name) ||
    compareEvents(a.event, b.event) ||
    a.index - b.index
  );
}

function pvcKey(e: EventRecord): string {
  const ref = e.involvedObject;
  return ref.uid !== '' ? `uid:${ref.uid}` : `name:${ref.namespace}/${ref.name}`;
}

function pushOnce(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name);
}

/** Expands an event into its timed occurrences, returning how many occurrences have no known time. */
function expand(event: EventRecord, parsed: ParsedMessage, out: Occurrence[]): number {
  if (event.count <= 1) {
    if (event.lastSeen === null) return 1;
    out.push({ at: event.lastSeen, event, parsed, index: 1 });
    return 0;
  }
  // client-go merges repeats into one object: first at firstSeen, last at lastSeen,
  // the ones in between at unknown times.
  let untimed = event.count - 2;
  if (event.firstSeen === null) untimed += 1;
  else out.push({ at: event.firstSeen, event, parsed, index: 0 });
  if (event.lastSeen === null) untimed += 1;
  else out.push({ at: event.lastSeen, event, parsed, index: 1 });
  return untimed;
}

/** Pairs one PVC's occurrences (sorted) into migrations, appended to `drafts`. */
function pairGroup(occurrences: Occurrence[], group: string, options: PairingOptions, drafts: Draft[]): void {
  const first = drafts.length;
  const fallbackTimeout = (ref: PvcRef): number => options.volumeTimeout(ref) ?? DEFAULT_MIGRATION_TIMEOUT_SECONDS;
  const emit = (
    open: OpenMigration,
    state: MigrationState,
    end: { at: number; durationSeconds: number; failureReason: string | null } | null,
    startInferred: boolean,
  ): void => {
    drafts.push({
      migration: {
        id: '',
        namespace: open.ref.namespace,
        pvc: open.ref.name,
        volumeId: open.volumeId,
        sourceNode: open.sourceNode,
        targetNode: open.targetNode,
        state,
        startedAt: formatTimestamp(open.startMs),
        endedAt: end === null ? null : formatTimestamp(end.at),
        durationSeconds: end === null ? null : end.durationSeconds,
        timeoutSeconds: open.timeoutSeconds,
        startInferred,
        failureReason: end === null ? null : end.failureReason,
        events: open.events,
        recordedBy: ['events'],
        kubevirt: null,
      },
      startMs: open.startMs,
      group,
      seq: drafts.length - first,
    });
  };

  // At most one migration is open at a time: a Started either joins the open one
  // or turns every open one unresolved; Completed/Failed never open one.
  let open: OpenMigration | null = null;
  for (const o of occurrences) {
    const { parsed, event } = o;
    const sameNodes = open !== null && open.sourceNode === parsed.sourceNode && open.targetNode === parsed.targetNode;
    if (event.reason === 'MigrationStarted') {
      if (open !== null && sameNodes && o.at - open.startMs < open.timeoutSeconds * 1000) {
        // The same migration reported again (a retried attach, or the later occurrence of a repeated event).
        pushOnce(open.events, event.name);
        open.volumeId ??= parsed.volumeId || null;
        continue;
      }
      if (open !== null) emit(open, 'unresolved', null, false);
      const ref = pvcRef(event);
      open = {
        ref,
        sourceNode: parsed.sourceNode,
        targetNode: parsed.targetNode,
        startMs: o.at,
        timeoutSeconds: parsed.timeoutSeconds ?? fallbackTimeout(ref),
        volumeId: parsed.volumeId || null,
        events: [event.name],
      };
      continue;
    }
    const state: MigrationState = event.reason === 'MigrationFailed' ? 'failed' : 'completed';
    const failureReason = state === 'failed' ? parsed.failureReason : null;
    if (open !== null && sameNodes) {
      pushOnce(open.events, event.name);
      open.volumeId ??= parsed.volumeId || null;
      const durationSeconds = parsed.durationSeconds ?? (o.at - open.startMs) / 1000;
      emit(open, state, { at: o.at, durationSeconds, failureReason }, false);
      open = null;
      continue;
    }
    // No matching Started (expired after the event TTL, or never posted): infer the
    // start from the reported duration. An open migration on other nodes stays open.
    const durationSeconds = parsed.durationSeconds ?? 0;
    const ref = pvcRef(event);
    const inferred: OpenMigration = {
      ref,
      sourceNode: parsed.sourceNode,
      targetNode: parsed.targetNode,
      startMs: Math.round(o.at - durationSeconds * 1000),
      timeoutSeconds: fallbackTimeout(ref),
      volumeId: parsed.volumeId || null,
      events: [event.name],
    };
    emit(inferred, state, { at: o.at, durationSeconds, failureReason }, true);
  }
  if (open !== null) {
    emit(open, options.now - open.startMs < open.timeoutSeconds * 1000 ? 'in-progress' : 'unresolved', null, false);
  }
}

function pvcRef(event: EventRecord): PvcRef {
  const { uid, namespace, name } = event.involvedObject;
  return { uid, namespace, name };
}

/** Orders migrations by start, then namespace, PVC and id (the order of every migrations list). */
function sortMigrations(migrations: readonly Migration[]): Migration[] {
  // Each start is read once, not in every comparison.
  const keyed = migrations.map((m) => ({ m, start: Date.parse(m.startedAt) }));
  keyed.sort(
    (a, b) =>
      a.start - b.start || compareText(a.m.namespace, b.m.namespace) || compareText(a.m.pvc, b.m.pvc) || compareText(a.m.id, b.m.id),
  );
  return keyed.map((k) => k.m);
}

/**
 * Gives the migrations still without an id (KubeVirt's) one of the same form as the
 * paired ones, `<namespace>/<pvc>/<startedAt>` (with `-2`, `-3`… when taken), in an order fixed by
 * content alone; returns every migration in the order of a migrations list.
 */
export function assignMigrationIds(migrations: readonly Migration[]): Migration[] {
  const taken = new Set(migrations.filter((m) => m.id !== '').map((m) => m.id));
  const fresh = migrations
    .filter((m) => m.id === '')
    .sort(
      (a, b) =>
        compareText(a.namespace, b.namespace) ||
        compareText(a.pvc, b.pvc) ||
        compareText(a.startedAt, b.startedAt) ||
        compareText(a.kubevirt?.migrationUid ?? '', b.kubevirt?.migrationUid ?? '') ||
        compareText(a.kubevirt?.migration ?? '', b.kubevirt?.migration ?? ''),
    );
  for (const m of fresh) {
    const base = `${m.namespace}/${m.pvc}/${m.startedAt}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    m.id = id;
  }
  return sortMigrations(migrations);
}

/** Pairs Migration* events on PVCs into migrations; the result does not depend on the order of `events`. */
export function pairMigrations(events: readonly EventRecord[], options: PairingOptions): PairingResult {
  const groups = new Map<string, Occurrence[]>();
  const unparsedEvents: EventRecord[] = [];
  const untimedEvents: UntimedEvent[] = [];
  for (const event of events) {
    if (!isMigrationEvent(event)) continue;
    const parsed = parseMigrationMessage(event.reason, event.message);
    if (parsed === null) {
      unparsedEvents.push(event);
      continue;
    }
    const key = pvcKey(event);
    let list = groups.get(key);
    if (list === undefined) {
      list = [];
      groups.set(key, list);
    }
    const untimed = expand(event, parsed, list);
    if (untimed > 0) untimedEvents.push({ event, occurrences: untimed });
  }

  const drafts: Draft[] = [];
  for (const [group, occurrences] of groups) {
    occurrences.sort(compareOccurrences);
    pairGroup(occurrences, group, options, drafts);
  }

  // Ids are assigned in an order fixed by content alone, so they survive shuffled input.
  drafts.sort(
    (a, b) =>
      compareText(a.migration.namespace, b.migration.namespace) ||
      compareText(a.migration.pvc, b.migration.pvc) ||
      a.startMs - b.startMs ||
      compareText(a.group, b.group) ||
      a.seq - b.seq,
  );
  const taken = new Map<string, number>();
  for (const d of drafts) {
    const base = `${d.migration.namespace}/${d.migration.pvc}/${d.migration.startedAt}`;
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    d.migration.id = n === 1 ? base : `${base}-${n}`;
  }
  drafts.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      compareText(a.migration.namespace, b.migration.namespace) ||
      compareText(a.migration.pvc, b.migration.pvc) ||
      compareText(a.migration.id, b.migration.id),
  );

  unparsedEvents.sort(compareEvents);
  untimedEvents.sort((a, b) => compareEvents(a.event, b.event));
  return {
    migrations: drafts.map((d) => d.migration),
    unparsedEvents,
    untimedOccurrences: untimedEvents.reduce((sum, u) => sum + u.occurrences, 0),
    untimedEvents,
  };
}

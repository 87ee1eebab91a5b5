// The JSON/YAML documents (docs/output.md), rebuilt key by key so the key order is the
// model's (types.ts) whatever order the domain happened to build its objects in.
// YAML text is made in yaml.ts, which only -o yaml loads.
import type {
  AuditReport,
  DualAttach,
  Finding,
  HistoryEvent,
  Migration,
  ParsedMessage,
  PvcHistory,
  RejectedTarget,
  VmimSummary,
  VolumeRejectedTarget,
  VolumeUser,
} from '../domain/types.js';

/** One migration as `migrations[]` shows it. */
export function migrationDoc(m: Migration): Migration {
  return {
    id: m.id,
    namespace: m.namespace,
    pvc: m.pvc,
    volumeId: m.volumeId,
    sourceNode: m.sourceNode,
    targetNode: m.targetNode,
    state: m.state,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    durationSeconds: m.durationSeconds,
    timeoutSeconds: m.timeoutSeconds,
    startInferred: m.startInferred,
    failureReason: m.failureReason,
    events: [...m.events],
    recordedBy: [...m.recordedBy],
    kubevirt:
      m.kubevirt === null
        ? null
        : {
            vmi: m.kubevirt.vmi,
            migration: m.kubevirt.migration,
            migrationUid: m.kubevirt.migrationUid,
            phase: m.kubevirt.phase,
            failureReason: m.kubevirt.failureReason,
          },
  };
}

function userDoc(u: VolumeUser): VolumeUser {
  return { node: u.node, namespace: u.namespace, pod: u.pod, kind: u.kind, vmi: u.vmi };
}

function vmimSummaryDoc(v: VmimSummary): VmimSummary {
  return {
    name: v.name,
    uid: v.uid,
    phase: v.phase,
    sourceNode: v.sourceNode,
    targetNode: v.targetNode,
    startedAt: v.startedAt,
    endedAt: v.endedAt,
    failureReason: v.failureReason,
  };
}

/** One dual-attach as `dualAttaches[]` shows it. */
export function dualAttachDoc(d: DualAttach): DualAttach {
  return {
    volumeId: d.volumeId,
    namespace: d.namespace,
    pvc: d.pvc,
    nodes: [...d.nodes],
    since: d.since,
    ageSeconds: d.ageSeconds,
    timeoutSeconds: d.timeoutSeconds,
    stuck: d.stuck,
    volumeAttachments: [...d.volumeAttachments],
    rejectedTargets: d.rejectedTargets.map(rejectedTargetDoc),
    vmi: d.vmi,
    vmiNode: d.vmiNode,
    users: d.users.map(userDoc),
  };
}

/** One rejected migration target as the documents show it. */
export function rejectedTargetDoc(r: RejectedTarget): RejectedTarget {
  return { node: r.node, volumeAttachment: r.volumeAttachment, message: r.message, time: r.time };
}

function volumeRejectedTargetDoc(r: VolumeRejectedTarget): VolumeRejectedTarget {
  return { volumeId: r.volumeId, namespace: r.namespace, pvc: r.pvc, ...rejectedTargetDoc(r) };
}

/** One finding as `findings[]` shows it. */
export function findingDoc(f: Finding): Finding {
  return {
    severity: f.severity,
    code: f.code,
    namespace: f.namespace,
    pvc: f.pvc,
    volumeId: f.volumeId,
    message: f.message,
    next: f.next,
    objects: f.objects.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name })),
  };
}

function parsedDoc(p: ParsedMessage | null): ParsedMessage | null {
  if (p === null) return null;
  return {
    volumeId: p.volumeId,
    sourceNode: p.sourceNode,
    targetNode: p.targetNode,
    timeoutSeconds: p.timeoutSeconds,
    durationSeconds: p.durationSeconds,
    failureReason: p.failureReason,
  };
}

/** One event as `events -o json` shows it. */
export function historyEventDoc(e: HistoryEvent): HistoryEvent {
  return {
    name: e.name,
    type: e.type,
    reason: e.reason,
    count: e.count,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    component: e.component,
    message: e.message,
    parsed: parsedDoc(e.parsed),
  };
}

/**
 * A list of a document whose elements are made only when written (writeJson), so that a long
 * list is never held twice, as model and as document.
 */
export class DocumentList<T> {
  constructor(
    readonly items: readonly T[],
    readonly toDocument: (item: T) => unknown,
  ) {}
}

/** A document whose values may be DocumentLists. */
type LazyDocument = Record<string, unknown>;

/** The document with every DocumentList made into its array. */
function materialize<T>(doc: LazyDocument): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) out[key] = value instanceof DocumentList ? value.items.map(value.toDocument) : value;
  return out as T;
}

/** The `audit -o json|yaml` document with the model's key order. */
export function auditDocument(r: AuditReport): AuditReport {
  return materialize(auditDocumentParts(r));
}

/** The `audit` document with its migrations and findings as DocumentLists (see writeJson). */
export function auditDocumentParts(r: AuditReport): LazyDocument {
  const s = r.summary;
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    now: r.now,
    scope: { namespace: r.scope.namespace, driver: r.scope.driver },
    summary: {
      migrations: s.migrations,
      completed: s.completed,
      failed: s.failed,
      inProgress: s.inProgress,
      unresolved: s.unresolved,
      untimedOccurrences: s.untimedOccurrences,
      dualAttaches: s.dualAttaches,
      stuckDualAttaches: s.stuckDualAttaches,
      multiAttaches: s.multiAttaches,
      findings: { error: s.findings.error, warning: s.findings.warning, info: s.findings.info },
      excluded: s.excluded,
      durationSeconds: {
        count: s.durationSeconds.count,
        min: s.durationSeconds.min,
        p50: s.durationSeconds.p50,
        p95: s.durationSeconds.p95,
        max: s.durationSeconds.max,
      },
    },
    migrations: new DocumentList(r.migrations, migrationDoc),
    dualAttaches: r.dualAttaches.map(dualAttachDoc),
    multiAttaches: r.multiAttaches.map(dualAttachDoc),
    rejectedTargets: r.rejectedTargets.map(volumeRejectedTargetDoc),
    findings: new DocumentList(r.findings, findingDoc),
    warnings: [...r.warnings],
    horizon: { oldestEvent: r.horizon.oldestEvent, note: r.horizon.note },
  };
}

/** A PVC's attachment as `events -o json` shows it. */
export function attachmentDoc(a: PvcHistory['attachment']): PvcHistory['attachment'] {
  return {
    nodes: [...a.nodes],
    dualAttach: a.dualAttach === null ? null : dualAttachDoc(a.dualAttach),
    rejectedTargets: a.rejectedTargets.map(rejectedTargetDoc),
  };
}

/** The `events -o json|yaml` document with the model's key order. */
export function historyDocument(h: PvcHistory): PvcHistory {
  return {
    apiVersion: h.apiVersion,
    kind: h.kind,
    now: h.now,
    pvc: { namespace: h.pvc.namespace, name: h.pvc.name, uid: h.pvc.uid, volumeId: h.pvc.volumeId, driver: h.pvc.driver },
    events: h.events.map(historyEventDoc),
    migrations: h.migrations.map(migrationDoc),
    attachment: attachmentDoc(h.attachment),
    kubevirt:
      h.kubevirt === null ? null : { vmi: h.kubevirt.vmi, node: h.kubevirt.node, migrations: h.kubevirt.migrations.map(vmimSummaryDoc) },
    users: h.users.map(userDoc),
    warnings: [...h.warnings],
  };
}

// Characters that JSON.stringify and the yaml library would write raw although they
// can act on a terminal (DEL, C1 such as U+009B CSI, bidi controls) or break lines for
// YAML 1.1 readers (U+0085, U+2028, U+2029). The data stays as it is: they
// are written as \uXXXX escapes, which parse back to the same characters.
export const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const RAW_UNSAFE_ALL = new RegExp(RAW_UNSAFE.source, 'g');

export function escapeRawUnsafe(text: string): string {
  // All of them are DEL or beyond ASCII: text whose UTF-8 length is its length and that holds no
  // DEL has none. Both checks are native scans, ~6 times faster than the regex on the 20 MB of JSON
  // of a large audit, where they nearly always hold.
  if (Buffer.byteLength(text, 'utf8') === text.length && !text.includes('\u007f')) return text;
  return text.replace(RAW_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON with two-space indent and a final newline; terminal-active characters are \u-escaped. */
export function toJson(doc: unknown): string {
  // Such characters can only occur inside JSON strings, where \uXXXX is valid.
  return `${escapeRawUnsafe(JSON.stringify(doc, null, 2))}\n`;
}

/** Characters gathered before writeJson hands a piece on. */
const PIECE_SIZE = 1 << 20;
/** List elements written by one JSON.stringify. */
const BATCH_SIZE = 256;

/**
 * A member of a top-level object as JSON.stringify(doc, null, 2) writes it, `"key": value`,
 * indented for that depth (the text of a one-member object without its braces); undefined for
 * a value JSON leaves out, with its key.
 */
function member(key: string, value: unknown): string | undefined {
  const text = JSON.stringify({ [key]: value }, null, 2);
  return text === '{}' ? undefined : text.slice(4, -2);
}

/**
 * Writes toJson's text of a document (an object, possibly with DocumentLists) in pieces of about a
 * MiB: the top-level lists element by element, so that neither the whole text nor the whole
 * document exists at once (20 MB of JSON for an audit of 20 000 migrations).
 */
export function writeJson(doc: LazyDocument, write: (piece: string) => void): void {
  let piece = '';
  const add = (text: string): void => {
    piece += text;
    if (piece.length >= PIECE_SIZE) {
      write(escapeRawUnsafe(piece));
      piece = '';
    }
  };
  let first = true;
  add('{');
  for (const [key, value] of Object.entries(doc)) {
    const items = value instanceof DocumentList ? value.items : Array.isArray(value) ? value : null;
    const separator = first ? '\n  ' : ',\n  ';
    if (items === null || items.length === 0) {
      const text = member(key, items === null ? value : []);
      if (text === undefined) continue;
      add(`${separator}${text}`);
    } else {
      // A batch is written as the whole list would be, `"key": [\n    A,\n    B\n  ]`; its
      // elements, without the key and brackets, are the batch's part of the list.
      const toDocument = value instanceof DocumentList ? value.toDocument : (item: unknown) => item;
      const opening = `${JSON.stringify(key)}: [`;
      for (let start = 0; start < items.length; start += BATCH_SIZE) {
        const batch = items.slice(start, start + BATCH_SIZE).map(toDocument);
        const inner = (member(key, batch) as string).slice(opening.length, -4);
        add(start === 0 ? `${separator}${opening}${inner}` : `,${inner}`);
      }
      add('\n  ]');
    }
    first = false;
  }
  add(first ? '}\n' : '\n}\n');
  write(escapeRawUnsafe(piece));
}

// Pieces shared by the audit and the events (history) renderers.
import { formatAge } from '../domain/duration.js';
import { sanitizeText, wrapText } from '../domain/sanitize.js';
import type { DualAttach, Migration, MigrationState, RejectedTarget } from '../domain/types.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';

/** What kubectl prints for an absent value. */
export const NONE = '<none>';
/** What kubectl prints for an age it cannot compute. */
export const UNKNOWN = '<unknown>';

/** The width text is laid out for when the terminal's is unknown (a pipe, a file), and the most it uses on a wider one. */
export const DEFAULT_WIDTH = 100;

/**
 * Columns the text output may use: the terminal's width when stdout is one that reports it, at
 * most DEFAULT_WIDTH (long lines of prose are hard to read); DEFAULT_WIDTH for pipes and files.
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }): number {
  const columns = stream.columns;
  if (stream.isTTY !== true || columns === undefined || !Number.isInteger(columns) || columns <= 0) return DEFAULT_WIDTH;
  return Math.min(columns, DEFAULT_WIDTH);
}

/** Options every table renderer takes. */
export interface TableRenderOptions {
  palette: Palette;
  wide: boolean;
  /** Table rows only: no titles, summary, notes or warnings (kubectl --no-headers), for awk and cut. */
  noHeaders?: boolean;
  /** Columns the output may use (outputWidth); DEFAULT_WIDTH when not given. */
  width?: number;
}

/** Sanitizes cluster text for a table cell, `<none>` when absent or empty. */
export function cellText(s: string | null | undefined): string {
  if (s === null || s === undefined) return NONE;
  const clean = sanitizeText(s).trim();
  return clean === '' ? NONE : clean;
}

/** Epoch milliseconds of an RFC 3339 string, or null. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** kubectl-style age of `iso` at `nowMs` (`45s`, `5m30s`, `3h`), `<unknown>` when absent. */
export function ageAt(nowMs: number, iso: string | null): string {
  const t = parseTime(iso);
  return t === null ? UNKNOWN : formatAge((nowMs - t) / 1000);
}

/** A duration as people read it, like kubectl's ages (`45s`, `5m30s`, `3h`, `4d12h`); `<none>` when absent. */
export function humanDuration(seconds: number | null): string {
  return seconds === null ? NONE : formatAge(seconds);
}

/** A migration state coloured by outcome. */
export function colourState(state: MigrationState, palette: Palette): string {
  switch (state) {
    case 'completed':
      return palette.green(state);
    case 'failed':
      return palette.red(state);
    case 'unresolved':
      return palette.yellow(state);
    case 'in-progress':
      return palette.cyan(state);
  }
}

/** `ns/name` of a PVC, or the volume ID, for a line of text. */
export function describeObject(namespace: string | null, pvc: string | null, volumeId: string | null): string {
  if (namespace !== null && pvc !== null) {
    const where = `${sanitizeText(namespace)}/${sanitizeText(pvc)}`;
    return volumeId === null ? where : `${where} (volume ${sanitizeText(volumeId)})`;
  }
  if (volumeId !== null) return `volume ${sanitizeText(volumeId)}`;
  return 'cluster';
}

/** Renders migrations as a table; `withPvc` adds NAMESPACE and PVC in front (audit). */
export function renderMigrationsTable(migrations: Migration[], nowMs: number, opts: TableRenderOptions & { withPvc: boolean }): string {
  if (migrations.length === 0) return opts.noHeaders ? '' : 'No migrations found.\n';
  const { palette, wide, withPvc } = opts;
  const headers = [
    ...(withPvc ? ['namespace', 'pvc'] : []),
    'source',
    'target',
    'state',
    'age',
    'duration',
    'timeout',
    ...(wide ? ['volume', 'id', 'started at', 'failure reason', 'events'] : []),
  ];
  const rows = migrations.map((m) => [
    ...(withPvc ? [cellText(m.namespace), cellText(m.pvc)] : []),
    cellText(m.sourceNode),
    cellText(m.targetNode),
    colourState(m.state, palette),
    ageAt(nowMs, m.startedAt),
    humanDuration(m.durationSeconds),
    humanDuration(m.timeoutSeconds),
    ...(wide
      ? [
          cellText(m.volumeId),
          cellText(m.id),
          m.startInferred ? `${cellText(m.startedAt)} (inferred)` : cellText(m.startedAt),
          cellText(m.failureReason),
          m.events.length === 0 ? NONE : m.events.map(sanitizeText).join(','),
        ]
      : []),
  ]);
  return renderTable(headers, rows, { noHeaders: opts.noHeaders });
}

/** `dual-attached for 2m10s of 5m timeout`, `STUCK: …` in red once stuck. */
export function describeDualAttachAge(d: DualAttach, palette: Palette): string {
  const age = d.ageSeconds === null ? 'an unknown time' : formatAge(d.ageSeconds);
  const text = `dual-attached for ${age} of ${formatAge(d.timeoutSeconds)} timeout`;
  return d.stuck ? palette.red(`STUCK: ${text}`) : text;
}

const RPC_ERROR_PREFIX = /^rpc error: code = \w+ desc = /;

/**
 * The narrow view of a rejected attach's message: without the gRPC wrapper (`rpc error: code = …
 * desc = `) and the volume ID the row already names, so that what is left is the reason.
 */
export function rejectionReason(message: string, volumeId: string | null | undefined): string {
  let text = sanitizeText(message).trim().replace(RPC_ERROR_PREFIX, '');
  if (volumeId) {
    const id = sanitizeText(volumeId);
    // `[<id>]: ` as the driver's messages start, ` <id>` inside a sentence, then any other.
    for (const form of [`[${id}]: `, ` ${id}`, id]) text = text.split(form).join('');
  }
  return text.trim();
}

/**
 * Rows of rejected migration targets (VolumeAttachments with attachError beside an attached one).
 * The VolumeAttachment's long name (and, in the audit, the volume ID) are in `wide`; the
 * narrow view cuts the message's end to fit the width.
 */
export function renderRejectedTargetsTable(
  targets: (RejectedTarget & { volumeId?: string; namespace?: string | null; pvc?: string | null })[],
  nowMs: number,
  opts: TableRenderOptions & { withPvc: boolean; volumeId?: string | null },
): string {
  const { wide, withPvc } = opts;
  const headers = [
    ...(withPvc ? ['namespace', 'pvc', ...(wide ? ['volume'] : [])] : []),
    'node',
    ...(wide ? ['volumeattachment'] : []),
    'age',
    'message',
  ];
  const rows = targets.map((r) => [
    ...(withPvc ? [cellText(r.namespace ?? null), cellText(r.pvc ?? null), ...(wide ? [cellText(r.volumeId ?? null)] : [])] : []),
    cellText(r.node),
    ...(wide ? [cellText(r.volumeAttachment)] : []),
    ageAt(nowMs, r.time),
    wide ? cellText(r.message) : cellText(rejectionReason(r.message, r.volumeId ?? opts.volumeId)),
  ]);
  return renderTable(headers, rows, {
    noHeaders: opts.noHeaders,
    ...(wide ? {} : { maxWidth: opts.width ?? DEFAULT_WIDTH, fit: headers.length - 1 }),
  });
}

/** A section title (`MIGRATIONS`), or nothing under --no-headers. */
export function title(text: string, opts: TableRenderOptions): string {
  return opts.noHeaders ? '' : `${opts.palette.bold(text)}\n`;
}

/** The WARNINGS section (what could not be read), or '' when there are none; each warning wrapped to the width. */
export function renderWarningsSection(warnings: string[], palette: Palette, width: number): string {
  if (warnings.length === 0) return '';
  const label = 'Warning: ';
  const lines = warnings.map((w) => {
    const wrapped = wrapText(sanitizeText(w).trim(), width, label, ' '.repeat(label.length));
    return palette.yellow(label.trimEnd()) + wrapped.slice(label.trimEnd().length);
  });
  return `${palette.bold('WARNINGS')}\n${lines.join('')}`;
}

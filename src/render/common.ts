// Pieces shared by the audit and the events (history) renderers.
import { formatAge, formatGoDuration } from '../domain/duration.js';
import { sanitizeText, truncateText } from '../domain/sanitize.js';
import type { DualAttach, Migration, MigrationState, RejectedTarget } from '../domain/types.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';

/** What kubectl prints for an absent value. */
export const NONE = '<none>';
/** What kubectl prints for an age it cannot compute. */
export const UNKNOWN = '<unknown>';

/** Longest free-text cell (failure reasons, attach errors) in the narrow table; `wide` shows it whole. */
export const NARROW_TEXT_MAX = 60;

/** Options every table renderer takes. */
export interface TableRenderOptions {
  palette: Palette;
  wide: boolean;
  noHeaders?: boolean;
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

/** Go duration of a number of seconds, `<none>` when absent. */
export function goDurationOrNone(seconds: number | null): string {
  return seconds === null ? NONE : formatGoDuration(seconds);
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
  if (migrations.length === 0) return 'No migrations found.\n';
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
    goDurationOrNone(m.durationSeconds),
    formatGoDuration(m.timeoutSeconds),
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

/** `dual-attached for 2m10s of 5m0s timeout`, `STUCK: …` in red once stuck. */
export function describeDualAttachAge(d: DualAttach, palette: Palette): string {
  const age = d.ageSeconds === null ? 'an unknown time' : formatGoDuration(d.ageSeconds);
  const text = `dual-attached for ${age} of ${formatGoDuration(d.timeoutSeconds)} timeout`;
  return d.stuck ? palette.red(`STUCK: ${text}`) : text;
}

/** Rows of rejected migration targets (VolumeAttachments with attachError beside an attached one). */
export function renderRejectedTargetsTable(
  targets: (RejectedTarget & { volumeId?: string; namespace?: string | null; pvc?: string | null })[],
  nowMs: number,
  opts: TableRenderOptions & { withPvc: boolean },
): string {
  const headers = [...(opts.withPvc ? ['namespace', 'pvc', 'volume'] : []), 'node', 'volumeattachment', 'age', 'message'];
  const rows: string[][] = [];
  for (const r of targets) {
    const message = cellText(r.message);
    rows.push([
      ...(opts.withPvc ? [cellText(r.namespace ?? null), cellText(r.pvc ?? null), cellText(r.volumeId ?? null)] : []),
      cellText(r.node),
      cellText(r.volumeAttachment),
      ageAt(nowMs, r.time),
      opts.wide ? message : truncateText(message, NARROW_TEXT_MAX),
    ]);
  }
  return renderTable(headers, rows, { noHeaders: opts.noHeaders });
}

/** The WARNINGS section (what could not be read), or '' when there are none. */
export function renderWarningsSection(warnings: string[], palette: Palette): string {
  if (warnings.length === 0) return '';
  return `${palette.bold('WARNINGS')}\n${warnings.map((w) => `${palette.yellow('Warning:')} ${sanitizeText(w).trim()}\n`).join('')}`;
}

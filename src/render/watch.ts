// What the live commands print as things change: event rows in a layout fixed
// when the first rows are printed (kubectl `get -w` style: the header once, then one row per new
// or changed event), one line per change of a migration's state or of the attachment, and the
// one-JSON-object-per-line form of each of these and of the findings that open or resolve.

import type { Attachment, MigrationChange } from '../domain/changes.js';
import { formatAge } from '../domain/duration.js';
import { displayWidth, sanitizeText, truncateText, wrapText } from '../domain/sanitize.js';
import type { Finding, HistoryEvent, Migration } from '../domain/types.js';
import { ageAt, cellText, colourState, describeDualAttachAge, humanDuration } from './common.js';
import { attachmentDoc, escapeRawUnsafe, findingDoc, historyEventDoc, migrationDoc } from './document.js';
import { EVENT_DETAIL_COLUMN, eventCells, eventHeaders } from './history.js';
import type { Palette } from './palette.js';

const GAP = '   ';
/** The width DETAIL gets when the first rows say nothing about it, and the narrowest it is cut to while COUNT is shown. */
const DETAIL_MIN_WIDTH = 16;
/** The narrowest DETAIL is cut to at all (TYPE is left out first: REASON tells the driver's Warning, MigrationFailed). */
const DETAIL_FLOOR = 10;
/** Columns that should not move when a later row is a little longer: LAST SEEN, TYPE, REASON. */
const MIN_WIDTHS = [8, 7, 18];
const LAST_SEEN_COLUMN = 0;
const TYPE_COLUMN = 1;

/** How event rows are laid out for the rest of a watch. */
export interface EventRowLayout {
  wide: boolean;
  palette: Palette;
  volumeId: string | null;
  /** The columns shown (indexes of eventHeaders). */
  columns: number[];
  /** Column widths (by index of eventHeaders); a longer cell makes its row longer (only DETAIL is cut, in the narrow view). */
  widths: number[];
}

/**
 * The layout of a watch's event rows, from the rows first printed, to fit `width` columns: the
 * narrow view cuts DETAIL to what is left, and on a narrow terminal leaves TYPE out; `wide` cuts
 * nothing.
 */
export function planEventRows(
  events: readonly HistoryEvent[],
  nowMs: number,
  opts: { wide: boolean; palette: Palette; volumeId: string | null; width: number },
): EventRowLayout {
  const headers = eventHeaders(opts.wide);
  const widths = headers.map((h, i) => Math.max(h.length, MIN_WIDTHS[i] ?? 0));
  for (const e of events) {
    watchCells(e, nowMs, opts).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  let columns = headers.map((_, i) => i);
  if (!opts.wide) {
    const room = (shown: number[]): number =>
      opts.width -
      shown.reduce((sum, i) => (i === EVENT_DETAIL_COLUMN ? sum : sum + (widths[i] ?? 0)), 0) -
      GAP.length * (shown.length - 1);
    if (room(columns) < DETAIL_MIN_WIDTH) columns = columns.filter((i) => i !== TYPE_COLUMN);
    const detail = Math.max(widths[EVENT_DETAIL_COLUMN] ?? 0, DETAIL_MIN_WIDTH);
    widths[EVENT_DETAIL_COLUMN] = Math.max(DETAIL_FLOOR, Math.min(detail, room(columns)));
  }
  return { wide: opts.wide, palette: opts.palette, volumeId: opts.volumeId, columns, widths };
}

/**
 * An event's cells as the events table has them, except LAST SEEN: the age of the last occurrence
 * alone, since COUNT follows and the row must keep to the columns of the rows before it.
 */
function watchCells(e: HistoryEvent, nowMs: number, opts: { palette: Palette; wide: boolean; volumeId: string | null }): string[] {
  const cells = eventCells(e, nowMs, opts);
  cells[LAST_SEEN_COLUMN] = ageAt(nowMs, e.lastSeen);
  return cells;
}

function layoutRow(cells: string[], layout: EventRowLayout): string {
  let line = '';
  layout.columns.forEach((i, at) => {
    const cell = cells[i] ?? '';
    const width = layout.widths[i] ?? 0;
    const text = !layout.wide && i === EVENT_DETAIL_COLUMN ? truncateText(cell, width) : cell;
    if (at > 0) line += GAP;
    line += text;
    const pad = width - displayWidth(text);
    if (pad > 0 && at < layout.columns.length - 1) line += ' '.repeat(pad);
  });
  return `${line.trimEnd()}\n`;
}

/** The header row of the event rows. */
export function renderEventHeader(layout: EventRowLayout): string {
  return layoutRow(
    eventHeaders(layout.wide).map((h) => h.toUpperCase()),
    layout,
  );
}

/** One row per event, in the layout of the watch; ages as of `nowMs`. */
export function renderEventRows(events: readonly HistoryEvent[], nowMs: number, layout: EventRowLayout): string {
  return events.map((e) => layoutRow(watchCells(e, nowMs, layout), layout)).join('');
}

function route(source: string | null, target: string | null): string {
  return `${cellText(source)} -> ${cellText(target)}`;
}

/** A line of text, wrapped to `width` columns (continued lines indented) when a width is given. */
function fitted(text: string, width: number | undefined): string {
  return width === undefined ? `${text}\n` : wrapText(text, width, '', '    ');
}

/**
 * One line for a migration that appeared or changed state (`migration a -> b: completed in 45s`),
 * wrapped to `width` when given.
 */
export function renderMigrationChange(change: MigrationChange, nowMs: number, palette: Palette, width?: number): string {
  const m = change.migration;
  const started = `started ${ageAt(nowMs, m.startedAt)} ago`;
  let detail: string;
  switch (m.state) {
    case 'in-progress':
      detail = ` (${started}, timeout ${humanDuration(m.timeoutSeconds)})`;
      break;
    case 'completed':
      detail = `${m.durationSeconds === null ? '' : ` in ${formatAge(m.durationSeconds)}`} (${started})`;
      break;
    case 'failed': {
      const after = m.durationSeconds === null ? '' : ` after ${formatAge(m.durationSeconds)}`;
      detail = `${after} (${started}): ${cellText(m.failureReason)}`;
      break;
    }
    case 'unresolved':
      detail = `: no outcome within its ${humanDuration(m.timeoutSeconds)} timeout (${started})`;
      break;
  }
  const vmim = m.kubevirt === null ? '' : ` [VMIM ${cellText(m.kubevirt.migration)}: ${cellText(m.kubevirt.phase)}]`;
  return fitted(`migration ${route(m.sourceNode, m.targetNode)}: ${colourState(m.state, palette)}${detail}${vmim}`, width);
}

/** One line for the attachment (its nodes, and a dual- or multi-attach with its age against the timeout), wrapped to `width` when given. */
export function renderAttachmentChange(a: Attachment, palette: Palette, width?: number): string {
  let text = a.nodes.length === 0 ? 'not attached' : a.nodes.map(sanitizeText).join(', ');
  const d = a.dualAttach;
  if (d !== null) {
    text +=
      d.nodes.length >= 3
        ? `: ${palette.red(`MULTI-ATTACH: attached to ${d.nodes.length} nodes, which the driver must never allow`)}`
        : `: ${describeDualAttachAge(d, palette)}`;
  }
  if (a.rejectedTargets.length > 0) text += `; attach rejected on ${a.rejectedTargets.map((r) => cellText(r.node)).join(', ')}`;
  return fitted(`attachment: ${text}`, width);
}

/** One JSON document on one line (terminal-active characters \u-escaped), newline at the end. */
function jsonLine(doc: unknown): string {
  return `${escapeRawUnsafe(JSON.stringify(doc))}\n`;
}

/** `{"type":"event","time":…,"event":{…}}`: a new or changed event, as `events -o json` shows it. */
export function eventJsonLine(e: HistoryEvent, time: string): string {
  return jsonLine({ type: 'event', time, event: historyEventDoc(e) });
}

/** `{"type":"migration","time":…,"previousState":…,"migration":{…}}`: a migration that appeared (previousState null) or changed state. */
export function migrationJsonLine(change: MigrationChange, time: string): string {
  return jsonLine({ type: 'migration', time, previousState: change.previousState, migration: migrationDoc(change.migration) });
}

/** `{"type":"attachment","time":…,"attachment":{…}}`: the attachment after it changed. */
export function attachmentJsonLine(a: Attachment, time: string): string {
  return jsonLine({ type: 'attachment', time, attachment: attachmentDoc(a) });
}

/** `{"type":"opened"|"resolved","time":…,"finding":{…}}`: a finding of `audit -w`. */
export function findingJsonLine(type: 'opened' | 'resolved', f: Finding, time: string): string {
  return jsonLine({ type, time, finding: findingDoc(f) });
}

/** One migration as a JSON document, as `audit -o json` shows it in `migrations[]` (for `wait -o json`). */
export function renderMigrationJson(m: Migration): string {
  return `${escapeRawUnsafe(JSON.stringify(migrationDoc(m), null, 2))}\n`;
}

/** The attachment as one JSON document (for `wait --for single-attach -o json`). */
export function renderAttachmentJson(a: Attachment): string {
  return `${escapeRawUnsafe(JSON.stringify(attachmentDoc(a), null, 2))}\n`;
}

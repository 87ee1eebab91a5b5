// The screen of `audit -w` on a terminal (SPEC §3.5): the audit report redrawn in place, ordered for
// someone following a drain (findings, then dual-attaches, then migrations with the open ones
// first), rows that changed recently marked with `*`, findings that resolved recently listed, all
// cut to the terminal's height.

import { formatAge } from '../domain/duration.js';
import { displayWidth, sanitizeText, truncateText, wrapText } from '../domain/sanitize.js';
import type { AuditReport, DualAttach, Finding, Migration } from '../domain/types.js';
import { colourSeverity, renderAttachments, renderFindings, renderHorizon, renderSummary } from './audit.js';
import {
  DEFAULT_WIDTH,
  describeObject,
  parseTime,
  renderMigrationsTable,
  renderWarningsSection,
  type TableRenderOptions,
} from './common.js';

/** A finding that resolved, and how long ago. */
export interface ResolvedFinding {
  finding: Finding;
  agoSeconds: number;
}

export interface AuditScreenOptions extends TableRenderOptions {
  /** The terminal's height: the screen is cut to it. */
  height: number;
  /** What changed within the marking window: these rows get a `*`. */
  marked: { finding: (f: Finding) => boolean; migration: (m: Migration) => boolean; attach: (d: DualAttach) => boolean };
  /** Findings that resolved within the window, newest first. */
  resolved: ResolvedFinding[];
  /** The first line: what is shown and how to stop. */
  heading: string;
}

const OPEN_FIRST: Record<Migration['state'], number> = { 'in-progress': 0, unresolved: 1, failed: 2, completed: 2 };

/** Open migrations first, then the newest. */
function liveOrder(migrations: readonly Migration[]): Migration[] {
  return [...migrations].sort(
    (a, b) => OPEN_FIRST[a.state] - OPEN_FIRST[b.state] || (parseTime(b.startedAt) ?? 0) - (parseTime(a.startedAt) ?? 0),
  );
}

function renderResolved(resolved: ResolvedFinding[], opts: AuditScreenOptions, width: number): string {
  if (resolved.length === 0) return '';
  const { palette } = opts;
  const lines = resolved.map(({ finding: f, agoSeconds }) =>
    wrapText(
      // The PVC names the volume; the volume ID only where there is no PVC.
      `${describeObject(f.namespace, f.pvc, f.pvc === null ? f.volumeId : null)} (resolved ${formatAge(agoSeconds)} ago)`,
      width,
      `  ${colourSeverity(f.severity, palette, f.code)}: `,
      '    ',
    ),
  );
  return `${palette.bold('RESOLVED')}\n${lines.join('')}`;
}

const SGR = /\x1b\[[0-9;]*m/g;

/** A line cut to `width` columns; a cut line loses its colours (a cut must not split a colour code). */
function fitLine(line: string, width: number): string {
  return displayWidth(line) <= width ? line : truncateText(line.replace(SGR, ''), width);
}

/** The screen of `audit -w` as lines (without newlines), at most `height` of them, each cut to the width. */
export function renderAuditScreen(report: AuditReport, opts: AuditScreenOptions): string[] {
  const width = opts.width ?? DEFAULT_WIDTH;
  const nowMs = parseTime(report.now) ?? Number.NaN;
  const tableOpts: TableRenderOptions = { palette: opts.palette, wide: opts.wide, noHeaders: false, width };
  const sections = [
    `${opts.palette.dim(sanitizeText(opts.heading))}\n`,
    renderSummary(report, opts.palette, width),
    renderFindings(report.findings, opts.palette, width, opts.marked.finding),
    renderResolved(opts.resolved, opts, width),
    renderAttachments(report, nowMs, tableOpts, opts.marked.attach),
    `${opts.palette.bold('MIGRATIONS')}\n${renderMigrationsTable(liveOrder(report.migrations), nowMs, {
      ...tableOpts,
      withPvc: true,
      marked: opts.marked.migration,
    })}`,
    renderWarningsSection(report.warnings, opts.palette, width),
    renderHorizon(report, nowMs, opts.palette, width),
  ];
  const lines = sections
    .filter((s) => s !== '')
    .join('\n')
    .replace(/\n$/, '')
    .split('\n');
  // Wide tables keep their rows whole elsewhere; on a screen redrawn in place a wrapped line would move everything below it.
  const cut = lines.map((line) => fitLine(line, width));
  if (cut.length <= opts.height) return cut;
  const shown = Math.max(1, opts.height - 1);
  return [
    ...cut.slice(0, shown),
    opts.palette.dim(`… ${cut.length - shown} more lines (a taller terminal shows them; -o json prints every change)`),
  ];
}

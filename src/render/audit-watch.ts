// The screen of `audit -w` on a terminal: the audit redrawn in place, laid out for
// someone following a drain: a short summary, the findings one row each, the findings that
// resolved recently, the dual-attaches, the migrations with the open ones first; rows that
// changed recently marked with `*`; all cut to the terminal's height. The findings' advice is in
// `rds-migrate audit` (and -o json).

import { formatAge } from '../domain/duration.js';
import { displayWidth, sanitizeText, truncateText } from '../domain/sanitize.js';
import type { AuditReport, DualAttach, Finding, Migration, Severity } from '../domain/types.js';
import {
  ageAt,
  cellText,
  colourState,
  DEFAULT_WIDTH,
  humanDuration,
  NONE,
  parseTime,
  renderWarningsSection,
  type TableRenderOptions,
  UNKNOWN,
} from './common.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';

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

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const OPEN_FIRST: Record<Migration['state'], number> = { 'in-progress': 0, unresolved: 1, failed: 2, completed: 2 };

function colourSeverity(severity: Severity, palette: Palette, text: string): string {
  return severity === 'error' ? palette.red(text) : severity === 'warning' ? palette.yellow(text) : palette.cyan(text);
}

/** `* ` in front of a marked row's first cell, two spaces in front of the others' and the header's. */
function marks<T>(headers: string[], items: readonly T[], rows: string[][], marked: (item: T) => boolean): [string[], string[][]] {
  const mark = (cells: string[], on: boolean): string[] => [`${on ? '* ' : '  '}${cells[0] ?? ''}`, ...cells.slice(1)];
  return [mark(headers, false), rows.map((row, i) => mark(row, marked(items[i]!)))];
}

/** The summary in three lines: when and what, migrations by state, attachments and findings. */
function renderShortSummary(report: AuditReport, palette: Palette): string {
  const s = report.summary;
  const scope = report.scope.namespace === null ? 'all namespaces' : `namespace ${sanitizeText(report.scope.namespace)}`;
  const n = (count: number, colour: (t: string) => string): string => (count === 0 ? '0' : colour(String(count)));
  return (
    `${sanitizeText(report.now)}   ${scope}, driver ${sanitizeText(report.scope.driver)}\n` +
    `Migrations: ${s.migrations} (${n(s.completed, palette.green)} completed, ${n(s.failed, palette.red)} failed, ` +
    `${n(s.inProgress, palette.cyan)} in-progress, ${n(s.unresolved, palette.yellow)} unresolved)\n` +
    `Attached: ${s.dualAttaches} dual (${n(s.stuckDualAttaches, palette.red)} stuck), ${n(s.multiAttaches, palette.red)} multi   ` +
    `Findings: ${n(s.findings.error, palette.red)} error, ${n(s.findings.warning, palette.yellow)} warning, ${n(s.findings.info, palette.cyan)} info\n`
  );
}

/** `namespace/pvc`, or the volume where no PVC is known. */
function pvcOf(x: { namespace: string | null; pvc: string | null; volumeId: string | null }): string {
  if (x.namespace !== null && x.pvc !== null) return `${sanitizeText(x.namespace)}/${sanitizeText(x.pvc)}`;
  return cellText(x.volumeId);
}

/** Below this width the findings have no SEVERITY column: the code, in the severity's colour, tells it. */
const SEVERITY_COLUMN_MIN_WIDTH = 100;

/** The findings one row each (code, PVC, what was found, cut to the width). */
function renderFindingRows(findings: readonly Finding[], opts: AuditScreenOptions, width: number): string {
  const { palette } = opts;
  const title = `${palette.bold('FINDINGS')}\n`;
  if (findings.length === 0) return `${title}No findings.\n`;
  const sorted = [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const withSeverity = width >= SEVERITY_COLUMN_MIN_WIDTH;
  const headers = [...(withSeverity ? ['severity'] : []), 'code', 'pvc', 'found'];
  const rows = sorted.map((f) => [
    ...(withSeverity ? [colourSeverity(f.severity, palette, f.severity)] : []),
    colourSeverity(f.severity, palette, f.code),
    pvcOf(f),
    cellText(f.message),
  ]);
  return title + renderTable(...marks(headers, sorted, rows, opts.marked.finding), { maxWidth: width, fit: headers.length - 1 });
}

function renderResolved(resolved: readonly ResolvedFinding[], palette: Palette): string {
  if (resolved.length === 0) return '';
  const rows = resolved.map(({ finding: f, agoSeconds }) => [
    `  ${colourSeverity(f.severity, palette, f.code)}`,
    pvcOf(f),
    `${formatAge(agoSeconds)} ago`,
  ]);
  return `${palette.bold('RESOLVED')}\n${renderTable(['  code', 'pvc', 'resolved'], rows)}`;
}

/** Volumes attached to two or more nodes: nodes, where the VM runs, age against the timeout. */
function renderAttachRows(report: AuditReport, opts: AuditScreenOptions): string {
  const { palette } = opts;
  const attaches = [...report.dualAttaches, ...report.multiAttaches];
  const title = `${palette.bold('DUAL-ATTACHES')}\n`;
  if (attaches.length === 0) return `${title}No dual-attaches found.\n`;
  const headers = ['pvc', 'nodes', 'vm on', 'age', 'stuck'];
  const rows = attaches.map((d) => [
    pvcOf(d),
    d.nodes.length === 0 ? NONE : d.nodes.map(sanitizeText).join(','),
    cellText(d.vmiNode),
    `${d.ageSeconds === null ? UNKNOWN : formatAge(d.ageSeconds)} of ${humanDuration(d.timeoutSeconds)}`,
    d.nodes.length >= 3 ? palette.red('MULTI') : d.stuck ? palette.red('yes') : 'no',
  ]);
  return title + renderTable(...marks(headers, attaches, rows, opts.marked.attach));
}

/** The migrations, open ones first, then the newest. */
function renderMigrationRows(report: AuditReport, opts: AuditScreenOptions, nowMs: number): string {
  const { palette } = opts;
  const title = `${palette.bold('MIGRATIONS')}\n`;
  if (report.migrations.length === 0) return `${title}No migrations found.\n`;
  const migrations = [...report.migrations].sort(
    (a, b) => OPEN_FIRST[a.state] - OPEN_FIRST[b.state] || (parseTime(b.startedAt) ?? 0) - (parseTime(a.startedAt) ?? 0),
  );
  const headers = ['pvc', 'from', 'to', 'state', 'age', 'took'];
  const rows = migrations.map((m) => [
    pvcOf(m),
    cellText(m.sourceNode),
    cellText(m.targetNode),
    colourState(m.state, palette),
    ageAt(nowMs, m.startedAt),
    m.state === 'in-progress' ? `of ${humanDuration(m.timeoutSeconds)}` : humanDuration(m.durationSeconds),
  ]);
  return title + renderTable(...marks(headers, migrations, rows, opts.marked.migration));
}

const SGR = /\x1b\[[0-9;]*m/g;

/** A line cut to `width` columns; a cut line loses its colours (a cut must not split a colour code). */
function fitLine(line: string, width: number): string {
  return displayWidth(line) <= width ? line : truncateText(line.replace(SGR, ''), width);
}

/** The screen of `audit -w` as lines (without newlines), at most `height` of them, none wider than `width`. */
export function renderAuditScreen(report: AuditReport, opts: AuditScreenOptions): string[] {
  const width = opts.width ?? DEFAULT_WIDTH;
  const nowMs = parseTime(report.now) ?? Number.NaN;
  const sections = [
    `${opts.palette.dim(sanitizeText(opts.heading))}\n${renderShortSummary(report, opts.palette)}`,
    renderFindingRows(report.findings, opts, width),
    renderResolved(opts.resolved, opts.palette),
    renderAttachRows(report, opts),
    renderMigrationRows(report, opts, nowMs),
    renderWarningsSection(report.warnings, opts.palette, width),
  ];
  const lines = sections
    .filter((s) => s !== '')
    .join('\n')
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => fitLine(line, width));
  if (lines.length <= opts.height) return lines;
  const shown = Math.max(1, opts.height - 1);
  return [
    ...lines.slice(0, shown),
    opts.palette.dim(`… ${lines.length - shown} more lines (a taller terminal shows them; -o json prints every change)`),
  ];
}

// `audit` output: table | wide | json | yaml (prometheus: ./prometheus.ts).
import { formatAge } from '../domain/duration.js';
import { sanitizeText, wrapText } from '../domain/sanitize.js';
import type { AuditReport, DualAttach, Finding, Severity } from '../domain/types.js';
import {
  ageAt,
  cellText,
  DEFAULT_WIDTH,
  describeObject,
  humanDuration,
  NONE,
  parseTime,
  renderMigrationsTable,
  renderRejectedTargetsTable,
  renderWarningsSection,
  type TableRenderOptions,
  title,
  UNKNOWN,
} from './common.js';
import { auditDocument, auditDocumentParts, writeJson } from './document.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

function colourSeverity(severity: Severity, palette: Palette, text: string): string {
  switch (severity) {
    case 'error':
      return palette.red(text);
    case 'warning':
      return palette.yellow(text);
    case 'info':
      return palette.cyan(text);
  }
}

/** `n` coloured when it is not zero. */
function countIn(n: number, colour: (s: string) => string): string {
  return n === 0 ? String(n) : colour(String(n));
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function renderSummary(report: AuditReport, palette: Palette, width: number): string {
  const s = report.summary;
  const d = s.durationSeconds;
  const scope = report.scope.namespace === null ? 'all namespaces' : `namespace ${sanitizeText(report.scope.namespace)}`;
  const lines: [string, string][] = [
    ['Scope', `${scope}, driver ${sanitizeText(report.scope.driver)}`],
    ['Now', sanitizeText(report.now)],
    [
      'Migrations',
      `${s.migrations} (${countIn(s.completed, palette.green)} completed, ${countIn(s.failed, palette.red)} failed, ` +
        `${countIn(s.inProgress, palette.cyan)} in-progress, ${countIn(s.unresolved, palette.yellow)} unresolved)`,
    ],
  ];
  if (s.untimedOccurrences > 0) {
    lines.push([
      'Untimed',
      `${s.untimedOccurrences} repeated ${plural(s.untimedOccurrences, 'occurrence', 'occurrences')} of merged events, counted but not paired`,
    ]);
  }
  lines.push(
    ['Dual-attaches', `${s.dualAttaches} (${countIn(s.stuckDualAttaches, palette.red)} stuck)`],
    ['Multi-attaches', countIn(s.multiAttaches, palette.red)],
    [
      'Findings',
      `${countIn(s.findings.error, palette.red)} error, ${countIn(s.findings.warning, palette.yellow)} warning, ` +
        `${countIn(s.findings.info, palette.cyan)} info${s.excluded === 0 ? '' : ` (${s.excluded} more excluded by --exclude)`}`,
    ],
    [
      'Durations',
      d.count === 0 || d.min === null || d.p50 === null || d.p95 === null || d.max === null
        ? 'no completed migrations'
        : `${d.count} completed: min ${formatAge(d.min)}, p50 ${formatAge(d.p50)}, p95 ${formatAge(d.p95)}, max ${formatAge(d.max)}`,
    ],
  );
  const keyWidth = Math.max(...lines.map(([k]) => k.length)) + 3;
  const indent = ' '.repeat(keyWidth);
  return `${palette.bold('SUMMARY')}\n${lines.map(([k, v]) => wrapText(v, width, `${k}:`.padEnd(keyWidth), indent)).join('')}`;
}

function renderFinding(f: Finding, width: number): string {
  return (
    wrapText(describeObject(f.namespace, f.pvc, f.volumeId), width, `  ${f.code}: `, '    ') +
    wrapText(sanitizeText(f.message).trim(), width, '    ', '    ') +
    wrapText(sanitizeText(f.next).trim(), width, '    Next: ', '    ')
  );
}

function renderFindings(findings: Finding[], palette: Palette, width: number): string {
  const out = `${palette.bold('FINDINGS')}\n`;
  if (findings.length === 0) return `${out}No findings.\n`;
  const groups: string[] = [];
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    const heading = colourSeverity(severity, palette, `${severity.toUpperCase()} (${group.length})`);
    groups.push(`${heading}\n${group.map((f) => renderFinding(f, width)).join('')}`);
  }
  return out + groups.join('\n');
}

/** The findings as table rows (--no-headers): severity, code, namespace, PVC, volume; the sentences are in -o json. */
function renderFindingRows(findings: Finding[], opts: TableRenderOptions): string {
  const rows = SEVERITIES.flatMap((severity) =>
    findings
      .filter((f) => f.severity === severity)
      .map((f) => [colourSeverity(severity, opts.palette, severity), f.code, cellText(f.namespace), cellText(f.pvc), cellText(f.volumeId)]),
  );
  return renderTable(['severity', 'code', 'namespace', 'pvc', 'volume'], rows, { noHeaders: true });
}

function attachRow(d: DualAttach, opts: TableRenderOptions, withStuck: boolean): string[] {
  const { palette, wide } = opts;
  return [
    cellText(d.namespace),
    cellText(d.pvc),
    ...(wide ? [cellText(d.volumeId)] : []),
    d.nodes.length === 0 ? NONE : d.nodes.map(sanitizeText).join(','),
    cellText(d.vmiNode),
    d.ageSeconds === null ? UNKNOWN : formatAge(d.ageSeconds),
    ...(withStuck ? [humanDuration(d.timeoutSeconds), d.stuck ? palette.red('yes') : 'no'] : []),
    ...(wide
      ? [
          cellText(d.since),
          d.volumeAttachments.length === 0 ? NONE : d.volumeAttachments.map(sanitizeText).join(','),
          d.users.length === 0 ? NONE : d.users.map((u) => `${sanitizeText(u.pod)}@${sanitizeText(u.node)}`).join(','),
        ]
      : []),
  ];
}

function renderAttachments(report: AuditReport, nowMs: number, opts: TableRenderOptions): string {
  const { palette, wide, noHeaders } = opts;
  // The volume ID (40 characters) and the VolumeAttachments (68 each) are in `wide`: the PVC names the volume.
  const headers = (withStuck: boolean): string[] => [
    'namespace',
    'pvc',
    ...(wide ? ['volume'] : []),
    'nodes',
    'vm on',
    'age',
    ...(withStuck ? ['timeout', 'stuck'] : []),
    ...(wide ? ['since', 'volumeattachments', 'users'] : []),
  ];
  let out = title('DUAL-ATTACHES', opts);
  if (report.dualAttaches.length > 0) {
    out += renderTable(
      headers(true),
      report.dualAttaches.map((d) => attachRow(d, opts, true)),
      { noHeaders },
    );
  } else if (!noHeaders) out += 'No dual-attaches found.\n';
  // Multi-attaches and rejected targets are rare: their sections appear only when there is something to show.
  if (report.multiAttaches.length > 0) {
    out +=
      (noHeaders ? '' : `\n${palette.red('MULTI-ATTACHES')}\n`) +
      renderTable(
        headers(false),
        report.multiAttaches.map((d) => attachRow(d, opts, false)),
        { noHeaders },
      );
  }
  if (report.rejectedTargets.length > 0) {
    out +=
      (noHeaders ? '' : `\n${palette.bold('REJECTED TARGETS')}\n`) +
      renderRejectedTargetsTable(report.rejectedTargets, nowMs, { ...opts, withPvc: true });
  }
  return out;
}

function renderHorizon(report: AuditReport, nowMs: number, palette: Palette, width: number): string {
  const { oldestEvent, note } = report.horizon;
  if (note === null) return '';
  let out = `${palette.bold('NOTE')}\n`;
  if (oldestEvent !== null)
    out += wrapText(`Oldest migration event: ${sanitizeText(oldestEvent)} (${ageAt(nowMs, oldestEvent)} ago)`, width);
  return out + wrapText(sanitizeText(note), width);
}

/**
 * Renders an audit report as kubectl-style text: summary, findings, migrations, dual-attaches,
 * warnings, laid out for `width` columns. With `noHeaders`, table rows only (findings as rows
 * too); the warnings are then the caller's to put on stderr.
 */
export function renderAuditTable(report: AuditReport, opts: TableRenderOptions): string {
  const nowMs = parseTime(report.now) ?? Number.NaN;
  const width = opts.width ?? DEFAULT_WIDTH;
  const tableOpts: TableRenderOptions = { ...opts, width };
  const migrations = renderMigrationsTable(report.migrations, nowMs, { ...tableOpts, withPvc: true });
  if (opts.noHeaders) {
    return renderFindingRows(report.findings, tableOpts) + migrations + renderAttachments(report, nowMs, tableOpts);
  }
  const sections = [
    renderSummary(report, opts.palette, width),
    renderFindings(report.findings, opts.palette, width),
    `${title('MIGRATIONS', tableOpts)}${migrations}`,
    renderAttachments(report, nowMs, tableOpts),
    renderWarningsSection(report.warnings, opts.palette, width),
    renderHorizon(report, nowMs, opts.palette, width),
  ];
  return sections.filter((s) => s !== '').join('\n');
}

/** The audit report as JSON, two-space indent, newline at the end. */
export function renderAuditJson(report: AuditReport): string {
  let text = '';
  writeAuditJson(report, (piece) => {
    text += piece;
  });
  return text;
}

/** renderAuditJson's text handed to `write` a piece (about a MiB) at a time, never whole. */
export function writeAuditJson(report: AuditReport, write: (piece: string) => void): void {
  writeJson(auditDocumentParts(report), write);
}

/** The audit report as one YAML document, newline at the end. */
export async function renderAuditYaml(report: AuditReport): Promise<string> {
  const { toYaml } = await import('./yaml.js');
  return toYaml(auditDocument(report));
}

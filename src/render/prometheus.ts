// `audit -o prometheus` and `audit --pushgateway`: the audit as Prometheus text
// exposition (format 0.0.4), for a node-exporter textfile collector or a Pushgateway.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
import { escapeUnsafe } from '../domain/sanitize.js';
import type { AuditReport, Severity } from '../domain/types.js';
import { parseTime } from './common.js';

/** The Content-Type of this text, as Prometheus and the Pushgateway expect it. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** The histogram buckets of the driver (seconds). */
const DURATION_BUCKETS = [15, 30, 60, 90, 120, 180, 300, 600] as const;

/**
 * A label value in the exposition format. Names come from the cluster: characters that could
 * disguise text where an alert is shown (controls, bidi, invisible) become visible `\uXXXX`
 * escapes first; then backslash, double quote and newline are escaped as the format requires.
 */
export function escapeLabelValue(value: string): string {
  return escapeUnsafe(value).replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** A sample value in the exposition format (`+Inf`, `-Inf`, `NaN` spelled as Prometheus reads them). */
function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** One family's samples: the value by label text, so that a label set is written once. */
type Samples = Map<string, number>;

/** The audit report as Prometheus text exposition. */
export function renderAuditPrometheus(report: AuditReport): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'histogram', help: string): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const labelText = (labels: Record<string, string>): string => {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
    return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
  };
  const sample = (name: string, labels: Record<string, string>, value: number): void => {
    lines.push(`${name}${labelText(labels)} ${sampleValue(value)}`);
  };
  const samples = (name: string, values: Samples): void => {
    for (const [labels, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push(`${name}${labels} ${sampleValue(value)}`);
    }
  };
  const s = report.summary;

  metric('rds_migrate_audit_migrations', 'gauge', 'Migrations seen in the audited event history, by state.');
  sample('rds_migrate_audit_migrations', { state: 'completed' }, s.completed);
  sample('rds_migrate_audit_migrations', { state: 'failed' }, s.failed);
  sample('rds_migrate_audit_migrations', { state: 'in-progress' }, s.inProgress);
  sample('rds_migrate_audit_migrations', { state: 'unresolved' }, s.unresolved);

  metric('rds_migrate_audit_dual_attaches', 'gauge', 'Volumes attached to exactly two nodes.');
  sample('rds_migrate_audit_dual_attaches', {}, s.dualAttaches);
  metric('rds_migrate_audit_stuck_dual_attaches', 'gauge', 'Dual-attaches older than their migration timeout.');
  sample('rds_migrate_audit_stuck_dual_attaches', {}, s.stuckDualAttaches);
  metric('rds_migrate_audit_multi_attaches', 'gauge', 'Volumes attached to three or more nodes.');
  sample('rds_migrate_audit_multi_attaches', {}, s.multiAttaches);

  metric('rds_migrate_audit_findings', 'gauge', 'Audit findings, by severity.');
  for (const severity of SEVERITIES) sample('rds_migrate_audit_findings', { severity }, s.findings[severity]);

  // One series per finding, so that an alert can name the volume. Findings that differ only in
  // what the labels do not show (two failed migrations of one PVC, two stale VolumeAttachments of
  // one volume) share a series: a label set may appear once in an exposition.
  const findings: Samples = new Map();
  for (const f of report.findings) {
    const labels = labelText({
      code: f.code,
      severity: f.severity,
      namespace: f.namespace ?? '',
      pvc: f.pvc ?? '',
      volume: f.volumeId ?? '',
    });
    findings.set(labels, 1);
  }
  metric('rds_migrate_audit_finding', 'gauge', 'One series, value 1, for each finding not excluded, by code, severity and volume.');
  samples('rds_migrate_audit_finding', findings);

  const ages: Samples = new Map();
  for (const d of report.dualAttaches) {
    if (d.ageSeconds === null) continue;
    const labels = labelText({ namespace: d.namespace ?? '', pvc: d.pvc ?? '', volume: d.volumeId });
    ages.set(labels, Math.max(ages.get(labels) ?? 0, d.ageSeconds));
  }
  metric('rds_migrate_audit_dual_attach_age_seconds', 'gauge', 'How long each dual-attached volume has been attached to two nodes.');
  samples('rds_migrate_audit_dual_attach_age_seconds', ages);

  metric('rds_migrate_audit_timestamp_seconds', 'gauge', 'The time the audit describes, in seconds since the Unix epoch.');
  sample('rds_migrate_audit_timestamp_seconds', {}, (parseTime(report.now) ?? Number.NaN) / 1000);

  const durations = report.migrations
    .filter((m) => m.state === 'completed' && m.durationSeconds !== null)
    .map((m) => m.durationSeconds ?? 0);
  const histogram = 'rds_migrate_audit_migration_duration_seconds';
  metric(histogram, 'histogram', 'Durations of completed migrations.');
  for (const le of DURATION_BUCKETS) {
    sample(`${histogram}_bucket`, { le: String(le) }, durations.filter((d) => d <= le).length);
  }
  sample(`${histogram}_bucket`, { le: '+Inf' }, durations.length);
  // Rounded to microseconds so float addition does not print 442.00000000000006.
  sample(`${histogram}_sum`, {}, Math.round(durations.reduce((a, b) => a + b, 0) * 1e6) / 1e6);
  sample(`${histogram}_count`, {}, durations.length);

  return `${lines.join('\n')}\n`;
}

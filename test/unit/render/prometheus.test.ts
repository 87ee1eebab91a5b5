import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/domain/types.js';
import { escapeLabelValue, renderAuditPrometheus } from '../../../src/render/prometheus.js';
import { auditReport, emptyAuditReport } from './fixtures.js';

/** The samples of one family: label text -> value. */
function samplesOf(text: string, family: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family} `)) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(family.length, at)] = line.slice(at + 1);
  }
  return out;
}

describe('renderAuditPrometheus', () => {
  it('renders the gauges, one series per finding and dual-attach, and the duration histogram', () => {
    expect(renderAuditPrometheus(auditReport())).toMatchInlineSnapshot(`
      "# HELP rds_migrate_audit_migrations Migrations seen in the audited event history, by state.
      # TYPE rds_migrate_audit_migrations gauge
      rds_migrate_audit_migrations{state="completed"} 3
      rds_migrate_audit_migrations{state="failed"} 1
      rds_migrate_audit_migrations{state="in-progress"} 1
      rds_migrate_audit_migrations{state="unresolved"} 1
      # HELP rds_migrate_audit_dual_attaches Volumes attached to exactly two nodes.
      # TYPE rds_migrate_audit_dual_attaches gauge
      rds_migrate_audit_dual_attaches 2
      # HELP rds_migrate_audit_stuck_dual_attaches Dual-attaches older than their migration timeout.
      # TYPE rds_migrate_audit_stuck_dual_attaches gauge
      rds_migrate_audit_stuck_dual_attaches 1
      # HELP rds_migrate_audit_multi_attaches Volumes attached to three or more nodes.
      # TYPE rds_migrate_audit_multi_attaches gauge
      rds_migrate_audit_multi_attaches 1
      # HELP rds_migrate_audit_findings Audit findings, by severity.
      # TYPE rds_migrate_audit_findings gauge
      rds_migrate_audit_findings{severity="error"} 3
      rds_migrate_audit_findings{severity="warning"} 2
      rds_migrate_audit_findings{severity="info"} 1
      # HELP rds_migrate_audit_finding One series, value 1, for each finding not excluded, by code, severity and volume.
      # TYPE rds_migrate_audit_finding gauge
      rds_migrate_audit_finding{code="DualAttachInProgress",severity="info",namespace="vms",pvc="vm-web-disk",volume="pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e"} 1
      rds_migrate_audit_finding{code="MigrationFailed",severity="error",namespace="vms",pvc="vm-db-disk",volume="pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718"} 1
      rds_migrate_audit_finding{code="MultiAttach",severity="error",namespace="default",pvc="scratch",volume="pvc-1e2d3c4b-5a69-4788-96a5-b4c3d2e1f000"} 1
      rds_migrate_audit_finding{code="SlowMigration",severity="warning",namespace="tenant-a",pvc="builder-root",volume="pvc-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"} 1
      rds_migrate_audit_finding{code="StuckDualAttach",severity="error",namespace="tenant-a",pvc="legacy-disk",volume="pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a"} 1
      rds_migrate_audit_finding{code="UnresolvedMigration",severity="warning",namespace="tenant-a",pvc="legacy-disk",volume="pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a"} 1
      # HELP rds_migrate_audit_dual_attach_age_seconds How long each dual-attached volume has been attached to two nodes.
      # TYPE rds_migrate_audit_dual_attach_age_seconds gauge
      rds_migrate_audit_dual_attach_age_seconds{namespace="tenant-a",pvc="legacy-disk",volume="pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a"} 2395
      rds_migrate_audit_dual_attach_age_seconds{namespace="vms",pvc="vm-web-disk",volume="pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e"} 130
      # HELP rds_migrate_audit_timestamp_seconds The time the audit describes, in seconds since the Unix epoch.
      # TYPE rds_migrate_audit_timestamp_seconds gauge
      rds_migrate_audit_timestamp_seconds 1740830400
      # HELP rds_migrate_audit_migration_duration_seconds Durations of completed migrations.
      # TYPE rds_migrate_audit_migration_duration_seconds histogram
      rds_migrate_audit_migration_duration_seconds_bucket{le="15"} 0
      rds_migrate_audit_migration_duration_seconds_bucket{le="30"} 0
      rds_migrate_audit_migration_duration_seconds_bucket{le="60"} 1
      rds_migrate_audit_migration_duration_seconds_bucket{le="90"} 1
      rds_migrate_audit_migration_duration_seconds_bucket{le="120"} 1
      rds_migrate_audit_migration_duration_seconds_bucket{le="180"} 2
      rds_migrate_audit_migration_duration_seconds_bucket{le="300"} 3
      rds_migrate_audit_migration_duration_seconds_bucket{le="600"} 3
      rds_migrate_audit_migration_duration_seconds_bucket{le="+Inf"} 3
      rds_migrate_audit_migration_duration_seconds_sum 471
      rds_migrate_audit_migration_duration_seconds_count 3
      "
    `);
  });

  it('writes one series per label set: findings that differ only in what the labels do not show share it', () => {
    const report = auditReport();
    const failed = report.findings.find((f) => f.code === 'MigrationFailed')!;
    report.findings.push({ ...failed, message: 'a second failed migration of the same PVC' });
    const lines = renderAuditPrometheus(report)
      .split('\n')
      .filter((l) => l.startsWith('rds_migrate_audit_finding{code="MigrationFailed"'));
    expect(lines).toEqual([
      'rds_migrate_audit_finding{code="MigrationFailed",severity="error",namespace="vms",pvc="vm-db-disk",volume="pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718"} 1',
    ]);
  });

  it('gives a finding without a PVC or volume empty labels', () => {
    const report = emptyAuditReport();
    report.findings = [{ ...auditReport().findings[0]!, code: 'MultiAttach', namespace: null, pvc: null, volumeId: null }];
    expect(samplesOf(renderAuditPrometheus(report), 'rds_migrate_audit_finding')).toEqual({
      '{code="MultiAttach",severity="error",namespace="",pvc="",volume=""}': '1',
    });
  });

  it('leaves out dual-attaches of unknown age', () => {
    const report = auditReport();
    for (const d of report.dualAttaches) d.ageSeconds = null;
    expect(samplesOf(renderAuditPrometheus(report), 'rds_migrate_audit_dual_attach_age_seconds')).toEqual({});
  });

  it.each([
    ['full report', auditReport()],
    ['empty report', emptyAuditReport()],
  ])('is well-formed exposition text: %s', (_name, report: AuditReport) => {
    const text = renderAuditPrometheus(report);
    expect(text.endsWith('\n')).toBe(true);
    const typed = new Map<string, string>();
    const seen = new Set<string>();
    const buckets: { le: number; count: number }[] = [];
    let sum: number | undefined;
    let count: number | undefined;
    const states = new Set<string>();
    let family = '';
    for (const line of text.slice(0, -1).split('\n')) {
      const type = /^# TYPE (\S+) (gauge|histogram)$/.exec(line);
      if (type?.[1] && type[2]) {
        expect(typed.has(type[1]), `TYPE twice for ${type[1]}`).toBe(false);
        typed.set(type[1], type[2]);
        family = type[1];
        continue;
      }
      if (line.startsWith('# HELP ')) continue;
      const sample = /^([a-z_]+)(\{((?:[a-z]+="(?:[^"\\\n]|\\.)*",?)+)\})? (\S+)$/.exec(line);
      expect(sample, line).not.toBeNull();
      const [, name = '', , labels = '', raw = ''] = sample ?? [];
      expect(seen.has(`${name}{${labels}}`), `duplicate ${line}`).toBe(false);
      seen.add(`${name}{${labels}}`);
      // Every sample belongs to the family whose TYPE came last: a family's samples are contiguous.
      expect(name === family || name.replace(/_(bucket|sum|count)$/, '') === family, line).toBe(true);
      expect(Number.isNaN(Number(raw.replace('+Inf', 'Infinity')))).toBe(false);
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      const state = /state="([^"]+)"/.exec(labels)?.[1];
      if (name === 'rds_migrate_audit_migrations' && state) states.add(state);
      if (name.endsWith('_bucket') && le) buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: Number(raw) });
      if (name === 'rds_migrate_audit_migration_duration_seconds_sum') sum = Number(raw);
      if (name === 'rds_migrate_audit_migration_duration_seconds_count') count = Number(raw);
    }
    expect(states).toEqual(new Set(['completed', 'failed', 'in-progress', 'unresolved']));
    expect(buckets.map((b) => b.le)).toEqual([15, 30, 60, 90, 120, 180, 300, 600, Infinity]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]?.count).toBeGreaterThanOrEqual(buckets[i - 1]?.count ?? 0);
    expect(buckets.at(-1)?.count).toBe(count);
    expect(count).toBe(report.summary.durationSeconds.count);
    expect(sum).toBe(report.migrations.reduce((s, m) => s + (m.state === 'completed' ? (m.durationSeconds ?? 0) : 0), 0));
    expect(typed.get('rds_migrate_audit_migration_duration_seconds')).toBe('histogram');
    expect(typed.get('rds_migrate_audit_finding')).toBe('gauge');
    expect(typed.get('rds_migrate_audit_dual_attach_age_seconds')).toBe('gauge');
  });
});

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'vm-disk', 'vm-disk'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['double quote', 'a"b', 'a\\"b'],
    ['newline, shown as an escape', 'a\nb', 'a\\\\u000ab'],
    ['terminal escape', 'x\u001b[2Jy', 'x\\\\u001b[2Jy'],
    ['bidi override', 'abc\u202edef', 'abc\\\\u202edef'],
    ['non-ASCII letters stay', 'disque-été', 'disque-été'],
  ])('%s', (_name, value, expected) => {
    expect(escapeLabelValue(value)).toBe(expected);
  });
});

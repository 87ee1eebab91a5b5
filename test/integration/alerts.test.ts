// The PrometheusRule of deploy/ against the real promtool: `check rules` accepts its groups, and
// `test rules` proves each alert on series taken from a real audit: the audit of a cluster with
// every alerted finding is pushed to a real Pushgateway, and the series Prometheus would scrape
// from it (with honor_labels: job, cluster) become the test's input. Each finding alert fires
// after its `for`, not before, naming the PVC and volume; the staleness alert fires when pushes
// stop or never came, and not while they come.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeServer } from '../fake/server.js';
import { alertedCluster } from '../helpers/alert-cluster.js';
import { DEPLOY_DIR, kustomize, only, writeDeployBundle } from '../helpers/deploy.js';
import { PROMTOOL, parseExposition, runTool, type Sample, startPushgateway } from '../helpers/prometheus.js';
import { runCli } from '../helpers/run-cli.js';

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The finding code each finding alert is about. */
const FINDING_ALERTS: Record<string, string> = {
  RdsMigrateStuckDualAttach: 'StuckDualAttach',
  RdsMigrateUnsafeSharedAttach: 'UnsafeSharedAttach',
  RdsMigrateMultiAttach: 'MultiAttach',
  RdsMigrateAttachedToMissingNode: 'AttachedToMissingNode',
  RdsMigrateMigrationFailed: 'MigrationFailed',
  RdsMigrateOutcomeMismatch: 'OutcomeMismatch',
};
const STALE_ALERT = 'RdsMigrateAuditNotReporting';

let dir: string;
let rulesFile: string;
let rules: AlertRule[];
/** Series as Prometheus scrapes them from the Pushgateway after one audit (empty labels dropped). */
let scraped: Sample[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rds-alerts-'));
  await writeDeployBundle(); // the kustomization's ConfigMap needs it to render
  const rule = only(await kustomize(DEPLOY_DIR), 'PrometheusRule');
  rules = rule.spec.groups.flatMap((g: { rules: AlertRule[] }) => g.rules);
  rulesFile = join(dir, 'rds-migrate.rules.yaml');
  writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));

  const { objects } = alertedCluster(new Date());
  const [server, gateway] = await Promise.all([startFakeServer({ objects, kubevirt: true }), startPushgateway()]);
  try {
    const kubeconfig = server.writeKubeconfig(dir);
    const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', gateway.url], { kubeconfig });
    if (res.code !== 0) throw new Error(res.stderr);
    scraped = parseExposition(await gateway.scrape())
      .filter((s) => s.labels.job === 'rds-migrate')
      .map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([, v]) => v !== '')) }));
  } finally {
    await Promise.all([server.close(), gateway.stop()]);
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A series in promtool's notation: name{label="value",...}. */
function seriesText(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** Minutes of a Prometheus duration such as 5m or 1h. */
function minutes(duration: string): number {
  const m = /^(\d+)([mh])$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

/** An annotation as Prometheus expands it for an alert with these labels ({{ $labels.x }} only). */
function expand(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_m, name: string) => labels[name] ?? '');
}

function rule(name: string): AlertRule {
  const found = rules.find((r) => r.alert === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
}

/** The alert the rule raises for a series: its labels (the series' but the name, plus the rule's) and expanded annotations. */
function expectedAlert(r: AlertRule, seriesLabels: Record<string, string>): object {
  const labels = { ...seriesLabels, ...r.labels };
  return { exp_labels: labels, exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, expand(v, labels)])) };
}

/** push_time_seconds of a push every 5 minutes from t=0, the last at `lastPushMinute`, over `total` minutes. */
function pushTimes(lastPushMinute: number, total: number): string {
  return Array.from({ length: total + 1 }, (_, t) => Math.min(Math.floor(t / 5) * 5, lastPushMinute) * 60).join(' ');
}

async function promtoolTest(tests: object[]): Promise<{ code: number | null; out: string }> {
  const file = join(dir, `test-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }));
  const res = await runTool(PROMTOOL, ['test', 'rules', file]);
  return { code: res.code, out: res.stdout + res.stderr };
}

describe('the PrometheusRule', () => {
  it('passes promtool check rules', async () => {
    const res = await runTool(PROMTOOL, ['check', 'rules', rulesFile]);
    expect(res.stdout + res.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(res.code).toBe(0);
  });

  it('has an alert for each alerted finding and one for the audit going quiet, each with a for and a severity', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...Object.keys(FINDING_ALERTS), STALE_ALERT].sort());
    for (const r of rules) {
      expect(minutes(r.for), r.alert).toBeGreaterThan(0);
      expect(['warning', 'critical']).toContain(r.labels.severity);
    }
  });

  it('the series come from a real audit: every alerted finding, and the push time', () => {
    const codes = scraped.filter((s) => s.name === 'rds_migrate_audit_finding').map((s) => s.labels.code);
    expect(codes.sort()).toEqual(Object.values(FINDING_ALERTS).sort());
    expect(scraped.filter((s) => s.name === 'push_time_seconds')).toHaveLength(1);
  });
});

describe('promtool test rules', () => {
  it('each finding alert fires after its for, naming the PVC and volume, and not before', async () => {
    const findings = scraped.filter((s) => s.name === 'rds_migrate_audit_finding');
    const pushed = scraped.find((s) => s.name === 'push_time_seconds')!;
    const checks = Object.entries(FINDING_ALERTS).flatMap(([alert, code]) => {
      const r = rule(alert);
      const series = findings.filter((s) => s.labels.code === code);
      expect(series, alert).toHaveLength(1);
      const labels = series[0]!.labels;
      expect(labels.pvc).toMatch(/-disk$/);
      const due = minutes(r.for);
      return [
        { eval_time: `${due - 1}m`, alertname: alert, exp_alerts: [] },
        { eval_time: `${due + 1}m`, alertname: alert, exp_alerts: [expectedAlert(r, labels)] },
      ];
    });
    const res = await promtoolTest([
      {
        interval: '1m',
        input_series: [
          ...findings.map((s) => ({ series: seriesText(s), values: '1x60' })),
          { series: seriesText(pushed), values: pushTimes(60, 60) },
        ],
        alert_rule_test: [...checks, { eval_time: '60m', alertname: STALE_ALERT, exp_alerts: [] }],
      },
    ]);
    expect(res.out).toContain('SUCCESS');
    expect(res.code, res.out).toBe(0);
  });

  it('a finding resolved by the next push does not fire', async () => {
    const stuck = scraped.find((s) => s.name === 'rds_migrate_audit_finding' && s.labels.code === 'StuckDualAttach')!;
    // Present in one push only: the next one, 5 minutes later, replaced the group without it.
    const res = await promtoolTest([
      {
        interval: '1m',
        input_series: [{ series: seriesText(stuck), values: '1x4' }],
        alert_rule_test: [{ eval_time: '10m', alertname: 'RdsMigrateStuckDualAttach', exp_alerts: [] }],
      },
    ]);
    expect(res.code, res.out).toBe(0);
  });

  it('the staleness alert fires when the pushes stop, and when there never was one', async () => {
    const pushed = scraped.find((s) => s.name === 'push_time_seconds')!;
    const labels = pushed.labels;
    const r = rule(STALE_ALERT);
    const res = await promtoolTest([
      {
        // The last push at 10m: stale after 25m (900 s), firing 5m (its for) later.
        interval: '1m',
        input_series: [{ series: seriesText(pushed), values: pushTimes(10, 60) }],
        alert_rule_test: [
          { eval_time: '20m', alertname: STALE_ALERT, exp_alerts: [] },
          { eval_time: '28m', alertname: STALE_ALERT, exp_alerts: [] },
          { eval_time: '40m', alertname: STALE_ALERT, exp_alerts: [expectedAlert(r, labels)] },
        ],
      },
      {
        // No audit has ever pushed (or the Pushgateway is scraped without honor_labels).
        interval: '1m',
        input_series: [],
        alert_rule_test: [
          { eval_time: '3m', alertname: STALE_ALERT, exp_alerts: [] },
          { eval_time: '10m', alertname: STALE_ALERT, exp_alerts: [expectedAlert(r, { job: 'rds-migrate' })] },
        ],
      },
    ]);
    expect(res.code, res.out).toBe(0);
  });
});

// audit: gather a snapshot (cluster or dump), audit it, render it.
import type { Context } from '../context.js';
import { auditSnapshot, newestTimestamp } from '../domain/audit.js';
import { sanitizeText } from '../domain/sanitize.js';
import { formatTimestamp } from '../domain/time.js';
import type { AuditParameters, AuditReport, ClusterSnapshot, Exclusion, Severity } from '../domain/types.js';
import type { Gateway } from '../kube/gateway.js';
import { ahead } from './ahead.js';
import { readCluster } from './read-cluster.js';
import { createSpinner } from './spinner.js';

export type AuditOutput = 'table' | 'wide' | 'json' | 'yaml' | 'prometheus';
export type FailOn = 'error' | 'warning' | 'never';

export interface AuditOptions {
  /** Follow the cluster after the first report (`--watch`). */
  watch: boolean;
  /** null = all namespaces. */
  namespace: string | null;
  sinceSeconds: number | null;
  stuckAfterSeconds: number | null;
  /** --event-ttl, seconds. */
  eventTtlSeconds: number;
  /** --stale-after, seconds. */
  staleAfterSeconds: number;
  /** --exclude rules. */
  exclude: Exclusion[];
  failOn: FailOn;
  output: AuditOutput;
  fromFiles: string[];
  /** --now, epoch ms (offline only). */
  now: number | null;
  chunkSize: number;
  noHeaders: boolean;
  driver: string;
  color: boolean;
  /** Whether a spinner may show progress on stderr (a terminal, no --verbose log lines). */
  progress: boolean;
  /** Whether that spinner may be coloured. */
  progressColor: boolean;
  /** --pushgateway: where the exposition is pushed after the report is printed (live audits only). */
  pushgateway: URL | null;
  /** --cluster-name: the `cluster` the push is grouped by, instead of the context's cluster. */
  clusterName: string | null;
  /** --request-timeout, seconds: also bounds the push. */
  requestTimeoutSeconds: number;
}

/**
 * Runs an audit of the cluster behind `gateway`, or of the dumps in options.fromFiles when
 * `gateway` is null; the exit code says whether a finding reached --fail-on.
 */
export async function runAudit(options: AuditOptions, gateway: Gateway | null, ctx: Context): Promise<number> {
  const table = options.output === 'table' || options.output === 'wide';
  let renderer: Promise<typeof import('../render/audit.js')> | undefined;
  let snapshot: ClusterSnapshot;
  let now: number;
  if (options.fromFiles.length > 0) {
    // Only dumps need the yaml library.
    const { readDumps } = await import('./dump.js');
    snapshot = await readDumps(options.fromFiles, ctx);
    if (options.now !== null) now = options.now;
    else now = offlineNow(snapshot, ctx.now());
  } else {
    if (gateway === null) throw new Error('runAudit: a live audit needs a gateway');
    const spinner = await createSpinner(ctx, table && options.progress, { color: options.progressColor });
    try {
      spinner.start('reading migration events, volumes, attachments, nodes and KubeVirt migrations');
      const reading = readCluster(gateway, options, ctx.logger);
      // Loaded while the pages come in (after the first requests have gone out).
      renderer = ahead(import('../render/audit.js'));
      snapshot = await reading;
      now = ctx.now();
    } finally {
      spinner.stop();
    }
  }
  // Ctrl-C while the input was read, or during the audit: stop before any output (exit 130, nothing written).
  ctx.signal.throwIfAborted();
  const report = auditSnapshot(snapshot, auditParameters(options, now));
  const render = await (renderer ?? import('../render/audit.js'));
  ctx.signal.throwIfAborted();
  // JSON is written a piece at a time: on a large cluster it is tens of MB, never needed whole.
  if (options.output === 'json') render.writeAuditJson(report, (piece) => ctx.stdout.write(piece));
  else {
    const output = await renderReport(render, report, options, ctx);
    ctx.signal.throwIfAborted();
    ctx.stdout.write(output);
  }
  // Table rows only on stdout (for awk and cut): what could not be read is said on stderr.
  if (table && options.noHeaders) for (const warning of report.warnings) ctx.logger.warn(sanitizeText(warning));
  // After the report, so that a failed push (exit 4) still leaves the report printed.
  if (options.pushgateway !== null && gateway !== null) {
    await push(report, options.pushgateway, options.clusterName ?? gateway.clusterName, options, ctx);
  }
  return reachesFailOn(report, options.failOn) ? 1 : 0;
}

/** The audit's parameters at `now`, from the command's options (also for each redraw of `audit -w`). */
export function auditParameters(options: AuditOptions, now: number): AuditParameters {
  return {
    now,
    namespace: options.namespace,
    driver: options.driver,
    sinceSeconds: options.sinceSeconds,
    stuckAfterSeconds: options.stuckAfterSeconds,
    eventTtlSeconds: options.eventTtlSeconds,
    staleAfterSeconds: options.staleAfterSeconds,
    exclude: options.exclude,
  };
}

/** Pushes the report's exposition, grouped by job and the kubeconfig context's cluster. */
async function push(report: AuditReport, url: URL, clusterName: string, options: AuditOptions, ctx: Context): Promise<void> {
  const [{ renderAuditPrometheus, EXPOSITION_CONTENT_TYPE }, { pushMetrics }] = await Promise.all([
    import('../render/prometheus.js'),
    import('../kube/pushgateway.js'),
  ]);
  await pushMetrics({
    url,
    grouping: [['cluster', clusterName]],
    body: renderAuditPrometheus(report),
    contentType: EXPOSITION_CONTENT_TYPE,
    timeoutMs: options.requestTimeoutSeconds * 1000,
    signal: ctx.signal,
    logger: ctx.logger,
  });
}

/** `now` of a dump: its newest timestamp that is not in the future of the wall clock. */
function offlineNow(snapshot: ClusterSnapshot, wallClock: number): number {
  const newest = newestTimestamp(snapshot, wallClock + FUTURE_TOLERANCE_MS);
  const unbounded = newestTimestamp(snapshot);
  if (unbounded !== null && unbounded !== newest) {
    snapshot.warnings.push(
      `the dump holds timestamps more than a day in the future (up to ${formatTimestamp(unbounded)}); they were not used as now — pass --now to choose the time`,
    );
  }
  if (newest === null) {
    snapshot.warnings.push('the dump holds no usable timestamps; auditing at the current time');
    return wallClock;
  }
  return newest;
}

/** How far past the wall clock a dump's newest timestamp may be (clock skew, dumps from another zone's machine). */
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

/** The report as text in every format but JSON, which is written in pieces (writeAuditJson). */
async function renderReport(
  render: typeof import('../render/audit.js'),
  report: AuditReport,
  options: AuditOptions,
  ctx: Context,
): Promise<string> {
  switch (options.output) {
    case 'yaml':
      return render.renderAuditYaml(report);
    case 'prometheus':
      return (await import('../render/prometheus.js')).renderAuditPrometheus(report);
    default: {
      const [{ createPalette }, { outputWidth }] = await Promise.all([import('../render/palette.js'), import('../render/common.js')]);
      return render.renderAuditTable(report, {
        palette: createPalette(options.color),
        wide: options.output === 'wide',
        noHeaders: options.noHeaders,
        width: outputWidth(ctx.stdout),
      });
    }
  }
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

function reachesFailOn(report: AuditReport, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return report.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

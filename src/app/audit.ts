// audit (SPEC §3.3): gather a snapshot (cluster or dump), audit it, render it.
import { durationFlag, invalid } from '../cli/options.js';
import { createLogger, type Context, type GlobalOptions, type Logger } from '../context.js';
import { auditSnapshot, newestTimestamp } from '../domain/audit.js';
import { isMigrationEvent } from '../domain/normalize.js';
import { formatTimestamp, parseTimestamp } from '../domain/time.js';
import { MIGRATION_REASONS, type AuditReport, type ClusterSnapshot, type Severity } from '../domain/types.js';
import { dnsLabelProblem } from '../domain/validation.js';
import { ClusterError, UsageError } from '../errors.js';
import { openGateway, type Gateway } from '../kube/gateway.js';
import { ahead } from './ahead.js';
import { createSpinner } from './spinner.js';

export type AuditOutput = 'table' | 'wide' | 'json' | 'yaml' | 'prometheus';
export type FailOn = 'error' | 'warning' | 'never';

export interface AuditCommandOptions {
  /** null = all namespaces. */
  namespace: string | null;
  sinceSeconds: number | null;
  stuckAfterSeconds: number | null;
  failOn: FailOn;
  output: AuditOutput;
  fromFiles: string[];
  /** --now, epoch ms (offline only). */
  now: number | null;
  chunkSize: number;
  noHeaders: boolean;
}

/** Validates the audit flags before anything is read. */
export function resolveAuditOptions(raw: Record<string, unknown>, globals: GlobalOptions): AuditCommandOptions {
  const str = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  if (globals.namespace !== undefined && raw.allNamespaces === true) {
    throw new UsageError('--namespace and --all-namespaces cannot be used together');
  }
  if (globals.namespace !== undefined && dnsLabelProblem(globals.namespace)) throw invalid('--namespace', globals.namespace, dnsLabelProblem(globals.namespace)!);
  const since = str('since');
  const stuckAfter = str('stuckAfter');
  const chunkText = str('chunkSize') ?? '500';
  const chunkSize = Number(chunkText);
  if (!/^\d+$/.test(chunkText) || !Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 100000) {
    throw invalid('--chunk-size', chunkText, 'must be a whole number from 1 to 100000');
  }
  const fromFiles = Array.isArray(raw.fromFile) ? (raw.fromFile as string[]) : [];
  for (const f of fromFiles) if (f === '') throw invalid('--from-file', f, 'must not be empty');
  const nowText = str('now');
  let now: number | null = null;
  if (nowText !== undefined) {
    if (fromFiles.length === 0) throw new UsageError('--now applies only to --from-file audits; a live audit runs at the current time');
    now = parseTimestamp(nowText);
    if (now === null) throw invalid('--now', nowText, 'must be an RFC 3339 time such as 2025-01-02T03:04:05Z');
  }
  return {
    namespace: globals.namespace ?? null,
    sinceSeconds: since === undefined ? null : durationFlag('--since', since, { positive: true }),
    stuckAfterSeconds: stuckAfter === undefined ? null : durationFlag('--stuck-after', stuckAfter, { positive: true }),
    failOn: (str('failOn') ?? 'error') as FailOn,
    output: (str('output') ?? 'table') as AuditOutput,
    fromFiles,
    now,
    chunkSize,
    noHeaders: raw.headers === false,
  };
}

/** Runs an audit; the exit code says whether a finding reached --fail-on. */
export async function runAudit(options: AuditCommandOptions, globals: GlobalOptions, ctx: Context): Promise<number> {
  const logger = createLogger(ctx.stderr, globals.verbose);
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
    const spinner = await createSpinner(ctx, table && ctx.stderr.isTTY === true && !globals.verbose);
    const gateway = await openGateway(ctx, globals, logger);
    try {
      spinner.start('reading migration events, VolumeAttachments and PersistentVolumes');
      const reading = readCluster(gateway, options, logger);
      // Loaded while the pages come in (after the first requests have gone out).
      renderer = ahead(import('../render/audit.js'));
      snapshot = await reading;
      now = ctx.now();
    } finally {
      spinner.stop();
      gateway.close();
    }
  }
  const report = auditSnapshot(snapshot, {
    now,
    namespace: options.namespace,
    driver: globals.driver,
    sinceSeconds: options.sinceSeconds,
    stuckAfterSeconds: options.stuckAfterSeconds,
  });
  ctx.stdout.write(await renderReport(await (renderer ?? import('../render/audit.js')), report, options, globals));
  return reachesFailOn(report, options.failOn) ? 1 : 0;
}

/** `now` of a dump: its newest timestamp that is not in the future of the wall clock (SPEC §3.3). */
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

const EVENTS_UNREAD_WARNING =
  'Migration events could not all be read, so migrations are missing and MigrationFailed, UnresolvedMigration, SlowMigration and UnparsedEvent findings may be too.';

/** Reads the three migration reasons, VolumeAttachments and PVs concurrently; a forbidden list becomes a warning. */
export async function readCluster(gateway: Gateway, options: AuditCommandOptions, logger: Logger): Promise<ClusterSnapshot> {
  const warnings: string[] = [];
  const tolerate = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> => {
    try {
      return { value: await read(), ok: true };
    } catch (err) {
      if (err instanceof ClusterError && err.status === 403) {
        warnings.push(`${what}: ${err.message}`);
        logger.debug(`continuing without ${what}`);
        return { value: fallback, ok: false };
      }
      throw err;
    }
  };
  const eventLists = Promise.all(
    MIGRATION_REASONS.map((reason) =>
      tolerate(
        `${reason} events could not be read`,
        () =>
          gateway.listEvents(
            { namespace: options.namespace, fieldSelector: `reason=${reason}`, chunkSize: options.chunkSize },
            isMigrationEvent,
          ),
        [],
      ),
    ),
  );
  const [events, attachments, volumes] = await Promise.all([
    eventLists,
    tolerate('VolumeAttachments could not be read', () => gateway.listVolumeAttachments(options.chunkSize), []),
    tolerate('PersistentVolumes could not be read (volume timeouts default to 5m0s)', () => gateway.listPersistentVolumes(options.chunkSize), []),
  ]);
  if (events.some((list) => !list.ok)) warnings.push(EVENTS_UNREAD_WARNING);
  return {
    events: events.flatMap((list) => list.value),
    volumeAttachments: attachments.value,
    persistentVolumes: volumes.value,
    volumeAttachmentsRead: attachments.ok,
    persistentVolumesRead: volumes.ok,
    warnings,
  };
}

async function renderReport(render: typeof import('../render/audit.js'), report: AuditReport, options: AuditCommandOptions, globals: GlobalOptions): Promise<string> {
  switch (options.output) {
    case 'json':
      return render.renderAuditJson(report);
    case 'yaml':
      return render.renderAuditYaml(report);
    case 'prometheus':
      return render.renderAuditPrometheus(report);
    default: {
      const { createPalette } = await import('../render/palette.js');
      return render.renderAuditTable(report, { palette: createPalette(globals.color), wide: options.output === 'wide', noHeaders: options.noHeaders });
    }
  }
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

function reachesFailOn(report: AuditReport, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return report.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

// audit (SPEC §3.3): gather a snapshot (cluster or dump), audit it, render it.
import type { Context, Logger } from '../context.js';
import { auditSnapshot, newestTimestamp } from '../domain/audit.js';
import { isMigrationEvent } from '../domain/normalize.js';
import { formatTimestamp } from '../domain/time.js';
import { type AuditReport, type ClusterSnapshot, MIGRATION_REASONS, type Severity } from '../domain/types.js';
import { ClusterError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';
import { ahead } from './ahead.js';
import { createSpinner } from './spinner.js';

export type AuditOutput = 'table' | 'wide' | 'json' | 'yaml' | 'prometheus';
export type FailOn = 'error' | 'warning' | 'never';

export interface AuditOptions {
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
  driver: string;
  color: boolean;
  /** Whether a spinner may show progress on stderr (a terminal, no --verbose log lines). */
  progress: boolean;
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
    const spinner = await createSpinner(ctx, table && options.progress);
    try {
      spinner.start('reading migration events, VolumeAttachments and PersistentVolumes');
      const reading = readCluster(gateway, options, ctx.logger);
      // Loaded while the pages come in (after the first requests have gone out).
      renderer = ahead(import('../render/audit.js'));
      snapshot = await reading;
      now = ctx.now();
    } finally {
      spinner.stop();
    }
  }
  // Ctrl-C while the input was read, or during the audit: stop before any output (SPEC §5: exit 130, nothing written).
  ctx.signal.throwIfAborted();
  const report = auditSnapshot(snapshot, {
    now,
    namespace: options.namespace,
    driver: options.driver,
    sinceSeconds: options.sinceSeconds,
    stuckAfterSeconds: options.stuckAfterSeconds,
  });
  ctx.signal.throwIfAborted();
  const output = await renderReport(await (renderer ?? import('../render/audit.js')), report, options);
  ctx.signal.throwIfAborted();
  ctx.stdout.write(output);
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
export async function readCluster(gateway: Gateway, options: AuditOptions, logger: Logger): Promise<ClusterSnapshot> {
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
    tolerate(
      'PersistentVolumes could not be read (volume timeouts default to 5m0s)',
      () => gateway.listPersistentVolumes(options.chunkSize),
      [],
    ),
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

async function renderReport(render: typeof import('../render/audit.js'), report: AuditReport, options: AuditOptions): Promise<string> {
  switch (options.output) {
    case 'json':
      return render.renderAuditJson(report);
    case 'yaml':
      return render.renderAuditYaml(report);
    case 'prometheus':
      return render.renderAuditPrometheus(report);
    default: {
      const { createPalette } = await import('../render/palette.js');
      return render.renderAuditTable(report, {
        palette: createPalette(options.color),
        wide: options.output === 'wide',
        noHeaders: options.noHeaders,
      });
    }
  }
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

function reachesFailOn(report: AuditReport, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return report.findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

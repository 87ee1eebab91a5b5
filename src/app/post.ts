// post-started / post-completed / post-failed: read the PVC, derive what the operator
// left out, check it against the cluster, build the Event exactly as the driver would, send it.
import { randomUUID } from 'node:crypto';
import type { Context, Logger } from '../context.js';
import { DEFAULT_EVENT_TTL_SECONDS } from '../domain/audit.js';
import { formatAge, roundToSeconds } from '../domain/duration.js';
import { buildEventBody, buildRepeatPatch, eventName, MAX_MESSAGE_BYTES } from '../domain/event-body.js';
import { buildPvcHistory } from '../domain/history.js';
import { formatMigrationMessage } from '../domain/messages.js';
import { sanitizeText } from '../domain/sanitize.js';
import { volumeTimeoutSeconds } from '../domain/timeout.js';
import type {
  EventRecord,
  Migration,
  MigrationMessageInput,
  MigrationReason,
  PersistentVolumeRecord,
  PvcRecord,
  VolumeAttachmentRecord,
} from '../domain/types.js';
import { dnsSubdomainProblem, utf8Length, volumeIdProblem } from '../domain/validation.js';
import { ClusterError, NotFoundError, UsageError } from '../errors.js';
import { type Gateway, pvcEventSelector } from '../kube/gateway.js';
import { renderObject } from '../render/object.js';

export type PostKind = 'started' | 'completed' | 'failed';

/** kubectl's --dry-run strategies: `none` writes, `client` sends nothing, `server` sends with dryRun=All. */
export type DryRun = 'none' | 'client' | 'server';

export interface PostOptions {
  kind: PostKind;
  pvc: string;
  source: string | undefined;
  target: string | undefined;
  /** --timeout (started), --duration (completed) or --elapsed (failed), seconds. */
  seconds: number | undefined;
  failureReason: string | undefined;
  volumeId: string | undefined;
  component: string;
  dedupe: boolean;
  dryRun: DryRun;
  output: 'json' | 'yaml' | 'name' | undefined;
  ignoreNotFound: boolean;
  driver: string;
}

const SECONDS_FLAG: Record<PostKind, string> = { started: '--timeout', completed: '--duration', failed: '--elapsed' };
const SECONDS_WORD: Record<PostKind, string> = { started: 'timeout', completed: 'duration', failed: 'elapsed time' };
/** kubectl's suffix of the success line of a dry run. */
const DRY_RUN_SUFFIX: Record<DryRun, string> = { none: '', client: ' (dry run)', server: ' (server dry run)' };

/** Runs a post command through the gateway; returns the exit code. */
export async function runPost(options: PostOptions, gateway: Gateway, ctx: Context): Promise<number> {
  const { logger } = ctx;
  const namespace = gateway.namespace;
  let pvc: PvcRecord;
  try {
    pvc = await gateway.getPvc(namespace, options.pvc);
  } catch (err) {
    if (err instanceof NotFoundError && options.ignoreNotFound) {
      logger.warn(`persistentvolumeclaims "${options.pvc}" not found in namespace "${namespace}"; nothing posted`);
      return 0;
    }
    throw err;
  }
  const pv = pvc.volumeName ? await gateway.getPersistentVolume(pvc.volumeName) : null;
  checkDriver(pvc, pv, options.driver);
  const volumeId = options.volumeId ?? pv?.volumeHandle ?? pvc.volumeName;
  if (!volumeId) {
    throw new UsageError(`PVC "${pvc.name}" in namespace "${namespace}" is not bound to a volume`, 'pass --volume-id <id>');
  }
  checkDerived('volume ID', volumeId, volumeIdProblem, 'pass --volume-id');

  const claim: Claim = { pvc, pv, volumeId };
  const input =
    options.kind === 'started' ? await startedInput(options, claim, gateway, ctx) : await outcomeInput(options, claim, gateway, ctx);
  const message = formatMigrationMessage(input);
  const bytes = utf8Length(message);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new UsageError(`the event message would be ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`, 'shorten --reason');
  }

  const now = ctx.now();
  const name = uniqueEventName(pvc.name, now);
  const body = buildEventBody({ pvc, reason: input.reason, message, component: options.component, name, now });
  const write = { dryRun: options.dryRun === 'server' };

  if (options.dedupe) {
    const existing = await findIdenticalEvent(gateway, pvc, input.reason, message, options.component);
    if (existing) {
      const patch = buildRepeatPatch(existing.count, message, now);
      const verb = `patched (count ${existing.count + 1})`;
      if (options.dryRun === 'client') {
        // What the server would hold after the patch: these top-level fields replace the stored ones.
        const current = options.output === 'json' || options.output === 'yaml' ? await gateway.getEvent(namespace, existing.name) : null;
        printResult(ctx, options, { ...current, ...patch }, existing.name, verb);
        return 0;
      }
      try {
        const patched = await gateway.patchEvent(namespace, existing.name, patch, write);
        printResult(ctx, options, patched, existing.name, verb);
        return 0;
      } catch (err) {
        // Like the recorder: an event that expired meanwhile is created anew.
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }
  if (options.dryRun === 'client') {
    printResult(ctx, options, body, name, 'created');
    return 0;
  }
  const created = await gateway.createEvent(namespace, body, write);
  printResult(ctx, options, created, name, 'created');
  return 0;
}

/** The PVC being posted on, its PV (when readable) and the volume ID the message names. */
interface Claim {
  pvc: PvcRecord;
  pv: PersistentVolumeRecord | null;
  volumeId: string;
}

/** Refuses a PVC whose PV belongs to another driver (or is not CSI): its events are not this driver's to post. */
function checkDriver(pvc: PvcRecord, pv: PersistentVolumeRecord | null, driver: string): void {
  if (pv === null || pv.driver === driver) return;
  const where = `PVC "${pvc.name}" in namespace "${pvc.namespace}" is bound to PV "${pv.name}"`;
  if (pv.driver === null) {
    throw new UsageError(`${where}, which is not a CSI volume; only volumes of ${driver} can be posted on`);
  }
  throw new UsageError(
    `${where} of CSI driver ${JSON.stringify(pv.driver)}, not ${driver}; refusing to post a migration event for it`,
    `pass --driver ${JSON.stringify(pv.driver)} if that driver is meant`,
  );
}

async function startedInput(options: PostOptions, claim: Claim, gateway: Gateway, ctx: Context): Promise<MigrationMessageInput> {
  const { pvc, pv, volumeId } = claim;
  const target = options.target!;
  let source = options.source;
  if (source === undefined) {
    if (!pvc.volumeName) throw new UsageError(`cannot tell the source node: PVC "${pvc.name}" is not bound`, 'pass --source <node>');
    const attachmentsOf = await gateway.indexVolumeAttachments();
    const attachments = await attachmentsOf(pvc.volumeName);
    const nodes = [...new Set(attachments.filter((va) => va.attacher === options.driver && va.attached).map((va) => va.nodeName))].sort();
    if (nodes.length !== 1) {
      const where = nodes.length === 0 ? 'is not attached to any node' : `is attached to ${nodes.length} nodes (${nodes.join(', ')})`;
      throw new UsageError(`cannot tell the source node: volume ${volumeId} ${where}`, 'pass --source <node>');
    }
    source = nodes[0]!;
    checkDerived('source node', source, dnsSubdomainProblem, 'pass --source');
    if (source === target)
      throw new UsageError(`--target "${target}" is the node the volume is attached to now; the target must be another node`);
  }
  await checkNodesExist(gateway, ctx.logger, [
    { role: 'source', name: source, given: options.source !== undefined },
    { role: 'target', name: target, given: true },
  ]);

  // The driver re-posts Started on a retried attach, so a repeat is allowed; but said, since by
  // hand it is more often a post for a migration that is already recorded.
  const events = await readUnlessForbidden(() => listPvcEvents(gateway, pvc), ctx.logger, 'not checking for an open migration');
  if (events !== null) {
    const now = ctx.now();
    const open = openMigrations(claim, events, [], options.driver, now).find((m) => m.sourceNode === source && m.targetNode === target);
    if (open) {
      const first = open.events[0];
      ctx.logger.warn(
        `a migration from ${source} to ${target} is already open on PVC ${pvc.namespace}/${pvc.name} (${open.state}, started ${ageSince(open, now)} ago${first === undefined ? '' : ` by event ${sanitizeText(first)}`}); posting MigrationStarted again`,
      );
    }
  }
  const timeoutSeconds = options.seconds ?? volumeTimeoutSeconds(pv?.migrationTimeoutAttribute ?? null);
  return { reason: 'MigrationStarted', volumeId, sourceNode: source, targetNode: target, timeoutSeconds };
}

async function outcomeInput(options: PostOptions, claim: Claim, gateway: Gateway, ctx: Context): Promise<MigrationMessageInput> {
  const { pvc, pv, volumeId } = claim;
  const { logger } = ctx;
  const now = ctx.now();
  let { source, target, seconds } = options;
  const derive = source === undefined || target === undefined || seconds === undefined;
  // Events are needed to fill in missing values; otherwise only for the warnings, which a forbidden list skips.
  const [events, attachments] = await Promise.all([
    derive
      ? listPvcEvents(gateway, pvc)
      : readUnlessForbidden(() => listPvcEvents(gateway, pvc), logger, 'not comparing with the open migration'),
    pvc.volumeName === null
      ? null
      : readUnlessForbidden(
          async () => (await gateway.indexVolumeAttachments())(pvc.volumeName!),
          logger,
          'not checking whether the volume is still attached to both nodes',
        ),
  ]);
  const open = openMigrations(claim, events ?? [], attachments ?? [], options.driver, now)
    .filter((m) => (source === undefined || m.sourceNode === source) && (target === undefined || m.targetNode === target))
    .at(-1);
  if (source === undefined || target === undefined || seconds === undefined) {
    if (!open) {
      const missing = [
        source === undefined && '--source',
        target === undefined && '--target',
        seconds === undefined && SECONDS_FLAG[options.kind],
      ]
        .filter(Boolean)
        .join(', ');
      throw new UsageError(
        `PVC "${pvc.name}" in namespace "${pvc.namespace}" has no open migration (no MigrationStarted without an outcome) to take ${missing} from`,
        `pass ${missing}`,
      );
    }
    source ??= open.sourceNode ?? '';
    target ??= open.targetNode ?? '';
    checkDerived('source node', source, dnsSubdomainProblem, 'pass --source');
    checkDerived('target node', target, dnsSubdomainProblem, 'pass --target');
    seconds ??= Math.max(0, (now - Date.parse(open.startedAt)) / 1000);
  }
  await checkNodesExist(gateway, logger, [
    { role: 'source', name: source, given: options.source !== undefined },
    { role: 'target', name: target, given: options.target !== undefined },
  ]);

  // The migration's timeout: its Started message's, else the volume's (a driver volume, checkDriver made sure).
  const timeoutSeconds = open?.timeoutSeconds ?? volumeTimeoutSeconds(pv?.migrationTimeoutAttribute ?? null);
  // Compared as the message will carry it: rounded to whole seconds.
  const over = roundToSeconds(seconds) - timeoutSeconds;
  if (over > 0) {
    const which = open ? ` (migration ${source} -> ${target}, started ${ageSince(open, now)} ago)` : '';
    logger.warn(
      `the posted ${SECONDS_WORD[options.kind]} exceeds the migration's timeout (${formatAge(timeoutSeconds)}) by ${formatAge(over)}${which}`,
    );
  }
  if (attachments !== null) {
    const nodes = attachedNodes(attachments, options.driver);
    if (nodes.has(source) && nodes.has(target)) {
      logger.warn(
        `volume ${volumeId} is still attached to both ${source} and ${target}: the migration may not have ended, so this outcome may be premature`,
      );
    }
  }

  if (options.kind === 'completed') {
    return { reason: 'MigrationCompleted', volumeId, sourceNode: source, targetNode: target, durationSeconds: seconds };
  }
  return {
    reason: 'MigrationFailed',
    volumeId,
    sourceNode: source,
    targetNode: target,
    failureReason: options.failureReason!,
    elapsedSeconds: seconds,
  };
}

/** The PVC's events, read with the field selector kubectl describe uses. */
function listPvcEvents(gateway: Gateway, pvc: PvcRecord): Promise<EventRecord[]> {
  return gateway.listEvents({ namespace: pvc.namespace, fieldSelector: pvcEventSelector(pvc.name) });
}

/** The PVC's migrations without an outcome (in-progress or unresolved), oldest first. */
function openMigrations(
  { pvc, pv, volumeId }: Claim,
  events: readonly EventRecord[],
  volumeAttachments: readonly VolumeAttachmentRecord[],
  driver: string,
  now: number,
): Migration[] {
  const history = buildPvcHistory(
    { pvc, volumeId, events, persistentVolume: pv, volumeAttachments, vmis: [], vmims: [], pods: null, warnings: [] },
    { now, driver, all: false, eventTtlSeconds: DEFAULT_EVENT_TTL_SECONDS },
  );
  return history.migrations
    .filter((m) => m.state === 'in-progress' || m.state === 'unresolved')
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

function attachedNodes(attachments: readonly VolumeAttachmentRecord[], driver: string): Set<string> {
  return new Set(attachments.filter((va) => va.attacher === driver && va.attached).map((va) => va.nodeName));
}

/** How long ago a migration started, as kubectl prints ages (`5m30s`). */
function ageSince(migration: Migration, now: number): string {
  return formatAge((now - Date.parse(migration.startedAt)) / 1000);
}

interface NodeRef {
  role: 'source' | 'target';
  name: string;
  /** Given on the command line (else derived from the cluster). */
  given: boolean;
}

/** Exit 3 for a node the API server says does not exist; skipped (with a --verbose line) where Nodes cannot be read. */
async function checkNodesExist(gateway: Gateway, logger: Logger, nodes: NodeRef[]): Promise<void> {
  const exists = await readUnlessForbidden(
    () => Promise.all(nodes.map((n) => gateway.nodeExists(n.name))),
    logger,
    `not checking that nodes ${nodes.map((n) => `"${n.name}"`).join(' and ')} exist`,
  );
  if (exists === null) return;
  const missing = nodes.find((_, i) => !exists[i]);
  if (missing) {
    const hint = missing.given ? undefined : `the ${missing.role} node was taken from the cluster; pass --${missing.role} <node>`;
    throw new NotFoundError(`nodes "${missing.name}" not found`, hint);
  }
}

/** The result of a read, or null (and a --verbose line saying what is skipped) when RBAC forbids it. */
async function readUnlessForbidden<T>(read: () => Promise<T>, logger: Logger, skipped: string): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ClusterError && err.status === 403)) throw err;
    logger.debug(`${err.message}: ${skipped}`);
    return null;
  }
}

/** An existing event the recorder would count up instead of creating a new one (--dedupe). */
async function findIdenticalEvent(gateway: Gateway, pvc: PvcRecord, reason: MigrationReason, message: string, component: string) {
  const events = await gateway.listEvents(
    { namespace: pvc.namespace, fieldSelector: `${pvcEventSelector(pvc.name)},reason=${reason}` },
    (e) => e.involvedObject.uid === pvc.uid && e.message === message && e.component === component,
  );
  return events.sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0))[0];
}

/** `<pvc>.<hex unix nanos>`; like client-go ≥ 1.33, a UUID when that is not a valid name. */
function uniqueEventName(pvcName: string, nowMs: number): string {
  const nanos = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor((nowMs % 1) * 1e6));
  const name = eventName(pvcName, nanos);
  return name.length <= 253 ? name : randomUUID();
}

function checkDerived(what: string, value: string, problem: (v: string) => string | null, fix: string): void {
  const why = problem(value);
  if (why) throw new UsageError(`the ${what} found in the cluster, ${JSON.stringify(value.slice(0, 80))}, ${why}`, fix);
}

/** kubectl's output of a write: `event/<name> created[ (dry run)]`, the name alone, or the object. */
function printResult(ctx: Context, options: PostOptions, event: Record<string, unknown>, name: string, verb: string): void {
  if (options.output === 'name') ctx.stdout.write(`event/${name}\n`);
  else if (options.output) ctx.stdout.write(renderObject(event, options.output));
  else ctx.stdout.write(`event/${name} ${verb}${DRY_RUN_SUFFIX[options.dryRun]}\n`);
}

// post-started / post-completed / post-failed (SPEC §3.1): read the PVC, derive
// what the operator left out, build the Event exactly as the driver would, send it.
import { randomUUID } from 'node:crypto';
import type { Context } from '../context.js';
import { DEFAULT_EVENT_TTL_SECONDS } from '../domain/audit.js';
import { buildEventBody, buildRepeatPatch, eventName, MAX_MESSAGE_BYTES } from '../domain/event-body.js';
import { buildPvcHistory } from '../domain/history.js';
import { formatMigrationMessage } from '../domain/messages.js';
import { volumeTimeoutSeconds } from '../domain/timeout.js';
import type { MigrationMessageInput, MigrationReason, PersistentVolumeRecord, PvcRecord } from '../domain/types.js';
import { dnsSubdomainProblem, utf8Length, volumeIdProblem } from '../domain/validation.js';
import { NotFoundError, UsageError } from '../errors.js';
import { type Gateway, pvcEventSelector } from '../kube/gateway.js';
import { renderObject } from '../render/object.js';

export type PostKind = 'started' | 'completed' | 'failed';

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
  dryRun: boolean;
  output: 'json' | 'yaml' | 'name' | undefined;
  ignoreNotFound: boolean;
  driver: string;
}

const SECONDS_FLAG: Record<PostKind, string> = { started: '--timeout', completed: '--duration', failed: '--elapsed' };

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
  const volumeId = options.volumeId ?? pv?.volumeHandle ?? pvc.volumeName;
  if (!volumeId) {
    throw new UsageError(`PVC "${pvc.name}" in namespace "${namespace}" is not bound to a volume`, 'pass --volume-id <id>');
  }
  checkDerived('volume ID', volumeId, volumeIdProblem, 'pass --volume-id');

  const input =
    options.kind === 'started'
      ? await startedInput(options, { pvc, pv, volumeId }, gateway)
      : await outcomeInput(options, { pvc, pv, volumeId }, gateway, ctx);
  const message = formatMigrationMessage(input);
  const bytes = utf8Length(message);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new UsageError(`the event message would be ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`, 'shorten --reason');
  }

  const now = ctx.now();
  const name = uniqueEventName(pvc.name, now);
  const body = buildEventBody({ pvc, reason: input.reason, message, component: options.component, name, now });

  if (options.dryRun) {
    ctx.stdout.write(options.output === 'name' ? `event/${name}\n` : renderObject(body, options.output ?? 'yaml'));
    return 0;
  }

  if (options.dedupe) {
    const existing = await findIdenticalEvent(gateway, pvc, input.reason, message, options.component);
    if (existing) {
      try {
        const patched = await gateway.patchEvent(namespace, existing.name, buildRepeatPatch(existing.count, message, now));
        await printResult(ctx, options, patched, existing.name, `patched (count ${existing.count + 1})`);
        return 0;
      } catch (err) {
        // Like the recorder: an event that expired meanwhile is created anew.
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }
  const created = await gateway.createEvent(namespace, body);
  await printResult(ctx, options, created, name, 'created');
  return 0;
}

/** The PVC being posted on, its PV (when readable) and the volume ID the message names. */
interface Claim {
  pvc: PvcRecord;
  pv: PersistentVolumeRecord | null;
  volumeId: string;
}

async function startedInput(options: PostOptions, { pvc, pv, volumeId }: Claim, gateway: Gateway): Promise<MigrationMessageInput> {
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
  const timeoutSeconds = options.seconds ?? volumeTimeoutSeconds(pv?.migrationTimeoutAttribute ?? null);
  return { reason: 'MigrationStarted', volumeId, sourceNode: source, targetNode: target, timeoutSeconds };
}

async function outcomeInput(
  options: PostOptions,
  { pvc, pv, volumeId }: Claim,
  gateway: Gateway,
  ctx: Context,
): Promise<MigrationMessageInput> {
  let { source, target, seconds } = options;
  if (source === undefined || target === undefined || seconds === undefined) {
    const now = ctx.now();
    const events = await gateway.listEvents({ namespace: pvc.namespace, fieldSelector: pvcEventSelector(pvc.name) });
    const history = buildPvcHistory(
      { pvc, volumeId, events, persistentVolume: pv, volumeAttachments: [], vmis: [], vmims: [], pods: null, warnings: [] },
      { now, driver: options.driver, all: false, eventTtlSeconds: DEFAULT_EVENT_TTL_SECONDS },
    );
    // Open migrations come from the driver's events, which always name both nodes.
    const open = history.migrations
      .filter((m) => m.state === 'in-progress' || m.state === 'unresolved')
      .filter((m) => (source === undefined || m.sourceNode === source) && (target === undefined || m.targetNode === target))
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
      .at(-1);
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

async function printResult(ctx: Context, options: PostOptions, event: Record<string, unknown>, name: string, verb: string): Promise<void> {
  if (options.output === 'name') ctx.stdout.write(`event/${name}\n`);
  else if (options.output) ctx.stdout.write(renderObject(event, options.output));
  else ctx.stdout.write(`event/${name} ${verb}\n`);
}

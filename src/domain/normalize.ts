// Raw Kubernetes objects (parsed JSON/YAML from the API or a kubectl dump) ->
// the domain records of types.ts. Input is untrusted: wrong types are treated
// as absent and nothing here throws.

import { parseTimestamp } from './time.js';
import type { EventRecord, PersistentVolumeRecord, PvcRecord, VolumeAttachmentRecord } from './types.js';
import { MIGRATION_REASONS } from './types.js';

type Obj = Record<string, unknown>;

function asObject(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : null;
}

function field(obj: Obj | null, key: string): unknown {
  if (obj === null || !Object.hasOwn(obj, key)) return undefined;
  return obj[key];
}

function child(obj: Obj | null, key: string): Obj | null {
  return asObject(field(obj, key));
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A repetition count: an integer ≥ 1, else null (0, negatives, fractions and strings count as absent). */
function positiveCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : null;
}

/** The first value that parses as a timestamp; a present but unparsable one counts as absent. */
function firstTime(...values: unknown[]): number | null {
  for (const value of values) {
    const ms = parseTimestamp(value);
    if (ms !== null) return ms;
  }
  return null;
}

/** Normalizes a core/v1 or events.k8s.io/v1 Event into an EventRecord (SPEC §2.1), or null when it names no involved object. */
export function normalizeEvent(raw: unknown): EventRecord | null {
  const event = asObject(raw);
  if (event === null) return null;
  const metadata = child(event, 'metadata');
  // core/v1 says involvedObject, events.k8s.io/v1 says regarding (KUBERNETES-FACTS §3.1).
  const ref = child(event, 'involvedObject') ?? child(event, 'regarding');
  if (ref === null) return null;
  const refName = nonEmpty(field(ref, 'name'));
  if (refName === null) return null;
  const eventNamespace = str(field(metadata, 'namespace'));
  const series = child(event, 'series');
  const source = child(event, 'source') ?? child(event, 'deprecatedSource');

  const first = field(event, 'firstTimestamp');
  const deprecatedFirst = field(event, 'deprecatedFirstTimestamp');
  const last = field(event, 'lastTimestamp');
  const deprecatedLast = field(event, 'deprecatedLastTimestamp');
  const eventTime = field(event, 'eventTime');
  const created = field(metadata, 'creationTimestamp');

  const message = field(event, 'message');
  return {
    name: str(field(metadata, 'name')),
    namespace: eventNamespace,
    involvedObject: {
      kind: str(field(ref, 'kind')),
      apiVersion: str(field(ref, 'apiVersion')),
      // The API server requires an event to live in its object's namespace, so an
      // omitted involvedObject.namespace means the event's own.
      namespace: nonEmpty(field(ref, 'namespace')) ?? eventNamespace,
      name: refName,
      uid: str(field(ref, 'uid')),
    },
    reason: str(field(event, 'reason')),
    type: str(field(event, 'type')),
    message: typeof message === 'string' ? message : str(field(event, 'note')),
    component:
      nonEmpty(field(source, 'component')) ??
      nonEmpty(field(event, 'reportingComponent')) ??
      nonEmpty(field(event, 'reportingController')) ??
      '',
    count:
      positiveCount(field(event, 'count')) ?? positiveCount(field(event, 'deprecatedCount')) ?? positiveCount(field(series, 'count')) ?? 1,
    firstSeen: firstTime(first, deprecatedFirst, eventTime, created),
    lastSeen: firstTime(last, deprecatedLast, field(series, 'lastObservedTime'), eventTime, first, deprecatedFirst, created),
  };
}

/** True for the driver's migration events: a Migration* reason on a PersistentVolumeClaim (SPEC §2.1). */
export function isMigrationEvent(e: EventRecord): boolean {
  return (MIGRATION_REASONS as readonly string[]).includes(e.reason) && e.involvedObject.kind === 'PersistentVolumeClaim';
}

/** Normalizes a PersistentVolume, or null when it has no name. */
export function normalizePersistentVolume(raw: unknown): PersistentVolumeRecord | null {
  const pv = asObject(raw);
  const name = nonEmpty(field(child(pv, 'metadata'), 'name'));
  if (pv === null || name === null) return null;
  const spec = child(pv, 'spec');
  const csi = child(spec, 'csi');
  const claim = child(spec, 'claimRef');
  const claimNamespace = nonEmpty(field(claim, 'namespace'));
  const claimName = nonEmpty(field(claim, 'name'));
  const attribute = field(child(csi, 'volumeAttributes'), 'migrationTimeoutSeconds');
  return {
    name,
    driver: nonEmpty(field(csi, 'driver')),
    volumeHandle: nonEmpty(field(csi, 'volumeHandle')),
    claimRef:
      claimNamespace !== null && claimName !== null
        ? { namespace: claimNamespace, name: claimName, uid: nonEmpty(field(claim, 'uid')) }
        : null,
    // volumeAttributes is map[string]string; a YAML dump may still hold an unquoted number.
    migrationTimeoutAttribute: typeof attribute === 'string' ? attribute : typeof attribute === 'number' ? String(attribute) : null,
  };
}

/** Normalizes a storage.k8s.io/v1 VolumeAttachment, or null when it has no name or node. */
export function normalizeVolumeAttachment(raw: unknown): VolumeAttachmentRecord | null {
  const va = asObject(raw);
  const metadata = child(va, 'metadata');
  const name = nonEmpty(field(metadata, 'name'));
  const spec = child(va, 'spec');
  const nodeName = nonEmpty(field(spec, 'nodeName'));
  if (va === null || name === null || nodeName === null) return null;
  const status = child(va, 'status');
  const attachError = child(status, 'attachError');
  return {
    name,
    attacher: str(field(spec, 'attacher')),
    nodeName,
    persistentVolumeName: nonEmpty(field(child(spec, 'source'), 'persistentVolumeName')),
    attached: field(status, 'attached') === true,
    attachError:
      attachError === null ? null : { time: parseTimestamp(field(attachError, 'time')), message: str(field(attachError, 'message')) },
    createdAt: parseTimestamp(field(metadata, 'creationTimestamp')),
    deletingSince: parseTimestamp(field(metadata, 'deletionTimestamp')),
  };
}

/** Normalizes a PersistentVolumeClaim, or null when it has no name or namespace. */
export function normalizePvc(raw: unknown): PvcRecord | null {
  const pvc = asObject(raw);
  const metadata = child(pvc, 'metadata');
  const name = nonEmpty(field(metadata, 'name'));
  const namespace = nonEmpty(field(metadata, 'namespace'));
  if (pvc === null || name === null || namespace === null) return null;
  return {
    namespace,
    name,
    uid: str(field(metadata, 'uid')),
    resourceVersion: str(field(metadata, 'resourceVersion')),
    volumeName: nonEmpty(field(child(pvc, 'spec'), 'volumeName')),
  };
}

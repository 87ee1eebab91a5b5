// Raw Kubernetes objects (parsed JSON/YAML from the API or a kubectl dump) ->
// the domain records of types.ts. Input is untrusted: wrong types are treated
// as absent and nothing here throws.

import { parseTimestamp } from './time.js';
import type {
  ControllerRef,
  EventRecord,
  NodeRecord,
  PersistentVolumeRecord,
  PodRecord,
  PvcRecord,
  VmimMigrationState,
  VmimRecord,
  VmiRecord,
  VolumeAttachmentRecord,
} from './types.js';
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

/** Normalizes a core/v1 or events.k8s.io/v1 Event into an EventRecord, or null when it names no involved object. */
export function normalizeEvent(raw: unknown): EventRecord | null {
  const event = asObject(raw);
  if (event === null) return null;
  const metadata = child(event, 'metadata');
  // core/v1 says involvedObject, events.k8s.io/v1 says regarding.
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

/** True for the driver's migration events: a Migration* reason on a PersistentVolumeClaim. */
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
    finalizers: strings(field(metadata, 'finalizers')),
    detachError: nonEmpty(field(child(status, 'detachError'), 'message')),
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

/** The strings of a list; anything else in it (or a non-list) is dropped. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The objects of a list; anything else is dropped. */
function objects(value: unknown): Obj[] {
  return Array.isArray(value) ? value.map(asObject).filter((o): o is Obj => o !== null) : [];
}

/** The string-valued entries of a map (labels, annotations); other values are dropped. */
function stringMap(value: unknown): Map<string, string> {
  const map = asObject(value);
  const out = new Map<string, string>();
  if (map === null) return out;
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (typeof v === 'string') out.set(key, v);
  }
  return out;
}

/** metadata.name and metadata.namespace of a namespaced object, or null when either is missing. */
function namespacedName(obj: Obj | null): { name: string; namespace: string; uid: string } | null {
  const metadata = child(obj, 'metadata');
  const name = nonEmpty(field(metadata, 'name'));
  const namespace = nonEmpty(field(metadata, 'namespace'));
  if (name === null || namespace === null) return null;
  return { name, namespace, uid: str(field(metadata, 'uid')) };
}

/** Normalizes a Node, or null when it has no name. */
export function normalizeNode(raw: unknown): NodeRecord | null {
  const node = asObject(raw);
  const name = nonEmpty(field(child(node, 'metadata'), 'name'));
  if (node === null || name === null) return null;
  return { name, volumesInUse: strings(field(child(node, 'status'), 'volumesInUse')) };
}

/** The labels a pod is classified by; every other label is dropped to keep records small. */
const POD_LABEL_KEYS = [
  'kubevirt.io',
  'kubevirt.io/created-by',
  'kubevirt.io/migrationJobUID',
  'app',
  'cdi.kubevirt.io',
  'kubevirt.io.virt-export-service',
  'createdBy',
];
const POD_LABEL_PREFIXES = ['velero.io/', 'k10.kasten.io/'];

function podLabels(all: Map<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of all) {
    if (POD_LABEL_KEYS.includes(key) || POD_LABEL_PREFIXES.some((p) => key.startsWith(p))) kept[key] = value;
  }
  return kept;
}

/** The ownerReference with controller: true, or null. */
function controllerOf(metadata: Obj | null): ControllerRef | null {
  for (const ref of objects(field(metadata, 'ownerReferences'))) {
    if (field(ref, 'controller') !== true) continue;
    const kind = nonEmpty(field(ref, 'kind'));
    const name = nonEmpty(field(ref, 'name'));
    if (kind !== null && name !== null) return { kind, name, uid: str(field(ref, 'uid')) };
  }
  return null;
}

/**
 * Whether the attach/detach controller counts a pod as finished: phase
 * Succeeded or Failed, or being deleted with no container running.
 */
function isTerminated(metadata: Obj | null, status: Obj | null): boolean {
  const phase = str(field(status, 'phase'));
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  if (field(metadata, 'deletionTimestamp') === undefined || field(metadata, 'deletionTimestamp') === null) return false;
  const statuses = [
    ...objects(field(status, 'initContainerStatuses')),
    ...objects(field(status, 'containerStatuses')),
    ...objects(field(status, 'ephemeralContainerStatuses')),
  ];
  return statuses.every((c) => child(child(c, 'state'), 'running') === null);
}

/** Normalizes a Pod, or null when it has no name or namespace. */
export function normalizePod(raw: unknown): PodRecord | null {
  const pod = asObject(raw);
  const id = namespacedName(pod);
  if (pod === null || id === null) return null;
  const metadata = child(pod, 'metadata');
  const spec = child(pod, 'spec');
  const status = child(pod, 'status');
  const claimNames: string[] = [];
  for (const volume of objects(field(spec, 'volumes'))) {
    const claim = nonEmpty(field(child(volume, 'persistentVolumeClaim'), 'claimName'));
    if (claim !== null && !claimNames.includes(claim)) claimNames.push(claim);
  }
  return {
    name: id.name,
    namespace: id.namespace,
    uid: id.uid,
    nodeName: nonEmpty(field(spec, 'nodeName')),
    phase: str(field(status, 'phase')),
    terminated: isTerminated(metadata, status),
    claimNames,
    labels: podLabels(stringMap(field(metadata, 'labels'))),
    controller: controllerOf(metadata),
    ownerVmiUid: nonEmpty(field(child(metadata, 'annotations'), 'kubevirt.io/owner-vmi-uid')),
  };
}

/** Normalizes a kubevirt.io/v1 VirtualMachineInstance, or null when it has no name or namespace. */
export function normalizeVmi(raw: unknown): VmiRecord | null {
  const vmi = asObject(raw);
  const id = namespacedName(vmi);
  if (vmi === null || id === null) return null;
  const claimNames: string[] = [];
  for (const volume of objects(field(child(vmi, 'spec'), 'volumes'))) {
    // A DataVolume's PVC has the DataVolume's name.
    const claim =
      nonEmpty(field(child(volume, 'persistentVolumeClaim'), 'claimName')) ?? nonEmpty(field(child(volume, 'dataVolume'), 'name'));
    if (claim !== null && !claimNames.includes(claim)) claimNames.push(claim);
  }
  const status = child(vmi, 'status');
  return {
    name: id.name,
    namespace: id.namespace,
    uid: id.uid,
    nodeName: nonEmpty(field(status, 'nodeName')),
    phase: str(field(status, 'phase')),
    claimNames,
    createdAt: parseTimestamp(field(child(vmi, 'metadata'), 'creationTimestamp')),
  };
}

/** Normalizes a kubevirt.io/v1 VirtualMachineInstanceMigration, or null when it names no VMI. */
export function normalizeVmim(raw: unknown): VmimRecord | null {
  const vmim = asObject(raw);
  const id = namespacedName(vmim);
  if (vmim === null || id === null) return null;
  const metadata = child(vmim, 'metadata');
  const vmiName = nonEmpty(field(child(vmim, 'spec'), 'vmiName')) ?? nonEmpty(field(child(metadata, 'labels'), 'kubevirt.io/vmi-name'));
  if (vmiName === null) return null;
  const status = child(vmim, 'status');
  // One entry per phase; should one repeat, the first is kept. One pass
  // over the entries, without a copy: an audit reads tens of thousands of VMIMs.
  let scheduled: Obj | undefined;
  let finished: Obj | undefined;
  const transitions = field(status, 'phaseTransitionTimestamps');
  if (Array.isArray(transitions)) {
    for (const item of transitions) {
      const entry = asObject(item);
      const phase = field(entry, 'phase');
      if (entry === null || (scheduled !== undefined && finished !== undefined)) continue;
      if (phase === 'Scheduled') scheduled ??= entry;
      else if (phase === 'Succeeded' || phase === 'Failed') finished ??= entry;
    }
  }
  const timeOf = (entry: Obj | undefined): number | null =>
    entry === undefined ? null : parseTimestamp(field(entry, 'phaseTransitionTimestamp'));
  const state = child(status, 'migrationState');
  const migrationState: VmimMigrationState | null =
    state === null
      ? null
      : {
          // `migrationUid` with a lower-case "id" here; `migrationUID` only inside sourceState/targetState.
          migrationUid: str(field(state, 'migrationUid')),
          sourceNode: nonEmpty(field(state, 'sourceNode')),
          targetNode: nonEmpty(field(state, 'targetNode')),
          startTimestamp: parseTimestamp(field(state, 'startTimestamp')),
          endTimestamp: parseTimestamp(field(state, 'endTimestamp')),
          failureReason: nonEmpty(field(state, 'failureReason')),
        };
  return {
    name: id.name,
    namespace: id.namespace,
    uid: id.uid,
    vmiName,
    phase: str(field(status, 'phase')),
    createdAt: parseTimestamp(field(metadata, 'creationTimestamp')),
    scheduledAt: timeOf(scheduled),
    finishedAt: timeOf(finished),
    migrationState,
  };
}

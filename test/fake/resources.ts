// The resources the fake serves, with what discovery and field selectors need to know about them.

/** A served resource (one group/version/plural). */
export interface ResourceDef {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** The Kind of the stored objects this resource is a view of (events.k8s.io events are core Events). */
  storageKind: string;
  /**
   * Field selector labels this version accepts, mapped to a function reading the value from the
   * stored object. `undefined` = only metadata.name / metadata.namespace (apimachinery's default).
   */
  fields?: Record<string, (obj: any) => string>;
  /** How an unsupported label is reported (core kinds with their own conversion vs the default one). */
  fieldErrorStyle?: 'label-not-supported' | 'default';
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const coreEventFields: Record<string, (e: any) => string> = {
  'involvedObject.kind': (e) => str(e.involvedObject?.kind),
  'involvedObject.namespace': (e) => str(e.involvedObject?.namespace),
  'involvedObject.name': (e) => str(e.involvedObject?.name),
  'involvedObject.uid': (e) => str(e.involvedObject?.uid),
  'involvedObject.apiVersion': (e) => str(e.involvedObject?.apiVersion),
  'involvedObject.resourceVersion': (e) => str(e.involvedObject?.resourceVersion),
  'involvedObject.fieldPath': (e) => str(e.involvedObject?.fieldPath),
  reason: (e) => str(e.reason),
  reportingComponent: (e) => str(e.reportingComponent),
  // `source` is source.component, falling back to reportingComponent.
  source: (e) => str(e.source?.component) || str(e.reportingComponent),
  type: (e) => str(e.type),
};

// events.k8s.io/v1 names the same stored fields differently (regarding.*, reportingController).
const eventsV1Fields: Record<string, (e: any) => string> = {
  'regarding.kind': coreEventFields['involvedObject.kind']!,
  'regarding.namespace': coreEventFields['involvedObject.namespace']!,
  'regarding.name': coreEventFields['involvedObject.name']!,
  'regarding.uid': coreEventFields['involvedObject.uid']!,
  'regarding.apiVersion': coreEventFields['involvedObject.apiVersion']!,
  'regarding.resourceVersion': coreEventFields['involvedObject.resourceVersion']!,
  'regarding.fieldPath': coreEventFields['involvedObject.fieldPath']!,
  reason: coreEventFields.reason!,
  reportingController: coreEventFields.reportingComponent!,
  source: coreEventFields.source!,
  type: coreEventFields.type!,
};

export const resources: readonly ResourceDef[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    storageKind: 'Namespace',
    fields: { 'status.phase': (o) => str(o.status?.phase) },
    fieldErrorStyle: 'label-not-supported',
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    verbs: allVerbs,
    shortNames: ['no'],
    storageKind: 'Node',
    fields: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
    fieldErrorStyle: 'label-not-supported',
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['po'],
    categories: ['all'],
    storageKind: 'Pod',
    fields: {
      'spec.nodeName': (o) => str(o.spec?.nodeName),
      'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
      'spec.schedulerName': (o) => str(o.spec?.schedulerName),
      'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
      'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
      'status.phase': (o) => str(o.status?.phase),
      'status.podIP': (o) => str(o.status?.podIP),
      'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
    },
    fieldErrorStyle: 'label-not-supported',
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['ev'],
    storageKind: 'Event',
    fields: coreEventFields,
    fieldErrorStyle: 'label-not-supported',
  },
  {
    group: '',
    version: 'v1',
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['pvc'],
    storageKind: 'PersistentVolumeClaim',
  },
  {
    group: '',
    version: 'v1',
    plural: 'persistentvolumes',
    singular: 'persistentvolume',
    kind: 'PersistentVolume',
    namespaced: false,
    verbs: allVerbs,
    shortNames: ['pv'],
    storageKind: 'PersistentVolume',
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    plural: 'volumeattachments',
    singular: 'volumeattachment',
    kind: 'VolumeAttachment',
    namespaced: false,
    verbs: allVerbs,
    storageKind: 'VolumeAttachment',
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    plural: 'storageclasses',
    singular: 'storageclass',
    kind: 'StorageClass',
    namespaced: false,
    verbs: allVerbs,
    shortNames: ['sc'],
    storageKind: 'StorageClass',
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['ev'],
    storageKind: 'Event',
    fields: eventsV1Fields,
    fieldErrorStyle: 'label-not-supported',
  },
  // KubeVirt's CRDs: no selectable fields beyond metadata.name/namespace.
  {
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstances',
    singular: 'virtualmachineinstance',
    kind: 'VirtualMachineInstance',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['vmi', 'vmis'],
    categories: ['all'],
    storageKind: 'VirtualMachineInstance',
  },
  {
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstancemigrations',
    singular: 'virtualmachineinstancemigration',
    kind: 'VirtualMachineInstanceMigration',
    namespaced: true,
    verbs: allVerbs,
    shortNames: ['vmim', 'vmims'],
    categories: ['all'],
    storageKind: 'VirtualMachineInstanceMigration',
  },
];

/** API groups a fake server serves only when asked to (a cluster with KubeVirt installed). */
export const OPTIONAL_GROUPS: readonly string[] = ['kubevirt.io'];

/** The API groups other than core, in discovery order. */
export const apiGroups: readonly { name: string; version: string }[] = [
  { name: 'storage.k8s.io', version: 'v1' },
  { name: 'events.k8s.io', version: 'v1' },
  { name: 'kubevirt.io', version: 'v1' },
];

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The canonical (storage) resource of a Kind, e.g. 'Event' -> core/v1 events. */
export function resourceForKind(kind: string): ResourceDef | undefined {
  return resources.find((r) => r.storageKind === kind && r.kind === kind);
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

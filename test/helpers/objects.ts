// Small builders of raw Kubernetes objects for seeding the fake API server.
import { createHash, randomUUID } from 'node:crypto';

export const DRIVER = 'rds.csi.srvlab.io';
export const ATTACHER_FINALIZER = 'external-attacher/rds-csi-srvlab-io';

type Time = Date | string;

function iso(t: Time): string {
  return (typeof t === 'string' ? new Date(t) : t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** client-go's event name: `<object name>.<lowercase hex of UnixNano>`. */
export function eventName(objectName: string, at: Time): string {
  const ms = BigInt((typeof at === 'string' ? new Date(at) : at).getTime());
  return `${objectName}.${(ms * 1_000_000n).toString(16)}`;
}

/** The attach/detach controller's VolumeAttachment name: `csi-` + sha256(volumeHandle + driver + node). */
export function volumeAttachmentName(volumeHandle: string, driver: string, node: string): string {
  return `csi-${createHash('sha256').update(`${volumeHandle}${driver}${node}`).digest('hex')}`;
}

export function namespace(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

/** A Ready Node whose kubelet uses the given unique volume names (`kubernetes.io/csi/<driver>^<handle>`). */
export function node(name: string, volumesInUse: string[] = []): object {
  const status: Record<string, unknown> = { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.0' } };
  if (volumesInUse.length > 0) status.volumesInUse = [...volumesInUse].sort();
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status };
}

/**
 * The objects plus a Node for every node a VolumeAttachment names that has none yet, its kubelet
 * using whatever is attached there: a healthy cluster, for tests not about the kubelet's view.
 */
export function withNodes(objects: object[]): object[] {
  const named = new Set(objects.filter((o: any) => o.kind === 'Node').map((o: any) => o.metadata.name));
  const inUse = new Map<string, string[]>();
  for (const o of objects as any[]) {
    if (o.kind !== 'VolumeAttachment' || named.has(o.spec.nodeName)) continue;
    const list = inUse.get(o.spec.nodeName) ?? [];
    if (o.status?.attached === true) list.push(`kubernetes.io/csi/${o.spec.attacher}^${o.spec.source.persistentVolumeName}`);
    inUse.set(o.spec.nodeName, list);
  }
  return [...objects, ...[...inUse].map(([name, volumes]) => node(name, volumes))];
}

export interface PvcOptions {
  namespace: string;
  name: string;
  uid?: string;
  volumeName?: string; // bound when given
  storageClassName?: string;
  storage?: string;
  accessModes?: string[];
  volumeMode?: 'Block' | 'Filesystem';
  resourceVersion?: string;
  createdAt?: Time;
}

export function pvc(o: PvcOptions): any {
  const accessModes = o.accessModes ?? ['ReadWriteMany'];
  const storage = o.storage ?? '10Gi';
  const metadata: Record<string, unknown> = { name: o.name, namespace: o.namespace, uid: o.uid ?? randomUUID() };
  if (o.resourceVersion !== undefined) metadata.resourceVersion = o.resourceVersion;
  if (o.createdAt !== undefined) metadata.creationTimestamp = iso(o.createdAt);
  const obj: any = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata,
    spec: {
      accessModes,
      resources: { requests: { storage } },
      storageClassName: o.storageClassName ?? 'rds-nvme',
      volumeMode: o.volumeMode ?? 'Block',
    },
    status: { phase: 'Pending' },
  };
  if (o.volumeName !== undefined) {
    obj.spec.volumeName = o.volumeName;
    obj.status = { phase: 'Bound', accessModes, capacity: { storage } };
  }
  return obj;
}

export interface PvOptions {
  name: string;
  claimRef?: { namespace: string; name: string; uid?: string };
  /** spec.csi.volumeAttributes.migrationTimeoutSeconds; a number or any raw string. */
  timeout?: number | string;
  driver?: string;
  volumeHandle?: string;
  storageClassName?: string;
  storage?: string;
  createdAt?: Time;
}

export function pv(o: PvOptions): any {
  const volumeAttributes: Record<string, string> = {};
  if (o.timeout !== undefined) volumeAttributes.migrationTimeoutSeconds = String(o.timeout);
  const metadata: Record<string, unknown> = { name: o.name, finalizers: ['kubernetes.io/pv-protection', ATTACHER_FINALIZER] };
  if (o.createdAt !== undefined) metadata.creationTimestamp = iso(o.createdAt);
  const obj: any = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata,
    spec: {
      accessModes: ['ReadWriteMany'],
      capacity: { storage: o.storage ?? '10Gi' },
      csi: { driver: o.driver ?? DRIVER, volumeHandle: o.volumeHandle ?? o.name, volumeAttributes },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: o.storageClassName ?? 'rds-nvme',
      volumeMode: 'Block',
    },
    status: { phase: o.claimRef ? 'Bound' : 'Available' },
  };
  if (o.claimRef) {
    obj.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', ...o.claimRef };
  }
  return obj;
}

export interface VolumeAttachmentOptions {
  name?: string;
  /** PV name, or a PV object (its volumeHandle and driver are used for the name). */
  pv: string | any;
  node: string;
  attached: boolean;
  createdAt: Time;
  attachError?: string | { message: string; time?: Time };
  driver?: string;
  deletionTimestamp?: Time;
}

export function volumeAttachment(o: VolumeAttachmentOptions): any {
  const pvName: string = typeof o.pv === 'string' ? o.pv : o.pv.metadata.name;
  const volumeHandle: string = typeof o.pv === 'string' ? o.pv : (o.pv.spec?.csi?.volumeHandle ?? pvName);
  const driver = o.driver ?? (typeof o.pv === 'string' ? undefined : o.pv.spec?.csi?.driver) ?? DRIVER;
  const metadata: Record<string, unknown> = {
    name: o.name ?? volumeAttachmentName(volumeHandle, driver, o.node),
    creationTimestamp: iso(o.createdAt),
    finalizers: [ATTACHER_FINALIZER],
    annotations: { 'csi.alpha.kubernetes.io/node-id': o.node },
  };
  if (o.deletionTimestamp !== undefined) metadata.deletionTimestamp = iso(o.deletionTimestamp);
  const status: Record<string, unknown> = { attached: o.attached };
  if (o.attachError !== undefined) {
    const e = typeof o.attachError === 'string' ? { message: o.attachError } : o.attachError;
    status.attachError = { message: e.message, time: iso(e.time ?? o.createdAt) };
  }
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'VolumeAttachment',
    metadata,
    spec: { attacher: driver, nodeName: o.node, source: { persistentVolumeName: pvName } },
    status,
  };
}

export interface EventOptions {
  namespace?: string; // default: the PVC's namespace
  name?: string; // default: client-go's `<pvc>.<hex nanos of firstTimestamp>`
  /** A PVC object from `pvc()`, or its identity. */
  pvc: any;
  reason: string;
  type: 'Normal' | 'Warning' | string;
  message: string;
  count?: number;
  firstTimestamp?: Time;
  lastTimestamp?: Time;
  component?: string; // default rds-csi-node, like the driver
}

/** A core/v1 Event on a PVC, shaped as client-go's EventRecorder (v0.28+) sends it. */
export function event(o: EventOptions): any {
  const p = o.pvc.metadata ? { ...o.pvc.metadata } : o.pvc;
  const first = o.firstTimestamp ?? o.lastTimestamp ?? new Date();
  const last = o.lastTimestamp ?? first;
  const component = o.component ?? 'rds-csi-node';
  const involvedObject: Record<string, unknown> = {
    kind: 'PersistentVolumeClaim',
    namespace: p.namespace,
    name: p.name,
    uid: p.uid,
    apiVersion: 'v1',
  };
  if (p.resourceVersion !== undefined) involvedObject.resourceVersion = p.resourceVersion;
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: o.name ?? eventName(p.name, first), namespace: o.namespace ?? p.namespace },
    involvedObject,
    reason: o.reason,
    message: o.message,
    source: { component },
    firstTimestamp: iso(first),
    lastTimestamp: iso(last),
    count: o.count ?? 1,
    type: o.type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: '',
  };
}

export interface PodOptions {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
  /** PVC names mounted by the pod (as a virt-launcher pod mounts a VM's disks). */
  pvcs?: string[];
  labels?: Record<string, string>;
  createdAt?: Time;
}

export function pod(o: PodOptions): any {
  const metadata: Record<string, unknown> = { name: o.name, namespace: o.namespace };
  if (o.labels) metadata.labels = o.labels;
  if (o.createdAt !== undefined) metadata.creationTimestamp = iso(o.createdAt);
  const spec: Record<string, unknown> = {
    containers: [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.5.0' }],
    volumes: (o.pvcs ?? []).map((claimName) => ({ name: claimName, persistentVolumeClaim: { claimName } })),
  };
  if (o.node !== undefined) spec.nodeName = o.node;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec,
    status: {
      phase: o.phase ?? 'Running',
      containerStatuses: [{ name: 'compute', ready: (o.phase ?? 'Running') === 'Running', restartCount: 0 }],
    },
  };
}

export interface VmiOptions {
  namespace: string;
  name: string;
  uid?: string;
  /** Where it runs (status.nodeName); omitted while not scheduled. */
  node?: string;
  /** PVCs of its disks (spec.volumes[].persistentVolumeClaim), and DataVolumes (spec.volumes[].dataVolume). */
  pvcs?: string[];
  dataVolumes?: string[];
  phase?: string;
  createdAt?: Time;
}

/** A kubevirt.io/v1 VirtualMachineInstance as KubeVirt serves it. */
export function vmi(o: VmiOptions): any {
  const metadata: Record<string, unknown> = { name: o.name, namespace: o.namespace, uid: o.uid ?? randomUUID() };
  if (o.createdAt !== undefined) metadata.creationTimestamp = iso(o.createdAt);
  const status: Record<string, unknown> = { phase: o.phase ?? 'Running' };
  if (o.node !== undefined) status.nodeName = o.node;
  if (o.node !== undefined) metadata.labels = { 'kubevirt.io/nodeName': o.node };
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata,
    spec: {
      domain: { devices: { disks: [...(o.pvcs ?? []), ...(o.dataVolumes ?? [])].map((name) => ({ name, disk: { bus: 'virtio' } })) } },
      volumes: [
        ...(o.pvcs ?? []).map((claimName) => ({ name: claimName, persistentVolumeClaim: { claimName } })),
        ...(o.dataVolumes ?? []).map((name) => ({ name, dataVolume: { name } })),
      ],
    },
    status,
  };
}

export interface VmimOptions {
  namespace: string;
  name: string;
  uid?: string;
  vmi: string;
  phase: string;
  createdAt: Time;
  /** Phase -> time, written as status.phaseTransitionTimestamps. */
  transitions?: Record<string, Time>;
  /** status.migrationState; its migrationUid is the VMIM's own unless given. */
  state?: { sourceNode?: string; targetNode?: string; failureReason?: string; endTimestamp?: Time; migrationUid?: string };
}

/** A kubevirt.io/v1 VirtualMachineInstanceMigration as KubeVirt serves it. */
export function vmim(o: VmimOptions): any {
  const uid = o.uid ?? randomUUID();
  const status: Record<string, unknown> = { phase: o.phase };
  if (o.transitions) {
    status.phaseTransitionTimestamps = Object.entries(o.transitions).map(([phase, t]) => ({ phase, phaseTransitionTimestamp: iso(t) }));
  }
  if (o.state) {
    const s = o.state;
    status.migrationState = {
      migrationUid: s.migrationUid ?? uid,
      ...(s.sourceNode !== undefined ? { sourceNode: s.sourceNode } : {}),
      ...(s.targetNode !== undefined ? { targetNode: s.targetNode } : {}),
      ...(s.failureReason !== undefined ? { failureReason: s.failureReason, failed: true } : {}),
      ...(s.endTimestamp !== undefined ? { endTimestamp: iso(s.endTimestamp), completed: true } : {}),
    };
  }
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      uid,
      creationTimestamp: iso(o.createdAt),
      labels: { 'kubevirt.io/vmi-name': o.vmi },
    },
    spec: { vmiName: o.vmi },
    status,
  };
}

/** A virt-launcher pod of a VMI (object from vmi()), a migration target when `migration` (a vmim() object) is given. */
export function launcherPod(o: { vmi: any; name: string; node: string; migration?: any; phase?: string; createdAt?: Time }): any {
  const labels: Record<string, string> = {
    'kubevirt.io': 'virt-launcher',
    'kubevirt.io/created-by': o.vmi.metadata.uid,
    'vm.kubevirt.io/name': o.vmi.metadata.name,
  };
  if (o.migration) labels['kubevirt.io/migrationJobUID'] = o.migration.metadata.uid;
  const claims = (o.vmi.spec.volumes as any[]).map((v) => v.persistentVolumeClaim?.claimName ?? v.dataVolume?.name).filter(Boolean);
  const obj = pod({
    namespace: o.vmi.metadata.namespace,
    name: o.name,
    node: o.node,
    phase: o.phase ?? 'Running',
    pvcs: claims,
    labels,
    ...(o.createdAt !== undefined ? { createdAt: o.createdAt } : {}),
  });
  obj.metadata.ownerReferences = [
    {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      name: o.vmi.metadata.name,
      uid: o.vmi.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  if (o.migration) obj.metadata.annotations = { 'kubevirt.io/migrationJobName': o.migration.metadata.name };
  return obj;
}

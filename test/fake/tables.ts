// Server-side printing: meta.k8s.io/v1 Tables as kubectl's human `get` asks for them
// (columns follow kubernetes pkg/printers/internalversion/printers.go).

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  description?: string;
  cell: (obj: any, now: Date) => string | number | boolean;
}

/** apimachinery `duration.HumanDuration`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

function since(ts: unknown, now: Date): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

const nameColumn: Column = {
  name: 'Name',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata?.name ?? '',
};
const ageColumn: Column = {
  name: 'Age',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => since(o.metadata?.creationTimestamp, now),
};

const accessModeShort: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};
function accessModes(modes: unknown): string {
  if (!Array.isArray(modes)) return '';
  return modes.map((m) => accessModeShort[m] ?? m).join(',');
}
function storageClassOf(o: any): string {
  return o.spec?.storageClassName ?? o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

const eventColumns: Column[] = [
  {
    name: 'Last Seen',
    cell: (e, now) => {
      if (e.series) return since(e.series.lastObservedTime, now);
      return since(e.lastTimestamp || e.eventTime, now);
    },
  },
  { name: 'Type', cell: (e) => e.type ?? '' },
  { name: 'Reason', cell: (e) => e.reason ?? '' },
  {
    name: 'Object',
    cell: (e) => {
      const kind = String(e.involvedObject?.kind ?? '').toLowerCase();
      return e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    },
  },
  { name: 'Subobject', priority: 1, cell: (e) => e.involvedObject?.fieldPath ?? '' },
  {
    name: 'Source',
    priority: 1,
    cell: (e) => {
      const component = e.source?.component || e.reportingComponent || '';
      const instance = e.source?.host || e.reportingInstance || '';
      return instance ? `${component}, ${instance}` : component;
    },
  },
  { name: 'Message', cell: (e) => String(e.message ?? '').trim() },
  { name: 'First Seen', priority: 1, cell: (e, now) => since(e.firstTimestamp || e.eventTime, now) },
  { name: 'Count', priority: 1, cell: (e) => (e.series ? e.series.count : e.count || 1) },
  { ...nameColumn, priority: 1 },
];

const columnsByKind: Record<string, Column[]> = {
  Event: eventColumns,
  Namespace: [nameColumn, { name: 'Status', cell: (o) => o.status?.phase ?? '' }, ageColumn],
  Pod: [
    nameColumn,
    {
      name: 'Ready',
      cell: (o) => {
        const statuses: any[] = o.status?.containerStatuses ?? [];
        const total = (o.spec?.containers ?? []).length;
        return `${statuses.filter((s) => s.ready).length}/${total}`;
      },
    },
    { name: 'Status', cell: (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '')) },
    {
      name: 'Restarts',
      type: 'string',
      cell: (o) => String((o.status?.containerStatuses ?? []).reduce((n: number, s: any) => n + (s.restartCount ?? 0), 0)),
    },
    ageColumn,
    { name: 'IP', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
    { name: 'Nominated Node', priority: 1, cell: (o) => o.status?.nominatedNodeName ?? '<none>' },
    { name: 'Readiness Gates', priority: 1, cell: () => '<none>' },
  ],
  Node: [
    nameColumn,
    {
      name: 'Status',
      cell: (o) => {
        const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
        return ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
      },
    },
    { name: 'Roles', cell: () => '<none>' },
    ageColumn,
    { name: 'Version', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
  ],
  PersistentVolumeClaim: [
    nameColumn,
    { name: 'Status', cell: (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '')) },
    { name: 'Volume', cell: (o) => o.spec?.volumeName ?? '' },
    { name: 'Capacity', cell: (o) => (o.spec?.volumeName ? (o.status?.capacity?.storage ?? '') : '') },
    { name: 'Access Modes', cell: (o) => (o.spec?.volumeName ? accessModes(o.status?.accessModes ?? o.spec?.accessModes) : '') },
    { name: 'StorageClass', cell: storageClassOf },
    { name: 'VolumeAttributesClass', cell: (o) => o.spec?.volumeAttributesClassName ?? '<unset>' },
    ageColumn,
    { name: 'VolumeMode', priority: 1, cell: (o) => o.spec?.volumeMode ?? '<unset>' },
  ],
  PersistentVolume: [
    nameColumn,
    { name: 'Capacity', cell: (o) => o.spec?.capacity?.storage ?? '' },
    { name: 'Access Modes', cell: (o) => accessModes(o.spec?.accessModes) },
    { name: 'Reclaim Policy', cell: (o) => o.spec?.persistentVolumeReclaimPolicy ?? '' },
    { name: 'Status', cell: (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '')) },
    { name: 'Claim', cell: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '') },
    { name: 'StorageClass', cell: storageClassOf },
    { name: 'VolumeAttributesClass', cell: (o) => o.spec?.volumeAttributesClassName ?? '<unset>' },
    { name: 'Reason', cell: (o) => o.status?.reason ?? '' },
    ageColumn,
    { name: 'VolumeMode', priority: 1, cell: (o) => o.spec?.volumeMode ?? '<unset>' },
  ],
  VolumeAttachment: [
    nameColumn,
    { name: 'Attacher', cell: (o) => o.spec?.attacher ?? '' },
    { name: 'PV', cell: (o) => o.spec?.source?.persistentVolumeName ?? '' },
    { name: 'Node', cell: (o) => o.spec?.nodeName ?? '' },
    { name: 'Attached', type: 'boolean', cell: (o) => o.status?.attached === true },
    ageColumn,
  ],
  StorageClass: [
    nameColumn,
    { name: 'Provisioner', cell: (o) => o.provisioner ?? '' },
    { name: 'ReclaimPolicy', cell: (o) => o.reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', cell: (o) => o.volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'boolean', cell: (o) => o.allowVolumeExpansion === true },
    ageColumn,
  ],
};

const defaultColumns: Column[] = [nameColumn, { name: 'Created At', type: 'date', cell: (o) => o.metadata?.creationTimestamp ?? '' }];

/** Whether an Accept header asks for a server-side Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/**
 * Converts objects into a Table: cells are computed from the stored (core) form, the row object is
 * the served form (events.k8s.io/v1 events differ from what is stored).
 */
export function toTable(
  kind: string,
  items: { stored: any; served: any }[],
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  includeObject: string | undefined,
  now: Date,
): any {
  const columns = columnsByKind[kind] ?? defaultColumns;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows: items.map(({ stored, served: obj }) => {
      const row: any = { cells: columns.map((c) => c.cell(stored, now)) };
      if (includeObject === 'Object') row.object = obj;
      else if (includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      }
      return row;
    }),
  };
}

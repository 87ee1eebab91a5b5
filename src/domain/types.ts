// Plain data shared by the domain, the gateway and the renderers. Times inside
// the domain are epoch milliseconds; the report models (Migration, DualAttach,
// AuditReport, PvcHistory) carry RFC 3339 strings because they are the output
// contract (docs/output.md).

export const DEFAULT_DRIVER = 'rds.csi.srvlab.io';
export const DEFAULT_MIGRATION_TIMEOUT_SECONDS = 300;
export const MIN_MIGRATION_TIMEOUT_SECONDS = 30;
export const MAX_MIGRATION_TIMEOUT_SECONDS = 3600;

export const MIGRATION_REASONS = ['MigrationStarted', 'MigrationCompleted', 'MigrationFailed'] as const;
export type MigrationReason = (typeof MIGRATION_REASONS)[number];

/** An Event (core/v1 or events.k8s.io/v1) reduced to what rds-migrate reads. */
export interface EventRecord {
  name: string;
  namespace: string;
  involvedObject: {
    kind: string;
    apiVersion: string;
    namespace: string;
    name: string;
    uid: string;
  };
  reason: string;
  type: string;
  message: string;
  /** source.component, else reportingComponent / reportingController, else "". */
  component: string;
  /** `count` when ≥ 1, else `series.count`, else 1. */
  count: number;
  /** First occurrence, epoch ms, or null when the event carries no time at all. */
  firstSeen: number | null;
  /** Last occurrence ("last seen"), epoch ms, or null. */
  lastSeen: number | null;
}

/** A PersistentVolume reduced to what the audit needs. */
export interface PersistentVolumeRecord {
  name: string;
  /** spec.csi.driver, or null for a non-CSI volume. */
  driver: string | null;
  volumeHandle: string | null;
  claimRef: { namespace: string; name: string; uid: string | null } | null;
  /** spec.csi.volumeAttributes.migrationTimeoutSeconds exactly as found (may be junk). */
  migrationTimeoutAttribute: string | null;
}

/** A storage.k8s.io/v1 VolumeAttachment reduced to what the audit needs. */
export interface VolumeAttachmentRecord {
  name: string;
  attacher: string;
  nodeName: string;
  persistentVolumeName: string | null;
  attached: boolean;
  attachError: { time: number | null; message: string } | null;
  createdAt: number | null;
  deletingSince: number | null;
  /** metadata.finalizers: the external-attacher's stays until it has confirmed the detach. */
  finalizers: string[];
  /** status.detachError.message, when a detach failed. */
  detachError: string | null;
}

/** A Node reduced to what the kubelet's view needs. */
export interface NodeRecord {
  name: string;
  /** status.volumesInUse: `kubernetes.io/csi/<driver>^<volumeHandle>` for CSI volumes. */
  volumesInUse: string[];
}

/** A labelled reference to the controller of an object (its ownerReference with controller: true). */
export interface ControllerRef {
  kind: string;
  name: string;
  uid: string;
}

/** A Pod reduced to what the users of a volume need. */
export interface PodRecord {
  namespace: string;
  name: string;
  uid: string;
  /** spec.nodeName, or null while unscheduled. */
  nodeName: string | null;
  phase: string;
  /** Finished as the attach/detach controller sees it: Succeeded/Failed, or deleted with no container running. */
  terminated: boolean;
  /** spec.volumes[].persistentVolumeClaim.claimName. */
  claimNames: string[];
  /** The labels rds-migrate reads (KubeVirt, CDI, export and backup markers). */
  labels: Record<string, string>;
  controller: ControllerRef | null;
  /** The owning VMI's uid from the hotplug pod annotation `kubevirt.io/owner-vmi-uid`, when present. */
  ownerVmiUid: string | null;
}

/** A kubevirt.io/v1 VirtualMachineInstance reduced to what correlation needs. */
export interface VmiRecord {
  namespace: string;
  name: string;
  uid: string;
  /** status.nodeName: where the VM runs. */
  nodeName: string | null;
  phase: string;
  /** PVC names from spec.volumes[] (persistentVolumeClaim.claimName, dataVolume.name). */
  claimNames: string[];
  createdAt: number | null;
}

/** The migration phases KubeVirt reports (`''` when unset). */
export const VMIM_FINAL_PHASES = ['Succeeded', 'Failed'] as const;

/** status.migrationState of a VMIM, as written by KubeVirt. */
export interface VmimMigrationState {
  /** `migrationUid` (lower-case Uid): trusted only when it equals the VMIM's uid. */
  migrationUid: string;
  sourceNode: string | null;
  targetNode: string | null;
  startTimestamp: number | null;
  endTimestamp: number | null;
  failureReason: string | null;
}

/** A kubevirt.io/v1 VirtualMachineInstanceMigration reduced to what correlation needs. */
export interface VmimRecord {
  namespace: string;
  name: string;
  uid: string;
  /** spec.vmiName, else the label kubevirt.io/vmi-name. */
  vmiName: string;
  phase: string;
  createdAt: number | null;
  /** When it reached Scheduled (the target pod runs), from status.phaseTransitionTimestamps. */
  scheduledAt: number | null;
  /** When it turned Succeeded or Failed, from status.phaseTransitionTimestamps. */
  finishedAt: number | null;
  migrationState: VmimMigrationState | null;
}

/** A PersistentVolumeClaim reduced to what the commands need. */
export interface PvcRecord {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** spec.volumeName, or null when unbound. */
  volumeName: string | null;
}

/** The kinds an audit reads; src/domain/kinds.ts says how each is read. */
export type KindName =
  | 'Event'
  | 'PersistentVolume'
  | 'VolumeAttachment'
  | 'Node'
  | 'Pod'
  | 'VirtualMachineInstance'
  | 'VirtualMachineInstanceMigration';

/** Everything an audit reads. The online and the offline (--from-file) paths both build one. */
export interface ClusterSnapshot {
  /** Migration events (or, for `events --all`, every event on the PVC). */
  events: EventRecord[];
  persistentVolumes: PersistentVolumeRecord[];
  volumeAttachments: VolumeAttachmentRecord[];
  nodes: NodeRecord[];
  /** Pods of the namespaces where users were needed (online), or all the dump holds. */
  pods: PodRecord[];
  vmis: VmiRecord[];
  vmims: VmimRecord[];
  /** Kinds that could not be read (a forbidden list, or absent from a dump): their findings cannot be made. */
  unread: KindName[];
  /** Namespaces whose pods could not be read (a forbidden list in one namespace). */
  podsUnreadIn: string[];
  /** Whether the cluster serves kubevirt.io/v1 (or the dump holds its objects). */
  kubevirt: boolean;
  /** Sentences about what could not be read (e.g. a forbidden list) or was skipped. */
  warnings: string[];
}

/** What a Migration* message says (`parsed` in docs/output.md); fields a reason lacks are null. */
export interface ParsedMessage {
  volumeId: string;
  sourceNode: string;
  targetNode: string;
  timeoutSeconds: number | null;
  durationSeconds: number | null;
  failureReason: string | null;
}

/** The values a Migration* message is formatted from. Durations in seconds, unrounded. */
export type MigrationMessageInput =
  | { reason: 'MigrationStarted'; volumeId: string; sourceNode: string; targetNode: string; timeoutSeconds: number }
  | { reason: 'MigrationCompleted'; volumeId: string; sourceNode: string; targetNode: string; durationSeconds: number }
  | {
      reason: 'MigrationFailed';
      volumeId: string;
      sourceNode: string;
      targetNode: string;
      failureReason: string;
      elapsedSeconds: number;
    };

export type MigrationState = 'completed' | 'failed' | 'in-progress' | 'unresolved';

/** What KubeVirt says about a migration (`migrations[].kubevirt` in docs/output.md). */
export interface MigrationKubevirt {
  vmi: string;
  migration: string;
  migrationUid: string;
  phase: string;
  failureReason: string | null;
}

/** Who recorded a migration: the driver's events, KubeVirt's VMIM, or both. */
export type RecordedBy = 'events' | 'kubevirt';

/** One migration as paired from events (`migrations[]` in docs/output.md). */
export interface Migration {
  id: string;
  namespace: string;
  pvc: string;
  volumeId: string | null;
  /** Always known for a migration from events; null where KubeVirt alone recorded it without trusted nodes. */
  sourceNode: string | null;
  targetNode: string | null;
  state: MigrationState;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  timeoutSeconds: number;
  startInferred: boolean;
  failureReason: string | null;
  /** Names of the events that make up this migration, oldest first. */
  events: string[];
  recordedBy: RecordedBy[];
  kubevirt: MigrationKubevirt | null;
}

/** A VolumeAttachment with attachError beside an attached one: a rejected migration target. */
export interface RejectedTarget {
  node: string;
  volumeAttachment: string;
  message: string;
  time: string | null;
}

/** A rejected target with the volume (and PVC, when known) it belongs to. */
export interface VolumeRejectedTarget extends RejectedTarget {
  volumeId: string;
  namespace: string | null;
  pvc: string | null;
}

/** The kind of pod that uses a volume. */
export type UserKind = 'virt-launcher' | 'hotplug' | 'cdi' | 'export' | 'backup' | 'other';

/** A pod using a volume on a node (`users[]` in docs/output.md). */
export interface VolumeUser {
  node: string;
  namespace: string;
  pod: string;
  kind: UserKind;
  /** The VMI the pod belongs to (name), or null. */
  vmi: string | null;
}

/** A volume attached to two (dual) or more (multi) nodes (`dualAttaches[]` in docs/output.md). */
export interface DualAttach {
  volumeId: string;
  namespace: string | null;
  pvc: string | null;
  nodes: string[];
  since: string | null;
  ageSeconds: number | null;
  timeoutSeconds: number;
  stuck: boolean;
  volumeAttachments: string[];
  rejectedTargets: RejectedTarget[];
  /** The VMI using the volume (name; extra key), or null when unknown. */
  vmi: string | null;
  /** Where the VM using the volume runs (its VMI's status.nodeName), or null when unknown. */
  vmiNode: string | null;
  /** The pods using the volume, on any node; [] when unknown (pods not read). */
  users: VolumeUser[];
}

export type Severity = 'error' | 'warning' | 'info';
export type FindingCode =
  | 'MigrationFailed'
  | 'StuckDualAttach'
  | 'MultiAttach'
  | 'UnresolvedMigration'
  | 'SlowMigration'
  | 'UnparsedEvent'
  | 'DualAttachInProgress'
  | 'UnsafeSharedAttach'
  | 'AttachedToMissingNode'
  | 'OutcomeMismatch'
  | 'StaleAttachment'
  | 'DetachStuck'
  | 'MissingMigrationEvents'
  | 'MigrationRetried';

/** An object a finding is about (`findings[].objects[]` in docs/output.md); namespace null for cluster-scoped ones. */
export interface ObjectRef {
  kind: string;
  namespace: string | null;
  name: string;
}

/** One finding (docs/findings.md). */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  namespace: string | null;
  pvc: string | null;
  volumeId: string | null;
  /** What was found, one sentence (cluster values sanitized as they were put in). */
  message: string;
  /** What to do next, one sentence, with a command where one fits. */
  next: string;
  /** The objects the finding is about: PVC, VolumeAttachments, pods, VMIMs. */
  objects: ObjectRef[];
}

export interface DurationStats {
  count: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface AuditSummary {
  migrations: number;
  completed: number;
  failed: number;
  inProgress: number;
  unresolved: number;
  untimedOccurrences: number;
  dualAttaches: number;
  stuckDualAttaches: number;
  multiAttaches: number;
  findings: { error: number; warning: number; info: number };
  /** Findings left out by --exclude. */
  excluded: number;
  durationSeconds: DurationStats;
}

/** The `audit -o json|yaml` document. */
export interface AuditReport {
  apiVersion: 'rds-migrate/v1';
  kind: 'MigrationAudit';
  now: string;
  scope: { namespace: string | null; driver: string };
  summary: AuditSummary;
  migrations: Migration[];
  dualAttaches: DualAttach[];
  /** Volumes attached to three or more nodes (extra key; counted in summary.multiAttaches). */
  multiAttaches: DualAttach[];
  /** Every rejected migration target beside an attached volume, dual-attached or not (extra key). */
  rejectedTargets: VolumeRejectedTarget[];
  findings: Finding[];
  warnings: string[];
  /** Oldest migration event seen and why older history may be missing (event TTL). */
  horizon: { oldestEvent: string | null; note: string | null };
}

/** An acknowledged finding (`--exclude <code>[=<namespace>/<pvc>]`): pvc null matches every PVC. */
export interface Exclusion {
  code: FindingCode;
  namespace: string | null;
  pvc: string | null;
}

export interface AuditParameters {
  /** Epoch ms. */
  now: number;
  /** null = all namespaces. */
  namespace: string | null;
  driver: string;
  sinceSeconds: number | null;
  stuckAfterSeconds: number | null;
  /** The API server's --event-ttl, seconds. */
  eventTtlSeconds: number;
  /** How old a VolumeAttachment (or its deletion) must be before the kubelet findings apply, seconds. */
  staleAfterSeconds: number;
  exclude: readonly Exclusion[];
}

/** A VMIM as `events` shows it: name, phase, nodes, start, end, failure reason. */
export interface VmimSummary {
  name: string;
  uid: string;
  phase: string;
  sourceNode: string | null;
  targetNode: string | null;
  startedAt: string | null;
  endedAt: string | null;
  failureReason: string | null;
}

/** One event as `events -o json` shows it. */
export interface HistoryEvent {
  name: string;
  type: string;
  reason: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  component: string;
  message: string;
  parsed: ParsedMessage | null;
}

/** The `events -o json|yaml` document. */
export interface PvcHistory {
  apiVersion: 'rds-migrate/v1';
  kind: 'PvcMigrationHistory';
  now: string;
  /** `driver` (extra key): the CSI driver of the bound PV, null when unbound, unknown or not CSI. */
  pvc: { namespace: string; name: string; uid: string; volumeId: string | null; driver: string | null };
  events: HistoryEvent[];
  migrations: Migration[];
  /**
   * The volume's VolumeAttachments of its own driver. `rejectedTargets` (extra key): attach attempts
   * rejected beside the attached node(s); `dualAttach` is judged for --driver's volumes only.
   */
  attachment: { nodes: string[]; dualAttach: DualAttach | null; rejectedTargets: RejectedTarget[] };
  /** The VM using the PVC, where it runs and its migrations as KubeVirt keeps them; null without KubeVirt data. */
  kubevirt: { vmi: string; node: string | null; migrations: VmimSummary[] } | null;
  /** The pods using the PVC, on any node ([] when pods could not be read). */
  users: VolumeUser[];
  warnings: string[];
}

// Plain data shared by the domain, the gateway and the renderers. Times inside
// the domain are epoch milliseconds; the report models (Migration, DualAttach,
// AuditReport, PvcHistory) carry RFC 3339 strings because they are the output
// contract of SPEC §4.

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
  /** `count` when ≥ 1, else `series.count`, else 1 (SPEC §2.1). */
  count: number;
  /** First occurrence, epoch ms (SPEC §2.1), or null when the event carries no time at all. */
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

/** Everything an audit reads. The online and the offline (--from-file) paths both build one. */
export interface ClusterSnapshot {
  /** Migration events (or, for `events --all`, every event on the PVC). */
  events: EventRecord[];
  persistentVolumes: PersistentVolumeRecord[];
  volumeAttachments: VolumeAttachmentRecord[];
  /** False when VolumeAttachments could not be read: no attachment findings can be made. */
  volumeAttachmentsRead: boolean;
  /** False when PersistentVolumes could not be read: volume timeouts fall back to 300 s. */
  persistentVolumesRead: boolean;
  /** Sentences about what could not be read (e.g. a forbidden list) or was skipped. */
  warnings: string[];
}

/** What a Migration* message says (SPEC §4 `parsed`); fields a reason lacks are null. */
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

/** One migration as paired from events (SPEC §2.4, §4 `migrations[]`). */
export interface Migration {
  id: string;
  namespace: string;
  pvc: string;
  volumeId: string | null;
  sourceNode: string;
  targetNode: string;
  state: MigrationState;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  timeoutSeconds: number;
  startInferred: boolean;
  failureReason: string | null;
  /** Names of the events that make up this migration, oldest first. */
  events: string[];
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

/** A volume attached to two (dual) or more (multi) nodes (SPEC §2.3, §4 `dualAttaches[]`). */
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
}

export type Severity = 'error' | 'warning' | 'info';
export type FindingCode =
  | 'MigrationFailed'
  | 'StuckDualAttach'
  | 'MultiAttach'
  | 'UnresolvedMigration'
  | 'SlowMigration'
  | 'UnparsedEvent'
  | 'DualAttachInProgress';

/** One finding of SPEC §2.5. */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  namespace: string | null;
  pvc: string | null;
  volumeId: string | null;
  /** What was found, one sentence. */
  message: string;
  /** What to do next, one sentence. */
  nextStep: string;
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
  durationSeconds: DurationStats;
}

/** The `audit -o json|yaml` document (SPEC §4). */
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

export interface AuditOptions {
  /** Epoch ms. */
  now: number;
  /** null = all namespaces. */
  namespace: string | null;
  driver: string;
  sinceSeconds: number | null;
  stuckAfterSeconds: number | null;
}

/** One event as `events -o json` shows it (SPEC §4). */
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

/** The `events -o json|yaml` document (SPEC §4). */
export interface PvcHistory {
  apiVersion: 'rds-migrate/v1';
  kind: 'PvcMigrationHistory';
  now: string;
  pvc: { namespace: string; name: string; uid: string; volumeId: string | null };
  events: HistoryEvent[];
  migrations: Migration[];
  /** `rejectedTargets` (extra key): attach attempts rejected beside the attached node(s). */
  attachment: { nodes: string[]; dualAttach: DualAttach | null; rejectedTargets: RejectedTarget[] };
  warnings: string[];
}

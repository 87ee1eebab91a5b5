// Hand-built report models for the renderer tests: realistic names, fixed times.
import type { AuditReport, DualAttach, Migration, PvcHistory } from '../../../src/domain/types.js';

export const NOW = '2025-03-01T12:00:00Z';

export const VOL_WEB = 'pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e';
export const VOL_DB = 'pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718';
export const VOL_CACHE = 'pvc-7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
export const VOL_BUILDER = 'pvc-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
export const VOL_LEGACY = 'pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a';
export const VOL_SCRATCH = 'pvc-1e2d3c4b-5a69-4788-96a5-b4c3d2e1f000';

function migration(m: Partial<Migration> & Pick<Migration, 'id' | 'namespace' | 'pvc' | 'state' | 'startedAt'>): Migration {
  return {
    volumeId: null,
    sourceNode: 'worker-1',
    targetNode: 'worker-2',
    endedAt: null,
    durationSeconds: null,
    timeoutSeconds: 300,
    startInferred: false,
    failureReason: null,
    events: [],
    ...m,
  };
}

export const webInProgress: Migration = migration({
  id: 'vms/vm-web-disk/2025-03-01T11:57:50Z',
  namespace: 'vms',
  pvc: 'vm-web-disk',
  volumeId: VOL_WEB,
  sourceNode: 'worker-2',
  targetNode: 'worker-1',
  state: 'in-progress',
  startedAt: '2025-03-01T11:57:50Z',
  events: ['vm-web-disk.1828a3b0c1d2e3f4'],
});

export const webCompleted: Migration = migration({
  id: 'vms/vm-web-disk/2025-03-01T11:10:00Z',
  namespace: 'vms',
  pvc: 'vm-web-disk',
  volumeId: VOL_WEB,
  state: 'completed',
  startedAt: '2025-03-01T11:10:00Z',
  endedAt: '2025-03-01T11:12:16Z',
  durationSeconds: 136,
  events: ['vm-web-disk.18289f6a2b3c4d5e', 'vm-web-disk.18289f89d1e2f3a4'],
});

export const webFailed: Migration = migration({
  id: 'vms/vm-web-disk/2025-03-01T11:30:00Z',
  namespace: 'vms',
  pvc: 'vm-web-disk',
  volumeId: VOL_WEB,
  sourceNode: 'worker-2',
  targetNode: 'worker-1',
  state: 'failed',
  startedAt: '2025-03-01T11:30:00Z',
  endedAt: '2025-03-01T11:35:00Z',
  durationSeconds: 300,
  failureReason: 'timeout',
  events: ['vm-web-disk.1828a3b0c1d2e3f4', 'vm-web-disk.1828a1f0e9d8c7b6'],
});

const dualWeb: DualAttach = {
  volumeId: VOL_WEB,
  namespace: 'vms',
  pvc: 'vm-web-disk',
  nodes: ['worker-2', 'worker-1'],
  since: '2025-03-01T11:57:50Z',
  ageSeconds: 130,
  timeoutSeconds: 300,
  stuck: false,
  volumeAttachments: ['csi-5b1f0c2e9a', 'csi-a83d7e6f41'],
  rejectedTargets: [
    {
      node: 'worker-3',
      volumeAttachment: 'csi-0d4c9b8a77',
      message: 'rpc error: code = FailedPrecondition desc = volume is already attached to 2 nodes',
      time: '2025-03-01T11:58:30Z',
    },
  ],
};

/** An audit of a small cluster: every state, a stuck dual-attach, a multi-attach, all severities. */
export function auditReport(): AuditReport {
  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'MigrationAudit',
    now: NOW,
    scope: { namespace: null, driver: 'rds.csi.srvlab.io' },
    summary: {
      migrations: 6,
      completed: 3,
      failed: 1,
      inProgress: 1,
      unresolved: 1,
      untimedOccurrences: 1,
      dualAttaches: 2,
      stuckDualAttaches: 1,
      multiAttaches: 1,
      findings: { error: 3, warning: 2, info: 1 },
      durationSeconds: { count: 3, min: 45, p50: 136, p95: 290, max: 290 },
    },
    migrations: [
      migration({
        id: 'vms/vm-cache-disk/2025-03-01T11:05:15Z',
        namespace: 'vms',
        pvc: 'vm-cache-disk',
        volumeId: VOL_CACHE,
        sourceNode: 'worker-3',
        targetNode: 'worker-1',
        state: 'completed',
        startedAt: '2025-03-01T11:05:15Z',
        endedAt: '2025-03-01T11:06:00Z',
        durationSeconds: 45,
        startInferred: true,
        events: ['vm-cache-disk.18289f2c0a1b2c3d'],
      }),
      webCompleted,
      migration({
        id: 'tenant-a/legacy-disk/2025-03-01T11:20:00Z',
        namespace: 'tenant-a',
        pvc: 'legacy-disk',
        volumeId: VOL_LEGACY,
        sourceNode: 'worker-4',
        targetNode: 'worker-5',
        state: 'unresolved',
        startedAt: '2025-03-01T11:20:00Z',
        timeoutSeconds: 600,
        events: ['legacy-disk.1828a0f1e2d3c4b5'],
      }),
      migration({
        id: 'vms/vm-db-disk/2025-03-01T11:30:00Z',
        namespace: 'vms',
        pvc: 'vm-db-disk',
        volumeId: VOL_DB,
        sourceNode: 'worker-2',
        targetNode: 'worker-3',
        state: 'failed',
        startedAt: '2025-03-01T11:30:00Z',
        endedAt: '2025-03-01T11:35:00Z',
        durationSeconds: 300,
        failureReason: 'timeout',
        events: ['vm-db-disk.1828a1e0f1a2b3c4', 'vm-db-disk.1828a2287c6d5e4f'],
      }),
      migration({
        id: 'tenant-a/builder-root/2025-03-01T11:40:00Z',
        namespace: 'tenant-a',
        pvc: 'builder-root',
        volumeId: VOL_BUILDER,
        sourceNode: 'worker-1',
        targetNode: 'worker-3',
        state: 'completed',
        startedAt: '2025-03-01T11:40:00Z',
        endedAt: '2025-03-01T11:44:50Z',
        durationSeconds: 290,
        events: ['builder-root.1828a26f9e8d7c6b', 'builder-root.1828a2b5a4b3c2d1'],
      }),
      webInProgress,
    ],
    dualAttaches: [
      {
        volumeId: VOL_LEGACY,
        namespace: 'tenant-a',
        pvc: 'legacy-disk',
        nodes: ['worker-4', 'worker-5'],
        since: '2025-03-01T11:20:05Z',
        ageSeconds: 2395,
        timeoutSeconds: 600,
        stuck: true,
        volumeAttachments: ['csi-77e0a9c3d2', 'csi-e4f5a6b7c8'],
        rejectedTargets: [],
      },
      dualWeb,
    ],
    multiAttaches: [
      {
        volumeId: VOL_SCRATCH,
        namespace: 'default',
        pvc: 'scratch',
        nodes: ['worker-1', 'worker-2', 'worker-3'],
        since: '2025-03-01T11:50:00Z',
        ageSeconds: 600,
        timeoutSeconds: 300,
        stuck: true,
        volumeAttachments: ['csi-11aa22bb33', 'csi-44cc55dd66', 'csi-77ee88ff99'],
        rejectedTargets: [],
      },
    ],
    rejectedTargets: dualWeb.rejectedTargets.map((r) => ({
      volumeId: dualWeb.volumeId,
      namespace: dualWeb.namespace,
      pvc: dualWeb.pvc,
      ...r,
    })),
    findings: [
      {
        severity: 'error',
        code: 'StuckDualAttach',
        namespace: 'tenant-a',
        pvc: 'legacy-disk',
        volumeId: VOL_LEGACY,
        message: `Volume ${VOL_LEGACY} has been attached to worker-4 and worker-5 for 39m55s, past its 10m0s migration timeout.`,
        nextStep:
          'Inspect VolumeAttachment csi-e4f5a6b7c8 (kubectl describe volumeattachment csi-e4f5a6b7c8); deleting the source pod on worker-4 ends the dual-attach.',
      },
      {
        severity: 'warning',
        code: 'UnresolvedMigration',
        namespace: 'tenant-a',
        pvc: 'legacy-disk',
        volumeId: VOL_LEGACY,
        message: 'Migration from worker-4 to worker-5 started 40m ago and recorded no outcome within its 10m0s timeout.',
        nextStep: 'Check the VirtualMachineInstanceMigration of this VM; post the outcome with rds-migrate post-completed or post-failed.',
      },
      {
        severity: 'error',
        code: 'MigrationFailed',
        namespace: 'vms',
        pvc: 'vm-db-disk',
        volumeId: VOL_DB,
        message: 'Migration from worker-2 to worker-3 failed after 5m0s: timeout.',
        nextStep: 'Check the rds-csi-node logs on worker-3 for the attach error before retrying the migration.',
      },
      {
        severity: 'info',
        code: 'DualAttachInProgress',
        namespace: 'vms',
        pvc: 'vm-web-disk',
        volumeId: VOL_WEB,
        message: 'Volume is attached to worker-2 and worker-1 for 2m10s of its 5m0s migration timeout.',
        nextStep: 'Nothing to do yet; it becomes stuck after 5m0s.',
      },
      {
        severity: 'error',
        code: 'MultiAttach',
        namespace: 'default',
        pvc: 'scratch',
        volumeId: VOL_SCRATCH,
        message: 'Volume is attached to 3 nodes: worker-1, worker-2, worker-3.',
        nextStep: 'Stop the pods using it on all but one node and report a driver bug.',
      },
      {
        severity: 'warning',
        code: 'SlowMigration',
        namespace: 'tenant-a',
        pvc: 'builder-root',
        volumeId: VOL_BUILDER,
        message: 'Migration from worker-1 to worker-3 took 4m50s, over 80% of its 5m0s timeout.',
        nextStep: 'Raise migrationTimeoutSeconds in the StorageClass or look for network contention.',
      },
    ],
    warnings: ['Skipped 2 MigrationStarted events whose involvedObject is not a PersistentVolumeClaim.'],
    horizon: {
      oldestEvent: '2025-03-01T11:02:10Z',
      note: "Events expire after the API server's --event-ttl (1h by default); older migrations are not in this report.",
    },
  };
}

/** An empty audit of one namespace. */
export function emptyAuditReport(): AuditReport {
  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'MigrationAudit',
    now: NOW,
    scope: { namespace: 'vms', driver: 'rds.csi.srvlab.io' },
    summary: {
      migrations: 0,
      completed: 0,
      failed: 0,
      inProgress: 0,
      unresolved: 0,
      untimedOccurrences: 0,
      dualAttaches: 0,
      stuckDualAttaches: 0,
      multiAttaches: 0,
      findings: { error: 0, warning: 0, info: 0 },
      durationSeconds: { count: 0, min: null, p50: null, p95: null, max: null },
    },
    migrations: [],
    dualAttaches: [],
    multiAttaches: [],
    rejectedTargets: [],
    findings: [],
    warnings: [],
    horizon: { oldestEvent: null, note: null },
  };
}

/** vm-web-disk: migrated worker-1 → worker-2, failed back, and is migrating back again now. */
export function pvcHistory(): PvcHistory {
  return {
    apiVersion: 'rds-migrate/v1',
    kind: 'PvcMigrationHistory',
    now: NOW,
    pvc: { namespace: 'vms', name: 'vm-web-disk', uid: '6d1f0e2a-3b4c-4d5e-8f9a-0b1c2d3e4f50', volumeId: VOL_WEB },
    events: [
      {
        name: 'vm-web-disk.18289f6a2b3c4d5e',
        type: 'Normal',
        reason: 'MigrationStarted',
        count: 1,
        firstSeen: '2025-03-01T11:10:00Z',
        lastSeen: '2025-03-01T11:10:00Z',
        component: 'rds-csi-node',
        message: `[${VOL_WEB}]: KubeVirt live migration started - source: worker-1, target: worker-2, timeout: 5m0s`,
        parsed: {
          volumeId: VOL_WEB,
          sourceNode: 'worker-1',
          targetNode: 'worker-2',
          timeoutSeconds: 300,
          durationSeconds: null,
          failureReason: null,
        },
      },
      {
        name: 'vm-web-disk.18289f89d1e2f3a4',
        type: 'Normal',
        reason: 'MigrationCompleted',
        count: 1,
        firstSeen: '2025-03-01T11:12:16Z',
        lastSeen: '2025-03-01T11:12:16Z',
        component: 'rds-csi-node',
        message: `[${VOL_WEB}]: KubeVirt live migration completed - source: worker-1 -> target: worker-2 (duration: 2m16s)`,
        parsed: {
          volumeId: VOL_WEB,
          sourceNode: 'worker-1',
          targetNode: 'worker-2',
          timeoutSeconds: null,
          durationSeconds: 136,
          failureReason: null,
        },
      },
      {
        name: 'vm-web-disk.1828a1f0e9d8c7b6',
        type: 'Warning',
        reason: 'MigrationFailed',
        count: 1,
        firstSeen: '2025-03-01T11:35:00Z',
        lastSeen: '2025-03-01T11:35:00Z',
        component: 'rds-csi-node',
        message: `[${VOL_WEB}]: KubeVirt live migration failed - source: worker-2, attempted target: worker-1, reason: timeout, elapsed: 5m0s`,
        parsed: {
          volumeId: VOL_WEB,
          sourceNode: 'worker-2',
          targetNode: 'worker-1',
          timeoutSeconds: null,
          durationSeconds: 300,
          failureReason: 'timeout',
        },
      },
      {
        name: 'vm-web-disk.1828a2aa00000001',
        type: 'Normal',
        reason: 'MigrationStarted',
        count: 1,
        firstSeen: '2025-03-01T11:45:00Z',
        lastSeen: '2025-03-01T11:45:00Z',
        component: 'rds-migrate',
        message: 'migration restarted by hand, see ticket OPS-1234',
        parsed: null,
      },
      {
        name: 'vm-web-disk.1828a3b0c1d2e3f4',
        type: 'Normal',
        reason: 'MigrationStarted',
        count: 2,
        firstSeen: '2025-03-01T11:30:00Z',
        lastSeen: '2025-03-01T11:57:50Z',
        component: 'rds-csi-node',
        message: `[${VOL_WEB}]: KubeVirt live migration started - source: worker-2, target: worker-1, timeout: 5m0s`,
        parsed: {
          volumeId: VOL_WEB,
          sourceNode: 'worker-2',
          targetNode: 'worker-1',
          timeoutSeconds: 300,
          durationSeconds: null,
          failureReason: null,
        },
      },
    ],
    migrations: [webCompleted, webFailed, webInProgress],
    attachment: {
      nodes: ['worker-2', 'worker-1'],
      dualAttach: structuredClone(dualWeb),
      rejectedTargets: structuredClone(dualWeb.rejectedTargets),
    },
    warnings: [],
  };
}

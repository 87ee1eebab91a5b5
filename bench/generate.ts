// Scale generator for the benchmark (issue #5): a seeded, deterministic, realistic cluster of
// KubeVirt VM disks on the RDS CSI driver. Same seed + size + `now` => byte-identical objects.
//
// What it makes (SPEC §2):
// - N namespaces `vms-NNN`; PVCs `vm-NNNNN-rootdisk` bound to RWX Block PVs `pvc-<pvc uid>` of the
//   driver (a few PVs of another driver, with their VolumeAttachments, as noise);
// - PV migration timeouts (volumeAttributes.migrationTimeoutSeconds): mostly "300", some "600",
//   "3600", missing, "10" (clamped to 30) and "1.5" (junk -> 300);
// - VolumeAttachments: most volumes attached to one node (some being deleted), some dual-attached
//   (recent = in progress, old = stuck), a few multi-attached, some with a rejected target
//   (attachError next to an attached one), some not attached at all;
// - migration events in the exact formats of SPEC §2.1 (→ and the aggregator prefix in a few),
//   covering completed, failed, completed-without-Started (inferred), ping-pong A→B, B→A, A→B
//   merged into count-2 events, retried attaches merged into a count-3 Started (1 untimed
//   occurrence), in-progress, unresolved, superseded Starteds, events.k8s.io/v1-shaped events,
//   unparsable messages, and Migration* reasons on VirtualMachineInstances (not the driver's);
// - a large number of unrelated events: pods, VMIs, nodes, ReplicaSets and other PVC reasons.
//
// Along with the objects it returns the ground truth (`expected`) that both rds-migrate and the
// kubectl+jq peer must reproduce: migrations by state, untimed occurrences, unparsed events,
// dual / stuck / multi attaches.
import { createHash } from 'node:crypto';
import { DRIVER, namespace as namespaceObject, pvc as pvcObject, pv as pvObject, volumeAttachment } from '../test/helpers/objects.js';

export interface SizeSpec {
  name: string;
  namespaces: number;
  /** All PersistentVolumes (95 % the driver's). */
  pvs: number;
  /** Target number of VolumeAttachments (all drivers). */
  volumeAttachments: number;
  /** Events whose reason is Migration* (a few on VMIs). */
  migrationEvents: number;
  /** All events, migration ones included. */
  totalEvents: number;
}

export const SIZES: Record<string, SizeSpec> = {
  S: { name: 'S', namespaces: 5, pvs: 50, volumeAttachments: 50, migrationEvents: 100, totalEvents: 1_000 },
  M: { name: 'M', namespaces: 20, pvs: 1_000, volumeAttachments: 1_000, migrationEvents: 2_000, totalEvents: 20_000 },
  L: { name: 'L', namespaces: 50, pvs: 5_000, volumeAttachments: 5_000, migrationEvents: 10_000, totalEvents: 100_000 },
  // L's migration data without the 90k unrelated events: shows what unrelated events cost.
  Lq: { name: 'Lq', namespaces: 50, pvs: 5_000, volumeAttachments: 5_000, migrationEvents: 10_000, totalEvents: 10_000 },
};

export interface Expected {
  migrations: number;
  completed: number;
  failed: number;
  inProgress: number;
  unresolved: number;
  untimedOccurrences: number;
  unparsedEvents: number;
  dualAttaches: number;
  stuckDualAttaches: number;
  multiAttaches: number;
}

export interface Generated {
  objects: any[];
  expected: Expected;
  counts: { events: number; migrationReasonEvents: number; pvs: number; pvcs: number; volumeAttachments: number; namespaces: number };
  /** A PVC with a busy history, for `events <pvc>`. */
  eventsTarget: { namespace: string; pvc: string; events: number };
}

// ---------------------------------------------------------------------------------------------
// Determinism helpers

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n)
      s += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, n);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) & 3]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
  /** A pod-template-hash / random suffix like `x7k2q`. */
  suffix(n = 5): string {
    const abc = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += abc[Math.floor(this.next() * abc.length)];
    return s;
  }
}

/** Go's time.Duration.String() of whole seconds (SPEC §2.1). */
export function goDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

// ---------------------------------------------------------------------------------------------
// Messages (SPEC §2.1), byte for byte as the driver writes them

const startedMsg = (vol: string, src: string, tgt: string, timeout: number): string =>
  `[${vol}]: KubeVirt live migration started - source: ${src}, target: ${tgt}, timeout: ${goDuration(timeout)}`;
const completedMsg = (vol: string, src: string, tgt: string, d: number, arrow = '->'): string =>
  `[${vol}]: KubeVirt live migration completed - source: ${src} ${arrow} target: ${tgt} (duration: ${goDuration(d)})`;
const failedMsg = (vol: string, src: string, tgt: string, reason: string, elapsed: number): string =>
  `[${vol}]: KubeVirt live migration failed - source: ${src}, attempted target: ${tgt}, reason: ${reason}, elapsed: ${goDuration(elapsed)}`;
const COMBINED = '(combined from similar events): ';

// ---------------------------------------------------------------------------------------------

interface Volume {
  index: number;
  namespace: string;
  pvcName: string;
  pvcUid: string;
  pvName: string;
  ours: boolean;
  timeoutAttr: string | undefined;
  /** The timeout the driver would use (SPEC §2.2). */
  timeout: number;
  node: string;
  category: 'none' | 'single' | 'detaching' | 'dual-recent' | 'dual-stuck' | 'multi' | 'rejected';
  /** For dual/multi: the other nodes. */
  otherNodes: string[];
}

function volumeTimeout(attr: string | undefined): number {
  if (attr === undefined || !/^[+-]?\d+$/.test(attr)) return 300;
  const n = Number(attr);
  if (n <= 0) return 300;
  return Math.min(3600, Math.max(30, n));
}

export function generate(spec: SizeSpec, seed: number, nowMs: number): Generated {
  const rnd = new Rand(seed ^ (spec.totalEvents * 2654435761));
  const now = Math.floor(nowMs / 1000) * 1000;
  const objects: any[] = [];
  const expected: Expected = {
    migrations: 0,
    completed: 0,
    failed: 0,
    inProgress: 0,
    unresolved: 0,
    untimedOccurrences: 0,
    unparsedEvents: 0,
    dualAttaches: 0,
    stuckDualAttaches: 0,
    multiAttaches: 0,
  };

  const namespaces = Array.from({ length: spec.namespaces }, (_, i) => `vms-${pad(i, 3)}`);
  for (const ns of namespaces) objects.push(namespaceObject(ns));
  const nodeCount = Math.max(4, Math.round(spec.pvs / 25));
  const nodes = Array.from({ length: nodeCount }, (_, i) => `worker-${pad(i, 3)}`);
  const otherNode = (not: string[]): string => {
    for (;;) {
      const n = rnd.pick(nodes);
      if (!not.includes(n)) return n;
    }
  };

  // --- volumes -------------------------------------------------------------------------------
  const volumes: Volume[] = [];
  for (let i = 0; i < spec.pvs; i++) {
    const pvcUid = rnd.uuid();
    const ours = i % 20 !== 19; // 5 % other driver
    const r = rnd.float();
    const timeoutAttr = r < 0.7 ? '300' : r < 0.8 ? '600' : r < 0.85 ? undefined : r < 0.9 ? '3600' : r < 0.95 ? '10' : '1.5';
    volumes.push({
      index: i,
      namespace: namespaces[i % namespaces.length]!,
      pvcName: `vm-${pad(i, 5)}-rootdisk`,
      pvcUid,
      pvName: `pvc-${pvcUid}`,
      ours,
      timeoutAttr,
      timeout: volumeTimeout(timeoutAttr),
      node: rnd.pick(nodes),
      category: 'single', // other-driver volumes keep it: one VolumeAttachment each
      otherNodes: [],
    });
  }
  const ours = volumes.filter((v) => v.ours);
  const others = volumes.filter((v) => !v.ours);

  // Attachment categories, by count so the VolumeAttachment total is what the size asks for.
  const nDualRecent = Math.max(1, Math.round(ours.length * 0.01));
  const nDualStuck = Math.max(1, Math.round(ours.length * 0.01));
  const nMulti = Math.max(1, Math.round(ours.length * 0.002));
  const nRejected = Math.max(1, Math.round(ours.length * 0.01));
  const special = nDualRecent + nDualStuck + nMulti + nRejected;
  const nSingle = Math.max(
    0,
    Math.min(ours.length - special, spec.volumeAttachments - others.length - 2 * nDualRecent - 2 * nDualStuck - 3 * nMulti - 2 * nRejected),
  );
  const order = rnd.shuffle(ours.map((_, i) => i));
  let k = 0;
  const assign = (n: number, cat: Volume['category']): void => {
    for (let j = 0; j < n; j++) ours[order[k++]!]!.category = cat;
  };
  assign(nDualRecent, 'dual-recent');
  assign(nDualStuck, 'dual-stuck');
  assign(nMulti, 'multi');
  assign(nRejected, 'rejected');
  for (let j = 0; j < nSingle; j++) ours[order[k++]!]!.category = rnd.chance(0.02) ? 'detaching' : 'single';
  while (k < order.length) ours[order[k++]!]!.category = 'none';

  for (const v of volumes) {
    // A recent dual-attach is an in-progress migration: give its volume the longest timeout so it
    // cannot turn stuck while the benchmark runs.
    if (v.category === 'dual-recent') {
      v.timeoutAttr = '3600';
      v.timeout = 3600;
    }
    const claim = pvcObject({
      namespace: v.namespace,
      name: v.pvcName,
      uid: v.pvcUid,
      volumeName: v.pvName,
      storageClassName: v.ours ? 'rds-nvme' : 'nfs-csi',
      volumeMode: v.ours ? 'Block' : 'Filesystem',
      accessModes: ['ReadWriteMany'],
      storage: `${rnd.pick([10, 20, 40, 100])}Gi`,
      createdAt: iso(now - rnd.int(86_400, 90 * 86_400) * 1000),
    });
    objects.push(claim);
    const volume = pvObject({
      name: v.pvName,
      claimRef: { namespace: v.namespace, name: v.pvcName, uid: v.pvcUid },
      ...(v.timeoutAttr !== undefined && v.ours ? { timeout: v.timeoutAttr } : {}),
      driver: v.ours ? DRIVER : 'nfs.csi.k8s.io',
      storageClassName: v.ours ? 'rds-nvme' : 'nfs-csi',
      storage: claim.spec.resources.requests.storage,
      createdAt: claim.metadata.creationTimestamp,
    });
    volume.metadata.uid = rnd.uuid();
    if (v.ours) {
      volume.metadata.annotations = {
        'pv.kubernetes.io/provisioned-by': DRIVER,
        'volume.kubernetes.io/provisioner-deletion-secret-name': '',
        'rds.csi.srvlab.io/attached-node': v.node,
        'rds.csi.srvlab.io/attached-at': iso(now - rnd.int(600, 86_400) * 1000),
      };
      volume.spec.csi.volumeAttributes['storage.kubernetes.io/csiProvisionerIdentity'] = '1718000000000-8081-rds.csi.srvlab.io';
      volume.spec.csi.fsType = '';
    } else {
      volume.spec.volumeMode = 'Filesystem';
    }
    volume.status = { phase: 'Bound', lastPhaseTransitionTime: claim.metadata.creationTimestamp };
    objects.push(volume);

    // VolumeAttachments
    const va = (
      node: string,
      createdAt: number,
      extra: Partial<{ attached: boolean; attachError: string; deletionTimestamp: string }> = {},
    ): void => {
      const obj = volumeAttachment({
        pv: volume,
        node,
        attached: extra.attached ?? true,
        createdAt: iso(createdAt),
        ...(extra.attachError !== undefined ? { attachError: { message: extra.attachError, time: iso(createdAt + 2000) } } : {}),
        ...(extra.deletionTimestamp !== undefined ? { deletionTimestamp: extra.deletionTimestamp } : {}),
      });
      obj.metadata.uid = rnd.uuid();
      if (obj.status.attached) obj.status.attachmentMetadata = { devicePath: `/dev/nvme${rnd.int(0, 9)}n1` };
      objects.push(obj);
    };
    const longAgo = (): number => now - rnd.int(3_600, 30 * 86_400) * 1000;
    switch (v.category) {
      case 'none':
        break;
      case 'single':
        va(v.node, longAgo());
        break;
      case 'detaching':
        va(v.node, longAgo(), { deletionTimestamp: iso(now - rnd.int(60, 600) * 1000) });
        break;
      case 'dual-recent': {
        const tgt = otherNode([v.node]);
        v.otherNodes = [tgt];
        va(v.node, longAgo());
        va(tgt, now - rnd.int(5, 60) * 1000);
        expected.dualAttaches++;
        break;
      }
      case 'dual-stuck': {
        const tgt = otherNode([v.node]);
        v.otherNodes = [tgt];
        va(v.node, longAgo());
        va(tgt, now - rnd.int(7_200, 18_000) * 1000); // older than any timeout (max 3600 s)
        expected.dualAttaches++;
        expected.stuckDualAttaches++;
        break;
      }
      case 'multi': {
        const b = otherNode([v.node]);
        const c = otherNode([v.node, b]);
        v.otherNodes = [b, c];
        va(v.node, longAgo());
        va(b, now - rnd.int(3_600, 7_200) * 1000);
        va(c, now - rnd.int(60, 3_000) * 1000);
        expected.multiAttaches++;
        break;
      }
      case 'rejected': {
        va(v.node, longAgo());
        const tgt = otherNode([v.node]);
        va(tgt, now - rnd.int(60, 3_000) * 1000, {
          attached: false,
          attachError: `rpc error: code = FailedPrecondition desc = volume ${v.pvName} is already attached to ${v.node} and migration is not in progress`,
        });
        break;
      }
      default:
        break;
    }
  }

  // --- events --------------------------------------------------------------------------------
  let events = 0;
  let migrationReasonEvents = 0;
  let seq = 0;
  const usedNames = new Set<string>();
  const eventName = (objName: string, firstMs: number): string => {
    // client-go: `<object>.<hex UnixNano>`; sub-millisecond digits keep names unique.
    let nanos = BigInt(firstMs) * 1_000_000n + BigInt(seq++ % 1_000_000);
    let name = `${objName}.${nanos.toString(16)}`;
    while (usedNames.has(name)) {
      nanos += 1n;
      name = `${objName}.${nanos.toString(16)}`;
    }
    usedNames.add(name);
    return name;
  };
  const managedFields = (manager: string, at: string): object[] => [
    {
      manager,
      operation: 'Update',
      apiVersion: 'v1',
      time: at,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:count': {},
        'f:firstTimestamp': {},
        'f:involvedObject': {},
        'f:lastTimestamp': {},
        'f:message': {},
        'f:reason': {},
        'f:reportingComponent': {},
        'f:source': { 'f:component': {}, 'f:host': {} },
        'f:type': {},
      },
    },
  ];

  interface EventSpec {
    namespace: string;
    involved: Record<string, unknown>;
    reason: string;
    type: string;
    message: string;
    component: string;
    host?: string;
    first: number;
    last?: number;
    count?: number;
    /** Seed as an events.k8s.io/v1 Event (eventTime + series; the store keeps the core form). */
    eventsV1?: boolean;
  }
  const emit = (e: EventSpec): void => {
    const last = e.last ?? e.first;
    const count = e.count ?? 1;
    const name = eventName(String(e.involved.name), e.first);
    events++;
    if (e.reason.startsWith('Migration')) migrationReasonEvents++;
    if (e.eventsV1) {
      const obj: any = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: e.namespace, uid: rnd.uuid(), creationTimestamp: iso(e.first) },
        eventTime: new Date(e.first).toISOString().replace('Z', '000Z'),
        regarding: e.involved,
        reason: e.reason,
        note: e.message,
        type: e.type,
        action: 'Migrate',
        reportingController: e.component,
        reportingInstance: `${e.component}-${e.host ?? 'x'}`,
      };
      if (count > 1) obj.series = { count, lastObservedTime: new Date(last).toISOString().replace('Z', '000Z') };
      objects.push(obj);
      return;
    }
    objects.push({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: {
        name,
        namespace: e.namespace,
        uid: rnd.uuid(),
        creationTimestamp: iso(e.first),
        managedFields: managedFields(e.component, iso(last)),
      },
      involvedObject: e.involved,
      reason: e.reason,
      message: e.message,
      source: e.host ? { component: e.component, host: e.host } : { component: e.component },
      firstTimestamp: iso(e.first),
      lastTimestamp: iso(last),
      count,
      type: e.type,
      eventTime: null,
      reportingComponent: e.component,
      reportingInstance: e.host ?? '',
    });
  };
  const pvcRef = (v: Volume): Record<string, unknown> => ({
    kind: 'PersistentVolumeClaim',
    namespace: v.namespace,
    name: v.pvcName,
    uid: v.pvcUid,
    apiVersion: 'v1',
    resourceVersion: String(100_000 + v.index),
  });
  const mig = (
    v: Volume,
    reason: 'MigrationStarted' | 'MigrationCompleted' | 'MigrationFailed',
    message: string,
    first: number,
    extra: Partial<EventSpec> = {},
  ): void =>
    emit({
      namespace: v.namespace,
      involved: pvcRef(v),
      reason,
      type: reason === 'MigrationFailed' ? 'Warning' : 'Normal',
      message,
      component: 'rds-csi-node',
      host: v.node,
      first,
      ...extra,
    });

  // Migration scenarios. Each returns how many events it made; all of a PVC's history lies in one
  // 10-minute slot of the last hour (slot 0 = the most recent), so scenarios never interact.
  type Scenario = (v: Volume, slotStart: number) => number;
  const SLOT = 600_000;
  const timeoutOf = (v: Volume): number => v.timeout;
  const scenarios: Record<string, Scenario> = {
    completed: (v, t0) => {
      const tgt = otherNode([v.node]);
      // Every scenario ends within its 10-minute slot, so the slots never interleave.
      const d = rnd.int(8, Math.min(Math.floor(timeoutOf(v) * 0.9), 480));
      const start = t0 + rnd.int(0, 30) * 1000;
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, timeoutOf(v)), start);
      const variant = rnd.float();
      const arrow = variant < 0.05 ? '\u2192' : '->';
      const prefix = variant > 0.95 ? COMBINED : '';
      mig(v, 'MigrationCompleted', prefix + completedMsg(v.pvName, v.node, tgt, d, arrow), start + d * 1000);
      expected.completed++;
      return 2;
    },
    failed: (v, t0) => {
      const tgt = otherNode([v.node]);
      const start = t0 + rnd.int(0, 30) * 1000;
      const byTimeout = timeoutOf(v) <= 480 && rnd.chance(0.7);
      const elapsed = byTimeout ? timeoutOf(v) : rnd.int(3, 120);
      const reason = byTimeout ? 'timeout' : rnd.pick(['manual abort', 'target node NotReady, drained', 'VMI deleted during migration']);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, timeoutOf(v)), start);
      mig(v, 'MigrationFailed', failedMsg(v.pvName, v.node, tgt, reason, elapsed), start + elapsed * 1000);
      expected.failed++;
      return 2;
    },
    inferred: (v, t0) => {
      // The Started event expired (or was never posted): only the Completed remains.
      const tgt = otherNode([v.node]);
      const d = rnd.int(10, 200);
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, v.node, tgt, d), t0 + rnd.int(0, 60) * 1000);
      expected.completed++;
      return 1;
    },
    pingPong: (v, t0) => {
      // A→B, B→A, A→B: client-go merges the identical A→B events into count-2 objects.
      const b = otherNode([v.node]);
      const d = rnd.int(10, 60);
      const d2 = rnd.int(10, 60);
      const t1 = t0 + rnd.int(0, 20) * 1000;
      const t2 = t1 + 120_000;
      const t3 = t2 + 120_000;
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, b, timeoutOf(v)), t1, { last: t3, count: 2 });
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, v.node, b, d), t1 + d * 1000, { last: t3 + d * 1000, count: 2 });
      mig(v, 'MigrationStarted', startedMsg(v.pvName, b, v.node, timeoutOf(v)), t2);
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, b, v.node, d2), t2 + d2 * 1000);
      expected.completed += 3;
      return 4;
    },
    retried: (v, t0) => {
      // The attach was retried: the same Started three times within the timeout (count 3 => one
      // untimed occurrence in between), joining one migration.
      const tgt = otherNode([v.node]);
      const start = t0 + rnd.int(0, 20) * 1000;
      const d = rnd.int(30, 60);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, timeoutOf(v)), start, { last: start + 20_000, count: 3 });
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, v.node, tgt, d), start + d * 1000);
      expected.completed++;
      expected.untimedOccurrences++;
      return 2;
    },
    superseded: (v, t0) => {
      // Started A→B never finished; A→C started a minute later (different target) and completed.
      const b = otherNode([v.node]);
      const c = otherNode([v.node, b]);
      const start = t0 + rnd.int(0, 20) * 1000;
      const d = rnd.int(10, 90);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, b, timeoutOf(v)), start);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, c, timeoutOf(v)), start + 60_000);
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, v.node, c, d), start + 60_000 + d * 1000);
      expected.unresolved++;
      expected.completed++;
      return 3;
    },
    eventsV1: (v, t0) => {
      // Written through events.k8s.io/v1: only eventTime (+ series), no first/lastTimestamp.
      const tgt = otherNode([v.node]);
      const start = t0 + rnd.int(0, 30) * 1000;
      const d = rnd.int(8, 120);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, timeoutOf(v)), start, { eventsV1: true });
      mig(v, 'MigrationCompleted', completedMsg(v.pvName, v.node, tgt, d), start + d * 1000, { eventsV1: true });
      expected.completed++;
      return 2;
    },
    unparsed: (v, t0) => {
      mig(
        v,
        'MigrationFailed',
        `migration of ${v.pvName} aborted by operator (see ticket OPS-${rnd.int(1000, 9999)})`,
        t0 + rnd.int(0, 60) * 1000,
      );
      expected.unparsedEvents++;
      return 1;
    },
    vmiNoise: (v, t0) => {
      // KubeVirt's own Migration* events are on VMIs, not PVCs: not the driver's, ignored.
      const vmi = v.pvcName.replace(/-rootdisk$/, '');
      const involved = {
        kind: 'VirtualMachineInstance',
        namespace: v.namespace,
        name: vmi,
        uid: rnd.uuid(),
        apiVersion: 'kubevirt.io/v1',
        resourceVersion: String(rnd.int(1e5, 9e5)),
      };
      const tgt = otherNode([v.node]);
      emit({
        namespace: v.namespace,
        involved,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: `VirtualMachineInstance migration uid ${rnd.uuid()} is starting to ${tgt}`,
        component: 'virt-handler',
        host: v.node,
        first: t0 + 5000,
      });
      return 1;
    },
  };
  // Scenarios that must be the last thing on their PVC (their outcome depends on `now`).
  const tail: Record<string, Scenario> = {
    inProgress: (v, _t0) => {
      // Started seconds ago with a 1 h timeout: in progress for the whole benchmark.
      const tgt = v.otherNodes[0] ?? otherNode([v.node]);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, 3600), now - rnd.int(5, 60) * 1000);
      expected.inProgress++;
      return 1;
    },
    unresolved: (v, t0) => {
      // Started ≥ 10 minutes ago with a 5 min timeout and no outcome.
      const tgt = otherNode([v.node]);
      mig(v, 'MigrationStarted', startedMsg(v.pvName, v.node, tgt, 300), t0 + rnd.int(0, 60) * 1000);
      expected.unresolved++;
      return 1;
    },
  };
  const weights: [string, number][] = [
    ['completed', 50],
    ['failed', 10],
    ['inferred', 8],
    ['pingPong', 6],
    ['retried', 5],
    ['superseded', 4],
    ['eventsV1', 3],
    ['unparsed', 1],
    ['vmiNoise', 3],
    ['unresolved', 3],
  ];
  const totalWeight = weights.reduce((s, [, w]) => s + w, 0);
  const pickScenario = (): string => {
    let r = rnd.float() * totalWeight;
    for (const [name, w] of weights) if ((r -= w) < 0) return name;
    return 'completed';
  };

  // The `events <pvc>` target: the first volume, with a ping-pong history and driver events.
  const target = ours[0]!;
  let migBudget = spec.migrationEvents;
  const slotsUsed = new Map<Volume, number>(); // next free slot, counting back from the oldest
  const SLOTS = 5; // slots 1..5 (10–60 min ago); slot 0 is for in-progress only
  const slotStart = (slot: number): number => now - (slot + 1) * SLOT;
  // In-progress migrations for the recent dual-attaches (matching their nodes), done first.
  for (const v of ours.filter((x) => x.category === 'dual-recent')) {
    migBudget -= tail.inProgress!(v, 0);
    slotsUsed.set(v, SLOTS + 1); // nothing after it
  }
  migBudget -= scenarios.pingPong!(target, slotStart(SLOTS));
  slotsUsed.set(target, SLOTS - 1);
  // Round-robin over the driver's volumes, oldest slot first, until the budget is spent.
  const candidates = rnd.shuffle(ours.filter((v) => v.category !== 'dual-recent' && v !== target));
  let cursor = 0;
  let guard = 0;
  while (migBudget > 0 && guard++ < 10 * spec.migrationEvents + 100) {
    const v = candidates[cursor++ % candidates.length]!;
    const slot = slotsUsed.get(v) ?? SLOTS;
    if (slot < 1) continue;
    let name = pickScenario();
    if (migBudget < 4 && name === 'pingPong') name = 'completed';
    if (migBudget < 3 && name === 'superseded') name = 'completed';
    if (migBudget < 2) name = rnd.pick(['inferred', 'unresolved']);
    const isTail = name in tail;
    if (isTail && slot < 2) continue; // unresolved needs ≥ 10 min of age
    migBudget -= (isTail ? tail[name]! : scenarios[name]!)(v, slotStart(slot));
    slotsUsed.set(v, isTail ? 0 : slot - 1);
  }

  // Migrations = completed + failed + in-progress + unresolved.
  expected.migrations = expected.completed + expected.failed + expected.inProgress + expected.unresolved;

  // Unrelated events, up to the total.
  const podOf = (v: Volume): string => `virt-launcher-${v.pvcName.replace(/-rootdisk$/, '')}-${rnd.suffix()}`;
  const unrelated: (() => void)[] = [
    // pods (virt-launcher): scheduling, image pulls, probes, back-offs
    () => {
      const v = rnd.pick(volumes);
      const pod = podOf(v);
      const involved = {
        kind: 'Pod',
        namespace: v.namespace,
        name: pod,
        uid: rnd.uuid(),
        apiVersion: 'v1',
        resourceVersion: String(rnd.int(1e5, 9e6)),
      };
      const t = now - rnd.int(0, 3_500) * 1000;
      const kind = rnd.int(0, 6);
      if (kind === 0)
        emit({
          namespace: v.namespace,
          involved,
          reason: 'Scheduled',
          type: 'Normal',
          message: `Successfully assigned ${v.namespace}/${pod} to ${v.node}`,
          component: 'default-scheduler',
          first: t,
        });
      else {
        const c = { ...involved, fieldPath: 'spec.containers{compute}' };
        const host = v.node;
        const img = 'quay.io/kubevirt/virt-launcher:v1.5.0';
        const [reason, type, message, count] =
          kind === 1
            ? ['Pulled', 'Normal', `Container image "${img}" already present on machine`, 1]
            : kind === 2
              ? ['Created', 'Normal', 'Created container compute', 1]
              : kind === 3
                ? ['Started', 'Normal', 'Started container compute', 1]
                : kind === 4
                  ? ['Killing', 'Normal', 'Stopping container compute', 1]
                  : kind === 5
                    ? ['BackOff', 'Warning', `Back-off restarting failed container compute in pod ${pod}`, rnd.int(2, 60)]
                    : ['Unhealthy', 'Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 503', rnd.int(2, 30)];
        emit({
          namespace: v.namespace,
          involved: c,
          reason: reason as string,
          type: type as string,
          message: message as string,
          component: 'kubelet',
          host,
          first: t - (Number(count) > 1 ? rnd.int(60, 3000) * 1000 : 0),
          last: t,
          count: Number(count),
        });
      }
    },
    // VMIs (virt-controller / virt-handler)
    () => {
      const v = rnd.pick(volumes);
      const name = v.pvcName.replace(/-rootdisk$/, '');
      const involved = {
        kind: 'VirtualMachineInstance',
        namespace: v.namespace,
        name,
        uid: rnd.uuid(),
        apiVersion: 'kubevirt.io/v1',
        resourceVersion: String(rnd.int(1e5, 9e6)),
      };
      const [reason, message] = rnd.pick([
        ['SuccessfulCreate', `Created virtual machine pod virt-launcher-${name}-${rnd.suffix()}`],
        ['Started', 'VirtualMachineInstance started.'],
        ['Migrated', `The VirtualMachineInstance migrated to node ${rnd.pick(nodes)}.`],
        ['PreparingTarget', 'VirtualMachineInstance Migration Target Prepared.'],
        ['SyncFailed', 'server error. command SyncVMI failed: "LibvirtError(Code=38, Domain=7, Message=\'Unable to connect\')"'],
      ] as const);
      emit({
        namespace: v.namespace,
        involved,
        reason,
        type: reason === 'SyncFailed' ? 'Warning' : 'Normal',
        message,
        component: rnd.pick(['virt-controller', 'virt-handler']),
        host: v.node,
        first: now - rnd.int(0, 3_500) * 1000,
      });
    },
    // PVC events of other controllers and of the driver (shown by `events --all`)
    () => {
      const v = rnd.pick(volumes);
      const [reason, type, component, message] = rnd.pick([
        [
          'ExternalProvisioning',
          'Normal',
          'persistentvolume-controller',
          `Waiting for a volume to be created either by the external provisioner '${DRIVER}' or manually by the system administrator.`,
        ],
        [
          'Provisioning',
          'Normal',
          `${DRIVER}_rds-csi-controller-0_${rnd.uuid()}`,
          `External provisioner is provisioning volume for claim "${v.namespace}/${v.pvcName}"`,
        ],
        ['ProvisioningSucceeded', 'Normal', `${DRIVER}_rds-csi-controller-0_${rnd.uuid()}`, `Successfully provisioned volume ${v.pvName}`],
        ['VolumeAttached', 'Normal', 'rds-csi-node', `[${v.pvName}]: volume attached to node ${v.node}`],
        [
          'AttachmentConflict',
          'Warning',
          'rds-csi-node',
          `[${v.pvName}]: volume is attached to ${v.node}; refusing second attach outside a migration`,
        ],
      ] as const);
      emit({
        namespace: v.namespace,
        involved: pvcRef(v),
        reason,
        type,
        message,
        component,
        host: component === 'rds-csi-node' ? v.node : undefined,
        first: now - rnd.int(0, 3_500) * 1000,
      });
    },
    // nodes (in `default`)
    () => {
      const n = rnd.pick(nodes);
      const involved = { kind: 'Node', name: n, uid: n, apiVersion: 'v1' };
      const [reason, type, message] = rnd.pick([
        ['NodeHasSufficientMemory', 'Normal', `Node ${n} status is now: NodeHasSufficientMemory`],
        ['NodeReady', 'Normal', `Node ${n} status is now: NodeReady`],
        ['RegisteredNode', 'Normal', `Node ${n} event: Registered Node ${n} in Controller`],
        ['Rebooted', 'Warning', `Node ${n} has been rebooted, boot id: ${rnd.uuid()}`],
      ] as const);
      emit({
        namespace: 'default',
        involved,
        reason,
        type,
        message,
        component: reason === 'RegisteredNode' ? 'node-controller' : 'kubelet',
        host: n,
        first: now - rnd.int(0, 3_500) * 1000,
      });
    },
    // workloads
    () => {
      const ns = rnd.pick(namespaces);
      const rs = `cdi-uploadproxy-${rnd.suffix(9)}`;
      const involved = {
        kind: 'ReplicaSet',
        namespace: ns,
        name: rs,
        uid: rnd.uuid(),
        apiVersion: 'apps/v1',
        resourceVersion: String(rnd.int(1e5, 9e6)),
      };
      emit({
        namespace: ns,
        involved,
        reason: 'SuccessfulCreate',
        type: 'Normal',
        message: `Created pod: ${rs}-${rnd.suffix()}`,
        component: 'replicaset-controller',
        first: now - rnd.int(0, 3_500) * 1000,
      });
    },
  ];
  const unrelatedWeights = [70, 10, 10, 5, 5];
  // The events target also gets a few PVC events of its own.
  for (let i = 0; i < Math.min(6, spec.totalEvents - events); i++) {
    const reasons = [
      ['ExternalProvisioning', 'persistentvolume-controller'],
      ['Provisioning', DRIVER],
      ['ProvisioningSucceeded', DRIVER],
      ['VolumeAttached', 'rds-csi-node'],
      ['VolumeAttached', 'rds-csi-node'],
      ['AttachmentConflict', 'rds-csi-node'],
    ] as const;
    const [reason, component] = reasons[i]!;
    emit({
      namespace: target.namespace,
      involved: pvcRef(target),
      reason,
      type: reason === 'AttachmentConflict' ? 'Warning' : 'Normal',
      message: `[${target.pvName}]: ${reason} on ${target.node}`,
      component,
      first: now - (3_000 - i * 300) * 1000,
    });
  }
  while (events < spec.totalEvents) {
    let r = rnd.float() * 100;
    let i = 0;
    while ((r -= unrelatedWeights[i]!) >= 0) i++;
    unrelated[i]!();
  }

  const targetEvents = objects.filter((o) => o.kind === 'Event' && (o.involvedObject ?? o.regarding)?.uid === target.pvcUid).length;
  return {
    objects,
    expected,
    counts: {
      events,
      migrationReasonEvents,
      pvs: volumes.length,
      pvcs: volumes.length,
      volumeAttachments: objects.filter((o) => o.kind === 'VolumeAttachment').length,
      namespaces: namespaces.length,
    },
    eventsTarget: { namespace: target.namespace, pvc: target.pvcName, events: targetEvents },
  };
}

/** A digest of the generated objects (timestamps relative to `now`), to check determinism. */
export function digest(g: Generated): string {
  return createHash('sha256').update(JSON.stringify(g.objects)).digest('hex').slice(0, 16);
}

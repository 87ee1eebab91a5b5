// Scale generator for the benchmark: a seeded, deterministic, realistic cluster of
// KubeVirt VM disks on the RDS CSI driver. Same seed + size + `now` => byte-identical objects.
//
// What it makes:
// - N namespaces `vms-NNN`; PVCs `vm-NNNNN-rootdisk` bound to RWX Block PVs `pvc-<pvc uid>` of the
//   driver (a few PVs of another driver, with their VolumeAttachments, as noise);
// - PV migration timeouts (volumeAttributes.migrationTimeoutSeconds): mostly "300", some "600",
//   "3600", missing, "10" (clamped to 30) and "1.5" (junk -> 300);
// - VolumeAttachments: most volumes attached to one node (some being deleted), some dual-attached
//   (recent = in progress, old = stuck), a few multi-attached, some with a rejected target
//   (attachError next to an attached one), some not attached at all;
// - migration events in the driver's exact formats (→ and the aggregator prefix in a few),
//   covering completed, failed, completed-without-Started (inferred), ping-pong A→B, B→A, A→B
//   merged into count-2 events, retried attaches merged into a count-3 Started (1 untimed
//   occurrence), in-progress, unresolved, superseded Starteds, events.k8s.io/v1-shaped events,
//   unparsable messages, and Migration* reasons on VirtualMachineInstances (not the driver's);
// - a large number of unrelated events: pods, VMIs, nodes, ReplicaSets and other PVC reasons;
// - KubeVirt (served by the fake with `kubevirt: true`): a VMI per VM disk PVC (running where its
//   volume is attached; scheduling where it is not), up to 5 final VMIMs per VMI in KubeVirt's
//   own shape (phase transitions, a trusted migrationState): one for each recent completed/failed
//   driver migration (same nodes, started seconds before it), older ones beyond the event TTL
//   (migrations only KubeVirt remembers), a recent one without driver events (MissingMigrationEvents),
//   an in-flight one for each in-progress dual-attach; a virt-launcher pod per VMI (a target pod
//   next to it where a migration is in flight or failed), and the Nodes, whose volumesInUse and
//   volumesAttached agree with the VolumeAttachments. Volumes on two or more nodes sit in a tenth
//   of the namespaces, so that an audit lists pods there only.
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
  /** What rds-migrate's audit must report (events, attachments and KubeVirt's migrations). */
  expected: Expected;
  /** What a reader of events, VolumeAttachments and PVs alone must report (the kubectl+jq peer). */
  expectedFromEvents: Expected;
  counts: {
    events: number;
    migrationReasonEvents: number;
    pvs: number;
    pvcs: number;
    volumeAttachments: number;
    namespaces: number;
    nodes: number;
    vmis: number;
    vmims: number;
    pods: number;
  };
  /** The namespaces of the driver's volumes attached to two or more nodes: where an audit lists pods. */
  podNamespaces: string[];
  /** The requests each command must make: signature (see requestSignature) -> how many. */
  requests: { audit: Record<string, number>; events: Record<string, number> };
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

/** Go's time.Duration.String() of whole seconds. */
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
// Messages, byte for byte as the driver writes them

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
  /** The timeout the driver would use. */
  timeout: number;
  node: string;
  category: 'none' | 'single' | 'detaching' | 'dual-recent' | 'dual-stuck' | 'multi' | 'rejected';
  /** For dual/multi: the other nodes. */
  otherNodes: string[];
  /** The driver migrations of its events that KubeVirt also recorded (a VMIM each), oldest first. */
  history: { source: string; target: string; start: number; end: number; outcome: 'completed' | 'failed'; reason?: string }[];
  /** The VolumeAttachments' creation times by node. */
  attachedAt: Map<string, number>;
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
  const nodeUse = new Map(nodes.map((n) => [n, { inUse: [] as string[], attached: [] as { name: string; devicePath: string }[] }]));
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
      history: [],
      attachedAt: new Map(),
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
  // Volumes on two or more nodes sit in a tenth of the namespaces (not on the `events` target),
  // so that the audit reads pods there only; the rest are placed anywhere.
  const sharedNamespaces = new Set(namespaces.slice(0, Math.max(1, Math.round(spec.namespaces / 10))));
  const inShared = rnd.shuffle(ours.filter((v) => v !== ours[0] && sharedNamespaces.has(v.namespace)));
  const nShared = nDualRecent + nDualStuck + nMulti;
  if (inShared.length < nShared) throw new Error(`size ${spec.name}: too few volumes in the shared namespaces`);
  const order = [...inShared.slice(0, nShared), ...rnd.shuffle([...inShared.slice(nShared), ...ours.filter((v) => !inShared.includes(v))])];
  let k = 0;
  const assign = (n: number, cat: Volume['category']): void => {
    for (let j = 0; j < n; j++) order[k++]!.category = cat;
  };
  assign(nDualRecent, 'dual-recent');
  assign(nDualStuck, 'dual-stuck');
  assign(nMulti, 'multi');
  assign(nRejected, 'rejected');
  for (let j = 0; j < nSingle; j++) order[k++]!.category = rnd.chance(0.02) ? 'detaching' : 'single';
  while (k < order.length) order[k++]!.category = 'none';

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
      v.attachedAt.set(node, createdAt);
      if (obj.status.attached) {
        // The node's view (the kubelet's volumesInUse, the attach/detach controller's
        // volumesAttached): attached; in use unless the volume is being detached.
        const unique = `kubernetes.io/csi/${obj.spec.attacher}^${volume.spec.csi.volumeHandle}`;
        const use = nodeUse.get(node)!;
        use.attached.push({ name: unique, devicePath: obj.status.attachmentMetadata.devicePath });
        if (extra.deletionTimestamp === undefined) use.inUse.push(unique);
      }
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
      v.history.push({ source: v.node, target: tgt, start, end: start + d * 1000, outcome: 'completed' });
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
      v.history.push({ source: v.node, target: tgt, start, end: start + elapsed * 1000, outcome: 'failed', reason });
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

  // --- KubeVirt: VMIs, VMIMs, virt-launcher pods; and the Nodes ------------------------------
  // The events above are all that a reader of events sees; KubeVirt's migrations beyond them
  // (final VMIMs no driver migration matches) add to what rds-migrate reports.
  const expectedFromEvents: Expected = { ...expected };
  let vmiCount = 0;
  let vmimCount = 0;
  let podCount = 0;
  const vmimNames = new Set<string>();
  const uniqueName = (namespace: string, prefix: string): string => {
    for (;;) {
      const name = `${prefix}${rnd.suffix()}`;
      if (!vmimNames.has(`${namespace}/${name}`)) {
        vmimNames.add(`${namespace}/${name}`);
        return name;
      }
    }
  };
  const nodeAddress = (n: string): string => `10.0.${Math.floor(nodes.indexOf(n) / 250)}.${(nodes.indexOf(n) % 250) + 2}`;
  // Final VMIMs kept per VMI (KubeVirt keeps the last 5), weighted toward often-migrated VMs.
  const finalCounts = [0, 1, 2, 3, 4, 5];
  const finalWeights = [5, 5, 10, 10, 20, 50];
  const pickFinalCount = (): number => {
    let r = rnd.float() * 100;
    for (let i = 0; i < finalCounts.length; i++) if ((r -= finalWeights[i]!) < 0) return finalCounts[i]!;
    return 5;
  };
  const LIBVIRT_FAILURES = [
    "Live migration failed: error encountered during MigrateToURI3 libvirt api call: virError(Code=1, Domain=10, Message='internal error: qemu unexpectedly closed the monitor')",
    'Live migration failed: migration job was cancelled because it stalled (progress timeout of 150s exceeded)',
    'Target pod is down',
    'Live migration has been aborted',
  ];

  interface VmimSpec {
    name: string;
    uid: string;
    start: number;
    end: number | null;
    phase: string;
    source: string;
    target: string;
    failureReason?: string;
    /** Counted as a migration of its own (no driver migration matches it). */
    ownMigration: boolean;
    evacuation: boolean;
  }
  const PHASES = ['Pending', 'Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running'];
  const vmimObject = (v: Volume, vmiName: string, m: VmimSpec, sourcePod: string, targetPod: string): any => {
    const final = m.end !== null;
    // Phases reached: all up to Running for a completed or late failure, fewer for an early one.
    const reached = final ? (m.phase === 'Succeeded' ? PHASES.length : rnd.int(2, PHASES.length)) : PHASES.indexOf(m.phase) + 1;
    const span = (m.end ?? now) - m.start;
    const transitions = PHASES.slice(0, reached).map((phase, i) => ({
      phase,
      phaseTransitionTimestamp: iso(m.start + Math.floor((span * i) / (reached + 2) / 1000) * 1000),
    }));
    if (final) transitions.push({ phase: m.phase, phaseTransitionTimestamp: iso(m.end!) });
    const status: any = { phase: m.phase, phaseTransitionTimestamps: transitions };
    if (final) {
      // Copied from the VMI once final, for this migration only (KubeVirt >= 1.5): trusted.
      status.migrationState = {
        completed: true,
        endTimestamp: iso(m.end!),
        ...(m.failureReason !== undefined ? { failed: true, failureReason: m.failureReason } : {}),
        migrationConfiguration: {
          allowAutoConverge: false,
          allowPostCopy: false,
          allowWorkloadDisruption: false,
          bandwidthPerMigration: '0',
          completionTimeoutPerGiB: 150,
          nodeDrainTaintKey: 'kubevirt.io/drain',
          parallelMigrationsPerCluster: 5,
          parallelOutboundMigrationsPerNode: 2,
          progressTimeout: 150,
          unsafeMigrationOverride: false,
        },
        migrationUid: m.uid,
        mode: 'PreCopy',
        sourceNode: m.source,
        sourcePod,
        startTimestamp: iso(m.start + 4000),
        targetDirectMigrationNodePorts: { [String(rnd.int(33000, 45000))]: 49152, [String(rnd.int(33000, 45000))]: 0 },
        targetNode: m.target,
        targetNodeAddress: nodeAddress(m.target),
        targetNodeDomainDetected: true,
        targetNodeDomainReadyTimestamp: iso(m.start + 3000),
        targetPod,
      };
    } else {
      // In flight: KubeVirt has written only the source pod so far.
      status.migrationState = { sourcePod };
    }
    const metadata: any = {
      annotations: {
        'kubevirt.io/latest-observed-api-version': 'v1',
        'kubevirt.io/storage-observed-api-version': 'v1',
        ...(m.evacuation ? { 'kubevirt.io/evacuationMigration': m.source } : {}),
      },
      creationTimestamp: iso(m.start),
      generateName: m.evacuation ? 'kubevirt-evacuation-' : 'kubevirt-migrate-vm-',
      generation: 1,
      labels: { 'kubevirt.io/vmi-name': vmiName },
      name: m.name,
      namespace: v.namespace,
      resourceVersion: String(rnd.int(1e6, 9e7)),
      uid: m.uid,
    };
    if (!final) metadata.finalizers = ['kubevirt.io/migrationJobFinalize'];
    vmimCount++;
    return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata, spec: { vmiName }, status };
  };

  const launcherPod = (
    v: Volume,
    vmi: any,
    node: string | null,
    phase: string,
    created: number,
    migration?: { name: string; uid: string },
  ): any => {
    const name = `virt-launcher-${vmi.metadata.name}-${rnd.suffix()}`;
    const running = phase === 'Running';
    const labels: Record<string, string> = {
      'kubevirt.io': 'virt-launcher',
      'kubevirt.io/created-by': vmi.metadata.uid,
      'kubevirt.io/nodeName': vmi.status.nodeName ?? '',
      'kubevirt.io/vm': vmi.metadata.name,
      'vm.kubevirt.io/name': vmi.metadata.name,
      'vmi.kubevirt.io/id': vmi.metadata.name,
    };
    if (migration) labels['kubevirt.io/migrationJobUID'] = migration.uid;
    const annotations: Record<string, string> = {
      'kubectl.kubernetes.io/default-container': 'compute',
      'kubevirt.io/domain': vmi.metadata.name,
      'kubevirt.io/migrationTransportUnix': 'true',
      'kubevirt.io/memory-overhead-bytes': '289865360',
      'descheduler.alpha.kubernetes.io/request-evict-only': '',
      'post.hook.backup.velero.io/command': `["/usr/bin/virt-freezer", "--unfreeze", "--name", "${vmi.metadata.name}", "--namespace", "${v.namespace}"]`,
      'post.hook.backup.velero.io/container': 'compute',
      'pre.hook.backup.velero.io/command': `["/usr/bin/virt-freezer", "--freeze", "--name", "${vmi.metadata.name}", "--namespace", "${v.namespace}"]`,
      'pre.hook.backup.velero.io/container': 'compute',
    };
    if (migration) annotations['kubevirt.io/migrationJobName'] = migration.name;
    const mounts = [
      { mountPath: '/var/run/kubevirt-private', name: 'private' },
      { mountPath: '/var/run/kubevirt', name: 'public' },
      { mountPath: '/var/run/kubevirt-ephemeral-disks', name: 'ephemeral-disks' },
      { mountPath: '/var/run/kubevirt/container-disks', mountPropagation: 'HostToContainer', name: 'container-disks' },
      { mountPath: '/var/run/libvirt', name: 'libvirt-runtime' },
      { mountPath: '/var/run/kubevirt/sockets', name: 'sockets' },
      { mountPath: '/var/run/kubevirt/hotplug-disks', mountPropagation: 'HostToContainer', name: 'hotplug-disks' },
      { mountPath: '/var/run/kubevirt-private/secret/cloudinitdisk', name: 'cloudinitdisk-ndata', readOnly: true },
    ];
    const container = (cname: string, command: string[]): any => ({
      command,
      env: [
        { name: 'XDG_CACHE_HOME', value: '/var/run/kubevirt-private' },
        { name: 'XDG_CONFIG_HOME', value: '/var/run/kubevirt-private' },
        { name: 'XDG_RUNTIME_DIR', value: '/var/run' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ],
      image: 'quay.io/kubevirt/virt-launcher:v1.5.0',
      imagePullPolicy: 'IfNotPresent',
      name: cname,
      resources:
        cname === 'compute'
          ? {
              limits: { 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1' },
              requests: { cpu: '400m', 'devices.kubevirt.io/kvm': '1', memory: '4392Mi' },
            }
          : { limits: { cpu: '15m', memory: '60M' }, requests: { cpu: '5m', memory: '35M' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        privileged: false,
        runAsGroup: 107,
        runAsNonRoot: true,
        runAsUser: 107,
      },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ...(cname === 'compute'
        ? { volumeDevices: [{ devicePath: '/dev/rootdisk', name: 'rootdisk' }], volumeMounts: mounts }
        : { volumeMounts: [{ mountPath: '/var/run/kubevirt-private', name: 'private', readOnly: true }] }),
    });
    const pod: any = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        annotations,
        creationTimestamp: iso(created),
        generateName: `virt-launcher-${vmi.metadata.name}-`,
        labels,
        name,
        namespace: v.namespace,
        ownerReferences: [
          {
            apiVersion: 'kubevirt.io/v1',
            blockOwnerDeletion: true,
            controller: true,
            kind: 'VirtualMachineInstance',
            name: vmi.metadata.name,
            uid: vmi.metadata.uid,
          },
        ],
        resourceVersion: String(rnd.int(1e6, 9e7)),
        uid: rnd.uuid(),
      },
      spec: {
        automountServiceAccountToken: false,
        containers: [
          container('compute', [
            '/usr/bin/virt-launcher-monitor',
            '--qemu-timeout',
            '291s',
            '--name',
            vmi.metadata.name,
            '--uid',
            vmi.metadata.uid,
            '--namespace',
            v.namespace,
            '--kubevirt-share-dir',
            '/var/run/kubevirt',
            '--ephemeral-disk-dir',
            '/var/run/kubevirt-ephemeral-disks',
            '--container-disk-dir',
            '/var/run/kubevirt/container-disks',
            '--grace-period-seconds',
            '45',
            '--hook-sidecars',
            '0',
            '--ovmf-path',
            '/usr/share/OVMF',
            '--run-as-nonroot',
          ]),
          container('guest-console-log', [
            '/usr/bin/virt-tail',
            '--logfile',
            `/var/run/kubevirt-private/${vmi.metadata.uid}/virt-serial0-log`,
          ]),
        ],
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: false,
        hostname: vmi.metadata.name,
        nodeSelector: { 'kubernetes.io/arch': 'amd64', 'kubevirt.io/schedulable': 'true' },
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        readinessGates: [{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }],
        restartPolicy: 'Never',
        schedulerName: 'default-scheduler',
        securityContext: { fsGroup: 107, runAsGroup: 107, runAsNonRoot: true, runAsUser: 107 },
        serviceAccount: 'default',
        serviceAccountName: 'default',
        terminationGracePeriodSeconds: 60,
        tolerations: [
          { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
          { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
        ],
        volumes: [
          { emptyDir: {}, name: 'private' },
          { emptyDir: {}, name: 'public' },
          { emptyDir: {}, name: 'sockets' },
          { emptyDir: {}, name: 'virt-bin-share-dir' },
          { emptyDir: {}, name: 'libvirt-runtime' },
          { emptyDir: {}, name: 'ephemeral-disks' },
          { emptyDir: {}, name: 'container-disks' },
          { name: 'rootdisk', persistentVolumeClaim: { claimName: v.pvcName } },
          { name: 'cloudinitdisk-ndata', secret: { defaultMode: 420, secretName: `${vmi.metadata.name}-cloudinit` } },
          { emptyDir: {}, name: 'hotplug-disks' },
        ],
      },
      status: {
        conditions: [
          { lastProbeTime: null, lastTransitionTime: iso(created + 1000), status: 'True', type: 'PodReadyToStartContainers' },
          { lastProbeTime: null, lastTransitionTime: iso(created), status: 'True', type: 'Initialized' },
          { lastProbeTime: null, lastTransitionTime: iso(created + 9000), status: running ? 'True' : 'False', type: 'Ready' },
          { lastProbeTime: null, lastTransitionTime: iso(created + 9000), status: running ? 'True' : 'False', type: 'ContainersReady' },
          { lastProbeTime: null, lastTransitionTime: iso(created), status: node === null ? 'False' : 'True', type: 'PodScheduled' },
        ],
        containerStatuses: ['compute', 'guest-console-log'].map((cname) => ({
          containerID: `containerd://${rnd.hex(64)}`,
          image: 'quay.io/kubevirt/virt-launcher:v1.5.0',
          imageID: 'quay.io/kubevirt/virt-launcher@sha256:1b5c4b2d6e0b8b8f0d0c4c8c1c2a6c9b5b1e3f8a0e1f2d3c4b5a69788796a5b4',
          lastState: {},
          name: cname,
          ready: running,
          restartCount: 0,
          started: running,
          state: running
            ? { running: { startedAt: iso(created + 8000) } }
            : {
                terminated: {
                  exitCode: phase === 'Failed' ? 1 : 0,
                  reason: phase === 'Failed' ? 'Error' : 'Completed',
                  startedAt: iso(created + 8000),
                  finishedAt: iso(created + 60_000),
                },
              },
        })),
        phase,
        qosClass: 'Burstable',
        startTime: iso(created),
      },
    };
    if (node !== null) {
      pod.spec.nodeName = node;
      pod.status.hostIP = nodeAddress(node);
      pod.status.hostIPs = [{ ip: nodeAddress(node) }];
      pod.status.podIP = `10.244.${nodes.indexOf(node) % 250}.${rnd.int(2, 250)}`;
      pod.status.podIPs = [{ ip: pod.status.podIP }];
    } else {
      pod.status.containerStatuses = [];
      pod.status.conditions = pod.status.conditions.slice(4);
    }
    podCount++;
    return pod;
  };

  const vmiObject = (v: Volume, node: string | null, created: number): any => {
    const name = v.pvcName.replace(/-rootdisk$/, '');
    const uid = rnd.uuid();
    const dataVolume = rnd.chance(0.5);
    vmiCount++;
    return {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: {
        annotations: {
          'kubevirt.io/latest-observed-api-version': 'v1',
          'kubevirt.io/storage-observed-api-version': 'v1',
          'kubevirt.io/vm-generation': '1',
        },
        creationTimestamp: iso(created),
        finalizers: ['kubevirt.io/virtualMachineControllerFinalize', 'foregroundDeleteVirtualMachine'],
        generation: 12,
        labels: { 'kubevirt.io/vm': name, ...(node !== null ? { 'kubevirt.io/nodeName': node } : {}) },
        name,
        namespace: v.namespace,
        ownerReferences: [
          { apiVersion: 'kubevirt.io/v1', blockOwnerDeletion: true, controller: true, kind: 'VirtualMachine', name, uid: rnd.uuid() },
        ],
        resourceVersion: String(rnd.int(1e6, 9e7)),
        uid,
      },
      spec: {
        architecture: 'amd64',
        domain: {
          cpu: { cores: 1, model: 'host-model', sockets: 4, threads: 1 },
          devices: {
            disks: [
              { bootOrder: 1, disk: { bus: 'virtio' }, name: 'rootdisk' },
              { disk: { bus: 'virtio' }, name: 'cloudinitdisk' },
            ],
            interfaces: [
              { macAddress: `02:${rnd.hex(2)}:${rnd.hex(2)}:${rnd.hex(2)}:${rnd.hex(2)}:${rnd.hex(2)}`, masquerade: {}, name: 'default' },
            ],
          },
          features: { acpi: { enabled: true } },
          firmware: { serial: rnd.uuid(), uuid: rnd.uuid() },
          machine: { type: 'pc-q35-rhel9.4.0' },
          memory: { guest: '4Gi' },
          resources: { requests: { memory: '4Gi' } },
        },
        evictionStrategy: 'LiveMigrate',
        networks: [{ name: 'default', pod: {} }],
        terminationGracePeriodSeconds: 45,
        volumes: [
          dataVolume
            ? { dataVolume: { name: v.pvcName }, name: 'rootdisk' }
            : { name: 'rootdisk', persistentVolumeClaim: { claimName: v.pvcName } },
          { cloudInitNoCloud: { secretRef: { name: `${name}-cloudinit` } }, name: 'cloudinitdisk' },
        ],
      },
      status: {
        activePods: {},
        conditions: [
          { lastProbeTime: null, lastTransitionTime: iso(created + 10_000), status: node !== null ? 'True' : 'False', type: 'Ready' },
          { lastProbeTime: null, lastTransitionTime: null, status: 'True', type: 'LiveMigratable' },
          { lastProbeTime: null, lastTransitionTime: null, status: 'True', type: 'StorageLiveMigratable' },
        ],
        currentCPUTopology: { cores: 1, sockets: 4, threads: 1 },
        guestOSInfo: node !== null ? { id: 'fedora', kernelRelease: '6.8.5-301.fc40.x86_64', name: 'Fedora Linux', version: '40' } : {},
        launcherContainerImageVersion: 'quay.io/kubevirt/virt-launcher:v1.5.0',
        machine: { type: 'pc-q35-rhel9.4.0' },
        memory: { guestAtBoot: '4Gi', guestCurrent: '4Gi', guestRequested: '4Gi' },
        migrationMethod: 'BlockMigration',
        migrationTransport: 'Unix',
        ...(node !== null ? { nodeName: node } : {}),
        phase: node !== null ? 'Running' : 'Scheduling',
        phaseTransitionTimestamps: [
          { phase: 'Pending', phaseTransitionTimestamp: iso(created) },
          { phase: 'Scheduling', phaseTransitionTimestamp: iso(created + 1000) },
          ...(node !== null
            ? [
                { phase: 'Scheduled', phaseTransitionTimestamp: iso(created + 9000) },
                { phase: 'Running', phaseTransitionTimestamp: iso(created + 12_000) },
              ]
            : []),
        ],
        qosClass: 'Burstable',
        selinuxContext: 'none',
        volumeStatus: [
          { name: 'cloudinitdisk', size: 1048576, target: 'vdb' },
          {
            name: 'rootdisk',
            persistentVolumeClaimInfo: { accessModes: ['ReadWriteMany'], claimName: v.pvcName, volumeMode: 'Block' },
            target: 'vda',
          },
        ],
      },
    };
  };

  const targetOf = (v: Volume): string | undefined => v.otherNodes[0];
  for (const v of volumes) {
    const running = v.category !== 'none';
    const created = now - rnd.int(20, 60) * 86_400_000;
    const vmi = vmiObject(v, running ? v.node : null, created);
    objects.push(vmi);
    if (!running) {
      // Not attached anywhere: a VM still being scheduled (its VMIMs went with its previous VMI).
      objects.push(launcherPod(v, vmi, null, 'Pending', now - rnd.int(30, 300) * 1000));
      continue;
    }
    const specs: VmimSpec[] = [];
    const finals = pickFinalCount();
    // Recent driver migrations, newest first, each with its VMIM (started seconds before it).
    for (const h of [...v.history].reverse().slice(0, finals)) {
      const mismatch = h.outcome === 'completed' && rnd.chance(0.02); // KubeVirt disagrees: OutcomeMismatch
      const failed = h.outcome === 'failed' || mismatch;
      specs.push({
        name: uniqueName(v.namespace, 'kubevirt-evacuation-'),
        uid: rnd.uuid(),
        start: h.start - rnd.int(2, 15) * 1000,
        end: h.end + rnd.int(1, 5) * 1000,
        phase: failed ? 'Failed' : 'Succeeded',
        source: h.source,
        target: h.target,
        ...(failed ? { failureReason: h.reason === 'timeout' ? LIBVIRT_FAILURES[1]! : rnd.pick(LIBVIRT_FAILURES) } : {}),
        ownMigration: false,
        evacuation: true,
      });
    }
    // A dual-attach stuck since a failed migration (its target VolumeAttachment was never detached).
    const stuckTarget = v.category === 'dual-stuck' ? targetOf(v) : undefined;
    if (stuckTarget !== undefined && specs.length < finals) {
      const start = v.attachedAt.get(stuckTarget)! - rnd.int(5, 20) * 1000;
      specs.push({
        name: uniqueName(v.namespace, 'kubevirt-migrate-vm-'),
        uid: rnd.uuid(),
        start,
        end: start + rnd.int(60, 300) * 1000,
        phase: 'Failed',
        source: v.node,
        target: stuckTarget,
        failureReason: 'Target pod is down',
        ownMigration: true,
        evacuation: false,
      });
    }
    // A recent migration the driver recorded nothing for (MissingMigrationEvents): in the last
    // 10 minutes, where no driver migration of these volumes starts.
    if (v.category === 'single' && v.ours && specs.length < finals && rnd.chance(0.005)) {
      const start = now - rnd.int(300, 540) * 1000;
      specs.push({
        name: uniqueName(v.namespace, 'kubevirt-evacuation-'),
        uid: rnd.uuid(),
        start,
        end: start + rnd.int(20, 90) * 1000,
        phase: 'Succeeded',
        source: otherNode([v.node]),
        target: v.node,
        ownMigration: true,
        evacuation: true,
      });
    }
    // Older ones, beyond the event TTL (3 hours to 2 weeks ago): a chain of nodes ending where the VM runs.
    const older = finals - specs.length;
    const starts = Array.from({ length: older }, () => now - rnd.int(3 * 3600, 14 * 86_400) * 1000).sort((a, b) => b - a);
    let arrivesAt = v.node;
    for (const start of starts) {
      const failed = rnd.chance(0.1);
      const from = otherNode([arrivesAt]);
      const evacuation = rnd.chance(0.7);
      specs.push({
        name: uniqueName(v.namespace, evacuation ? 'kubevirt-evacuation-' : 'kubevirt-migrate-vm-'),
        uid: rnd.uuid(),
        start,
        end: start + rnd.int(12, 180) * 1000, // live migrations of 4 GiB VMs: seconds to minutes
        phase: failed ? 'Failed' : 'Succeeded',
        source: from,
        target: failed ? otherNode([from]) : arrivesAt,
        ...(failed ? { failureReason: rnd.pick(LIBVIRT_FAILURES) } : {}),
        ownMigration: true,
        evacuation,
      });
      if (!failed) arrivesAt = from;
    }
    specs.sort((a, b) => a.start - b.start);
    // Only the driver's volumes have migrations; KubeVirt's unmatched final VMIMs are some.
    if (v.ours) {
      for (const m of specs) {
        if (!m.ownMigration) continue;
        if (m.phase === 'Succeeded') expected.completed++;
        else expected.failed++;
      }
    }
    // The running pod: the target pod of the last migration that brought the VM here.
    const arrival = [...specs].reverse().find((m) => m.phase === 'Succeeded' && m.target === v.node);
    const launcher = launcherPod(v, vmi, v.node, 'Running', arrival?.end ?? created, arrival);
    vmi.status.activePods[launcher.metadata.uid] = v.node;
    objects.push(launcher);
    for (const m of specs) {
      const targetPod =
        m.phase === 'Failed'
          ? `virt-launcher-${vmi.metadata.name}-${rnd.suffix()}`
          : m === arrival
            ? launcher.metadata.name
            : `virt-launcher-${vmi.metadata.name}-${rnd.suffix()}`;
      objects.push(vmimObject(v, vmi.metadata.name, m, `virt-launcher-${vmi.metadata.name}-${rnd.suffix()}`, targetPod));
    }
    if (stuckTarget !== undefined) {
      // The failed migration's target pod, finished: no longer a user of the volume.
      const failed = specs.find((m) => m.target === stuckTarget && m.phase === 'Failed');
      objects.push(launcherPod(v, vmi, stuckTarget, 'Failed', v.attachedAt.get(stuckTarget)!, failed));
    }
    if (v.category === 'dual-recent') {
      // The in-progress migration: an in-flight VMIM and its target pod on the new node.
      const target = targetOf(v)!;
      const inFlight: VmimSpec = {
        name: uniqueName(v.namespace, 'kubevirt-evacuation-'),
        uid: rnd.uuid(),
        start: now - rnd.int(65, 120) * 1000,
        end: null,
        phase: 'Running',
        source: v.node,
        target,
        ownMigration: false,
        evacuation: true,
      };
      objects.push(vmimObject(v, vmi.metadata.name, inFlight, launcher.metadata.name, ''));
      const pod = launcherPod(v, vmi, target, 'Running', inFlight.start + 2000, inFlight);
      vmi.status.activePods[pod.metadata.uid] = target;
      objects.push(pod);
    }
    if (v.category === 'multi') {
      // A backup data mover reading the volume on another node: not a VM's pod.
      const node = v.otherNodes[0]!;
      const backup = launcherPod(v, vmi, node, 'Running', now - rnd.int(3_600, 7_200) * 1000);
      backup.metadata.name = `${v.pvcName}-backup-${rnd.suffix()}`;
      backup.metadata.generateName = `${v.pvcName}-backup-`;
      backup.metadata.labels = { 'velero.io/data-upload': `backup-${rnd.suffix()}`, 'velero.io/exposer-pod-group': 'snapshot-exposer' };
      delete backup.metadata.annotations;
      backup.metadata.ownerReferences = [];
      objects.push(backup);
    }
  }

  // Nodes: what their kubelets use and the attach/detach controller has attached, as the
  // VolumeAttachments say.
  for (const name of nodes) {
    const use = nodeUse.get(name)!;
    const address = nodeAddress(name);
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        annotations: {
          'csi.volume.kubernetes.io/nodeid': JSON.stringify({ [DRIVER]: name, 'nfs.csi.k8s.io': name }),
          'kubevirt.io/heartbeat': iso(now - rnd.int(0, 60) * 1000),
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
        creationTimestamp: iso(now - rnd.int(100, 400) * 86_400_000),
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'cpu-model.node.kubevirt.io/EPYC-Genoa': 'true',
          'kubevirt.io/schedulable': 'true',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node-role.kubernetes.io/worker': '',
          'topology.kubernetes.io/zone': `zone-${nodes.indexOf(name) % 3}`,
        },
        name,
        resourceVersion: String(rnd.int(1e6, 9e7)),
        uid: rnd.uuid(),
      },
      spec: { podCIDR: `10.244.${nodes.indexOf(name) % 250}.0/24`, podCIDRs: [`10.244.${nodes.indexOf(name) % 250}.0/24`] },
      status: {
        addresses: [
          { address, type: 'InternalIP' },
          { address: name, type: 'Hostname' },
        ],
        allocatable: {
          cpu: '63500m',
          'devices.kubevirt.io/kvm': '1k',
          'ephemeral-storage': '846835728328',
          memory: '527557552Ki',
          pods: '250',
        },
        capacity: { cpu: '64', 'devices.kubevirt.io/kvm': '1k', 'ephemeral-storage': '918886448Ki', memory: '528174000Ki', pods: '250' },
        conditions: [
          ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
          ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
          ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
          ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
        ].map(([type, status, reason, message]) => ({
          lastHeartbeatTime: iso(now - rnd.int(0, 40) * 1000),
          lastTransitionTime: iso(now - rnd.int(1, 30) * 86_400_000),
          message,
          reason,
          status,
          type,
        })),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        images: [
          ['quay.io/kubevirt/virt-launcher', 402117238],
          ['quay.io/kubevirt/virt-handler', 198211113],
          ['registry.k8s.io/kube-proxy', 30576712],
          ['ghcr.io/srvlab/rds-csi-driver', 48213775],
          ['registry.k8s.io/sig-storage/csi-node-driver-registrar', 14138498],
          ['quay.io/cilium/cilium', 193510297],
        ].map(([image, sizeBytes]) => ({ names: [`${image}@sha256:${rnd.hex(64)}`, `${image}:v1.5.0`], sizeBytes })),
        nodeInfo: {
          architecture: 'amd64',
          bootID: rnd.uuid(),
          containerRuntimeVersion: 'containerd://1.7.22',
          kernelVersion: '6.8.0-45-generic',
          kubeProxyVersion: '',
          kubeletVersion: 'v1.31.4',
          machineID: rnd.hex(32),
          operatingSystem: 'linux',
          osImage: 'Ubuntu 24.04.1 LTS',
          systemUUID: rnd.uuid(),
        },
        ...(use.attached.length > 0 ? { volumesAttached: [...use.attached].sort((a, b) => (a.name < b.name ? -1 : 1)) } : {}),
        ...(use.inUse.length > 0 ? { volumesInUse: [...use.inUse].sort() } : {}),
      },
    });
  }
  expected.migrations = expected.completed + expected.failed + expected.inProgress + expected.unresolved;

  const podNamespaces = [
    ...new Set(
      ours.filter((v) => v.category === 'dual-recent' || v.category === 'dual-stuck' || v.category === 'multi').map((v) => v.namespace),
    ),
  ].sort();
  const targetEvents = objects.filter((o) => o.kind === 'Event' && (o.involvedObject ?? o.regarding)?.uid === target.pvcUid).length;
  return {
    objects,
    expected,
    expectedFromEvents,
    counts: {
      events,
      migrationReasonEvents,
      pvs: volumes.length,
      pvcs: volumes.length,
      volumeAttachments: objects.filter((o) => o.kind === 'VolumeAttachment').length,
      namespaces: namespaces.length,
      nodes: nodes.length,
      vmis: vmiCount,
      vmims: vmimCount,
      pods: podCount,
    },
    podNamespaces,
    requests: expectedRequests(objects, podNamespaces, target),
    eventsTarget: { namespace: target.namespace, pvc: target.pvcName, events: targetEvents },
  };
}

// ---------------------------------------------------------------------------------------------
// The requests rds-migrate must make, page by page

/** Rows per page of a list (rds-migrate's default --chunk-size) and of the VolumeAttachment Table. */
const LIST_LIMIT = 500;
const TABLE_LIMIT = 5000;
const JSON_ACCEPT = 'application/json';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/**
 * How a request is compared: method, path, the query without `continue` (keys sorted), and
 * the Accept header. bench/run.mjs builds the same string from what the fake recorded.
 */
export function requestSignature(method: string, path: string, query: Record<string, string>, accept: string): string {
  const q = Object.keys(query)
    .filter((k) => k !== 'continue')
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  return `${method} ${path}${q === '' ? '' : `?${q}`} [${accept}]`;
}

/**
 * The pages a list takes, with the API server's paging (etcd3 storage, as the fake does it):
 * objects in key order (namespace/name); a page holds up to `limit` matching objects, and a
 * full page is followed by another whenever any object (matching or not) comes after it.
 */
function pagesOf(sorted: readonly any[], match: (o: any) => boolean, limit: number): number {
  let pages = 1;
  let inPage = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (!match(sorted[i])) continue;
    if (++inPage === limit && i + 1 < sorted.length) {
      pages++;
      inPage = 0;
    }
  }
  return pages;
}

function expectedRequests(objects: readonly any[], podNamespaces: readonly string[], target: Volume): Generated['requests'] {
  // Each kind in key order (namespace/name), as the API server lists it.
  const byKind = new Map<string, { key: string; o: any }[]>();
  for (const o of objects) {
    const entry = { key: `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o };
    const list = byKind.get(o.kind);
    if (list === undefined) byKind.set(o.kind, [entry]);
    else list.push(entry);
  }
  for (const list of byKind.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const of = (kind: string, namespace?: string): any[] =>
    (byKind.get(kind) ?? []).filter((e) => namespace === undefined || e.o.metadata.namespace === namespace).map((e) => e.o);
  const all = (_: any): boolean => true;
  const list = (
    path: string,
    items: any[],
    query: Record<string, string> = {},
    match: (o: any) => boolean = all,
    limit = LIST_LIMIT,
    accept = JSON_ACCEPT,
  ) => [requestSignature('GET', path, { ...query, limit: String(limit) }, accept), pagesOf(items, match, limit)];
  const get = (path: string) => [requestSignature('GET', path, {}, JSON_ACCEPT), 1];

  const audit = Object.fromEntries([
    ...['MigrationStarted', 'MigrationCompleted', 'MigrationFailed'].map((reason) =>
      list('/api/v1/events', of('Event'), { fieldSelector: `reason=${reason}` }, (e) => e.reason === reason),
    ),
    list('/api/v1/persistentvolumes', of('PersistentVolume')),
    list('/apis/storage.k8s.io/v1/volumeattachments', of('VolumeAttachment')),
    list('/api/v1/nodes', of('Node')),
    get('/apis/kubevirt.io/v1'),
    list('/apis/kubevirt.io/v1/virtualmachineinstances', of('VirtualMachineInstance')),
    list('/apis/kubevirt.io/v1/virtualmachineinstancemigrations', of('VirtualMachineInstanceMigration')),
    ...podNamespaces.map((ns) => list(`/api/v1/namespaces/${ns}/pods`, of('Pod', ns))),
  ]);

  const ns = target.namespace;
  const attachments = of('VolumeAttachment').filter((va) => va.spec.source.persistentVolumeName === target.pvName);
  const events = Object.fromEntries([
    get(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${target.pvcName}`),
    list(
      `/api/v1/namespaces/${ns}/events`,
      of('Event', ns),
      { fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${target.pvcName}` },
      (e) => {
        const ref = e.involvedObject ?? e.regarding;
        return ref?.kind === 'PersistentVolumeClaim' && ref?.name === target.pvcName;
      },
    ),
    list('/apis/storage.k8s.io/v1/volumeattachments', of('VolumeAttachment'), { includeObject: 'None' }, all, TABLE_LIMIT, TABLE_ACCEPT),
    get(`/api/v1/persistentvolumes/${target.pvName}`),
    ...attachments.map((va) => get(`/apis/storage.k8s.io/v1/volumeattachments/${va.metadata.name}`)),
    get('/apis/kubevirt.io/v1'),
    list(`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, of('VirtualMachineInstance', ns)),
    list(`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancemigrations`, of('VirtualMachineInstanceMigration', ns)),
    list(`/api/v1/namespaces/${ns}/pods`, of('Pod', ns)),
  ]);
  return { audit, events };
}

/** A digest of the generated objects (timestamps relative to `now`), to check determinism. */
export function digest(g: Generated): string {
  return createHash('sha256').update(JSON.stringify(g.objects)).digest('hex').slice(0, 16);
}

// The soak benchmark's cluster and the changes it pushes through the watches, one store change
// (one watch event) per step, keeping the number of live objects flat as an API server with an
// event TTL does:
//   events: one PVC (soak/vm-disk) whose driver events come, are bumped (count + 1) and expire (300 alive);
//           what `events vm-disk -n soak -w` follows. Marker: a new MigrationStarted event
//           `marker-<k>`, which the client prints as a new event.
//   audit:  20 VM disks on 4 nodes: migration events come, are bumped and expire, second
//           attachments come and go (dual-attaches), nodes' volumesInUse change. Marker: the PVC
//           soak/vm-marker gets (then loses) a second attachment an hour old: a StuckDualAttach the
//           client reports as opened (then resolved).

import { randomUUID } from 'node:crypto';
import type { FakeServer } from '../test/fake/server.js';
import { event, launcherPod, namespace, node, pv, pvc, volumeAttachment } from '../test/helpers/objects.js';

export const SCENARIO_NAMES = ['events', 'audit'] as const;

const NS = 'soak';
const NODES = ['node-a', 'node-b', 'node-c', 'node-d'];
/**
 * How many events each scenario keeps alive (older ones expire): enough that an event outlives the
 * batch it came in (1000 changes, of which 200–250 add an event), so the client sees every event
 * come (changes between two looks are seen together); a busy PVC's hour of events.
 */
const LIVE_EVENTS = 300;
const AUDIT_VMS = 20;

interface Volume {
  claim: any;
  volume: any;
  node: string;
}

function volumeOf(name: string, nodeName: string): Volume {
  const uid = randomUUID();
  const vol = `pvc-${uid}`;
  return {
    claim: pvc({ namespace: NS, name, uid, volumeName: vol }),
    volume: pv({ name: vol, claimRef: { namespace: NS, name, uid }, timeout: 300 }),
    node: nodeName,
  };
}

const eventsVolume = volumeOf('vm-disk', 'node-a');
const auditVolumes = Array.from({ length: AUDIT_VMS }, (_, i) => volumeOf(`vm-${String(i).padStart(2, '0')}`, NODES[i % NODES.length]!));
const markerVolume = volumeOf('vm-marker', 'node-a');

/** The objects the soak server starts with: both scenarios' PVCs, PVs, attachments, nodes and launcher pods. */
export function scenarioObjects(): object[] {
  const objects: object[] = [namespace(NS)];
  const all = [eventsVolume, ...auditVolumes, markerVolume];
  for (const v of all) {
    objects.push(
      v.claim,
      v.volume,
      volumeAttachment({ pv: v.volume, node: v.node, attached: true, createdAt: new Date(Date.now() - 86_400_000) }),
    );
    objects.push(
      launcherPod({
        vmi: {
          metadata: { name: v.claim.metadata.name, namespace: NS, uid: randomUUID() },
          spec: { volumes: [{ persistentVolumeClaim: { claimName: v.claim.metadata.name } }] },
        },
        name: `virt-launcher-${v.claim.metadata.name}-a1b2c`,
        node: v.node,
      }),
    );
  }
  for (const n of NODES) {
    const inUse = all.filter((v) => v.node === n).map((v) => `kubernetes.io/csi/rds.csi.srvlab.io^${v.volume.metadata.name}`);
    objects.push(node(n, inUse));
  }
  return objects;
}

export interface Scenario {
  /** One change of the store: one watch event. */
  step(): void;
  /** The change that ends a batch, which the client makes visible; returns what to look for in its output. */
  marker(): string;
}

const MESSAGE = {
  started: (v: Volume, src: string, tgt: string) =>
    `[${v.volume.metadata.name}]: KubeVirt live migration started - source: ${src}, target: ${tgt}, timeout: 5m0s`,
  completed: (v: Volume, src: string, tgt: string) =>
    `[${v.volume.metadata.name}]: KubeVirt live migration completed - source: ${src} -> target: ${tgt} (duration: 42s)`,
  failed: (v: Volume, src: string, tgt: string) =>
    `[${v.volume.metadata.name}]: KubeVirt live migration failed - source: ${src}, attempted target: ${tgt}, reason: timeout, elapsed: 5m0s`,
};

/** Driver events of some volumes that come, are bumped and expire; `LIVE_EVENTS` of them at most. */
class EventChurn {
  private readonly live: { namespace: string; name: string }[] = [];
  private serial = 0;

  constructor(private readonly fake: FakeServer) {}

  add(v: Volume, kind: 'started' | 'completed' | 'failed', name?: string): void {
    const n = this.serial++;
    const src = NODES[n % NODES.length]!;
    const tgt = NODES[(n + 1) % NODES.length]!;
    const reason = kind === 'started' ? 'MigrationStarted' : kind === 'completed' ? 'MigrationCompleted' : 'MigrationFailed';
    const e = event({
      pvc: v.claim,
      name: name ?? `${v.claim.metadata.name}.${n.toString(16)}`,
      reason,
      type: kind === 'failed' ? 'Warning' : 'Normal',
      message: MESSAGE[kind](v, src, tgt),
      firstTimestamp: new Date(),
    });
    this.fake.add(e);
    this.live.push({ namespace: NS, name: e.metadata.name });
  }

  bump(): void {
    const target = this.live[this.serial % this.live.length];
    if (target === undefined) return;
    this.fake.update('Event', target.namespace, target.name, (e) => {
      e.count = (e.count ?? 1) + 1;
      e.lastTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    });
    this.serial++;
  }

  /** The oldest event expires (the API server's --event-ttl); false when few are left. */
  expire(): boolean {
    if (this.live.length <= LIVE_EVENTS) return false;
    const oldest = this.live.shift()!;
    this.fake.remove('Event', oldest.namespace, oldest.name);
    return true;
  }
}

/** The changes of a scenario, applied to the fake server. */
export function createScenario(name: (typeof SCENARIO_NAMES)[number], fake: FakeServer): Scenario {
  const churn = new EventChurn(fake);
  let i = 0;
  let markers = 0;
  if (name === 'events') {
    const kinds = ['started', 'completed', 'failed'] as const;
    return {
      step() {
        // One event comes, one is bumped, one expires, one is bumped: the number of events stays flat.
        switch (i++ % 4) {
          case 0:
            churn.add(eventsVolume, kinds[(i >> 2) % kinds.length]!);
            break;
          case 2:
            if (!churn.expire()) churn.bump();
            break;
          default:
            churn.bump();
        }
      },
      marker() {
        const marker = `marker-${markers++}`;
        churn.add(eventsVolume, 'started', marker);
        // The marker is one event more: one more expires, so the number of events stays flat.
        churn.expire();
        return marker;
      },
    };
  }
  const second = new Map<number, any>();
  let markerAttachment: any = null;
  return {
    step() {
      const step = i++;
      const v = auditVolumes[step % AUDIT_VMS]!;
      switch (step % 5) {
        case 0:
          churn.add(v, (['started', 'completed', 'failed'] as const)[(step / 5) % 3]!);
          break;
        case 1:
          if (!churn.expire()) churn.bump();
          break;
        case 2: {
          // A migration target attaches, or detaches again: a dual-attach comes or goes.
          const at = step % AUDIT_VMS;
          const held = second.get(at);
          if (held === undefined) {
            const target = NODES[(NODES.indexOf(v.node) + 1) % NODES.length]!;
            const va = volumeAttachment({ pv: v.volume, node: target, attached: true, createdAt: new Date() });
            fake.add(va);
            second.set(at, va);
          } else {
            fake.remove('VolumeAttachment', undefined, held.metadata.name);
            second.delete(at);
          }
          break;
        }
        case 3:
          churn.bump();
          break;
        default: {
          // A kubelet reports its volumes again (status.volumesInUse rewritten as it was).
          fake.update('Node', undefined, NODES[step % NODES.length]!, (n) => {
            n.status.volumesInUse = [...(n.status.volumesInUse ?? [])];
          });
        }
      }
    },
    marker() {
      const k = markers++;
      if (markerAttachment === null) {
        markerAttachment = volumeAttachment({
          pv: markerVolume.volume,
          node: 'node-b',
          attached: true,
          // Past the 5m timeout (stuck), younger than --stale-after (10m): no kubelet finding speaks for it.
          createdAt: new Date(Date.now() - 400_000),
        });
        fake.add(markerAttachment);
        return `opened StuckDualAttach ${k}`;
      }
      fake.remove('VolumeAttachment', undefined, markerAttachment.metadata.name);
      markerAttachment = null;
      return `resolved StuckDualAttach ${k}`;
    },
  };
}

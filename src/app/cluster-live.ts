// The cluster followed through the watch API for `audit -w`: the same reads as the
// one-shot audit (src/app/read-cluster.ts), each kept up to date by a watch with the same scope and
// selectors: migration events (one watch per reason), PersistentVolumes, VolumeAttachments,
// Nodes, VMIs and VMIMs where kubevirt.io/v1 is served, and the pods of the namespaces whose
// volumes are attached to two or more nodes (watches that start and stop as such volumes come and
// go). A forbidden watch is a warning and its kind is unread, as a forbidden list is.

import { namespacesOfSharedVolumes } from '../domain/attachments.js';
import { emptySnapshot, KINDS, type KindRecords, KUBEVIRT_GROUP_VERSION } from '../domain/kinds.js';
import { isMigrationEvent } from '../domain/normalize.js';
import { type ClusterSnapshot, type EventRecord, type KindName, MIGRATION_REASONS, type PodRecord } from '../domain/types.js';
import { ClusterError, NotFoundError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';
import type { LiveSet, LiveSource } from './live.js';
import type { ReadOptions } from './read-cluster.js';

/** How long the pods of a namespace stay watched after its last shared volume went (a drain moves many VMs in turn). */
const PODS_LINGER_MS = 5 * 60_000;

type FollowedKind = Exclude<KindName, 'Event' | 'Pod'>;

/** The watched objects of an audit, made into a snapshot on demand. */
export class ClusterFollower {
  private readonly events: { reason: string; source: LiveSource<EventRecord> }[];
  private readonly kinds = new Map<FollowedKind, LiveSource<unknown>>();
  private readonly pods = new Map<string, { source: LiveSource<PodRecord>; unusedSince: number | null }>();
  private kubevirtWarning: string | null = null;

  private constructor(
    private readonly gateway: Gateway,
    private readonly live: LiveSet,
    private readonly options: ReadOptions,
    kubevirt: boolean | Error,
  ) {
    const { namespace, chunkSize } = options;
    this.events = MIGRATION_REASONS.map((reason) => ({
      reason,
      source: live.follow(
        `${reason} events`,
        (signal) => gateway.watchEvents({ namespace, fieldSelector: `reason=${reason}`, chunkSize, signal }, isMigrationEvent),
        { optional: true },
      ),
    }));
    const follow = <K extends FollowedKind>(kind: K): void => {
      const source = KINDS[kind];
      const scope = source.namespaced ? namespace : null;
      this.kinds.set(
        kind,
        live.follow(source.title, (signal) => gateway.watch(source, { namespace: scope, chunkSize, signal }, source.normalize), {
          optional: true,
        }) as LiveSource<unknown>,
      );
    };
    follow('PersistentVolume');
    follow('VolumeAttachment');
    follow('Node');
    if (kubevirt instanceof Error)
      this.kubevirtWarning = `KubeVirt's API (${KUBEVIRT_GROUP_VERSION}) could not be read: ${kubevirt.message}`;
    else if (kubevirt) {
      follow('VirtualMachineInstance');
      follow('VirtualMachineInstanceMigration');
    }
  }

  /** Checks the namespace (exit 3 when -n names one that does not exist) and starts the watches. */
  static async start(gateway: Gateway, live: LiveSet, options: ReadOptions): Promise<ClusterFollower> {
    const [exists, kubevirt] = await Promise.all([
      options.namespace === null ? Promise.resolve(null) : gateway.namespaceExists(options.namespace),
      gateway.serves(KUBEVIRT_GROUP_VERSION).catch((err: unknown) => {
        // Discovery is open to every authenticated user; a cluster that forbids it is read without KubeVirt.
        if (err instanceof ClusterError && err.status === 403) return err;
        throw err;
      }),
    ]);
    if (exists === false) throw new NotFoundError(`namespaces "${options.namespace}" not found`);
    return new ClusterFollower(gateway, live, options, kubevirt);
  }

  /**
   * Starts watching the pods of namespaces that now hold volumes attached to two or more nodes,
   * and stops those no longer needed for a while. Returns whether a new watch started.
   */
  followPods(now: number): boolean {
    const pvs = this.kinds.get('PersistentVolume');
    const vas = this.kinds.get('VolumeAttachment');
    if (pvs?.state !== 'synced' || vas?.state !== 'synced') return false;
    const needed = new Set(
      namespacesOfSharedVolumes(
        vas.values() as KindRecords['VolumeAttachment'][],
        pvs.values() as KindRecords['PersistentVolume'][],
        this.options.driver,
      ).filter((ns) => this.options.namespace === null || ns === this.options.namespace),
    );
    let started = false;
    for (const ns of needed) {
      const held = this.pods.get(ns);
      if (held !== undefined) {
        held.unusedSince = null;
        continue;
      }
      const source = this.live.follow(
        `Pods in namespace ${ns}`,
        (signal) => this.gateway.watch(KINDS.Pod, { namespace: ns, chunkSize: this.options.chunkSize, signal }, KINDS.Pod.normalize),
        { optional: true },
      );
      this.pods.set(ns, { source, unusedSince: null });
      started = true;
    }
    for (const [ns, held] of this.pods) {
      if (needed.has(ns)) continue;
      held.unusedSince ??= now;
      if (now - held.unusedSince >= PODS_LINGER_MS) {
        this.live.drop(held.source as LiveSource<unknown>);
        this.pods.delete(ns);
      }
    }
    return started;
  }

  /** The snapshot of the records as they are (what readCluster would return now). */
  snapshot(): ClusterSnapshot {
    const snapshot = emptySnapshot();
    const unread = (kind: KindName, what: string, source: LiveSource<unknown>): boolean => {
      if (source.state !== 'forbidden') return false;
      snapshot.warnings.push(`${what} could not be read: ${source.error?.message ?? 'forbidden'}`);
      if (!snapshot.unread.includes(kind)) snapshot.unread.push(kind);
      return true;
    };
    for (const { reason, source } of this.events) {
      if (!unread('Event', `${reason} events`, source as LiveSource<unknown>)) snapshot.events.push(...source.values());
    }
    for (const [kind, source] of this.kinds) {
      if (unread(kind, KINDS[kind].title, source)) continue;
      (snapshot[KINDS[kind].field] as unknown[]).push(...source.values());
    }
    snapshot.kubevirt = this.kinds.has('VirtualMachineInstance');
    if (this.kubevirtWarning !== null) {
      snapshot.warnings.push(this.kubevirtWarning);
      snapshot.unread.push('VirtualMachineInstance', 'VirtualMachineInstanceMigration');
    }
    for (const [ns, { source }] of [...this.pods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (source.state === 'synced') snapshot.pods.push(...source.values());
      else {
        // Forbidden, or still being read: the users of its volumes are unknown for now.
        if (source.state === 'forbidden')
          snapshot.warnings.push(`Pods in namespace ${ns} could not be read: ${source.error?.message ?? 'forbidden'}`);
        snapshot.podsUnreadIn.push(ns);
      }
    }
    return snapshot;
  }
}

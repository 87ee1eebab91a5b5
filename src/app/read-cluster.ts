// Reads what an audit needs from the cluster through the kinds registry, all
// lists concurrently: migration events (by reason, server-side), PersistentVolumes,
// VolumeAttachments, Nodes, KubeVirt's VMIs and VMIMs where kubevirt.io/v1 is served, and
// the pods of the namespaces whose volumes are attached to two or more nodes. A forbidden list
// is not fatal: the kind is marked unread and the audit says what it therefore cannot find.

import type { Logger } from '../context.js';
import { namespacesOfSharedVolumes } from '../domain/attachments.js';
import { emptySnapshot, KINDS, type KindRecords, KUBEVIRT_GROUP_VERSION } from '../domain/kinds.js';
import { isMigrationEvent } from '../domain/normalize.js';
import { type ClusterSnapshot, type KindName, MIGRATION_REASONS } from '../domain/types.js';
import { ClusterError, NotFoundError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';

export interface ReadOptions {
  /** null = all namespaces. */
  namespace: string | null;
  chunkSize: number;
  driver: string;
}

/** Whether an error is a forbidden list (RBAC), which an audit survives. */
function isForbidden(err: unknown): err is ClusterError {
  return err instanceof ClusterError && err.status === 403;
}

/** Reads the snapshot of a live audit; a namespace given with -n that does not exist is exit 3. */
export async function readCluster(gateway: Gateway, options: ReadOptions, logger: Logger): Promise<ClusterSnapshot> {
  const snapshot = emptySnapshot();
  const forbidden = (what: string, err: ClusterError): void => {
    snapshot.warnings.push(`${what} could not be read: ${err.message}`);
    logger.debug(`continuing without ${what}`);
  };
  /** Lists one kind into its snapshot list; a forbidden list marks the kind unread. */
  const read = async <K extends KindName>(kind: K, list: () => Promise<KindRecords[K][]>, what = KINDS[kind].title): Promise<boolean> => {
    try {
      const records = await list();
      (snapshot[KINDS[kind].field] as KindRecords[K][]).push(...records);
      return true;
    } catch (err) {
      if (!isForbidden(err)) throw err;
      forbidden(what, err);
      if (!snapshot.unread.includes(kind)) snapshot.unread.push(kind);
      return false;
    }
  };
  const listKind = <K extends KindName>(kind: K) => {
    const source = KINDS[kind];
    const namespace = source.namespaced ? options.namespace : null;
    return gateway.list(source, { namespace, chunkSize: options.chunkSize }, source.normalize);
  };

  const namespaceCheck = options.namespace === null ? Promise.resolve(null) : gateway.namespaceExists(options.namespace);
  const events = Promise.all(
    MIGRATION_REASONS.map((reason) =>
      read(
        'Event',
        // listEvents also says how many events it skipped for naming no object.
        () =>
          gateway.listEvents(
            { namespace: options.namespace, fieldSelector: `reason=${reason}`, chunkSize: options.chunkSize },
            isMigrationEvent,
          ),
        `${reason} events`,
      ),
    ),
  );
  const volumes = Promise.all([
    read('PersistentVolume', () => listKind('PersistentVolume')),
    read('VolumeAttachment', () => listKind('VolumeAttachment')),
  ]);
  const nodes = read('Node', () => listKind('Node'));
  const kubevirt = (async () => {
    try {
      snapshot.kubevirt = await gateway.serves(KUBEVIRT_GROUP_VERSION);
    } catch (err) {
      if (!isForbidden(err)) throw err;
      // Discovery is open to every authenticated user; a cluster that forbids it is read without KubeVirt.
      forbidden(`KubeVirt's API (${KUBEVIRT_GROUP_VERSION})`, err);
      snapshot.unread.push('VirtualMachineInstance', 'VirtualMachineInstanceMigration');
      return;
    }
    if (!snapshot.kubevirt) return;
    await Promise.all([
      read('VirtualMachineInstance', () => listKind('VirtualMachineInstance')),
      read('VirtualMachineInstanceMigration', () => listKind('VirtualMachineInstanceMigration')),
    ]);
  })();
  // Pods are read only where their users are needed: the namespaces of volumes on two or more nodes.
  const pods = (async () => {
    const [pvsRead, vasRead] = await volumes;
    if (!pvsRead || !vasRead) return;
    const namespaces = namespacesOfSharedVolumes(snapshot.volumeAttachments, snapshot.persistentVolumes, options.driver).filter(
      (ns) => options.namespace === null || ns === options.namespace,
    );
    await Promise.all(
      namespaces.map(async (namespace) => {
        try {
          const source = KINDS.Pod;
          snapshot.pods.push(...(await gateway.list(source, { namespace, chunkSize: options.chunkSize }, source.normalize)));
        } catch (err) {
          if (!isForbidden(err)) throw err;
          forbidden(`Pods in namespace ${namespace}`, err);
          snapshot.podsUnreadIn.push(namespace);
        }
      }),
    );
  })();

  const [exists] = await Promise.all([namespaceCheck, events, volumes, nodes, kubevirt, pods]);
  if (exists === false) throw new NotFoundError(`namespaces "${options.namespace}" not found`);
  snapshot.podsUnreadIn.sort();
  return snapshot;
}

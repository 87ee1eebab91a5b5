// The users of a volume: the pods that name its PVC, and whether sharing the
// volume between nodes is safe. Only KubeVirt's migration protocol makes two nodes on one
// block volume safe; two writers without it corrupt the volume.

import type { PodRecord, UserKind, VmiRecord, VolumeUser } from './types.js';

/** A user with the VMI identity it resolves to (uid), for the safety rule. */
export interface ResolvedUser extends VolumeUser {
  /** The uid of the VMI the pod belongs to, or null for pods that are not a VM's. */
  vmiUid: string | null;
  /** The uid of the VMIM whose migration target the pod is (label kubevirt.io/migrationJobUID), or null. */
  migrationUid: string | null;
}

/** How the pods of a namespace resolve to VMIs (built once per audit). */
export interface UserIndex {
  /** The users of PVC namespace/claim: pods naming it that are scheduled and not finished, by node then name. */
  usersOf(namespace: string, claim: string): ResolvedUser[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The VMI uid of a virt-launcher pod: its created-by label, else its controller VMI. */
function launcherVmiUid(pod: PodRecord): string | null {
  const label = pod.labels['kubevirt.io/created-by'];
  if (label) return label;
  return pod.controller?.kind === 'VirtualMachineInstance' && pod.controller.uid !== '' ? pod.controller.uid : null;
}

/** The kind of pod (by the labels KubeVirt and CDI put on their pods). */
export function classifyPod(pod: PodRecord): UserKind {
  const labels = pod.labels;
  if (labels['kubevirt.io'] === 'virt-launcher') return 'virt-launcher';
  if (labels['kubevirt.io'] === 'hotplug-disk') return 'hotplug';
  if (labels.app === 'containerized-data-importer' || labels['cdi.kubevirt.io'] !== undefined) return 'cdi';
  if (labels['kubevirt.io.virt-export-service'] !== undefined) return 'export';
  const keys = Object.keys(labels);
  if (keys.some((k) => k.startsWith('velero.io/') || k.startsWith('k10.kasten.io/')) || labels.createdBy === 'Kasten-K10') return 'backup';
  return 'other';
}

/** Indexes pods by namespace and resolves virt-launcher and hotplug pods to their VMIs. */
export function indexUsers(pods: readonly PodRecord[], vmis: readonly VmiRecord[]): UserIndex {
  const vmiByUid = new Map<string, VmiRecord>();
  for (const vmi of vmis) if (vmi.uid !== '') vmiByUid.set(vmi.uid, vmi);
  const podByName = new Map<string, PodRecord>();
  const byClaim = new Map<string, PodRecord[]>();
  for (const pod of pods) {
    podByName.set(`${pod.namespace}/${pod.name}`, pod);
    // The attach/detach controller's own rule: scheduled and not finished.
    if (pod.nodeName === null || pod.terminated) continue;
    for (const claim of pod.claimNames) {
      const key = `${pod.namespace}/${claim}`;
      const list = byClaim.get(key) ?? [];
      list.push(pod);
      byClaim.set(key, list);
    }
  }
  const vmiUidOf = (pod: PodRecord, kind: UserKind): string | null => {
    if (kind === 'virt-launcher') return launcherVmiUid(pod);
    if (kind !== 'hotplug') return null;
    // A hotplug pod is controlled by a virt-launcher pod of its VMI.
    if (pod.ownerVmiUid !== null) return pod.ownerVmiUid;
    if (pod.controller?.kind !== 'Pod') return null;
    const owner = podByName.get(`${pod.namespace}/${pod.controller.name}`);
    return owner !== undefined && classifyPod(owner) === 'virt-launcher' ? launcherVmiUid(owner) : null;
  };
  return {
    usersOf(namespace, claim) {
      const users = (byClaim.get(`${namespace}/${claim}`) ?? []).map((pod): ResolvedUser => {
        const kind = classifyPod(pod);
        const vmiUid = vmiUidOf(pod, kind);
        return {
          node: pod.nodeName ?? '',
          namespace: pod.namespace,
          pod: pod.name,
          kind,
          vmi: vmiUid === null ? null : (vmiByUid.get(vmiUid)?.name ?? null),
          vmiUid,
          migrationUid: pod.labels['kubevirt.io/migrationJobUID'] ?? null,
        };
      });
      return users.sort((a, b) => compareText(a.node, b.node) || compareText(a.pod, b.pod));
    },
  };
}

/** Why sharing a volume between nodes is unsafe, or null when it is safe as far as its users tell. */
export type SharingProblem =
  /** A pod that is not part of a VM uses it (CDI, export, backup, anything else). */
  | 'foreign-user'
  /** Pods of two or more VMs use it. */
  | 'several-vms'
  /** One VM's pods use it on two or more nodes with no migration in flight (split brain). */
  | 'no-migration';

/**
 * Judges a volume attached to two or more nodes by its users: safe only when every
 * user belongs to one VMI and, where they sit on several nodes, that VMI has a migration in
 * flight. `migrating` says whether the VMI (by uid) or the volume's driver migration is in flight.
 */
export function judgeSharing(users: readonly ResolvedUser[], migrating: (vmiUid: string) => boolean): SharingProblem | null {
  if (users.some((u) => u.vmiUid === null)) return 'foreign-user';
  const vms = new Set(users.map((u) => u.vmiUid));
  if (vms.size > 1) return 'several-vms';
  const nodes = new Set(users.map((u) => u.node));
  const [vmiUid] = [...vms];
  if (nodes.size > 1 && vmiUid !== undefined && vmiUid !== null && !migrating(vmiUid)) return 'no-migration';
  return null;
}

/** The user as the output contract shows it (without the resolution details). */
export function publicUser(u: ResolvedUser): VolumeUser {
  return { node: u.node, namespace: u.namespace, pod: u.pod, kind: u.kind, vmi: u.vmi };
}

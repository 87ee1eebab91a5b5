// The findings catalogue and the findings of one audit. Every sentence is built
// from values sanitized one by one (an escape sequence in one value cannot reach into the
// tool's own words), durations read like kubectl ages, and every value put into a suggested
// command is quoted for the shell. The advice never names the pod on the node the VM runs on.

import { formatAge } from './duration.js';
import type { AttachmentIssue } from './kubelet.js';
import { attacherFinalizer } from './kubelet.js';
import type { MissingEvents } from './kubevirt.js';
import { sanitizeText } from './sanitize.js';
import type { DualAttach, EventRecord, Finding, FindingCode, Migration, ObjectRef, Severity } from './types.js';
import type { ResolvedUser, SharingProblem } from './users.js';

/** Stable finding codes with their severities. */
export const FINDING_SEVERITY: Readonly<Record<FindingCode, Severity>> = {
  MigrationFailed: 'error',
  StuckDualAttach: 'error',
  MultiAttach: 'error',
  UnsafeSharedAttach: 'error',
  AttachedToMissingNode: 'error',
  OutcomeMismatch: 'error',
  UnresolvedMigration: 'warning',
  SlowMigration: 'warning',
  UnparsedEvent: 'warning',
  StaleAttachment: 'warning',
  DetachStuck: 'warning',
  MissingMigrationEvents: 'warning',
  DualAttachInProgress: 'info',
  MigrationRetried: 'info',
};

/** Every finding code, in catalogue order. */
export const FINDING_CODES = Object.keys(FINDING_SEVERITY) as FindingCode[];

/** A completed migration is slow when its duration exceeds this share of its timeout. */
export const SLOW_MIGRATION_RATIO = 0.8;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** A volume attached to two or more nodes, with what is known of its users. */
export interface SharedVolume {
  attach: DualAttach;
  /** Its users (every node); null when the pods of its namespace could not be read. */
  users: ResolvedUser[] | null;
  problem: SharingProblem | null;
  /** Whether one of its VolumeAttachments has a kubelet finding, which then speaks for it. */
  claimed: boolean;
  /** The VMI using it (name), as far as known. */
  vmi: string | null;
  /** That VMI's migration in flight: its VMIM and the node of its target pod, as far as known. */
  inFlightVmim: InFlightVmim | null;
}

/** A VMIM in flight, as the advice needs it. */
export interface InFlightVmim {
  name: string;
  uid: string;
  /** Where its target pod runs, or null when unknown. */
  targetNode: string | null;
}

export interface FindingsInput {
  /** Epoch ms. */
  now: number;
  migrations: readonly Migration[];
  /** Migration* events whose message could not be parsed. */
  unparsedEvents: readonly EventRecord[];
  shared: readonly SharedVolume[];
  issues: readonly AttachmentIssue[];
  missingEvents: readonly MissingEvents[];
  driver: string;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders findings by severity (error, warning, info), then namespace, PVC, code, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.pvc ?? '', b.pvc ?? '') ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message) ||
    compareText(a.next, b.next)
  );
}

/** A cluster value for a sentence: sanitized on its own, `?` when absent or empty. */
function v(value: string | null | undefined): string {
  const clean = value === null || value === undefined ? '' : sanitizeText(value).trim();
  return clean === '' ? '?' : clean;
}

/** A cluster value for a shell command: sanitized, and single-quoted unless it is a plain name. */
export function arg(value: string | null | undefined): string {
  const clean = value === null || value === undefined ? '' : sanitizeText(value).trim();
  return /^[A-Za-z0-9._:/=@^-]+$/.test(clean) ? clean : `'${clean.replaceAll("'", `'\\''`)}'`;
}

/** A duration for people: kubectl's age style (`45s`, `4m10s`, `20m`, `3h`, `4d12h`). */
function human(seconds: number): string {
  return formatAge(seconds);
}

/** How long ago an RFC 3339 time was, for people (`25m ago`), or `at an unknown time`. */
function ago(now: number, iso: string | null): string {
  const t = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(t) ? 'at an unknown time' : `${formatAge((now - t) / 1000)} ago`;
}

function agoMs(now: number, ms: number | null): string {
  return ms === null ? 'at an unknown time' : `${formatAge((now - ms) / 1000)} ago`;
}

function route(m: Pick<Migration, 'sourceNode' | 'targetNode'>): string {
  return `from ${v(m.sourceNode)} to ${v(m.targetNode)}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function pvcRef(namespace: string | null, pvc: string | null): ObjectRef[] {
  return pvc === null ? [] : [{ kind: 'PersistentVolumeClaim', namespace, name: pvc }];
}

function make(
  code: FindingCode,
  where: { namespace: string | null; pvc: string | null; volumeId: string | null },
  message: string,
  next: string,
  objects: ObjectRef[],
): Finding {
  return {
    severity: FINDING_SEVERITY[code],
    code,
    namespace: where.namespace,
    pvc: where.pvc,
    volumeId: where.volumeId,
    message,
    next,
    objects,
  };
}

function migrationObjects(m: Migration): ObjectRef[] {
  const refs = pvcRef(m.namespace, m.pvc);
  if (m.kubevirt !== null) refs.push({ kind: 'VirtualMachineInstanceMigration', namespace: m.namespace, name: m.kubevirt.migration });
  return refs;
}

/** `kubectl get vmim <name> -n <ns> -o yaml`, or the namespace's list when the VMIM is unknown. */
function vmimCommand(m: Migration): string {
  return m.kubevirt === null
    ? `kubectl get vmim -n ${arg(m.namespace)}`
    : `kubectl get vmim ${arg(m.kubevirt.migration)} -n ${arg(m.namespace)} -o yaml`;
}

function failedFinding(m: Migration, now: number, retried: Migration | undefined): Finding {
  const where = { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId };
  const elapsed = m.durationSeconds === null ? '' : ` after ${human(m.durationSeconds)}`;
  const reason = m.failureReason === null ? 'no reason given' : v(m.failureReason);
  const kubevirtOnly = !m.recordedBy.includes('events');
  // What KubeVirt saw of the same migration says more than the driver's one word.
  const kubevirtSaw =
    !kubevirtOnly && m.kubevirt?.failureReason != null
      ? ` KubeVirt's migration ${v(m.kubevirt.migration)}: ${v(m.kubevirt.failureReason)}.`
      : '';
  const what = kubevirtOnly
    ? `KubeVirt's migration ${v(m.kubevirt?.migration)} ${route(m)} failed ${ago(now, m.endedAt ?? m.startedAt)}${elapsed}: ${reason}.`
    : `Migration ${route(m)} failed ${ago(now, m.endedAt ?? m.startedAt)}${elapsed}: ${reason}.${kubevirtSaw}`;
  if (retried !== undefined) {
    return make(
      'MigrationRetried',
      where,
      `${what} A later migration of this PVC ${route(retried)} completed ${ago(now, retried.endedAt ?? retried.startedAt)}.`,
      'Nothing to do: the failure no longer needs action.',
      migrationObjects(m),
    );
  }
  const logs = m.targetNode === null ? "the CSI driver's logs" : `the CSI driver's logs on ${v(m.targetNode)}`;
  return make(
    'MigrationFailed',
    where,
    what,
    `See why the target could not take the VM: ${vmimCommand(m)}, and ${logs}.`,
    migrationObjects(m),
  );
}

function unresolvedFinding(m: Migration, now: number): Finding {
  const where = { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId };
  const base = `Migration ${route(m)} started ${ago(now, m.startedAt)} and recorded no outcome within its ${human(m.timeoutSeconds)} timeout.`;
  const k = m.kubevirt;
  const record = (verb: 'completed' | 'failed'): string => {
    const flags = `${arg(m.pvc)} -n ${arg(m.namespace)} --source ${arg(m.sourceNode)} --target ${arg(m.targetNode)}`;
    return verb === 'completed'
      ? `rds-migrate post-completed ${flags}`
      : `rds-migrate post-failed ${flags} --reason ${arg(`failed in KubeVirt (VMIM ${k?.migration ?? '?'})`)}`;
  };
  if (k !== null && (k.phase === 'Succeeded' || k.phase === 'Failed')) {
    const verb = k.phase === 'Succeeded' ? 'completed' : 'failed';
    const why = k.phase === 'Failed' && k.failureReason !== null ? `: ${v(k.failureReason)}` : '';
    return make(
      'UnresolvedMigration',
      where,
      `${base} KubeVirt's migration ${v(k.migration)} says it ${k.phase === 'Succeeded' ? 'succeeded' : 'failed'}${why}.`,
      `Record the outcome KubeVirt saw: ${record(verb)}.`,
      migrationObjects(m),
    );
  }
  if (k !== null) {
    return make(
      'UnresolvedMigration',
      where,
      `${base} KubeVirt's migration ${v(k.migration)} is still ${v(k.phase) === '?' ? 'pending' : v(k.phase)}.`,
      `Follow it (kubectl get vmim ${arg(k.migration)} -n ${arg(m.namespace)} -w); when it ends, record its outcome with rds-migrate post-completed or post-failed.`,
      migrationObjects(m),
    );
  }
  return make(
    'UnresolvedMigration',
    where,
    base,
    `Check where the VM runs now (kubectl get vmi -n ${arg(m.namespace)} -o wide) and whether the volume is still attached to both nodes (rds-migrate events ${arg(m.pvc)} -n ${arg(m.namespace)}), then record the outcome with rds-migrate post-completed or post-failed.`,
    migrationObjects(m),
  );
}

function mismatchFinding(m: Migration, now: number): Finding | null {
  const k = m.kubevirt;
  if (k === null) return null;
  const driverSays = m.state === 'completed' ? 'completed' : m.state === 'failed' ? 'failed' : null;
  if (!((driverSays === 'completed' && k.phase === 'Failed') || (driverSays === 'failed' && k.phase === 'Succeeded'))) return null;
  const why = k.phase === 'Failed' && k.failureReason !== null ? `: ${v(k.failureReason)}` : '';
  return make(
    'OutcomeMismatch',
    { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId },
    `The driver recorded the migration ${route(m)} as ${driverSays} ${ago(now, m.endedAt)}, but KubeVirt's migration ${v(k.migration)} says it ${k.phase === 'Succeeded' ? 'succeeded' : 'failed'}${why}.`,
    `Check where the VM runs now and that its disk is attached there and nowhere else: kubectl get vmi ${arg(k.vmi)} -n ${arg(m.namespace)} -o wide, then rds-migrate events ${arg(m.pvc)} -n ${arg(m.namespace)}.`,
    migrationObjects(m),
  );
}

/** The finding about one migration, if any (most have none). */
function migrationFinding(m: Migration, now: number, retried: Migration | undefined): Finding | null {
  const mismatch = mismatchFinding(m, now);
  // The disagreement explains more than either outcome alone: one finding per migration.
  if (mismatch !== null) return mismatch;
  switch (m.state) {
    case 'failed':
      return failedFinding(m, now, retried);
    case 'unresolved':
      return unresolvedFinding(m, now);
    case 'completed':
      // Strictly above 80 %: a migration that used exactly 80 % of its timeout is not slow.
      if (m.durationSeconds !== null && m.durationSeconds > SLOW_MIGRATION_RATIO * m.timeoutSeconds) {
        return make(
          'SlowMigration',
          { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId },
          `Migration ${route(m)} took ${human(m.durationSeconds)}, over 80% of its ${human(m.timeoutSeconds)} timeout.`,
          `See what slows it before migrations start to time out (bandwidth, dirty-page rate: ${vmimCommand(m)}); an existing volume keeps the timeout it was provisioned with.`,
          migrationObjects(m),
        );
      }
      return null;
    case 'in-progress':
      return null;
  }
}

function unparsedFinding(e: EventRecord): Finding {
  const ns = e.involvedObject.namespace;
  return make(
    'UnparsedEvent',
    { namespace: ns, pvc: e.involvedObject.name, volumeId: null },
    `Event ${v(e.name)} (${v(e.reason)}) has a message that does not match the driver's format, so it is not part of any migration.`,
    `Check who posted it and what it says: kubectl get event ${arg(e.name)} -n ${arg(e.namespace || ns)} -o yaml.`,
    [...pvcRef(ns, e.involvedObject.name), { kind: 'Event', namespace: e.namespace || ns, name: e.name }],
  );
}

function describeUser(u: ResolvedUser): string {
  const of = u.vmi !== null ? `, VMI ${v(u.vmi)}` : '';
  return `${v(u.pod)} (${u.kind}${of}) on ${v(u.node)}`;
}

/**
 * Whether aborting the migration in flight would end the attachment on the other nodes: only when
 * what holds them is its target pod. A pod left there by an earlier migration stays after the abort
 * (and a migration whose target is on a third node cannot attach until that pod is gone).
 */
function abortFreesOtherNodes(m: InFlightVmim, others: readonly string[], leftovers: readonly ResolvedUser[] | null): boolean {
  if (leftovers === null) return m.targetNode === null || others.includes(m.targetNode);
  return leftovers.every((u) => u.migrationUid === m.uid);
}

/**
 * What to do about a volume left on nodes the VM does not run on (a stuck dual-attach or a
 * multi-attach). Names only pods on those other nodes; without KubeVirt data it says how to find
 * out where the VM runs before anything is deleted.
 */
function clearOtherNodesAdvice(s: SharedVolume): string {
  const d = s.attach;
  const ns = arg(d.namespace);
  if (d.vmiNode === null) {
    return `Find out where the VM runs before deleting anything (kubectl get vmi -n ${ns} -o wide); then delete the virt-launcher pod on the other node${d.nodes.length > 2 ? 's' : ''}, never the one on the node it runs on.`;
  }
  const vmNode = d.vmiNode;
  const others = d.nodes.filter((n) => n !== vmNode);
  if (others.length === d.nodes.length) {
    return `The VM (VMI ${v(s.vmi)}) runs on ${v(vmNode)}, on none of these nodes: check it (kubectl get vmi ${arg(s.vmi)} -n ${ns} -o wide) before deleting anything.`;
  }
  const runs = `The VM runs on ${v(vmNode)}: keep it there and end the attachment on ${list(others.map(v))}`;
  const leftovers = s.users === null ? null : s.users.filter((u) => others.includes(u.node));
  if (s.inFlightVmim !== null && abortFreesOtherNodes(s.inFlightVmim, others, leftovers)) {
    return `${runs} by aborting its migration: kubectl delete vmim ${arg(s.inFlightVmim.name)} -n ${ns} (KubeVirt then removes the target pod).`;
  }
  if (leftovers === null) {
    const find = others.map((n) => `kubectl get pods -n ${ns} -o wide --field-selector spec.nodeName=${arg(n)}`).join('; ');
    return `${runs}: find the pod using ${v(d.pvc)} there (${find}) and delete it.`;
  }
  if (leftovers.length === 0) {
    return `${runs}: no pod uses the volume there any more, so check the kubelet and the CSI node plugin on ${list(others.map(v))} (kubectl describe node ${arg(others[0])}).`;
  }
  return `${runs}: delete ${leftovers.length === 1 ? 'the pod' : 'the pods'} there: kubectl delete pod ${leftovers.map((u) => arg(u.pod)).join(' ')} -n ${ns}.`;
}

function sharedObjects(s: SharedVolume, pods: readonly ResolvedUser[]): ObjectRef[] {
  const d = s.attach;
  return [
    ...pvcRef(d.namespace, d.pvc),
    ...d.volumeAttachments.map((name) => ({ kind: 'VolumeAttachment', namespace: null, name })),
    ...pods.map((u) => ({ kind: 'Pod', namespace: u.namespace, name: u.pod })),
  ];
}

function unsafeFinding(s: SharedVolume, problem: SharingProblem, users: ResolvedUser[]): Finding {
  const d = s.attach;
  const ns = arg(d.namespace);
  const where = { namespace: d.namespace, pvc: d.pvc, volumeId: d.volumeId };
  const what = `Attached to ${list(d.nodes.map(v))} and used by pods that are not one VM in a migration: ${list(users.map(describeUser))}.`;
  // The pods to stop: whatever is not the VM's, and the VM's own pods off its node when no
  // migration is in flight. The VM's pod on the node it runs on is never among them.
  const strays = users.filter((u) => u.vmi === null || u.vmi !== s.vmi || (u.node !== d.vmiNode && s.inFlightVmim === null));
  const pods = `kubectl delete pod ${strays.map((u) => arg(u.pod)).join(' ')} -n ${ns}`;
  let next: string;
  if (d.vmiNode === null) {
    next = `Two writers corrupt a block volume: find out which pod should use it (kubectl get vmi -n ${ns} -o wide) and stop the others before anything else writes.`;
  } else if (problem === 'no-migration') {
    next = `The VM (VMI ${v(s.vmi)}) runs on ${v(d.vmiNode)} with no migration in flight: delete its other pod${strays.length === 1 ? '' : 's'} (${pods}); never the one on ${v(d.vmiNode)}.`;
  } else {
    next = `Two writers corrupt a block volume: the VM (VMI ${v(s.vmi)}) runs on ${v(d.vmiNode)}; stop the other ${strays.length === 1 ? 'pod' : 'pods'} using its disk (${pods}) once you know why ${strays.length === 1 ? 'it does' : 'they do'}, never the VM's pod on ${v(d.vmiNode)}.`;
  }
  return make('UnsafeSharedAttach', where, what, next, sharedObjects(s, users));
}

function rejectedSuffix(d: DualAttach): string {
  return d.rejectedTargets.length === 0 ? '' : `; attach rejected on ${list(d.rejectedTargets.map((r) => v(r.node)))}`;
}

function sharedFindings(s: SharedVolume): Finding[] {
  const d = s.attach;
  const where = { namespace: d.namespace, pvc: d.pvc, volumeId: d.volumeId };
  if (s.problem !== null && s.users !== null) return [unsafeFinding(s, s.problem, s.users)];
  // A kubelet finding on one of its VolumeAttachments tells what is wrong more precisely.
  if (s.claimed) return [];
  const runs = d.vmiNode === null ? '' : ` The VM (VMI ${v(s.vmi)}) runs on ${v(d.vmiNode)}.`;
  const named = (s.users ?? []).filter((u) => d.vmiNode !== null && u.node !== d.vmiNode && d.nodes.includes(u.node));
  if (d.nodes.length >= 3) {
    return [
      make(
        'MultiAttach',
        where,
        `Attached to ${d.nodes.length} nodes at once (${d.nodes.map(v).join(', ')}), which the driver must never allow${rejectedSuffix(d)}.${runs}`,
        clearOtherNodesAdvice(s),
        sharedObjects(s, named),
      ),
    ];
  }
  const age = d.ageSeconds === null ? 'for an unknown time' : `for ${human(d.ageSeconds)}`;
  const timeout = human(d.timeoutSeconds);
  if (d.stuck) {
    return [
      make(
        'StuckDualAttach',
        where,
        `Attached to both ${list(d.nodes.map(v))} ${age}, at or past its ${timeout} migration timeout${rejectedSuffix(d)}.${runs}`,
        clearOtherNodesAdvice(s),
        sharedObjects(s, named),
      ),
    ];
  }
  return [
    make(
      'DualAttachInProgress',
      where,
      `Attached to both ${list(d.nodes.map(v))} ${age} of its ${timeout} migration timeout, as during a live migration${rejectedSuffix(d)}.${runs}`,
      `Nothing to do unless it is still attached to both after ${timeout}; it is then reported as StuckDualAttach.`,
      sharedObjects(s, []),
    ),
  ];
}

function issueFinding(issue: AttachmentIssue, now: number, driver: string): Finding {
  const { va, volume } = issue;
  const where = { namespace: volume?.namespace ?? null, pvc: volume?.pvc ?? null, volumeId: volume?.volumeId ?? va.persistentVolumeName };
  const objects: ObjectRef[] = [...pvcRef(where.namespace, where.pvc), { kind: 'VolumeAttachment', namespace: null, name: va.name }];
  const node = v(va.nodeName);
  const deleteIt = `kubectl delete volumeattachment ${arg(va.name)}`;
  switch (issue.code) {
    case 'AttachedToMissingNode':
      return make(
        'AttachedToMissingNode',
        where,
        `Still ${va.deletingSince === null ? 'attached' : 'detaching'} on node ${node}, which no longer exists (attached there ${agoMs(now, va.createdAt)}).`,
        `Make sure ${node} is really gone (a machine that still runs the VM would be a second writer); the attach/detach controller force-detaches after 6 minutes unless that is disabled, and if the attachment stays, delete it: ${deleteIt}.`,
        objects,
      );
    case 'DetachStuck': {
      const error = va.detachError === null ? '' : `: ${v(va.detachError)}`;
      return make(
        'DetachStuck',
        where,
        `Its attachment to ${node} has been detaching for ${human((now - (va.deletingSince ?? now)) / 1000)} and the external-attacher has not confirmed the detach (finalizer ${attacherFinalizer(driver)})${error}.`,
        `Look at the detach error and the external-attacher's logs (kubectl describe volumeattachment ${arg(va.name)}); remove the finalizer by hand only once the volume is known to be detached on the storage side.`,
        objects,
      );
    }
    case 'StaleAttachment': {
      const ns = arg(where.namespace);
      const check =
        where.pvc === null
          ? `confirm no pod on ${node} uses the volume`
          : `confirm no pod on ${node} uses ${v(where.pvc)} (kubectl get pods -n ${ns} -o wide --field-selector spec.nodeName=${arg(va.nodeName)})`;
      return make(
        'StaleAttachment',
        where,
        `Its attachment to ${node} is stale: the kubelet there no longer uses the volume (it is not in the node's status.volumesInUse), but the driver counts it as attached, so the volume's next migration will be refused.`,
        `${check.charAt(0).toUpperCase()}${check.slice(1)}, then let the external-attacher detach it: ${deleteIt}.`,
        objects,
      );
    }
  }
}

function missingEventsFinding(m: MissingEvents, now: number): Finding {
  const { view } = m;
  const nodes = view.sourceNode !== null || view.targetNode !== null ? ` ${route(view)}` : '';
  const phase = v(view.vmim.phase) === '?' ? 'pending' : v(view.vmim.phase);
  const migrates = view.final ? 'migrated' : 'is migrating';
  return make(
    'MissingMigrationEvents',
    { namespace: m.namespace, pvc: m.pvc, volumeId: m.volumeId },
    `KubeVirt ${migrates} VMI ${v(view.vmi.name)}${nodes} (migration ${v(view.vmim.name)}, ${phase}, scheduled ${agoMs(now, view.scheduledAt)}), but the driver recorded no migration of this PVC.`,
    `The driver's events were not posted: check the CSI driver's logs${view.targetNode === null ? '' : ` on ${v(view.targetNode)}`} and its permission to create events (kubectl auth can-i create events -n ${arg(m.namespace)} --as system:serviceaccount:<driver namespace>:<driver service account>).`,
    [
      ...pvcRef(m.namespace, m.pvc),
      { kind: 'VirtualMachineInstance', namespace: m.namespace, name: view.vmi.name },
      { kind: 'VirtualMachineInstanceMigration', namespace: m.namespace, name: view.vmim.name },
    ],
  );
}

/** The completed migrations of each PVC (namespace/name) that has a failed one, in input order, with their starts. */
function completedByPvc(migrations: readonly Migration[]): Map<string, { m: Migration; start: number }[]> {
  const byPvc = new Map<string, { m: Migration; start: number }[]>();
  for (const m of migrations) if (m.state === 'failed') byPvc.set(`${m.namespace}/${m.pvc}`, []);
  for (const m of migrations) {
    if (m.state !== 'completed') continue;
    const key = `${m.namespace}/${m.pvc}`;
    byPvc.get(key)?.push({ m, start: Date.parse(m.startedAt) });
  }
  return byPvc;
}

/** A later completed migration of the same PVC, which makes a failure no longer need action. */
function retryOf(m: Migration, completed: Map<string, { m: Migration; start: number }[]>): Migration | undefined {
  if (m.state !== 'failed') return undefined;
  const start = Date.parse(m.startedAt);
  return completed.get(`${m.namespace}/${m.pvc}`)?.find((o) => o.start > start)?.m;
}

/** Builds the findings (docs/findings.md), sorted by severity, namespace, PVC and code. */
export function buildFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  // Each failure looks for a retry among its own PVC's migrations only: looking through all of
  // them made the audit quadratic in migrations (seconds on a cluster with 20 000).
  const completed = completedByPvc(input.migrations);
  for (const m of input.migrations) {
    const finding = migrationFinding(m, input.now, retryOf(m, completed));
    if (finding !== null) findings.push(finding);
  }
  for (const e of input.unparsedEvents) findings.push(unparsedFinding(e));
  for (const s of input.shared) findings.push(...sharedFindings(s));
  for (const issue of input.issues) findings.push(issueFinding(issue, input.now, input.driver));
  for (const m of input.missingEvents) findings.push(missingEventsFinding(m, input.now));
  return findings.sort(compareFindings);
}

// The kubelet's view of attachments: stale attachments, attachments on missing nodes,
// detaches stuck on the external-attacher's finalizer.
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../../src/domain/audit.js';
import { unreadWarning } from '../../../src/domain/kinds.js';
import { attacherFinalizer, findAttachmentIssues, volumeInUseName } from '../../../src/domain/kubelet.js';
import { indexVolumes } from '../../../src/domain/volumes.js';
import { at, DRIVER, NOW, node, PARAMS, pv, snapshot, started, VOL, va, vmi, vmim } from './builders.js';

const volumes = indexVolumes([pv()], DRIVER);
const options = { driver: DRIVER, now: NOW, staleAfterSeconds: 600, migrating: () => false };
const codes = (issues: ReturnType<typeof findAttachmentIssues>) => issues.map((i) => [i.code, i.va.name]);

describe('attacherFinalizer and volumeInUseName', () => {
  it('name what the external-attacher and the kubelet write', () => {
    expect(attacherFinalizer('rds.csi.srvlab.io')).toBe('external-attacher/rds-csi-srvlab-io');
    expect(volumeInUseName('rds.csi.srvlab.io', VOL)).toBe(`kubernetes.io/csi/rds.csi.srvlab.io^${VOL}`);
  });
});

describe('findAttachmentIssues', () => {
  it('StaleAttachment: attached, but the node no longer lists the volume in volumesInUse', () => {
    const issues = findAttachmentIssues([va('node-a', at('10:00:00'), { name: 'csi-a' })], [node('node-a', [])], volumes, options);
    expect(codes(issues)).toEqual([['StaleAttachment', 'csi-a']]);
    expect(issues[0]?.volume?.pvc).toBe('disk');
  });

  it('no finding while the kubelet still uses it', () => {
    expect(findAttachmentIssues([va('node-a', at('10:00:00'))], [node('node-a', [VOL])], volumes, options)).toEqual([]);
  });

  it('AttachedToMissingNode: attached or detaching on a node that does not exist', () => {
    const vas = [
      va('gone', at('10:00:00'), { name: 'csi-attached' }),
      va('gone', at('10:00:00'), { name: 'csi-deleting', attached: false, deletingSince: at('11:00:00') }),
      va('gone', at('10:00:00'), { name: 'csi-neither', attached: false }),
    ];
    expect(codes(findAttachmentIssues(vas, [node('node-a')], volumes, options))).toEqual([
      ['AttachedToMissingNode', 'csi-attached'],
      ['AttachedToMissingNode', 'csi-deleting'],
    ]);
  });

  it('DetachStuck: deleted longer than --stale-after ago and still holding the finalizer', () => {
    const vas = [
      va('node-a', at('10:00:00'), { name: 'csi-stuck', deletingSince: at('11:50:00') }),
      va('node-a', at('10:00:00'), { name: 'csi-recent', deletingSince: at('11:50:01') }),
      va('node-a', at('10:00:00'), { name: 'csi-released', deletingSince: at('11:00:00'), finalizers: [] }),
    ];
    expect(codes(findAttachmentIssues(vas, [node('node-a', [VOL])], volumes, options))).toEqual([['DetachStuck', 'csi-stuck']]);
  });

  it('one finding per VolumeAttachment: missing node > detach stuck > stale', () => {
    const deletingOnMissing = va('gone', at('10:00:00'), { name: 'csi-1', deletingSince: at('11:00:00') });
    const deletingStale = va('node-a', at('10:00:00'), { name: 'csi-2', deletingSince: at('11:00:00') });
    expect(codes(findAttachmentIssues([deletingOnMissing, deletingStale], [node('node-a', [])], volumes, options))).toEqual([
      ['AttachedToMissingNode', 'csi-1'],
      ['DetachStuck', 'csi-2'],
    ]);
  });

  it.each([
    ['younger than --stale-after', at('11:50:01'), () => false],
    ['on a volume with a migration in flight', at('10:00:00'), () => true],
  ])('no finding for a VolumeAttachment %s', (_why, created, migrating) => {
    expect(findAttachmentIssues([va('gone', created)], [], volumes, { ...options, migrating })).toEqual([]);
  });

  it("ignores other drivers' attachments", () => {
    expect(findAttachmentIssues([va('gone', at('10:00:00'), { attacher: 'other.csi.io' })], [], volumes, options)).toEqual([]);
  });
});

describe('through the audit', () => {
  it('a kubelet finding speaks for a dual-attach whose VolumeAttachment it is about', () => {
    const report = auditSnapshot(
      snapshot({
        persistentVolumes: [pv()],
        volumeAttachments: [va('node-a', at('08:00:00'), { name: 'csi-a' }), va('gone', at('11:00:00'), { name: 'csi-gone' })],
        nodes: [node('node-a', [VOL])],
      }),
      PARAMS,
    );
    expect(report.dualAttaches).toHaveLength(1);
    expect(report.summary.stuckDualAttaches).toBe(1);
    expect(report.findings.map((f) => [f.code, f.objects.find((o) => o.kind === 'VolumeAttachment')?.name])).toEqual([
      ['AttachedToMissingNode', 'csi-gone'],
    ]);
  });

  it('no kubelet findings while the driver migration is in progress, or the VMI migrates', () => {
    const stale = { persistentVolumes: [pv()], volumeAttachments: [va('node-a', at('10:00:00'))], nodes: [node('node-a', [])] };
    expect(auditSnapshot(snapshot(stale), PARAMS).findings.map((f) => f.code)).toEqual(['StaleAttachment']);
    expect(auditSnapshot(snapshot({ ...stale, events: [started(at('11:58:00'))] }), PARAMS).findings.map((f) => f.code)).toEqual([]);
    const migrating = snapshot({ ...stale, vmis: [vmi('vm', 'node-a')], vmims: [vmim('m', 'vm', 'Running', at('11:58:00'))] });
    expect(auditSnapshot(migrating, PARAMS).findings.map((f) => f.code)).not.toContain('StaleAttachment');
  });

  it('honours --stale-after', () => {
    const snap = snapshot({ persistentVolumes: [pv()], volumeAttachments: [va('node-a', at('11:30:00'))], nodes: [node('node-a', [])] });
    expect(auditSnapshot(snap, PARAMS).findings.map((f) => f.code)).toEqual(['StaleAttachment']);
    expect(auditSnapshot(snap, { ...PARAMS, staleAfterSeconds: 3600 }).findings).toEqual([]);
  });

  it('without Nodes: none of the three, and a warning saying so', () => {
    const report = auditSnapshot(
      snapshot({ persistentVolumes: [pv()], volumeAttachments: [va('gone', at('10:00:00'))], unread: ['Node'] }),
      PARAMS,
    );
    expect(report.findings).toEqual([]);
    expect(report.warnings).toEqual([unreadWarning('Node')]);
    expect(report.warnings[0]).toMatch(/StaleAttachment, AttachedToMissingNode or DetachStuck/);
  });
});

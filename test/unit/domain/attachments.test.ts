import { describe, expect, it } from 'vitest';
import type { AttachmentOptions } from '../../../src/domain/attachments.js';
import { findAttachments } from '../../../src/domain/attachments.js';
import { at, NOW, pv, shuffled, VOL, va } from './builders.js';

const options: AttachmentOptions = { now: NOW, driver: 'rds.csi.srvlab.io', stuckAfterSeconds: null };

describe('findAttachments', () => {
  it('reports a dual-attach within the timeout as not stuck, dated by the newer VolumeAttachment', () => {
    const result = findAttachments(
      [va('node-b', at('11:58:00'), { name: 'csi-b' }), va('node-a', at('10:00:00'), { name: 'csi-a' })],
      [pv()],
      options,
    );
    expect(result.dualAttaches).toEqual([
      {
        volumeId: VOL,
        namespace: 'vms',
        pvc: 'disk',
        nodes: ['node-a', 'node-b'], // the source (attached first), then the target
        since: '2025-06-01T11:58:00Z',
        ageSeconds: 120,
        timeoutSeconds: 300,
        stuck: false,
        volumeAttachments: ['csi-a', 'csi-b'],
        rejectedTargets: [],
        vmi: null,
        vmiNode: null,
        users: [],
      },
    ]);
    expect(result.multiAttaches).toEqual([]);
    expect(result.attachedNodesByVolume.get(VOL)).toEqual(['node-a', 'node-b']);
  });

  it('lists the node attached first first, even when its name sorts last', () => {
    const result = findAttachments([va('node-a', at('11:58:00')), va('node-z', at('10:00:00'))], [pv()], options);
    expect(result.dualAttaches[0]?.nodes).toEqual(['node-z', 'node-a']);
    expect(result.attachedNodesByVolume.get(VOL)).toEqual(['node-a', 'node-z']);
  });

  it.each([
    ['under the timeout', '11:55:01', null, false],
    ['exactly at the timeout', '11:55:00', null, true],
    ['past the timeout', '11:50:00', null, true],
    ['past --stuck-after', '11:58:00', 60, true],
    ['under --stuck-after', '11:58:00', 600, false],
  ])('is stuck %s?', (_, since, stuckAfterSeconds, stuck) => {
    const result = findAttachments([va('node-a', at('09:00:00')), va('node-b', at(since))], [pv()], {
      ...options,
      stuckAfterSeconds,
    });
    expect(result.dualAttaches[0]?.stuck).toBe(stuck);
    expect(result.dualAttaches[0]?.timeoutSeconds).toBe(stuckAfterSeconds ?? 300);
  });

  it.each([
    ['15', 30],
    ['abc', 300],
    ['7200', 3600],
    [null, 300],
    ['600', 600],
  ])("uses the PV's migrationTimeoutSeconds %j → %d", (attribute, timeout) => {
    const result = findAttachments([va('node-a', at('09:00:00')), va('node-b', at('11:59:00'))], [pv({ timeout: attribute })], options);
    expect(result.dualAttaches[0]?.timeoutSeconds).toBe(timeout);
  });

  it('reports three attached nodes as a multi-attach, not a dual-attach', () => {
    const result = findAttachments(
      [va('node-a', at('11:00:00')), va('node-b', at('11:01:00')), va('node-c', at('11:02:00'))],
      [pv()],
      options,
    );
    expect(result.dualAttaches).toEqual([]);
    expect(result.multiAttaches).toMatchObject([{ volumeId: VOL, nodes: ['node-a', 'node-b', 'node-c'], since: '2025-06-01T11:02:00Z' }]);
  });

  it('counts distinct nodes, not VolumeAttachments', () => {
    const result = findAttachments(
      [va('node-a', at('11:00:00'), { name: 'x1' }), va('node-a', at('11:01:00'), { name: 'x2' })],
      [pv()],
      options,
    );
    expect(result.dualAttaches).toEqual([]);
    expect(result.attachedNodesByVolume.get(VOL)).toEqual(['node-a']);
  });

  it("ignores another driver's VolumeAttachments", () => {
    const result = findAttachments(
      [va('node-a', at('11:00:00')), va('node-b', at('11:01:00'), { attacher: 'ebs.csi.aws.com' })],
      [pv()],
      options,
    );
    expect(result.dualAttaches).toEqual([]);
    expect(result.attachedNodesByVolume.get(VOL)).toEqual(['node-a']);
  });

  it('ignores VolumeAttachments that are not attached', () => {
    const result = findAttachments([va('node-a', at('11:00:00')), va('node-b', at('11:01:00'), { attached: false })], [pv()], options);
    expect(result.dualAttaches).toEqual([]);
  });

  it('still counts a VolumeAttachment being deleted while it is attached', () => {
    const result = findAttachments(
      [va('node-a', at('11:00:00'), { deletingSince: at('11:30:00') }), va('node-b', at('11:01:00'))],
      [pv()],
      options,
    );
    expect(result.dualAttaches).toHaveLength(1);
  });

  it('lists a VolumeAttachment with attachError next to an attached one as a rejected target', () => {
    const rejected = va('node-c', at('11:59:00'), {
      name: 'csi-c',
      attached: false,
      attachError: { time: at('11:59:05'), message: 'volume already attached to 2 nodes' },
    });
    const result = findAttachments([va('node-a', at('11:00:00')), va('node-b', at('11:58:00')), rejected], [pv()], options);
    expect(result.dualAttaches[0]?.rejectedTargets).toEqual([
      { node: 'node-c', volumeAttachment: 'csi-c', message: 'volume already attached to 2 nodes', time: '2025-06-01T11:59:05Z' },
    ]);
    expect(result.dualAttaches[0]?.volumeAttachments).not.toContain('csi-c');
    expect(result.rejectedTargetsByVolume.get(VOL)).toHaveLength(1);
  });

  it('records rejected targets of a volume attached to one node', () => {
    const rejected = va('node-b', null, { attached: false, attachError: { time: null, message: 'no' } });
    const result = findAttachments([va('node-a', at('11:00:00')), rejected], [pv()], options);
    expect(result.dualAttaches).toEqual([]);
    expect(result.rejectedTargetsByVolume.get(VOL)).toMatchObject([{ node: 'node-b', time: null }]);
  });

  it.each([
    ['volumeHandle', pv({ name: 'pv-name', volumeHandle: 'handle' }), 'pv-name', 'handle', 'vms'],
    ['PV name without a handle', pv({ name: 'pv-name', volumeHandle: null }), 'pv-name', 'pv-name', 'vms'],
    ['VolumeAttachment PV name without a PV', null, 'pv-name', 'pv-name', null],
  ])('takes the volume ID from the %s', (_, volume, pvName, volumeId, namespace) => {
    const result = findAttachments(
      [va('node-a', at('11:00:00'), { persistentVolumeName: pvName }), va('node-b', at('11:01:00'), { persistentVolumeName: pvName })],
      volume === null ? [] : [volume],
      options,
    );
    expect(result.dualAttaches[0]).toMatchObject({ volumeId, namespace, pvc: namespace === null ? null : 'disk' });
  });

  it('has no age when a creation time is missing, and is then not stuck', () => {
    const result = findAttachments([va('node-a', null), va('node-b', at('09:00:00'))], [pv()], options);
    expect(result.dualAttaches[0]).toMatchObject({ since: null, ageSeconds: null, stuck: false });
  });

  it('sorts dual-attaches by namespace, PVC and volume, whatever the input order', () => {
    const vols = [
      ['v1', 'ns-b', 'p1'],
      ['v2', 'ns-a', 'p2'],
      ['v3', 'ns-a', 'p1'],
    ] as const;
    const vas = vols.flatMap(([v]) => [
      va('node-a', at('11:00:00'), { persistentVolumeName: v }),
      va('node-b', at('11:01:00'), { persistentVolumeName: v }),
    ]);
    const pvs = vols.map(([v, namespace, name]) => pv({ name: v, namespace, pvc: name }));
    const expected = findAttachments(vas, pvs, options).dualAttaches;
    expect(expected.map((d) => d.volumeId)).toEqual(['v3', 'v2', 'v1']);
    for (const seed of [1, 2, 3, 4]) {
      expect(findAttachments(shuffled(vas, seed), shuffled(pvs, seed + 7), options).dualAttaches).toEqual(expected);
    }
  });
});

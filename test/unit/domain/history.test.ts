import { describe, expect, it } from 'vitest';
import type { PvcHistoryInput, PvcHistoryOptions } from '../../../src/domain/history.js';
import { buildPvcHistory } from '../../../src/domain/history.js';
import type { PvcRecord } from '../../../src/domain/types.js';
import { at, completed, event, NOW, pv, shuffled, started, VOL, va } from './builders.js';

const pvc: PvcRecord = { namespace: 'vms', name: 'disk', uid: 'uid-disk', resourceVersion: '7', volumeName: VOL };
const options: PvcHistoryOptions = { now: NOW, driver: 'rds.csi.srvlab.io', all: false, eventTtlSeconds: 3600 };

function input(o: Partial<PvcHistoryInput> = {}): PvcHistoryInput {
  return {
    pvc,
    volumeId: VOL,
    events: [],
    persistentVolume: pv(),
    volumeAttachments: [],
    vmis: [],
    vmims: [],
    pods: [],
    warnings: [],
    ...o,
  };
}

const s = started(at('11:58:00'), '5m0s', { name: 'disk.s' });
const c = completed(at('11:30:45'), '45s', { name: 'disk.c' });
const attachedEvent = event('VolumeAttached', `[${VOL}]: Attached to node node-b (duration: 1.2s)`, at('11:59:00'), {
  name: 'disk.v',
});

describe('buildPvcHistory', () => {
  it('lists Migration* events oldest first with their parsed fields, and the migrations', () => {
    const history = buildPvcHistory(input({ events: [s, attachedEvent, c] }), options);
    expect(history.apiVersion).toBe('rds-migrate/v1');
    expect(history.kind).toBe('PvcMigrationHistory');
    expect(history.now).toBe('2025-06-01T12:00:00Z');
    expect(history.pvc).toEqual({ namespace: 'vms', name: 'disk', uid: 'uid-disk', volumeId: VOL, driver: 'rds.csi.srvlab.io' });
    expect(history.events).toEqual([
      {
        name: 'disk.c',
        type: 'Normal',
        reason: 'MigrationCompleted',
        count: 1,
        firstSeen: '2025-06-01T11:30:45Z',
        lastSeen: '2025-06-01T11:30:45Z',
        component: 'rds-csi-node',
        message: c.message,
        parsed: {
          volumeId: VOL,
          sourceNode: 'node-a',
          targetNode: 'node-b',
          timeoutSeconds: null,
          durationSeconds: 45,
          failureReason: null,
        },
      },
      expect.objectContaining({ name: 'disk.s', parsed: expect.objectContaining({ timeoutSeconds: 300 }) }),
    ]);
    expect(history.migrations.map((m) => [m.state, m.startInferred])).toEqual([
      ['completed', true],
      ['in-progress', false],
    ]);
  });

  it('with --all lists every event on the PVC, non-migration ones unparsed', () => {
    const history = buildPvcHistory(input({ events: [s, attachedEvent, c] }), { ...options, all: true });
    expect(history.events.map((e) => [e.name, e.parsed === null])).toEqual([
      ['disk.c', false],
      ['disk.s', false],
      ['disk.v', true],
    ]);
  });

  it('shows an unparsable Migration* event with parsed null', () => {
    const junk = event('MigrationFailed', 'it broke', at('11:00:00'), { name: 'disk.j' });
    const history = buildPvcHistory(input({ events: [junk] }), options);
    expect(history.events).toMatchObject([{ name: 'disk.j', parsed: null }]);
    expect(history.migrations).toEqual([]);
  });

  it.each([
    ['another PVC', { pvc: 'other' }],
    ['another namespace', { namespace: 'other' }],
    ['another uid (a recreated PVC)', { uid: 'uid-old' }],
    ['another kind', { kind: 'VirtualMachineInstance', pvc: 'disk' }],
  ])('leaves out events of %s', (_, o) => {
    const history = buildPvcHistory(input({ events: [started(at('11:00:00'), '5m0s', o)] }), options);
    expect(history.events).toEqual([]);
  });

  it('keeps events without a uid', () => {
    const history = buildPvcHistory(input({ events: [started(at('11:00:00'), '5m0s', { uid: '' })] }), options);
    expect(history.events).toHaveLength(1);
  });

  it('sorts events by last seen, then name, whatever the input order', () => {
    const events = [
      started(at('11:00:00'), '5m0s', { name: 'disk.b' }),
      started(at('11:00:00'), '5m0s', { name: 'disk.a' }),
      completed(at('10:00:00'), '5s', { name: 'disk.z' }),
    ];
    for (const seed of [1, 2, 3]) {
      const history = buildPvcHistory(input({ events: shuffled(events, seed) }), options);
      expect(history.events.map((e) => e.name)).toEqual(['disk.z', 'disk.a', 'disk.b']);
    }
  });

  it("uses the volume's timeout for inferred migrations", () => {
    const history = buildPvcHistory(input({ events: [c], persistentVolume: pv({ timeout: '900' }) }), options);
    expect(history.migrations[0]?.timeoutSeconds).toBe(900);
  });

  it('shows the current attachment: nodes sorted and the dual-attach', () => {
    const history = buildPvcHistory(
      input({
        volumeAttachments: [
          va('node-z', at('10:00:00')),
          va('node-b', at('11:58:00')),
          va('node-q', at('11:00:00'), { persistentVolumeName: 'pvc-other' }),
        ],
      }),
      options,
    );
    expect(history.attachment.nodes).toEqual(['node-b', 'node-z']);
    expect(history.attachment.dualAttach).toMatchObject({
      volumeId: VOL,
      nodes: ['node-z', 'node-b'],
      ageSeconds: 120,
      timeoutSeconds: 300,
      stuck: false,
    });
  });

  it('has no dual-attach when attached to one node, and none without a volume', () => {
    expect(buildPvcHistory(input({ volumeAttachments: [va('node-a', at('10:00:00'))] }), options).attachment).toEqual({
      nodes: ['node-a'],
      dualAttach: null,
      rejectedTargets: [],
    });
    const unbound = buildPvcHistory(
      input({ pvc: { ...pvc, volumeName: null }, volumeId: null, persistentVolume: null, volumeAttachments: [va('node-a', 0)] }),
      options,
    );
    expect(unbound.attachment).toEqual({ nodes: [], dualAttach: null, rejectedTargets: [] });
  });

  it('reports a multi-attach as the dual-attach of the PVC', () => {
    const vas = [va('node-a', at('10:00:00')), va('node-b', at('10:01:00')), va('node-c', at('10:02:00'))];
    expect(buildPvcHistory(input({ volumeAttachments: vas }), options).attachment.dualAttach?.nodes).toHaveLength(3);
  });

  it('passes warnings through', () => {
    expect(buildPvcHistory(input({ warnings: ['volumeattachments is forbidden'] }), options).warnings).toEqual([
      'volumeattachments is forbidden',
    ]);
  });
});

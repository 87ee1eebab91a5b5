import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PairingOptions } from '../../../src/domain/pairing.js';
import { assignMigrationIds, pairMigrations } from '../../../src/domain/pairing.js';
import type { EventRecord, Migration } from '../../../src/domain/types.js';
import { at, completed, event, failed, NOW, started, VOL } from './builders.js';

const options: PairingOptions = { now: NOW, volumeTimeout: () => null };

function pair(events: EventRecord[], o: Partial<PairingOptions> = {}) {
  return pairMigrations(events, { ...options, ...o });
}

describe('pairMigrations: Started then Completed/Failed', () => {
  it('pairs a Started and a Completed in the same second (Started sorts first)', () => {
    // The Completed's name sorts first, so only the Started-first rule pairs them.
    const s = started(at('11:00:00'), '5m0s', { name: 'disk.b' });
    const c = completed(at('11:00:00'), '45s', { name: 'disk.a' });
    const { migrations } = pair([c, s]);
    expect(migrations).toEqual([
      {
        id: 'vms/disk/2025-06-01T11:00:00Z',
        namespace: 'vms',
        pvc: 'disk',
        volumeId: VOL,
        sourceNode: 'node-a',
        targetNode: 'node-b',
        state: 'completed',
        startedAt: '2025-06-01T11:00:00Z',
        endedAt: '2025-06-01T11:00:00Z',
        durationSeconds: 45, // from the message, not the 0 s between the events
        timeoutSeconds: 300,
        startInferred: false,
        failureReason: null,
        events: ['disk.b', 'disk.a'],
        recordedBy: ['events'],
        kubevirt: null,
      },
    ]);
  });

  it('takes the timeout from the Started message over the volume timeout', () => {
    const { migrations } = pair([started(at('11:00:00'), '10m0s'), completed(at('11:01:00'))], {
      volumeTimeout: () => 120,
    });
    expect(migrations[0]?.timeoutSeconds).toBe(600);
  });

  it('closes with a Failed whose free-text reason contains commas', () => {
    const reason = 'manual abort, operator request, see ticket 42';
    const { migrations } = pair([started(at('11:00:00')), failed(at('11:01:30'), reason, '1m30s')]);
    expect(migrations).toHaveLength(1);
    expect(migrations[0]).toMatchObject({
      state: 'failed',
      failureReason: reason,
      durationSeconds: 90,
      startedAt: '2025-06-01T11:00:00Z',
      endedAt: '2025-06-01T11:01:30Z',
      startInferred: false,
    });
  });

  it('accepts → in place of -> in a Completed message', () => {
    const arrow = event(
      'MigrationCompleted',
      `[${VOL}]: KubeVirt live migration completed - source: node-a \u2192 target: node-b (duration: 2m15s)`,
      at('11:02:15'),
    );
    const { migrations, unparsedEvents } = pair([started(at('11:00:00')), arrow]);
    expect(unparsedEvents).toEqual([]);
    expect(migrations).toMatchObject([{ state: 'completed', durationSeconds: 135, startInferred: false }]);
  });

  it("accepts client-go's combined-events prefix", () => {
    const combined = event(
      'MigrationStarted',
      `(combined from similar events): [${VOL}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`,
      at('11:00:00'),
    );
    const { migrations } = pair([combined, completed(at('11:00:45'))]);
    expect(migrations).toMatchObject([{ state: 'completed', startInferred: false, events: [combined.name, expect.any(String)] }]);
  });
});

describe('pairMigrations: Completed/Failed without a matching Started', () => {
  it('infers the start of a Completed whose Started has expired', () => {
    const { migrations } = pair([completed(at('11:10:00'), '2m15s')], { volumeTimeout: () => 600 });
    expect(migrations).toMatchObject([
      {
        state: 'completed',
        startInferred: true,
        startedAt: '2025-06-01T11:07:45Z',
        endedAt: '2025-06-01T11:10:00Z',
        durationSeconds: 135,
        timeoutSeconds: 600, // the volume's: there is no Started message
      },
    ]);
  });

  it('falls back to a 300 s timeout when the volume is unknown', () => {
    expect(pair([completed(at('11:10:00'))]).migrations[0]?.timeoutSeconds).toBe(300);
  });

  it('infers the start of a Failed from its elapsed time', () => {
    const { migrations } = pair([failed(at('11:10:00'), 'timeout', '5m0s')]);
    expect(migrations).toMatchObject([
      { state: 'failed', startInferred: true, startedAt: '2025-06-01T11:05:00Z', failureReason: 'timeout' },
    ]);
  });

  it('survives a Completed claiming the largest Go duration', () => {
    const { migrations } = pair([completed(at('11:10:00'), '2562047h47m16s')]);
    expect(migrations).toMatchObject([{ startInferred: true, durationSeconds: 9223372036 }]);
  });

  it('leaves an open migration on other nodes open', () => {
    const s = started(at('11:58:00'), '5m0s', { src: 'node-a', tgt: 'node-b' });
    const c = completed(at('11:59:00'), '30s', { src: 'node-c', tgt: 'node-d' });
    const { migrations } = pair([s, c]);
    expect(migrations).toMatchObject([
      { sourceNode: 'node-a', targetNode: 'node-b', state: 'in-progress', endedAt: null, durationSeconds: null },
      { sourceNode: 'node-c', targetNode: 'node-d', state: 'completed', startInferred: true, startedAt: '2025-06-01T11:58:30Z' },
    ]);
  });

  it('does not pair a Completed with a Started of the same nodes reversed', () => {
    const { migrations } = pair([
      started(at('11:00:00'), '5m0s', { src: 'node-a', tgt: 'node-b' }),
      completed(at('11:01:00'), '30s', { src: 'node-b', tgt: 'node-a' }),
    ]);
    expect(migrations.map((m) => [m.state, m.startInferred])).toEqual([
      ['unresolved', false],
      ['completed', true],
    ]);
  });
});

describe('pairMigrations: two Started in a row', () => {
  it('joins a repeated Started on the same nodes within the timeout; the start stays the first', () => {
    const s1 = started(at('11:00:00'), '5m0s', { name: 'disk.1' });
    const s2 = started(at('11:02:00'), '5m0s', { name: 'disk.2' });
    const c = completed(at('11:03:00'), '3m0s', { name: 'disk.3' });
    const { migrations } = pair([c, s2, s1]);
    expect(migrations).toHaveLength(1);
    expect(migrations[0]).toMatchObject({
      state: 'completed',
      startedAt: '2025-06-01T11:00:00Z',
      events: ['disk.1', 'disk.2', 'disk.3'],
    });
  });

  it('turns the first unresolved when the second is on different nodes', () => {
    const { migrations } = pair([
      started(at('11:00:00'), '5m0s', { tgt: 'node-b' }),
      started(at('11:02:00'), '5m0s', { tgt: 'node-c' }),
      completed(at('11:03:00'), '1m0s', { tgt: 'node-c' }),
    ]);
    expect(migrations.map((m) => [m.targetNode, m.state, m.startedAt])).toEqual([
      ['node-b', 'unresolved', '2025-06-01T11:00:00Z'],
      ['node-c', 'completed', '2025-06-01T11:02:00Z'],
    ]);
  });

  it.each([
    ['after the timeout', '11:02:00'],
    ['exactly at the timeout (joining needs strictly less)', '11:01:00'],
  ])('turns the first unresolved and opens a new one on the same nodes %s', (_, second) => {
    const { migrations } = pair([started(at('11:00:00'), '1m0s'), started(at(second), '1m0s'), completed(at('11:03:00'), '30s')]);
    expect(migrations.map((m) => [m.state, m.startedAt])).toEqual([
      ['unresolved', '2025-06-01T11:00:00Z'],
      ['completed', `2025-06-01T${second}Z`],
    ]);
  });
});

describe('pairMigrations: repeated events (count > 1)', () => {
  it('expands a Started with count 3 into first, last and one untimed occurrence', () => {
    const s = started(null, '5m0s', { count: 3, firstSeen: at('11:00:00'), lastSeen: at('11:20:00') });
    const result = pair([s]);
    expect(result.untimedOccurrences).toBe(1);
    expect(result.untimedEvents).toEqual([{ event: s, occurrences: 1 }]);
    // 20 minutes apart is past the 5 min timeout: the first is unresolved, the last opens a new one.
    expect(result.migrations.map((m) => [m.state, m.startedAt, m.events])).toEqual([
      ['unresolved', '2025-06-01T11:00:00Z', [s.name]],
      ['unresolved', '2025-06-01T11:20:00Z', [s.name]],
    ]);
  });

  it('joins the later occurrence of a count 2 Started within the timeout, listing the event once', () => {
    const s = started(null, '5m0s', { count: 2, firstSeen: at('11:57:00'), lastSeen: at('11:58:00') });
    const { migrations, untimedOccurrences } = pair([s]);
    expect(untimedOccurrences).toBe(0);
    expect(migrations).toMatchObject([{ state: 'in-progress', startedAt: '2025-06-01T11:57:00Z', events: [s.name] }]);
  });

  it('pairs A→B, B→A, A→B from a count 2 Started and three Completed', () => {
    const ab = started(null, '5m0s', { name: 'disk.ab', count: 2, firstSeen: at('11:00:00'), lastSeen: at('11:20:00') });
    const ba = started(at('11:10:00'), '5m0s', { name: 'disk.ba', src: 'node-b', tgt: 'node-a' });
    const events = [
      ab,
      ba,
      completed(at('11:01:00'), '1m0s', { name: 'disk.c1' }),
      completed(at('11:11:00'), '1m0s', { name: 'disk.c2', src: 'node-b', tgt: 'node-a' }),
      completed(at('11:21:00'), '1m0s', { name: 'disk.c3' }),
    ];
    expect(pair(events).migrations.map((m) => [m.sourceNode, m.state, m.startedAt, m.events])).toEqual([
      ['node-a', 'completed', '2025-06-01T11:00:00Z', ['disk.ab', 'disk.c1']],
      ['node-b', 'completed', '2025-06-01T11:10:00Z', ['disk.ba', 'disk.c2']],
      ['node-a', 'completed', '2025-06-01T11:20:00Z', ['disk.ab', 'disk.c3']],
    ]);
  });

  it('counts events with no time at all as untimed and does not pair them', () => {
    const s = started(null, '5m0s', { count: 2, firstSeen: null, lastSeen: null });
    const c = completed(null);
    const result = pair([s, c]);
    expect(result.migrations).toEqual([]);
    expect(result.untimedOccurrences).toBe(3);
    expect(result.untimedEvents.map((u) => u.occurrences).sort()).toEqual([1, 2]);
  });
});

describe('pairMigrations: migrations still open at the end', () => {
  it.each([
    ['11:56:00', 'in-progress'], // 4 min < 5 min
    ['11:55:01', 'in-progress'],
    ['11:55:00', 'unresolved'], // exactly the timeout
    ['11:50:00', 'unresolved'],
  ])('Started at %s with a 5m0s timeout is %s at 12:00', (time, state) => {
    expect(pair([started(at(time))]).migrations[0]?.state).toBe(state);
  });
});

describe('pairMigrations: what takes part', () => {
  it('returns unparsable Migration* events without pairing them', () => {
    const junk = event('MigrationStarted', 'migration of vm-1 started by hand', at('11:00:00'));
    const result = pair([junk, completed(at('11:01:00'))]);
    expect(result.unparsedEvents).toEqual([junk]);
    expect(result.migrations).toMatchObject([{ startInferred: true, events: [expect.not.stringMatching(junk.name)] }]);
  });

  it('ignores Migration* events on other kinds and other reasons', () => {
    const vmi = started(at('11:00:00'), '5m0s', { kind: 'VirtualMachineInstance' });
    const attached = event('VolumeAttached', `[${VOL}]: Attached to node node-b (duration: 1.2s)`, at('11:00:00'));
    expect(pair([vmi, attached])).toEqual({ migrations: [], unparsedEvents: [], untimedOccurrences: 0, untimedEvents: [] });
  });

  it('keys PVCs by uid: a recreated PVC of the same name does not pair with the old one', () => {
    const { migrations } = pair([started(at('11:58:00'), '5m0s', { uid: 'old' }), completed(at('11:59:00'), '1m0s', { uid: 'new' })]);
    expect(migrations.map((m) => [m.state, m.startInferred])).toEqual([
      ['completed', true],
      ['in-progress', false],
    ]);
  });

  it('keys PVCs by namespace/name when the events carry no uid', () => {
    const { migrations } = pair([started(at('11:00:00'), '5m0s', { uid: '' }), completed(at('11:01:00'), '1m0s', { uid: '' })]);
    expect(migrations).toMatchObject([{ state: 'completed', startInferred: false }]);
  });

  it('keeps PVCs apart: same name in another namespace', () => {
    const { migrations } = pair([
      started(at('11:00:00'), '5m0s', { namespace: 'a', uid: '' }),
      completed(at('11:01:00'), '1m0s', { namespace: 'b', uid: '' }),
    ]);
    expect(migrations.map((m) => [m.namespace, m.state, m.startInferred])).toEqual([
      ['a', 'unresolved', false],
      ['b', 'completed', true],
    ]);
  });

  it('asks for the volume timeout with the PVC of the events', () => {
    const seen: unknown[] = [];
    pair([completed(at('11:00:00'), '1m0s', { namespace: 'ns1', pvc: 'p1', uid: 'u1' })], {
      volumeTimeout: (ref) => {
        seen.push(ref);
        return null;
      },
    });
    expect(seen).toEqual([{ uid: 'u1', namespace: 'ns1', name: 'p1' }]);
  });
});

describe('pairMigrations: ids and order', () => {
  it('suffixes ids of migrations that start in the same second on the same PVC name', () => {
    const events = [started(at('11:58:00'), '5m0s', { uid: 'u1' }), started(at('11:58:00'), '5m0s', { uid: 'u2', tgt: 'node-c' })];
    const ids = pair(events).migrations.map((m) => [m.id, m.targetNode]);
    expect(ids).toEqual([
      ['vms/disk/2025-06-01T11:58:00Z', 'node-b'],
      ['vms/disk/2025-06-01T11:58:00Z-2', 'node-c'],
    ]);
    expect(pair([...events].reverse()).migrations.map((m) => [m.id, m.targetNode])).toEqual(ids);
  });

  it('sorts migrations by start time across PVCs', () => {
    const { migrations } = pair([
      completed(at('11:30:00'), '1m0s', { pvc: 'a' }),
      completed(at('11:10:00'), '1m0s', { pvc: 'b' }),
      completed(at('11:20:00'), '1m0s', { pvc: 'c' }),
    ]);
    expect(migrations.map((m) => m.pvc)).toEqual(['b', 'c', 'a']);
  });

  it('gives the same result for any input order', () => {
    const events = [
      started(at('11:00:00'), '5m0s', { name: 'd.1' }),
      started(at('11:00:00'), '5m0s', { name: 'd.2', tgt: 'node-c' }),
      completed(at('11:00:00'), '10s', { name: 'd.3', tgt: 'node-c' }),
      failed(at('11:00:00'), 'timeout', '0s', { name: 'd.4' }),
      started(null, '5m0s', { name: 'd.5', count: 4, firstSeen: at('11:05:00'), lastSeen: at('11:40:00') }),
      completed(at('11:06:00'), '1m0s', { name: 'd.6' }),
      event('MigrationFailed', 'bad', at('11:07:00'), { name: 'd.7' }),
      started(at('11:59:00'), '5m0s', { name: 'x.1', pvc: 'other' }),
      completed(null, '1m0s', { name: 'x.2', pvc: 'other' }),
    ];
    const expected = pair(events);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (order) => {
        expect(pair(order)).toEqual(expected);
      }),
    );
  });
});

describe('assignMigrationIds', () => {
  /** A migration KubeVirt alone recorded (no id yet), or one paired from events (with its id). */
  const kubevirtOnly = (pvc: string, startedAt: string, uid: string, id = ''): Migration => ({
    id,
    namespace: 'vms',
    pvc,
    volumeId: 'pvc-1',
    sourceNode: 'node-a',
    targetNode: 'node-b',
    state: 'completed',
    startedAt,
    endedAt: null,
    durationSeconds: null,
    timeoutSeconds: 300,
    startInferred: false,
    failureReason: null,
    events: [],
    recordedBy: id === '' ? ['kubevirt'] : ['events'],
    kubevirt: id === '' ? { vmi: 'vm', migration: `vmim-${uid}`, migrationUid: uid, phase: 'Succeeded', failureReason: null } : null,
  });

  it('suffixes ids taken on the same PVC and start, by KubeVirt uid whatever the input order, and sorts by start', () => {
    const input = [
      kubevirtOnly('disk', '2025-06-01T11:00:00Z', 'c'),
      kubevirtOnly('disk', '2025-06-01T11:00:00Z', '', 'vms/disk/2025-06-01T11:00:00Z'),
      kubevirtOnly('disk', '2025-06-01T11:00:00Z', 'a'),
      kubevirtOnly('other', '2025-06-01T11:00:00Z', 'b'),
      kubevirtOnly('disk', '2025-06-01T10:00:00Z', 'd'),
    ];
    const ids = (order: Migration[]) =>
      assignMigrationIds(order.map((m) => ({ ...m }))).map((m) => [m.id, m.kubevirt?.migrationUid ?? null]);
    const expected = [
      ['vms/disk/2025-06-01T10:00:00Z', 'd'],
      ['vms/disk/2025-06-01T11:00:00Z', null],
      ['vms/disk/2025-06-01T11:00:00Z-2', 'a'],
      ['vms/disk/2025-06-01T11:00:00Z-3', 'c'],
      ['vms/other/2025-06-01T11:00:00Z', 'b'],
    ];
    expect(ids(input)).toEqual(expected);
    fc.assert(
      fc.property(fc.shuffledSubarray(input, { minLength: input.length }), (order) => {
        expect(ids(order)).toEqual(expected);
      }),
    );
  });
});

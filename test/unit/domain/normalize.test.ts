import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isMigrationEvent,
  normalizeEvent,
  normalizePersistentVolume,
  normalizePvc,
  normalizeVolumeAttachment,
} from '../../../src/domain/normalize.js';
import { event } from './builders.js';

const T1 = '2025-06-01T11:00:00Z';
const T2 = '2025-06-01T11:30:00Z';
const MS1 = Date.parse(T1);
const MS2 = Date.parse(T2);

/** A core/v1 Event as client-go's recorder writes it. */
function coreEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: 'disk.17c3a1b2c3d4e5f6', namespace: 'vms', creationTimestamp: T1 },
    involvedObject: {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      namespace: 'vms',
      name: 'disk',
      uid: 'uid-disk',
      resourceVersion: '42',
    },
    reason: 'MigrationStarted',
    message: '[pvc-1]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s',
    source: { component: 'rds-csi-node' },
    firstTimestamp: T1,
    lastTimestamp: T1,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'rds-csi-node',
    reportingInstance: '',
    ...extra,
  };
}

/** An events.k8s.io/v1 Event with only eventTime set. */
function eventsV1(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'disk.abc', namespace: 'vms' },
    regarding: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'vms', name: 'disk', uid: 'uid-disk' },
    reason: 'MigrationCompleted',
    note: 'the note',
    type: 'Normal',
    eventTime: '2025-06-01T11:00:00.123456Z',
    reportingController: 'rds.csi.srvlab.io/node',
    reportingInstance: 'node-a',
    action: 'Migrate',
    ...extra,
  };
}

describe('normalizeEvent: core/v1', () => {
  it('reads a client-go event', () => {
    expect(normalizeEvent(coreEvent())).toEqual({
      name: 'disk.17c3a1b2c3d4e5f6',
      namespace: 'vms',
      involvedObject: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'vms', name: 'disk', uid: 'uid-disk' },
      reason: 'MigrationStarted',
      type: 'Normal',
      message: '[pvc-1]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s',
      component: 'rds-csi-node',
      count: 1,
      firstSeen: MS1,
      lastSeen: MS1,
    });
  });

  it('keeps count, firstTimestamp and lastTimestamp of a merged event', () => {
    const e = normalizeEvent(coreEvent({ count: 3, lastTimestamp: T2 }));
    expect(e).toMatchObject({ count: 3, firstSeen: MS1, lastSeen: MS2 });
  });

  it('takes the component from reportingComponent when source.component is empty', () => {
    expect(normalizeEvent(coreEvent({ source: {}, reportingComponent: 'runbook' }))?.component).toBe('runbook');
    expect(normalizeEvent(coreEvent({ source: null, reportingComponent: '' }))?.component).toBe('');
  });

  it('uses the event namespace when involvedObject.namespace is omitted', () => {
    const raw = coreEvent({ involvedObject: { kind: 'PersistentVolumeClaim', name: 'disk' } });
    expect(normalizeEvent(raw)?.involvedObject).toEqual({
      kind: 'PersistentVolumeClaim',
      apiVersion: '',
      namespace: 'vms',
      name: 'disk',
      uid: '',
    });
  });
});

describe('normalizeEvent: events.k8s.io/v1', () => {
  it('reads an event with only eventTime: first and last seen both at eventTime', () => {
    expect(normalizeEvent(eventsV1())).toEqual({
      name: 'disk.abc',
      namespace: 'vms',
      involvedObject: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'vms', name: 'disk', uid: 'uid-disk' },
      reason: 'MigrationCompleted',
      type: 'Normal',
      message: 'the note',
      component: 'rds.csi.srvlab.io/node',
      count: 1,
      firstSeen: MS1 + 123,
      lastSeen: MS1 + 123,
    });
  });

  it('takes the count from series.count and last seen from series.lastObservedTime', () => {
    const e = normalizeEvent(eventsV1({ series: { count: 4, lastObservedTime: '2025-06-01T11:30:00.000000Z' } }));
    expect(e).toMatchObject({ count: 4, firstSeen: MS1 + 123, lastSeen: MS2 });
  });

  it('reads the deprecated* fields a core/v1 write leaves behind', () => {
    const e = normalizeEvent(
      eventsV1({
        eventTime: null,
        deprecatedCount: 2,
        deprecatedFirstTimestamp: T1,
        deprecatedLastTimestamp: T2,
        deprecatedSource: { component: 'rds-csi-node' },
      }),
    );
    expect(e).toMatchObject({ count: 2, firstSeen: MS1, lastSeen: MS2, component: 'rds-csi-node' });
  });
});

describe('normalizeEvent: count and time rules', () => {
  it.each([
    [{ count: 3 }, 3],
    [{ count: 0, series: { count: 5 } }, 5],
    [{ count: undefined, series: { count: 5 } }, 5],
    [{ count: 2, series: { count: 5 } }, 2],
    [{ count: 0 }, 1],
    [{ count: -4 }, 1],
    [{ count: 1.5 }, 1],
    [{ count: '3' }, 1],
    [{ count: '3', series: { count: '9' } }, 1],
    [{ count: null, series: null }, 1],
  ])('%j → count %d', (extra, expected) => {
    expect(normalizeEvent(coreEvent(extra))?.count).toBe(expected);
  });

  const E = '2025-06-01T10:00:00.000000Z';
  const C = '2025-06-01T09:00:00Z';
  const S = '2025-06-01T11:45:00.000000Z';
  it.each([
    ['first = firstTimestamp', { firstTimestamp: T1, eventTime: E }, 'firstSeen', MS1],
    ['first falls back to eventTime', { firstTimestamp: null, eventTime: E }, 'firstSeen', Date.parse(E)],
    ['first falls back to creationTimestamp', { firstTimestamp: null, lastTimestamp: null }, 'firstSeen', Date.parse(C)],
    ['last = lastTimestamp', { lastTimestamp: T2, series: { count: 2, lastObservedTime: S } }, 'lastSeen', MS2],
    [
      'last falls back to series.lastObservedTime',
      { lastTimestamp: null, series: { count: 2, lastObservedTime: S } },
      'lastSeen',
      Date.parse(S),
    ],
    ['last falls back to eventTime', { lastTimestamp: null, eventTime: E }, 'lastSeen', Date.parse(E)],
    ['last falls back to firstTimestamp', { lastTimestamp: null, firstTimestamp: T2 }, 'lastSeen', MS2],
    ['last falls back to creationTimestamp', { lastTimestamp: null, firstTimestamp: null }, 'lastSeen', Date.parse(C)],
    ['an unparsable timestamp counts as absent', { lastTimestamp: 'soon', firstTimestamp: T2 }, 'lastSeen', MS2],
  ] as const)('%s', (_, extra, key, expected) => {
    const raw = coreEvent({ ...extra, metadata: { name: 'x', namespace: 'vms', creationTimestamp: C } });
    expect(normalizeEvent(raw)?.[key]).toBe(expected);
  });

  it('has null first and last seen when the event carries no time at all', () => {
    const raw = coreEvent({ firstTimestamp: null, lastTimestamp: undefined, metadata: { name: 'x' } });
    expect(normalizeEvent(raw)).toMatchObject({ firstSeen: null, lastSeen: null, namespace: '' });
  });
});

describe('normalizeEvent: hostile input', () => {
  it.each([
    ['null', null],
    ['a string', 'event'],
    ['an array', [coreEvent()]],
    ['involvedObject null', coreEvent({ involvedObject: null })],
    ['involvedObject a string', coreEvent({ involvedObject: 'pvc/disk' })],
    ['involvedObject without name', coreEvent({ involvedObject: { kind: 'PersistentVolumeClaim' } })],
    ['involvedObject name not a string', coreEvent({ involvedObject: { kind: 'PersistentVolumeClaim', name: 7 } })],
  ])('%s → null', (_, raw) => {
    expect(normalizeEvent(raw)).toBeNull();
  });

  it('treats wrong types as absent', () => {
    const e = normalizeEvent(
      coreEvent({
        metadata: 'x',
        message: 42,
        reason: ['MigrationStarted'],
        type: null,
        source: 'node',
        count: '3',
        firstTimestamp: 1748775600000,
        lastTimestamp: {},
        series: [],
      }),
    );
    expect(e).toMatchObject({
      name: '',
      namespace: '',
      message: '',
      reason: '',
      type: '',
      component: 'rds-csi-node', // from reportingComponent
      count: 1,
      firstSeen: null,
      lastSeen: null,
    });
  });

  it('never throws on arbitrary JSON, nor on arbitrary values in known fields', () => {
    const anyValue = fc.anything();
    const eventLike = fc.record(
      {
        metadata: fc.oneof(anyValue, fc.record({ name: anyValue, namespace: anyValue, creationTimestamp: anyValue })),
        involvedObject: fc.oneof(anyValue, fc.record({ kind: anyValue, name: anyValue, namespace: anyValue, uid: anyValue })),
        regarding: anyValue,
        message: anyValue,
        note: anyValue,
        count: anyValue,
        series: fc.oneof(anyValue, fc.record({ count: anyValue, lastObservedTime: anyValue })),
        firstTimestamp: anyValue,
        lastTimestamp: anyValue,
        eventTime: anyValue,
        source: anyValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), eventLike), (raw) => {
        const e = normalizeEvent(raw);
        if (e !== null) {
          expect(typeof e.message).toBe('string');
          expect(Number.isInteger(e.count) && e.count >= 1).toBe(true);
        }
      }),
    );
  });
});

describe('isMigrationEvent', () => {
  it.each([
    ['MigrationStarted', 'PersistentVolumeClaim', true],
    ['MigrationCompleted', 'PersistentVolumeClaim', true],
    ['MigrationFailed', 'PersistentVolumeClaim', true],
    ['MigrationStarted', 'VirtualMachineInstance', false], // KubeVirt's own events
    ['VolumeAttached', 'PersistentVolumeClaim', false],
    ['migrationstarted', 'PersistentVolumeClaim', false],
  ])('%s on %s → %s', (reason, kind, expected) => {
    expect(isMigrationEvent(event(reason, 'm', 0, { kind }))).toBe(expected);
  });
});

describe('normalizePersistentVolume', () => {
  const raw = {
    metadata: { name: 'pvc-1' },
    spec: {
      csi: { driver: 'rds.csi.srvlab.io', volumeHandle: 'pvc-1', volumeAttributes: { migrationTimeoutSeconds: '600' } },
      claimRef: { namespace: 'vms', name: 'disk', uid: 'uid-disk', kind: 'PersistentVolumeClaim' },
      accessModes: ['ReadWriteMany'],
      volumeMode: 'Block',
    },
  };

  it('reads driver, handle, claim and timeout attribute', () => {
    expect(normalizePersistentVolume(raw)).toEqual({
      name: 'pvc-1',
      driver: 'rds.csi.srvlab.io',
      volumeHandle: 'pvc-1',
      claimRef: { namespace: 'vms', name: 'disk', uid: 'uid-disk' },
      migrationTimeoutAttribute: '600',
    });
  });

  it('reads a non-CSI, unbound volume', () => {
    expect(normalizePersistentVolume({ metadata: { name: 'nfs' }, spec: { nfs: {} } })).toEqual({
      name: 'nfs',
      driver: null,
      volumeHandle: null,
      claimRef: null,
      migrationTimeoutAttribute: null,
    });
  });

  it.each([[null], [{}], [{ metadata: { name: 5 } }], [{ metadata: null, spec: {} }]])('%j → null', (value) => {
    expect(normalizePersistentVolume(value)).toBeNull();
  });

  it('keeps a junk timeout attribute as text and ignores a half claimRef', () => {
    const pvRecord = normalizePersistentVolume({
      metadata: { name: 'p' },
      spec: { csi: { driver: 7, volumeAttributes: { migrationTimeoutSeconds: 600 } }, claimRef: { name: 'disk' } },
    });
    expect(pvRecord).toMatchObject({ driver: null, claimRef: null, migrationTimeoutAttribute: '600' });
  });
});

describe('normalizeVolumeAttachment', () => {
  it('reads spec, status and metadata times', () => {
    expect(
      normalizeVolumeAttachment({
        metadata: {
          name: 'csi-abc',
          creationTimestamp: T1,
          deletionTimestamp: T2,
          finalizers: ['external-attacher/rds-csi-srvlab-io', 7],
        },
        spec: { attacher: 'rds.csi.srvlab.io', nodeName: 'node-a', source: { persistentVolumeName: 'pvc-1' } },
        status: {
          attached: false,
          attachError: { time: T2, message: 'rejected: already attached' },
          detachError: { time: T2, message: 'rpc error: detach timed out' },
        },
      }),
    ).toEqual({
      name: 'csi-abc',
      attacher: 'rds.csi.srvlab.io',
      nodeName: 'node-a',
      persistentVolumeName: 'pvc-1',
      attached: false,
      attachError: { time: MS2, message: 'rejected: already attached' },
      createdAt: MS1,
      deletingSince: MS2,
      finalizers: ['external-attacher/rds-csi-srvlab-io'],
      detachError: 'rpc error: detach timed out',
    });
  });

  it('counts only attached: true as attached', () => {
    const base = { metadata: { name: 'v' }, spec: { nodeName: 'n' } };
    expect(normalizeVolumeAttachment({ ...base, status: { attached: 'true' } })?.attached).toBe(false);
    expect(normalizeVolumeAttachment({ ...base, status: { attached: true } })?.attached).toBe(true);
    expect(normalizeVolumeAttachment(base)).toMatchObject({ attached: false, attachError: null, persistentVolumeName: null });
  });

  it.each([[undefined], [{ metadata: { name: 'v' } }], [{ spec: { nodeName: 'n' } }]])('%j → null', (value) => {
    expect(normalizeVolumeAttachment(value)).toBeNull();
  });
});

describe('normalizePvc', () => {
  it('reads a bound claim', () => {
    expect(
      normalizePvc({
        metadata: { name: 'disk', namespace: 'vms', uid: 'uid-disk', resourceVersion: '42' },
        spec: { volumeName: 'pvc-1' },
      }),
    ).toEqual({ namespace: 'vms', name: 'disk', uid: 'uid-disk', resourceVersion: '42', volumeName: 'pvc-1' });
  });

  it('reads an unbound claim', () => {
    expect(normalizePvc({ metadata: { name: 'disk', namespace: 'vms' }, spec: { volumeName: '' } })).toEqual({
      namespace: 'vms',
      name: 'disk',
      uid: '',
      resourceVersion: '',
      volumeName: null,
    });
  });

  it.each([[[]], [{ metadata: { name: 'disk' } }], [{ metadata: { namespace: 'vms' } }]])('%j → null', (value) => {
    expect(normalizePvc(value)).toBeNull();
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        normalizePvc(raw);
        normalizePersistentVolume(raw);
        normalizeVolumeAttachment(raw);
      }),
    );
  });
});

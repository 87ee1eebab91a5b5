import { describe, expect, it } from 'vitest';
import { buildEventBody, buildRepeatPatch, eventName } from '../../../src/domain/event-body.js';
import { dnsLabelProblem, dnsSubdomainProblem, printableLineProblem, utf8Length, volumeIdProblem } from '../../../src/domain/validation.js';

const pvc = {
  namespace: 'vms',
  name: 'vm-disk',
  uid: '3f1c9a2e-0000-4000-8000-000000000001',
  resourceVersion: '4711',
  volumeName: 'pvc-1',
};

describe('buildEventBody', () => {
  it('shapes the Event as client-go EventRecorder sends it', () => {
    const body = buildEventBody({
      pvc,
      reason: 'MigrationFailed',
      message: 'm',
      component: 'rds-migrate',
      name: 'vm-disk.17979cfe3d85cd15',
      now: Date.parse('2025-01-02T03:04:05.678Z'),
    });
    expect(body).toEqual({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name: 'vm-disk.17979cfe3d85cd15', namespace: 'vms', creationTimestamp: null },
      involvedObject: {
        kind: 'PersistentVolumeClaim',
        namespace: 'vms',
        name: 'vm-disk',
        uid: pvc.uid,
        apiVersion: 'v1',
        resourceVersion: '4711',
      },
      reason: 'MigrationFailed',
      message: 'm',
      source: { component: 'rds-migrate' },
      firstTimestamp: '2025-01-02T03:04:05Z',
      lastTimestamp: '2025-01-02T03:04:05Z',
      count: 1,
      type: 'Warning',
      eventTime: null,
      reportingComponent: 'rds-migrate',
      reportingInstance: '',
    });
    expect(Object.keys(body).indexOf('eventTime')).toBeGreaterThan(-1);
  });

  it('names events <object>.<hex unix nanos>', () => {
    expect(eventName('vm-disk', 1700000000123456789n)).toBe('vm-disk.17979cfe3d85cd15');
  });

  it('patches count, lastTimestamp and message like the recorder', () => {
    expect(buildRepeatPatch(2, 'm', Date.parse('2025-01-02T03:04:05.9Z'))).toEqual({
      count: 3,
      lastTimestamp: '2025-01-02T03:04:05Z',
      message: 'm',
    });
  });
});

describe('validation', () => {
  it.each([
    ['vm-disk', null],
    ['a.b-c.d', null],
    ['', 'must not be empty'],
    ['Vm', 'DNS-1123 subdomain'],
    ['-a', 'DNS-1123 subdomain'],
    ['a..b', 'DNS-1123 subdomain'],
    ['a'.repeat(254), 'at most 253'],
  ])('subdomain %j', (value, problem) => {
    const found = dnsSubdomainProblem(value);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it.each([
    ['vms', null],
    ['a.b', 'DNS-1123 label'],
    ['a'.repeat(64), 'at most 63'],
  ])('label %j', (value, problem) => {
    const found = dnsLabelProblem(value);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it.each([
    ['manual abort, by ops', null],
    ['two\nlines', 'one line'],
    ['esc \u001b[31m', 'one line'],
    ['bidi \u202e', 'one line'],
    ['right-to-left mark a\u200fb', 'bidi controls'],
    ['Arabic letter mark a\u061cb', 'bidi controls'],
    ['zero-width space a\u200bb', 'invisible characters'],
    ['zero-width joiner a\u200db', 'invisible characters'],
    ['BOM \ufeffa', 'invisible characters'],
    ['soft hyphen a\u00adb', 'invisible characters'],
    ['word joiner a\u2060b', 'invisible characters'],
    ['invisible times a\u2062b', 'invisible characters'],
    ['interlinear annotation a\ufff9b', 'invisible characters'],
    ['tag characters a\u{e0041}\u{e007f}', 'invisible characters'],
    ['emoji and accents stay fine: é 💾 磁盘', null],
    [' padded', 'white space'],
    ['   ', 'must not be empty'],
    ['é'.repeat(600), 'at most 1024 bytes'],
  ])('printable line %j', (value, problem) => {
    const found = printableLineProblem(value, 1024);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it('volume ids are printable ASCII without brackets', () => {
    expect(volumeIdProblem('pvc-0f8e')).toBeNull();
    expect(volumeIdProblem('a]b')).toContain('brackets');
    expect(volumeIdProblem('a b')).toContain('spaces');
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('a→b😀')).toBe(1 + 3 + 1 + 4);
  });
});

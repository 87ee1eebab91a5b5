// What changed between two builds (src/domain/changes.ts), on reports and histories built by the
// real builders from snapshots that differ by one change, or only by the time.
import { describe, expect, it } from 'vitest';
import { auditSnapshot } from '../../../src/domain/audit.js';
import {
  attachmentChanged,
  changedEvents,
  changedMigrations,
  diffFindings,
  findingKey,
  followMigration,
  openMigration,
} from '../../../src/domain/changes.js';
import { buildPvcHistory, type PvcHistoryInput } from '../../../src/domain/history.js';
import type { EventRecord, PvcRecord, VolumeAttachmentRecord } from '../../../src/domain/types.js';
import { at, completed, failed, NOW, PARAMS, pv, snapshot, started, VOL, va } from './builders.js';

const pvc: PvcRecord = { namespace: 'vms', name: 'disk', uid: 'uid-disk', resourceVersion: '7', volumeName: VOL };

function history(events: EventRecord[], volumeAttachments: VolumeAttachmentRecord[] = [], now = NOW) {
  const input: PvcHistoryInput = {
    pvc,
    volumeId: VOL,
    events,
    persistentVolume: pv(),
    volumeAttachments,
    vmis: [],
    vmims: [],
    pods: [],
    warnings: [],
  };
  return buildPvcHistory(input, { now, driver: 'rds.csi.srvlab.io', all: false, eventTtlSeconds: 3600 });
}

function audit(o: Parameters<typeof snapshot>[0], now = NOW) {
  return auditSnapshot(snapshot(o), { ...PARAMS, now });
}

const s1 = started(at('11:58:00'), '5m0s', { name: 'disk.s1' });
const c1 = completed(at('11:58:45'), '45s', { name: 'disk.c1' });

describe('changedEvents', () => {
  it('gives the new event only, and an event again when its count or time changed', () => {
    const before = history([s1]).events;
    expect(changedEvents(before, history([s1, c1]).events).map((e) => e.name)).toEqual(['disk.c1']);
    const bumped = { ...s1, count: 2, lastSeen: at('11:59:00') };
    expect(changedEvents(before, history([bumped]).events).map((e) => [e.name, e.count])).toEqual([['disk.s1', 2]]);
  });

  it('gives nothing for the same events a minute later, or for an event that expired', () => {
    expect(changedEvents(history([s1, c1]).events, history([s1, c1], [], NOW + 60_000).events)).toEqual([]);
    expect(changedEvents(history([s1, c1]).events, history([c1]).events)).toEqual([]);
  });

  it('gives every event against nothing (the state printed first)', () => {
    expect(changedEvents([], history([s1, c1]).events)).toHaveLength(2);
  });
});

describe('changedMigrations', () => {
  it('gives a migration when it appears and when its outcome is recorded', () => {
    const open = history([s1]).migrations;
    expect(changedMigrations([], open).map((c) => [c.migration.state, c.previousState])).toEqual([['in-progress', null]]);
    const done = history([s1, c1]).migrations;
    expect(changedMigrations(open, done).map((c) => [c.migration.state, c.previousState])).toEqual([['completed', 'in-progress']]);
  });

  it('does not count time against the timeout as a change, only the state it leads to', () => {
    const open = history([s1]).migrations;
    expect(changedMigrations(open, history([s1], [], at('12:02:00')).migrations)).toEqual([]);
    const late = history([s1], [], at('12:03:00')).migrations;
    expect(changedMigrations(open, late).map((c) => [c.migration.state, c.previousState])).toEqual([['unresolved', 'in-progress']]);
  });

  it('keeps a finished migration whose Started event expired (its start is then inferred, its id changes)', () => {
    // The message rounds the duration: the inferred start is a second off the real one.
    const c = completed(at('11:58:46'), '45s', { name: 'disk.c' });
    const before = history([s1, c]).migrations;
    const after = history([c]).migrations;
    expect(after[0]?.id).not.toBe(before[0]?.id);
    expect(changedMigrations(before, after)).toEqual([]);
  });

  it('says nothing about a migration whose events all expired', () => {
    expect(changedMigrations(history([s1, c1]).migrations, history([]).migrations)).toEqual([]);
  });
});

describe('followMigration and openMigration', () => {
  it('follows the open migration to its outcome', () => {
    const open = history([s1]).migrations;
    const target = openMigration(open);
    expect(target?.state).toBe('in-progress');
    expect(followMigration(open, history([s1, c1]).migrations, target)?.state).toBe('completed');
  });

  it('without an open migration, picks the next one to start and none of the known ones', () => {
    const done = history([s1, c1]).migrations;
    expect(openMigration(done)).toBeNull();
    expect(followMigration(done, history([s1, c1], [], at('12:01:00')).migrations, null)).toBeNull();
    const s2 = started(at('12:01:00'), '5m0s', { name: 'disk.s2', src: 'node-b', tgt: 'node-c' });
    const next = followMigration(done, history([s1, c1, s2], [], at('12:01:00')).migrations, null);
    expect([next?.sourceNode, next?.targetNode, next?.state]).toEqual(['node-b', 'node-c', 'in-progress']);
  });

  it('sees an unresolved migration as open, and a later Started on other nodes as its end', () => {
    const late = history([s1], [], at('12:04:00')).migrations;
    expect(openMigration(late)?.state).toBe('unresolved');
    const open = history([s1]).migrations;
    const s2 = started(at('12:00:30'), '5m0s', { name: 'disk.s2', src: 'node-a', tgt: 'node-c' });
    const superseded = followMigration(open, history([s1, s2], [], at('12:00:30')).migrations, openMigration(open));
    expect(superseded?.state).toBe('unresolved');
  });
});

describe('attachmentChanged', () => {
  const a = va('node-a', at('10:00:00'));
  const b = va('node-b', at('11:59:00'));

  it('changes when a node is added or goes, and when a dual-attach becomes stuck', () => {
    const single = history([], [a]).attachment;
    const dual = history([], [a, b]).attachment;
    expect(attachmentChanged(null, single)).toBe(true);
    expect(attachmentChanged(single, dual)).toBe(true);
    expect(attachmentChanged(dual, history([], [b]).attachment)).toBe(true);
    expect(attachmentChanged(dual, history([], [a, b], at('12:03:59')).attachment)).toBe(false);
    expect(attachmentChanged(dual, history([], [a, b], at('12:04:00')).attachment)).toBe(true);
  });
});

describe('diffFindings', () => {
  const a = va('node-a', at('10:00:00'));
  const b = va('node-b', at('11:59:00'));

  it('opens DualAttachInProgress, turns it into StuckDualAttach at the timeout, and resolves it when a node goes', () => {
    const none = audit({ volumeAttachments: [a], persistentVolumes: [pv()] });
    const dual = audit({ volumeAttachments: [a, b], persistentVolumes: [pv()] });
    const opened = diffFindings(none.findings, dual.findings);
    expect(opened.opened.map((f) => f.code)).toEqual(['DualAttachInProgress']);
    expect(opened.resolved).toEqual([]);
    // The sentences tell the age; a minute later it is the same finding.
    const later = audit({ volumeAttachments: [a, b], persistentVolumes: [pv()] }, at('12:01:00'));
    expect(later.findings[0]?.message).not.toBe(dual.findings[0]?.message);
    expect(diffFindings(dual.findings, later.findings)).toEqual({ opened: [], resolved: [] });
    const stuck = audit({ volumeAttachments: [a, b], persistentVolumes: [pv()] }, at('12:04:00'));
    const turned = diffFindings(later.findings, stuck.findings);
    expect([turned.opened.map((f) => f.code), turned.resolved.map((f) => f.code)]).toEqual([['StuckDualAttach'], ['DualAttachInProgress']]);
    const gone = diffFindings(stuck.findings, audit({ volumeAttachments: [b], persistentVolumes: [pv()] }, at('12:04:00')).findings);
    expect([gone.opened, gone.resolved.map((f) => f.code)]).toEqual([[], ['StuckDualAttach']]);
  });

  it('tells apart two failures of one PVC and resolves the one whose events expired', () => {
    const sA = started(at('11:00:00'), '5m0s', { name: 'disk.sa' });
    const fA = failed(at('11:05:00'), 'timeout', '5m0s', { name: 'disk.fa' });
    const sB = started(at('11:20:00'), '5m0s', { name: 'disk.sb', tgt: 'node-c' });
    const fB = failed(at('11:25:00'), 'disk busy', '5m0s', { name: 'disk.fb', tgt: 'node-c' });
    const both = audit({ events: [sA, fA, sB, fB], persistentVolumes: [pv()] });
    expect(both.findings.map((f) => f.code)).toEqual(['MigrationFailed', 'MigrationFailed']);
    expect(findingKey(both.findings[0]!)).toBe(findingKey(both.findings[1]!));
    const one = audit({ events: [sB, fB], persistentVolumes: [pv()] }, at('12:01:00'));
    const diff = diffFindings(both.findings, one.findings);
    expect(diff.opened).toEqual([]);
    expect(diff.resolved.map((f) => f.message)).toEqual([expect.stringContaining('timeout')]);
  });
});

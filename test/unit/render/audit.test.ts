import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { displayWidth } from '../../../src/domain/sanitize.js';
import type { AuditReport } from '../../../src/domain/types.js';
import { renderAuditJson, renderAuditTable, renderAuditYaml, writeAuditJson } from '../../../src/render/audit.js';
import { rejectionReason } from '../../../src/render/common.js';
import { auditDocument, DocumentList, toJson, writeJson } from '../../../src/render/document.js';
import { createPalette, plainPalette } from '../../../src/render/palette.js';
import { AMBIGUOUS_YAML_STRINGS, auditReport, emptyAuditReport } from './fixtures.js';

const ANSI = /\u001b\[[0-9;]*m/g;

/** A report whose cluster-originated strings try to drive the terminal. */
function hostileReport(): AuditReport {
  const r = auditReport();
  const failed = r.migrations.find((m) => m.state === 'failed');
  if (!failed) throw new Error('fixture has no failed migration');
  failed.failureReason = 'manual abort\u001b]0;owned\u0007\u001b[2J\u202e\nsee OPS-1';
  const finding = r.findings[0];
  if (!finding) throw new Error('fixture has no finding');
  finding.message = 'stuck\u009b31m \u001b[5mblink\u001b[0m\r\n\u2066isolated\u2069 \u0085 \u2028 \u007f';
  r.warnings.push('forbidden: \u001b[1mvolumeattachments\u001b[0m\tis forbidden');
  return r;
}

describe('renderAuditTable', () => {
  it('renders summary, findings, migrations, dual-attaches, warnings and the horizon note', () => {
    expect(renderAuditTable(auditReport(), { palette: plainPalette, wide: false })).toMatchInlineSnapshot(`
      "SUMMARY
      Scope:           all namespaces, driver rds.csi.srvlab.io
      Now:             2025-03-01T12:00:00Z
      Migrations:      6 (3 completed, 1 failed, 1 in-progress, 1 unresolved)
      Untimed:         1 repeated occurrence of merged events, counted but not paired
      Dual-attaches:   2 (1 stuck)
      Multi-attaches:  1
      Findings:        3 error, 2 warning, 1 info
      Durations:       3 completed: min 45s, p50 2m16s, p95 4m50s, max 4m50s

      FINDINGS
      ERROR (3)
        StuckDualAttach: tenant-a/legacy-disk (volume pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a)
          Volume pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a has been attached to worker-4 and worker-5 for
          39m55s, past its 10m0s migration timeout.
          Next: Inspect VolumeAttachment csi-e4f5a6b7c8 (kubectl describe volumeattachment
          csi-e4f5a6b7c8); deleting the source pod on worker-4 ends the dual-attach.
        MigrationFailed: vms/vm-db-disk (volume pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718)
          Migration from worker-2 to worker-3 failed after 5m0s: timeout.
          Next: Check the rds-csi-node logs on worker-3 for the attach error before retrying the
          migration.
        MultiAttach: default/scratch (volume pvc-1e2d3c4b-5a69-4788-96a5-b4c3d2e1f000)
          Volume is attached to 3 nodes: worker-1, worker-2, worker-3.
          Next: Stop the pods using it on all but one node and report a driver bug.

      WARNING (2)
        UnresolvedMigration: tenant-a/legacy-disk (volume pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a)
          Migration from worker-4 to worker-5 started 40m ago and recorded no outcome within its 10m0s
          timeout.
          Next: Check the VirtualMachineInstanceMigration of this VM; post the outcome with rds-migrate
          post-completed or post-failed.
        SlowMigration: tenant-a/builder-root (volume pvc-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f)
          Migration from worker-1 to worker-3 took 4m50s, over 80% of its 5m0s timeout.
          Next: Raise migrationTimeoutSeconds in the StorageClass or look for network contention.

      INFO (1)
        DualAttachInProgress: vms/vm-web-disk (volume pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e)
          Volume is attached to worker-2 and worker-1 for 2m10s of its 5m0s migration timeout.
          Next: Nothing to do yet; it becomes stuck after 5m0s.

      MIGRATIONS
      NAMESPACE   PVC             SOURCE     TARGET     STATE         AGE     DURATION   TIMEOUT
      vms         vm-cache-disk   worker-3   worker-1   completed     54m     45s        5m
      vms         vm-web-disk     worker-1   worker-2   completed     50m     2m16s      5m
      tenant-a    legacy-disk     worker-4   worker-5   unresolved    40m     <none>     10m
      vms         vm-db-disk      worker-2   worker-3   failed        30m     5m         5m
      tenant-a    builder-root    worker-1   worker-3   completed     20m     4m50s      5m
      vms         vm-web-disk     worker-2   worker-1   in-progress   2m10s   <none>     5m

      DUAL-ATTACHES
      NAMESPACE   PVC           NODES               VM ON      AGE     TIMEOUT   STUCK
      tenant-a    legacy-disk   worker-4,worker-5   <none>     39m     10m       yes
      vms         vm-web-disk   worker-2,worker-1   worker-2   2m10s   5m        no

      MULTI-ATTACHES
      NAMESPACE   PVC       NODES                        VM ON    AGE
      default     scratch   worker-1,worker-2,worker-3   <none>   10m

      REJECTED TARGETS
      NAMESPACE   PVC           NODE       AGE   MESSAGE
      vms         vm-web-disk   worker-3   90s   volume is already attached to 2 nodes

      WARNINGS
      Warning: Skipped 2 MigrationStarted events whose involvedObject is not a PersistentVolumeClaim.

      NOTE
      Oldest migration event: 2025-03-01T11:02:10Z (57m ago)
      Events expire after the API server's --event-ttl (1h by default); older migrations are not in this
      report.
      "
    `);
  });

  it('wide adds volume, id, start time, failure reason and events', () => {
    const out = renderAuditTable(auditReport(), { palette: plainPalette, wide: true });
    const migrations = out.slice(out.indexOf('MIGRATIONS\n'), out.indexOf('DUAL-ATTACHES\n'));
    expect(migrations).toMatchInlineSnapshot(`
      "MIGRATIONS
      NAMESPACE   PVC             SOURCE     TARGET     STATE         AGE     DURATION   TIMEOUT   VOLUME                                     ID                                           STARTED AT                        FAILURE REASON   RECORDED BY   VMIM     EVENTS
      vms         vm-cache-disk   worker-3   worker-1   completed     54m     45s        5m        pvc-7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d   vms/vm-cache-disk/2025-03-01T11:05:15Z       2025-03-01T11:05:15Z (inferred)   <none>           events        <none>   vm-cache-disk.18289f2c0a1b2c3d
      vms         vm-web-disk     worker-1   worker-2   completed     50m     2m16s      5m        pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e   vms/vm-web-disk/2025-03-01T11:10:00Z         2025-03-01T11:10:00Z              <none>           events        <none>   vm-web-disk.18289f6a2b3c4d5e,vm-web-disk.18289f89d1e2f3a4
      tenant-a    legacy-disk     worker-4   worker-5   unresolved    40m     <none>     10m       pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a   tenant-a/legacy-disk/2025-03-01T11:20:00Z    2025-03-01T11:20:00Z              <none>           events        <none>   legacy-disk.1828a0f1e2d3c4b5
      vms         vm-db-disk      worker-2   worker-3   failed        30m     5m         5m        pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718   vms/vm-db-disk/2025-03-01T11:30:00Z          2025-03-01T11:30:00Z              timeout          events        <none>   vm-db-disk.1828a1e0f1a2b3c4,vm-db-disk.1828a2287c6d5e4f
      tenant-a    builder-root    worker-1   worker-3   completed     20m     4m50s      5m        pvc-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f   tenant-a/builder-root/2025-03-01T11:40:00Z   2025-03-01T11:40:00Z              <none>           events        <none>   builder-root.1828a26f9e8d7c6b,builder-root.1828a2b5a4b3c2d1
      vms         vm-web-disk     worker-2   worker-1   in-progress   2m10s   <none>     5m        pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e   vms/vm-web-disk/2025-03-01T11:57:50Z         2025-03-01T11:57:50Z              <none>           events        <none>   vm-web-disk.1828a3b0c1d2e3f4

      "
    `);
    const dual = out.slice(out.indexOf('DUAL-ATTACHES\n'), out.indexOf('REJECTED TARGETS\n'));
    expect(dual).toMatchInlineSnapshot(`
      "DUAL-ATTACHES
      NAMESPACE   PVC           VOLUME                                     NODES               VM ON      AGE     TIMEOUT   STUCK   SINCE                  VOLUMEATTACHMENTS               USERS
      tenant-a    legacy-disk   pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a   worker-4,worker-5   <none>     39m     10m       yes     2025-03-01T11:20:05Z   csi-77e0a9c3d2,csi-e4f5a6b7c8   <none>
      vms         vm-web-disk   pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e   worker-2,worker-1   worker-2   2m10s   5m        no      2025-03-01T11:57:50Z   csi-5b1f0c2e9a,csi-a83d7e6f41   virt-launcher-vm-web-7xk2p@worker-1,virt-launcher-vm-web-q9d4m@worker-2

      MULTI-ATTACHES
      NAMESPACE   PVC       VOLUME                                     NODES                        VM ON    AGE   SINCE                  VOLUMEATTACHMENTS                              USERS
      default     scratch   pvc-1e2d3c4b-5a69-4788-96a5-b4c3d2e1f000   worker-1,worker-2,worker-3   <none>   10m   2025-03-01T11:50:00Z   csi-11aa22bb33,csi-44cc55dd66,csi-77ee88ff99   <none>

      "
    `);
  });

  it('prints a short line for each empty section', () => {
    expect(renderAuditTable(emptyAuditReport(), { palette: plainPalette, wide: false })).toMatchInlineSnapshot(`
      "SUMMARY
      Scope:           namespace vms, driver rds.csi.srvlab.io
      Now:             2025-03-01T12:00:00Z
      Migrations:      0 (0 completed, 0 failed, 0 in-progress, 0 unresolved)
      Dual-attaches:   0 (0 stuck)
      Multi-attaches:  0
      Findings:        0 error, 0 warning, 0 info
      Durations:       no completed migrations

      FINDINGS
      No findings.

      MIGRATIONS
      No migrations found.

      DUAL-ATTACHES
      No dual-attaches found.
      "
    `);
  });

  it('--no-headers leaves table rows only: findings as rows, no titles, summary, notes or warnings', () => {
    const out = renderAuditTable(auditReport(), { palette: plainPalette, wide: false, noHeaders: true });
    expect(out).toMatchInlineSnapshot(`
      "error     StuckDualAttach        tenant-a   legacy-disk    pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a
      error     MigrationFailed        vms        vm-db-disk     pvc-0b9e4d21-6c3a-4f8e-a1b2-c3d4e5f60718
      error     MultiAttach            default    scratch        pvc-1e2d3c4b-5a69-4788-96a5-b4c3d2e1f000
      warning   UnresolvedMigration    tenant-a   legacy-disk    pvc-9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a
      warning   SlowMigration          tenant-a   builder-root   pvc-c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f
      info      DualAttachInProgress   vms        vm-web-disk    pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e
      vms        vm-cache-disk   worker-3   worker-1   completed     54m     45s      5m
      vms        vm-web-disk     worker-1   worker-2   completed     50m     2m16s    5m
      tenant-a   legacy-disk     worker-4   worker-5   unresolved    40m     <none>   10m
      vms        vm-db-disk      worker-2   worker-3   failed        30m     5m       5m
      tenant-a   builder-root    worker-1   worker-3   completed     20m     4m50s    5m
      vms        vm-web-disk     worker-2   worker-1   in-progress   2m10s   <none>   5m
      tenant-a   legacy-disk   worker-4,worker-5   <none>     39m     10m   yes
      vms        vm-web-disk   worker-2,worker-1   worker-2   2m10s   5m    no
      default   scratch   worker-1,worker-2,worker-3   <none>   10m
      vms   vm-web-disk   worker-3   90s   volume is already attached to 2 nodes
      "
    `);
  });

  it('wraps free text and cuts the rejected-target message to the width; tables keep their names', () => {
    const report = auditReport();
    const target = report.rejectedTargets[0];
    if (!target) throw new Error('fixture has no rejected target');
    target.message = `rpc error: code = FailedPrecondition desc = Volume ${target.volumeId} migration timeout exceeded (5m0s elapsed, 5m0s max). Previous migration may be stuck. Detach source node to reset.`;
    for (const width of [80, 100]) {
      const out = renderAuditTable(report, { palette: plainPalette, wide: false, width });
      for (const line of out.split('\n')) {
        // The migrations table (no free text to cut in it) is the only thing allowed to be wider.
        if (!/^[\w-]+ +[\w-]+ +worker-\d +worker-\d /.test(line) && !line.startsWith('NAMESPACE   PVC             SOURCE'))
          expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      }
      expect(out).toMatch(/ 90s {3}Volume migration timeout exceeded \(5/);
      expect(out).not.toContain('rpc error');
    }
    const wide = renderAuditTable(report, { palette: plainPalette, wide: true });
    expect(wide).toContain(target.message);
    expect(wide).toContain(target.volumeAttachment);
  });

  it('with colour: ANSI codes for states and severities, same layout once they are removed', () => {
    const plain = renderAuditTable(auditReport(), { palette: plainPalette, wide: true });
    const coloured = renderAuditTable(auditReport(), { palette: createPalette(true), wide: true });
    expect(coloured).toContain('\u001b[32mcompleted\u001b[39m');
    expect(coloured).toContain('\u001b[31mfailed\u001b[39m');
    expect(coloured).toContain('\u001b[33munresolved\u001b[39m');
    expect(coloured).toContain('\u001b[36min-progress\u001b[39m');
    expect(coloured).toContain('\u001b[31mERROR (3)\u001b[39m');
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('removes control characters, escape sequences and bidi controls from cluster text', () => {
    const out = renderAuditTable(hostileReport(), { palette: plainPalette, wide: true });
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(out).toContain('manual abort see OPS-1');
    expect(out).toContain('\n    stuck blink isolated\n');
    expect(out).toContain('Warning: forbidden: volumeattachments is forbidden');
  });
});

describe('rejectionReason', () => {
  it.each([
    [
      'rpc error: code = FailedPrecondition desc = Volume pvc-1 migration timeout exceeded (5m0s elapsed, 5m0s max).',
      'Volume migration timeout exceeded (5m0s elapsed, 5m0s max).',
    ],
    ['[pvc-1]: attach refused', 'attach refused'],
    ['rpc error: code = Internal desc = pvc-1 is busy', 'is busy'],
    ['no rpc wrapper, no volume', 'no rpc wrapper, no volume'],
    ['rpc error: code = Unavailable desc = \u001b[31mdown\u001b[0m', 'down'],
  ])('%j -> %j', (message, expected) => {
    expect(rejectionReason(message, 'pvc-1')).toBe(expected);
  });
});

describe('renderAuditJson / renderAuditYaml', () => {
  it('JSON parses back to the report, keys in the model order, newline at the end', () => {
    const report = auditReport();
    const json = renderAuditJson(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "apiVersion": "rds-migrate/v1",\n');
    const back = JSON.parse(json) as AuditReport;
    expect(back).toEqual(report);
    expect(Object.keys(back)).toEqual([
      'apiVersion',
      'kind',
      'now',
      'scope',
      'summary',
      'migrations',
      'dualAttaches',
      'multiAttaches',
      'rejectedTargets',
      'findings',
      'warnings',
      'horizon',
    ]);
    expect(Object.keys(back.migrations[0] ?? {})).toEqual([
      'id',
      'namespace',
      'pvc',
      'volumeId',
      'sourceNode',
      'targetNode',
      'state',
      'startedAt',
      'endedAt',
      'durationSeconds',
      'timeoutSeconds',
      'startInferred',
      'failureReason',
      'events',
      'recordedBy',
      'kubevirt',
    ]);
  });

  it('writes a large report in pieces of about a MiB that join to the text of one JSON.stringify', () => {
    const report = hostileReport();
    const template = report.migrations[0]!;
    // ~15 000 migrations: over 10 MB of JSON, with the fixture's hostile text among them.
    report.migrations = Array.from({ length: 15_000 }, (_, i) => ({
      ...report.migrations[i % report.migrations.length]!,
      id: `${template.id}-${i}`,
    }));
    const pieces: string[] = [];
    writeAuditJson(report, (piece) => pieces.push(piece));
    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeLessThan(1.5 * 2 ** 20);
    expect(pieces.join('')).toBe(toJson(auditDocument(report)));
    expect(renderAuditJson(report)).toBe(pieces.join(''));
  });

  it.each([
    ['an empty document', {}],
    [
      'values JSON leaves out or writes as null',
      { a: undefined, b: [undefined, () => 1, 1], c: new DocumentList([1, 2], () => undefined), d: [] },
    ],
    ['nested lists and objects', { a: [[1, [2]], { b: { c: [] } }], d: new DocumentList(['x', 'y'], (s) => ({ s, t: [s] })), e: 'z' }],
  ])('writes %s as JSON.stringify would', (_, doc) => {
    let text = '';
    writeJson(doc, (piece) => {
      text += piece;
    });
    const whole = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, v instanceof DocumentList ? v.items.map(v.toDocument) : v]));
    expect(text).toBe(toJson(whole));
  });

  it('keeps the model key order even when the domain built objects in another order', () => {
    const report = auditReport();
    const { apiVersion, kind, ...rest } = report;
    const shuffled = { ...rest, kind, apiVersion } as AuditReport;
    expect(renderAuditJson(shuffled)).toBe(renderAuditJson(report));
  });

  it('YAML is one document that parses back to the report', async () => {
    const report = auditReport();
    const yaml = await renderAuditYaml(report);
    expect(yaml.startsWith('apiVersion: rds-migrate/v1\nkind: MigrationAudit\nnow: "2025-03-01T12:00:00Z"\n')).toBe(true);
    expect(yaml.endsWith('\n')).toBe(true);
    expect(parseYaml(yaml)).toEqual(report);
    expect(parseYaml(yaml, { version: '1.1' })).toEqual(report);
  });

  it('an empty report has empty lists, not missing keys', async () => {
    expect(await renderAuditYaml(emptyAuditReport())).toContain('\nmigrations: []\n');
    expect(JSON.parse(renderAuditJson(emptyAuditReport()))).toEqual(emptyAuditReport());
  });

  it('carries hostile text as it is, escaped, and it round-trips exactly', async () => {
    const report = hostileReport();
    const json = renderAuditJson(report);
    const yaml = await renderAuditYaml(report);
    for (const text of [json, yaml]) {
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    }
    expect(JSON.parse(json)).toEqual(report);
    expect(parseYaml(yaml)).toEqual(report);
    expect(parseYaml(yaml, { version: '1.1' })).toEqual(report);
  });

  it('every string reads back as the same string under YAML 1.1 and YAML 1.2', async () => {
    const report = auditReport();
    const tricky = AMBIGUOUS_YAML_STRINGS;
    report.warnings = [...tricky];
    report.migrations.forEach((m, i) => {
      m.failureReason = tricky[i % tricky.length] ?? null;
      m.sourceNode = tricky[(i + 7) % tricky.length] ?? m.sourceNode;
    });
    report.findings.forEach((f, i) => {
      f.message = tricky[(i + 3) % tricky.length] ?? f.message;
    });
    const yaml = await renderAuditYaml(report);
    for (const version of ['1.1', '1.2'] as const) expect(parseYaml(yaml, { version })).toEqual(report);
    expect(yaml).toContain('\n  - "0o17"\n');
  });

  it('long messages are not folded in YAML', async () => {
    const report = auditReport();
    const long = `${'x'.repeat(300)} ${'y'.repeat(300)}`;
    report.warnings = [long];
    expect(await renderAuditYaml(report)).toContain(`  - ${long}\n`);
  });
});

describe('renderAuditTable: acknowledged findings', () => {
  it('says how many findings --exclude left out', () => {
    const report = auditReport();
    report.summary.excluded = 2;
    expect(renderAuditTable(report, { palette: plainPalette, wide: false })).toMatch(
      /\nFindings: +\d+ error, \d+ warning, \d+ info \(2 more excluded by --exclude\)\n/,
    );
  });
});

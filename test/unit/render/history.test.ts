import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { displayWidth } from '../../../src/domain/sanitize.js';
import type { PvcHistory } from '../../../src/domain/types.js';
import { renderHistoryJson, renderHistoryTable, renderHistoryYaml } from '../../../src/render/history.js';
import { createPalette, plainPalette } from '../../../src/render/palette.js';
import { pvcHistory } from './fixtures.js';

const DRIVER = 'rds.csi.srvlab.io';

const ANSI = /\u001b\[[0-9;]*m/g;

describe('renderHistoryTable', () => {
  it('renders events, migrations and the current dual-attach', () => {
    expect(renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: plainPalette, wide: false })).toMatchInlineSnapshot(`
      "PVC:     vms/vm-web-disk
      Volume:  pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e

      EVENTS
      LAST SEEN             TYPE      REASON               SOURCE     TARGET     DETAIL                 COUNT
      50m                   Normal    MigrationStarted     worker-1   worker-2   timeout 5m             1
      47m                   Normal    MigrationCompleted   worker-1   worker-2   took 2m16s             1
      25m                   Warning   MigrationFailed      worker-2   worker-1   failed after 5m: ti…   1
      15m                   Normal    MigrationStarted     <none>     <none>     unparsed               1
      2m10s (x2 over 30m)   Normal    MigrationStarted     worker-2   worker-1   timeout 5m             2

      MIGRATIONS
      SOURCE     TARGET     STATE         AGE     DURATION   TIMEOUT
      worker-1   worker-2   completed     50m     2m16s      5m
      worker-2   worker-1   failed        30m     5m         5m
      worker-2   worker-1   in-progress   2m10s   <none>     5m

      ATTACHMENT
      Nodes:   worker-2, worker-1
      State:   dual-attached for 2m10s of 5m timeout
      Since:   2025-03-01T11:57:50Z

      REJECTED TARGETS
      NODE       AGE   MESSAGE
      worker-3   90s   volume is already attached to 2 nodes
      "
    `);
  });

  it('wide adds message, component and name', () => {
    const out = renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: plainPalette, wide: true });
    expect(out.slice(out.indexOf('EVENTS\n'), out.indexOf('MIGRATIONS\n'))).toMatchInlineSnapshot(`
      "EVENTS
      LAST SEEN             TYPE      REASON               SOURCE     TARGET     DETAIL                     COUNT   MESSAGE                                                                                                                                                     COMPONENT      NAME
      50m                   Normal    MigrationStarted     worker-1   worker-2   timeout 5m                 1       [pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e]: KubeVirt live migration started - source: worker-1, target: worker-2, timeout: 5m0s                             rds-csi-node   vm-web-disk.18289f6a2b3c4d5e
      47m                   Normal    MigrationCompleted   worker-1   worker-2   took 2m16s                 1       [pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e]: KubeVirt live migration completed - source: worker-1 -> target: worker-2 (duration: 2m16s)                      rds-csi-node   vm-web-disk.18289f89d1e2f3a4
      25m                   Warning   MigrationFailed      worker-2   worker-1   failed after 5m: timeout   1       [pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e]: KubeVirt live migration failed - source: worker-2, attempted target: worker-1, reason: timeout, elapsed: 5m0s   rds-csi-node   vm-web-disk.1828a1f0e9d8c7b6
      15m                   Normal    MigrationStarted     <none>     <none>     unparsed                   1       migration restarted by hand, see ticket OPS-1234                                                                                                            rds-migrate    vm-web-disk.1828a2aa00000001
      2m10s (x2 over 30m)   Normal    MigrationStarted     worker-2   worker-1   timeout 5m                 2       [pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e]: KubeVirt live migration started - source: worker-2, target: worker-1, timeout: 5m0s                             rds-csi-node   vm-web-disk.1828a3b0c1d2e3f4

      "
    `);
  });

  it('says STUCK once the dual-attach outlives its timeout', () => {
    const h = pvcHistory();
    if (!h.attachment.dualAttach) throw new Error('fixture has no dual-attach');
    h.attachment.dualAttach.ageSeconds = 400;
    h.attachment.dualAttach.stuck = true;
    const out = renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: false });
    expect(out).toContain('\nState:   STUCK: dual-attached for 6m40s of 5m timeout\n');
    expect(renderHistoryTable(h, { driver: DRIVER, palette: createPalette(true), wide: false })).toContain(
      '\u001b[31mSTUCK: dual-attached for 6m40s of 5m timeout\u001b[39m',
    );
  });

  it('shows a failure reason in DETAIL, its end cut to the width unless wide', () => {
    const h = pvcHistory();
    const failed = h.events.find((e) => e.reason === 'MigrationFailed');
    if (!failed?.parsed) throw new Error('fixture has no parsed failure');
    failed.parsed.failureReason = 'manual abort by the on-call engineer after the target node lost its storage network link';
    const failedRow = (width: number): string =>
      renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: false, width })
        .split('\n')
        .find((l) => l.includes('MigrationFailed')) ?? '';
    expect(failedRow(120)).toMatch(/ failed after 5m: manual abort by the… +1$/);
    expect(displayWidth(failedRow(120))).toBeLessThanOrEqual(120);
    expect(failedRow(200)).toContain(` failed after 5m: ${failed.parsed.failureReason} `);
    const wide = renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: true });
    expect(wide).toContain(`failed after 5m: ${failed.parsed.failureReason} `);
  });

  it('--no-headers leaves table rows only: no PVC header, titles, attachment or warnings', () => {
    const h = pvcHistory();
    h.warnings.push('the current attachment is unknown: forbidden');
    const out = renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: false, noHeaders: true });
    expect(out).toMatchInlineSnapshot(`
      "50m                   Normal    MigrationStarted     worker-1   worker-2   timeout 5m              1
      47m                   Normal    MigrationCompleted   worker-1   worker-2   took 2m16s              1
      25m                   Warning   MigrationFailed      worker-2   worker-1   failed after 5m: tim…   1
      15m                   Normal    MigrationStarted     <none>     <none>     unparsed                1
      2m10s (x2 over 30m)   Normal    MigrationStarted     worker-2   worker-1   timeout 5m              2
      worker-1   worker-2   completed     50m     2m16s    5m
      worker-2   worker-1   failed        30m     5m       5m
      worker-2   worker-1   in-progress   2m10s   <none>   5m
      worker-3   90s   volume is already attached to 2 nodes
      "
    `);
  });

  it('an unattached PVC without events or migrations', () => {
    const h: PvcHistory = { ...pvcHistory(), events: [], migrations: [], attachment: { nodes: [], dualAttach: null, rejectedTargets: [] } };
    expect(renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: false })).toMatchInlineSnapshot(`
      "PVC:     vms/vm-web-disk
      Volume:  pvc-3f1c2a7e-8b4d-4c1a-9e2f-5d6b7a8c9d0e

      EVENTS
      No migration events found for PVC vms/vm-web-disk.

      MIGRATIONS
      No migrations found.

      ATTACHMENT
      Nodes:   <none> (not attached)
      "
    `);
  });

  it('with colour: Warning in yellow, MigrationFailed in red, same layout once removed', () => {
    const plain = renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: plainPalette, wide: true });
    const coloured = renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: createPalette(true), wide: true });
    expect(coloured).toContain('\u001b[33mWarning\u001b[39m');
    expect(coloured).toContain('\u001b[31mMigrationFailed\u001b[39m');
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('sanitizes event messages, components and names', () => {
    const h = pvcHistory();
    const e = h.events[3];
    if (!e) throw new Error('fixture too short');
    e.message = 'hello\u001b]52;c;ZXZpbA==\u0007 \u202eworld\nbye';
    e.component = 'evil\u001b[8m';
    const out = renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: true });
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain('hello world bye');
  });

  it('--no-headers drops the column headers', () => {
    const out = renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: plainPalette, wide: false, noHeaders: true });
    expect(out).not.toContain('LAST SEEN');
    expect(out).not.toContain('SOURCE     TARGET');
  });
});

describe('renderHistoryJson / renderHistoryYaml', () => {
  it('JSON and YAML parse back to the history', async () => {
    const h = pvcHistory();
    const json = renderHistoryJson(h);
    const yaml = await renderHistoryYaml(h);
    expect(json.endsWith('}\n')).toBe(true);
    expect(yaml.endsWith('\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(h);
    expect(parseYaml(yaml)).toEqual(h);
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'apiVersion',
      'kind',
      'now',
      'pvc',
      'events',
      'migrations',
      'attachment',
      'kubevirt',
      'users',
      'warnings',
    ]);
    expect(Object.keys((JSON.parse(json) as PvcHistory).events[0] ?? {})).toEqual([
      'name',
      'type',
      'reason',
      'count',
      'firstSeen',
      'lastSeen',
      'component',
      'message',
      'parsed',
    ]);
  });

  it('control characters in messages round-trip through JSON and YAML', async () => {
    const h = pvcHistory();
    const e = h.events[3];
    if (!e) throw new Error('fixture too short');
    e.message = 'a\u001b[31mb\u0007c\u009bd\u202ee\u2028f\nline two\ttab';
    expect(JSON.parse(renderHistoryJson(h))).toEqual(h);
    expect(parseYaml(await renderHistoryYaml(h))).toEqual(h);
  });
});

describe('renderHistoryTable: the VM, its migrations and the users', () => {
  const withVm = (): PvcHistory => {
    const h = pvcHistory();
    h.migrations[0]!.kubevirt = {
      vmi: 'vm-web',
      migration: 'kubevirt-migrate-vm-x7k2p',
      migrationUid: 'u',
      phase: 'Succeeded',
      failureReason: null,
    };
    h.kubevirt = {
      vmi: 'vm-web',
      node: 'worker-1',
      migrations: [
        {
          name: 'kubevirt-migrate-vm-x7k2p',
          uid: 'u',
          phase: 'Succeeded',
          sourceNode: 'worker-1',
          targetNode: 'worker-2',
          startedAt: '2025-03-01T11:09:55Z',
          endedAt: '2025-03-01T11:12:16Z',
          failureReason: null,
        },
        {
          name: 'kubevirt-evacuation-q8f3z',
          uid: 'v',
          phase: 'Failed',
          sourceNode: 'worker-2',
          targetNode: 'worker-3',
          startedAt: '2025-03-01T11:30:00Z',
          endedAt: '2025-03-01T11:35:00Z',
          failureReason: 'Live migration failed: operation failed: migration out of memory while copying the guest pages to the target',
        },
      ],
    };
    h.users = [
      { node: 'worker-1', namespace: 'vms', pod: 'virt-launcher-vm-web-7xk2p', kind: 'virt-launcher', vmi: 'vm-web' },
      { node: 'worker-1', namespace: 'vms', pod: 'hp-volume-2kq9x', kind: 'hotplug', vmi: 'vm-web' },
    ];
    return h;
  };

  it('shows where the VM runs, its VMIMs (the failure cut to the width), each migration with its VMIM, and the users', () => {
    const out = renderHistoryTable(withVm(), { driver: DRIVER, palette: plainPalette, wide: false, width: 100 });
    expect(out).toContain('\nVM\nVMI:     vm-web on worker-1\n');
    expect(out).toMatch(/\nVMIM {24}PHASE {7}SOURCE {5}TARGET {5}AGE {3}FAILURE REASON\n/);
    expect(out).toMatch(/kubevirt-evacuation-q8f3z {3}Failed {6}worker-2 {3}worker-3 {3}30m {3}Live migration failed: operatio…\n/);
    expect(renderHistoryTable(withVm(), { driver: DRIVER, palette: plainPalette, wide: true })).toContain(
      'Live migration failed: operation failed: migration out of memory while copying the guest pages to the target',
    );
    expect(out).toMatch(/\nSOURCE {5}TARGET {5}STATE +AGE +DURATION +TIMEOUT +VMIM\n/);
    expect(out).toContain('kubevirt-migrate-vm-x7k2p\n');
    expect(out).toContain('\nUSERS\nNODE       POD                          KIND            VMI\n');
    expect(out).toContain('worker-1   hp-volume-2kq9x              hotplug         vm-web\n');
    const vmPart = out.slice(out.indexOf('\nVM\n'));
    for (const line of vmPart.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(100);
  });

  it("names another driver's volume as such", () => {
    const h = pvcHistory();
    h.pvc.driver = 'rook-ceph.rbd.csi.ceph.com';
    const out = renderHistoryTable(h, { driver: DRIVER, palette: plainPalette, wide: false });
    expect(out).toContain("Driver:  rook-ceph.rbd.csi.ceph.com, another driver's volume: its attachments are shown, not judged\n");
    expect(renderHistoryTable(pvcHistory(), { driver: DRIVER, palette: plainPalette, wide: false })).not.toContain('Driver:');
  });
});

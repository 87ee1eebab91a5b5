// What the live commands print (src/render/watch.ts, src/render/audit-watch.ts), from fixed models
// with colour off.
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../src/domain/changes.js';
import { renderAuditScreen } from '../../../src/render/audit-watch.js';
import { plainPalette } from '../../../src/render/palette.js';
import {
  attachmentJsonLine,
  eventJsonLine,
  findingJsonLine,
  migrationJsonLine,
  planEventRows,
  renderAttachmentChange,
  renderEventHeader,
  renderEventRows,
  renderMigrationChange,
} from '../../../src/render/watch.js';
import { auditReport, NOW, pvcHistory, VOL_WEB, webCompleted, webFailed, webInProgress } from './fixtures.js';

const nowMs = Date.parse(NOW);

describe('event rows', () => {
  const history = pvcHistory();
  const [started, completed, failed] = history.events;

  it('keep the layout of the first rows: a later row with a longer cell pushes only itself', () => {
    const layout = planEventRows([started!, completed!], nowMs, { wide: false, palette: plainPalette, volumeId: VOL_WEB, width: 100 });
    expect(renderEventHeader(layout) + renderEventRows([started!, completed!], nowMs, layout)).toBe(
      [
        'LAST SEEN   TYPE      REASON               SOURCE     TARGET     DETAIL             COUNT',
        '50m         Normal    MigrationStarted     worker-1   worker-2   timeout 5m         1',
        '47m         Normal    MigrationCompleted   worker-1   worker-2   took 2m16s         1',
        '',
      ].join('\n'),
    );
    const bumped = { ...failed!, count: 3, firstSeen: '2025-03-01T11:20:00Z' };
    expect(renderEventRows([bumped], nowMs, layout)).toBe(
      // LAST SEEN is the last occurrence's age: the count is in COUNT, and the row keeps its columns.
      '25m         Warning   MigrationFailed      worker-2   worker-1   failed after 5m…   3\n',
    );
  });

  it('leave TYPE out on a narrow terminal (MigrationFailed says Warning) and cut DETAIL to what is left', () => {
    const layout = planEventRows([failed!], nowMs, { wide: false, palette: plainPalette, volumeId: VOL_WEB, width: 80 });
    expect(renderEventHeader(layout)).toBe('LAST SEEN   REASON               SOURCE     TARGET     DETAIL              COUNT\n');
    const row = renderEventRows([failed!], nowMs, layout);
    expect(row).toBe('25m         MigrationFailed      worker-2   worker-1   failed after 5m:…   1\n');
    expect(row.length - 1).toBeLessThanOrEqual(80);
  });

  it('wide: message, component and name, nothing cut', () => {
    const layout = planEventRows([failed!], nowMs, { wide: true, palette: plainPalette, volumeId: VOL_WEB, width: 80 });
    const row = renderEventRows([failed!], nowMs, layout);
    expect(row).toContain('failed after 5m: timeout');
    expect(row.trimEnd().endsWith('rds-csi-node   vm-web-disk.1828a1f0e9d8c7b6')).toBe(true);
  });
});

describe('migration and attachment lines', () => {
  it.each([
    [webInProgress, 'migration worker-2 -> worker-1: in-progress (started 2m10s ago, timeout 5m)\n'],
    [webCompleted, 'migration worker-1 -> worker-2: completed in 2m16s (started 50m ago)\n'],
    [webFailed, 'migration worker-2 -> worker-1: failed after 5m (started 30m ago): timeout\n'],
    [
      { ...webInProgress, state: 'unresolved' as const, startedAt: '2025-03-01T11:50:00Z' },
      'migration worker-2 -> worker-1: unresolved: no outcome within its 5m timeout (started 10m ago)\n',
    ],
  ])('%#: one line per state', (migration, line) => {
    expect(renderMigrationChange({ migration, previousState: null }, nowMs, plainPalette)).toBe(line);
  });

  it('names the VMIM and its phase when KubeVirt recorded the migration', () => {
    const migration = {
      ...webCompleted,
      kubevirt: { vmi: 'web', migration: 'kubevirt-evacuation-x7k2p', migrationUid: 'u', phase: 'Succeeded', failureReason: null },
    };
    expect(renderMigrationChange({ migration, previousState: 'in-progress' }, nowMs, plainPalette)).toBe(
      'migration worker-1 -> worker-2: completed in 2m16s (started 50m ago) [VMIM kubevirt-evacuation-x7k2p: Succeeded]\n',
    );
  });

  it('sanitizes node names and reasons from the cluster', () => {
    const migration = { ...webFailed, targetNode: 'evil\x1b[2Jnode', failureReason: 'bad\u202ereason' };
    const line = renderMigrationChange({ migration, previousState: null }, nowMs, plainPalette);
    expect(line).toBe('migration worker-2 -> evilnode: failed after 5m (started 30m ago): badreason\n');
  });

  const history = pvcHistory();
  it.each([
    [{ nodes: [], dualAttach: null, rejectedTargets: [] }, 'attachment: not attached\n'],
    [{ nodes: ['worker-1'], dualAttach: null, rejectedTargets: [] }, 'attachment: worker-1\n'],
    [history.attachment, 'attachment: worker-2, worker-1: dual-attached for 2m10s of 5m timeout; attach rejected on worker-3\n'],
    [
      { ...history.attachment, dualAttach: { ...history.attachment.dualAttach!, stuck: true, ageSeconds: 400 }, rejectedTargets: [] },
      'attachment: worker-2, worker-1: STUCK: dual-attached for 6m40s of 5m timeout\n',
    ],
    [
      {
        nodes: ['a', 'b', 'c'],
        dualAttach: { ...history.attachment.dualAttach!, nodes: ['a', 'b', 'c'] },
        rejectedTargets: [],
      },
      'attachment: a, b, c: MULTI-ATTACH: attached to 3 nodes, which the driver must never allow\n',
    ],
  ] as [Attachment, string][])('%#: the attachment in one line', (attachment, line) => {
    expect(renderAttachmentChange(attachment, plainPalette)).toBe(line);
  });
});

describe('JSON lines', () => {
  it('are one object per line, with the type first and the item as the documents show it', () => {
    const history = pvcHistory();
    const line = eventJsonLine(history.events[0]!, NOW);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(Object.keys(JSON.parse(line))).toEqual(['type', 'time', 'event']);
    expect(JSON.parse(line).event).toEqual(history.events[0]);
    expect(JSON.parse(migrationJsonLine({ migration: webCompleted, previousState: 'in-progress' }, NOW))).toEqual({
      type: 'migration',
      time: NOW,
      previousState: 'in-progress',
      migration: webCompleted,
    });
    expect(JSON.parse(attachmentJsonLine(history.attachment, NOW))).toEqual({
      type: 'attachment',
      time: NOW,
      attachment: history.attachment,
    });
    const finding = auditReport().findings[0]!;
    expect(JSON.parse(findingJsonLine('resolved', finding, NOW))).toEqual({ type: 'resolved', time: NOW, finding });
  });

  it('escape what could act on a terminal, and carry it back unchanged', () => {
    const history = pvcHistory();
    const hostile = { ...history.events[0]!, message: 'a\u009b2Jb\u202ec' };
    const line = eventJsonLine(hostile, NOW);
    expect(line).toContain('a\\u009b2Jb\\u202ec');
    expect(JSON.parse(line).event.message).toBe(hostile.message);
  });
});

describe('the audit -w screen', () => {
  const base = {
    palette: plainPalette,
    wide: false,
    width: 100,
    heading: 'audit -w: every 1s',
    marked: { finding: () => false, migration: () => false, attach: () => false },
    resolved: [],
  };

  it('shows a finding per row, marks the rows that changed and lists the findings that resolved', () => {
    const report = auditReport();
    const finding = report.findings[0]!;
    const screen = renderAuditScreen(report, {
      ...base,
      height: 200,
      marked: {
        finding: (f) => f === finding,
        migration: (m) => m.id === webInProgress.id,
        attach: (d) => d.volumeId === VOL_WEB,
      },
      resolved: [{ finding: { ...report.findings[1]!, code: 'DualAttachInProgress' }, agoSeconds: 12 }],
    });
    expect(screen.slice(0, 4)).toEqual([
      'audit -w: every 1s',
      '2025-03-01T12:00:00Z   all namespaces, driver rds.csi.srvlab.io',
      'Migrations: 6 (3 completed, 1 failed, 1 in-progress, 1 unresolved)',
      'Attached: 2 dual (1 stuck), 1 multi   Findings: 3 error, 2 warning, 1 info',
    ]);
    const findings = screen.indexOf('FINDINGS');
    expect(screen[findings + 1]).toMatch(/^ {2}SEVERITY +CODE +PVC +FOUND$/);
    expect(screen[findings + 2]).toMatch(new RegExp(`^\\* error {6}${finding.code} +${finding.namespace}/${finding.pvc} +\\S`));
    expect(screen.filter((l) => l.startsWith('* '))).toHaveLength(3);
    const resolved = screen.indexOf('RESOLVED');
    expect(screen[resolved + 2]).toMatch(/^ {2}DualAttachInProgress +tenant-a\/legacy-disk +12s ago$/);
    // Open migrations first: the in-progress one heads the table, marked.
    const migrations = screen.indexOf('MIGRATIONS');
    expect(screen[migrations + 2]).toMatch(/^\* vms\/vm-web-disk +worker-2 +worker-1 +in-progress +2m10s +of 5m$/);
    expect(screen[migrations + 3]).toMatch(/^ {2}tenant-a\/legacy-disk +worker-4 +worker-5 +unresolved/);
    const attaches = screen.indexOf('DUAL-ATTACHES');
    expect(screen.slice(attaches + 1, attaches + 5)).toEqual([
      expect.stringMatching(/^ {2}PVC +NODES +VM ON +AGE +STUCK$/),
      expect.stringMatching(/^ {2}tenant-a\/legacy-disk +worker-4,worker-5 +\S+ +39m of 10m +yes$/),
      expect.stringMatching(/^\* vms\/vm-web-disk +worker-2,worker-1 +\S+ +2m10s of 5m +no$/),
      expect.stringMatching(/^ {2}default\/scratch +worker-1,worker-2,worker-3 +\S+ +10m of \S+ +MULTI$/),
    ]);
  });

  it('fits the terminal: no line wider, no more lines than it has; a narrow one has no SEVERITY column', () => {
    const report = auditReport();
    const screen = renderAuditScreen(report, { ...base, width: 60, height: 12 });
    expect(screen).toHaveLength(12);
    expect(screen.at(-1)).toMatch(/^… \d+ more lines \(a taller terminal shows them; -o json prints every change\)$/);
    for (const line of screen.slice(0, -1)) expect([...line].length).toBeLessThanOrEqual(60);
    expect(screen[screen.indexOf('FINDINGS') + 1]).toMatch(/^ {2}CODE +PVC +FOUND$/);
  });
});

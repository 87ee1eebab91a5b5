// What KubeVirt says about a volume, for the tables: the VM using it, its migrations as KubeVirt
// keeps them, and the pods using the volume on each node.
import type { PvcHistory, VolumeUser } from '../domain/types.js';
import { ageAt, cellText, DEFAULT_WIDTH, humanDuration, NONE, parseTime, type TableRenderOptions, title } from './common.js';
import { renderTable } from './table.js';

/** The pods using a volume, one row each: where, which pod, what kind, of which VM. */
export function renderUsersTable(users: readonly VolumeUser[], opts: TableRenderOptions): string {
  if (users.length === 0) return opts.noHeaders ? '' : 'No pod uses it.\n';
  return renderTable(
    ['node', 'pod', 'kind', 'vmi'],
    users.map((u) => [cellText(u.node), cellText(u.pod), u.kind, cellText(u.vmi)]),
    { noHeaders: opts.noHeaders },
  );
}

/**
 * The VM section of `events`: the VMI using the PVC and where it runs, then its VMIMs (name,
 * phase, nodes, age, failure; `wide` adds how long each took). Empty when no VM uses the PVC.
 */
export function renderVmSection(history: PvcHistory, nowMs: number, opts: TableRenderOptions): string {
  const vm = history.kubevirt;
  if (vm === null) return '';
  const head = opts.noHeaders ? '' : `${title('VM', opts)}VMI:     ${cellText(vm.vmi)} on ${cellText(vm.node)}\n`;
  if (vm.migrations.length === 0) return opts.noHeaders ? '' : `${head}No migrations kept by KubeVirt.\n`;
  const rows = vm.migrations.map((m) => {
    const start = parseTime(m.startedAt);
    const end = parseTime(m.endedAt);
    return [
      cellText(m.name),
      cellText(m.phase),
      cellText(m.sourceNode),
      cellText(m.targetNode),
      ageAt(nowMs, m.startedAt),
      ...(opts.wide ? [start === null || end === null ? NONE : humanDuration((end - start) / 1000)] : []),
      cellText(m.failureReason),
    ];
  });
  const headers = ['vmim', 'phase', 'source', 'target', 'age', ...(opts.wide ? ['took'] : []), 'failure reason'];
  // The failure reason (libvirt's text, often long) is cut to the width; `wide` shows it whole.
  const table = renderTable(headers, rows, {
    noHeaders: opts.noHeaders,
    ...(opts.wide ? {} : { maxWidth: opts.width ?? DEFAULT_WIDTH, fit: headers.length - 1 }),
  });
  return `${head}${table}`;
}

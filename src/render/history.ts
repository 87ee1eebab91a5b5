// `events <pvc>` output (SPEC §3.2, §4): table | wide | json | yaml.
import { formatGoDuration } from '../domain/duration.js';
import { sanitizeText, truncateText } from '../domain/sanitize.js';
import type { HistoryEvent, PvcHistory } from '../domain/types.js';
import {
  ageAt,
  cellText,
  describeDualAttachAge,
  NARROW_TEXT_MAX,
  NONE,
  parseTime,
  renderMigrationsTable,
  renderRejectedTargetsTable,
  renderWarningsSection,
  type TableRenderOptions,
} from './common.js';
import { historyDocument, toJson } from './document.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';

/** kubectl's LAST SEEN: the age of the last occurrence, `2m (x3 over 10m)` for merged events. */
function lastSeenCell(e: HistoryEvent, nowMs: number): string {
  const last = ageAt(nowMs, e.lastSeen);
  if (e.count <= 1) return last;
  return `${last} (x${e.count} over ${ageAt(nowMs, e.firstSeen ?? e.lastSeen)})`;
}

/** The DETAIL column: timeout, duration or failure of a parsed Migration* event. */
function detailCell(e: HistoryEvent, wide: boolean): string {
  const p = e.parsed;
  if (p === null) {
    // Under --all, other events (VolumeAttached, ...) show their message; wide has it in MESSAGE.
    if (!e.reason.startsWith('Migration')) return wide ? NONE : truncateText(cellText(e.message), NARROW_TEXT_MAX);
    return 'unparsed';
  }
  switch (e.reason) {
    case 'MigrationStarted':
      return p.timeoutSeconds === null ? NONE : `timeout ${formatGoDuration(p.timeoutSeconds)}`;
    case 'MigrationCompleted':
      return p.durationSeconds === null ? NONE : `took ${formatGoDuration(p.durationSeconds)}`;
    case 'MigrationFailed': {
      const reason = cellText(p.failureReason);
      const text = `failed: ${wide ? reason : truncateText(reason, NARROW_TEXT_MAX)}`;
      return p.durationSeconds === null ? text : `${text} after ${formatGoDuration(p.durationSeconds)}`;
    }
    default:
      return NONE;
  }
}

function renderEvents(history: PvcHistory, nowMs: number, opts: TableRenderOptions & { all: boolean }): string {
  const { palette, wide } = opts;
  if (history.events.length === 0) {
    const what = opts.all ? 'events' : 'migration events';
    return `No ${what} found for PVC ${sanitizeText(history.pvc.namespace)}/${sanitizeText(history.pvc.name)}.\n`;
  }
  const headers = ['last seen', 'type', 'reason', 'source', 'target', 'detail', 'count', ...(wide ? ['message', 'component', 'name'] : [])];
  const rows = history.events.map((e) => {
    const type = cellText(e.type);
    const reason = cellText(e.reason);
    return [
      lastSeenCell(e, nowMs),
      e.type === 'Warning' ? palette.yellow(type) : type,
      e.reason === 'MigrationFailed' ? palette.red(reason) : reason,
      e.parsed === null ? NONE : cellText(e.parsed.sourceNode),
      e.parsed === null ? NONE : cellText(e.parsed.targetNode),
      detailCell(e, wide),
      String(e.count),
      ...(wide ? [cellText(e.message), cellText(e.component), cellText(e.name)] : []),
    ];
  });
  return renderTable(headers, rows, { noHeaders: opts.noHeaders });
}

function renderAttachment(history: PvcHistory, nowMs: number, opts: TableRenderOptions): string {
  const { palette } = opts;
  const { nodes, dualAttach, rejectedTargets } = history.attachment;
  let out = `${palette.bold('ATTACHMENT')}\n`;
  out += nodes.length === 0 ? 'Nodes:   <none> (not attached)\n' : `Nodes:   ${nodes.map(sanitizeText).join(', ')}\n`;
  if (dualAttach !== null) {
    if (dualAttach.nodes.length >= 3) {
      out += `State:   ${palette.red(`MULTI-ATTACH: attached to ${dualAttach.nodes.length} nodes, which the driver must never allow`)}\n`;
    } else {
      out += `State:   ${describeDualAttachAge(dualAttach, palette)}\n`;
    }
    if (dualAttach.since !== null) out += `Since:   ${sanitizeText(dualAttach.since)}\n`;
  }
  if (rejectedTargets.length > 0) {
    out += `\n${palette.bold('REJECTED TARGETS')}\n${renderRejectedTargetsTable(rejectedTargets, nowMs, { ...opts, withPvc: false })}`;
  }
  return out;
}

/** Renders one PVC's migration history as kubectl-style text: events, migrations, attachment, warnings. */
export function renderHistoryTable(
  history: PvcHistory,
  /** `all`: the events are every event on the PVC (`events --all`), not only Migration* ones. */
  opts: { palette: Palette; wide: boolean; noHeaders?: boolean; all?: boolean },
): string {
  const nowMs = parseTime(history.now) ?? Number.NaN;
  const tableOpts: TableRenderOptions = { palette: opts.palette, wide: opts.wide, noHeaders: opts.noHeaders };
  const header =
    `PVC:     ${sanitizeText(history.pvc.namespace)}/${sanitizeText(history.pvc.name)}\n` + `Volume:  ${cellText(history.pvc.volumeId)}\n`;
  const sections = [
    header,
    `${opts.palette.bold('EVENTS')}\n${renderEvents(history, nowMs, { ...tableOpts, all: opts.all === true })}`,
    `${opts.palette.bold('MIGRATIONS')}\n${renderMigrationsTable(history.migrations, nowMs, { ...tableOpts, withPvc: false })}`,
    renderAttachment(history, nowMs, tableOpts),
    renderWarningsSection(history.warnings, opts.palette),
  ];
  return sections.filter((s) => s !== '').join('\n');
}

/** The PVC history as JSON (SPEC §4), two-space indent, newline at the end. */
export function renderHistoryJson(history: PvcHistory): string {
  return toJson(historyDocument(history));
}

/** The PVC history as one YAML document (SPEC §4), newline at the end. */
export async function renderHistoryYaml(history: PvcHistory): Promise<string> {
  const { toYaml } = await import('./yaml.js');
  return toYaml(historyDocument(history));
}

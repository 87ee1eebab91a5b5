// `events <pvc>` output: table | wide | json | yaml.
import { formatAge } from '../domain/duration.js';
import { sanitizeText, wrapText } from '../domain/sanitize.js';
import type { HistoryEvent, PvcHistory } from '../domain/types.js';
import {
  ageAt,
  cellText,
  DEFAULT_WIDTH,
  describeDualAttachAge,
  NONE,
  parseTime,
  renderMigrationsTable,
  renderRejectedTargetsTable,
  renderWarningsSection,
  type TableRenderOptions,
  title,
} from './common.js';
import { historyDocument, toJson } from './document.js';
import { renderUsersTable, renderVmSection } from './kubevirt.js';
import { renderTable } from './table.js';

/** kubectl's LAST SEEN: the age of the last occurrence, `2m (x3 over 10m)` for merged events. */
function lastSeenCell(e: HistoryEvent, nowMs: number): string {
  const last = ageAt(nowMs, e.lastSeen);
  if (e.count <= 1) return last;
  return `${last} (x${e.count} over ${ageAt(nowMs, e.firstSeen ?? e.lastSeen)})`;
}

/**
 * The DETAIL column: timeout, duration or failure of a parsed Migration* event (plain text: the
 * narrow table cuts its end to fit). `volumeId` is the PVC's, which the driver's messages start with.
 */
function detailCell(e: HistoryEvent, wide: boolean, volumeId: string | null): string {
  const p = e.parsed;
  if (p === null) {
    // Under --all, other events (VolumeAttached, ...) show their message, without the `[<volume>]: `
    // the header already names; wide has the whole message in MESSAGE.
    if (e.reason.startsWith('Migration')) return 'unparsed';
    if (wide) return NONE;
    const prefix = volumeId === null ? null : `[${volumeId}]: `;
    return cellText(prefix !== null && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
  }
  switch (e.reason) {
    case 'MigrationStarted':
      return p.timeoutSeconds === null ? NONE : `timeout ${formatAge(p.timeoutSeconds)}`;
    case 'MigrationCompleted':
      return p.durationSeconds === null ? NONE : `took ${formatAge(p.durationSeconds)}`;
    case 'MigrationFailed': {
      // The duration first: cutting to the width takes the end of the reason, not the time.
      const after = p.durationSeconds === null ? '' : ` after ${formatAge(p.durationSeconds)}`;
      return `failed${after}: ${cellText(p.failureReason)}`;
    }
    default:
      return NONE;
  }
}

/** The headers of the events table (`wide` adds the message, component and name). */
export function eventHeaders(wide: boolean): string[] {
  return ['last seen', 'type', 'reason', 'source', 'target', 'detail', 'count', ...(wide ? ['message', 'component', 'name'] : [])];
}

/** Where DETAIL is among the event columns: the one cut to fit the width. */
export const EVENT_DETAIL_COLUMN = 5;

/** The cells of one event's row, sanitized; `volumeId` is the PVC's, which DETAIL leaves out of messages. */
export function eventCells(
  e: HistoryEvent,
  nowMs: number,
  opts: Pick<TableRenderOptions, 'palette' | 'wide'> & { volumeId: string | null },
): string[] {
  const { palette, wide } = opts;
  const type = cellText(e.type);
  const reason = cellText(e.reason);
  return [
    lastSeenCell(e, nowMs),
    e.type === 'Warning' ? palette.yellow(type) : type,
    e.reason === 'MigrationFailed' ? palette.red(reason) : reason,
    e.parsed === null ? NONE : cellText(e.parsed.sourceNode),
    e.parsed === null ? NONE : cellText(e.parsed.targetNode),
    detailCell(e, wide, opts.volumeId),
    String(e.count),
    ...(wide ? [cellText(e.message), cellText(e.component), cellText(e.name)] : []),
  ];
}

function renderEvents(history: PvcHistory, nowMs: number, opts: TableRenderOptions & { all: boolean }): string {
  const { palette, wide } = opts;
  if (history.events.length === 0) {
    if (opts.noHeaders) return '';
    const what = opts.all ? 'events' : 'migration events';
    return `No ${what} found for PVC ${sanitizeText(history.pvc.namespace)}/${sanitizeText(history.pvc.name)}.\n`;
  }
  const rows = history.events.map((e) => eventCells(e, nowMs, { palette, wide, volumeId: history.pvc.volumeId }));
  return renderTable(eventHeaders(wide), rows, {
    noHeaders: opts.noHeaders,
    ...(wide ? {} : { maxWidth: opts.width ?? DEFAULT_WIDTH, fit: EVENT_DETAIL_COLUMN }),
  });
}

function renderAttachment(history: PvcHistory, nowMs: number, opts: TableRenderOptions, width: number): string {
  const { palette } = opts;
  const { nodes, dualAttach, rejectedTargets } = history.attachment;
  const rejected = (): string =>
    renderRejectedTargetsTable(rejectedTargets, nowMs, { ...opts, withPvc: false, volumeId: history.pvc.volumeId });
  if (opts.noHeaders) return rejectedTargets.length > 0 ? rejected() : '';
  const field = (name: string, value: string): string => wrapText(value, width, `${name}:`.padEnd(9), ' '.repeat(9));
  let out = `${palette.bold('ATTACHMENT')}\n`;
  out += nodes.length === 0 ? field('Nodes', '<none> (not attached)') : field('Nodes', nodes.map(sanitizeText).join(', '));
  if (dualAttach !== null) {
    if (dualAttach.nodes.length >= 3) {
      out += field('State', palette.red(`MULTI-ATTACH: attached to ${dualAttach.nodes.length} nodes, which the driver must never allow`));
    } else {
      out += field('State', describeDualAttachAge(dualAttach, palette));
    }
    if (dualAttach.since !== null) out += field('Since', sanitizeText(dualAttach.since));
  }
  if (rejectedTargets.length > 0) out += `\n${palette.bold('REJECTED TARGETS')}\n${rejected()}`;
  return out;
}

/**
 * Renders one PVC's migration history as kubectl-style text: events, migrations, attachment,
 * warnings, laid out for `width` columns. With `noHeaders`, table rows only; the warnings are
 * then the caller's to put on stderr.
 */
export function renderHistoryTable(
  history: PvcHistory,
  /** `all`: every event on the PVC (`events --all`), not only Migration* ones; `driver`: --driver. */
  opts: TableRenderOptions & { all?: boolean; driver: string },
): string {
  const nowMs = parseTime(history.now) ?? Number.NaN;
  const width = opts.width ?? DEFAULT_WIDTH;
  const tableOpts: TableRenderOptions = { palette: opts.palette, wide: opts.wide, noHeaders: opts.noHeaders, width };
  const events = renderEvents(history, nowMs, { ...tableOpts, all: opts.all === true });
  const migrations = renderMigrationsTable(history.migrations, nowMs, {
    ...tableOpts,
    withPvc: false,
    withVmim: history.kubevirt !== null,
  });
  const attachment = renderAttachment(history, nowMs, tableOpts, width);
  const vm = renderVmSection(history, nowMs, tableOpts);
  const users = history.users.length === 0 && history.kubevirt === null ? '' : renderUsersTable(history.users, tableOpts);
  if (opts.noHeaders) return events + migrations + attachment + vm + users;
  const driver = history.pvc.driver;
  const header =
    wrapText(`${sanitizeText(history.pvc.namespace)}/${sanitizeText(history.pvc.name)}`, width, 'PVC:     ', ' '.repeat(9)) +
    wrapText(cellText(history.pvc.volumeId), width, 'Volume:  ', ' '.repeat(9)) +
    (driver === null || driver === opts.driver
      ? ''
      : wrapText(
          `${sanitizeText(driver)}, another driver's volume: its attachments are shown, not judged`,
          width,
          'Driver:  ',
          ' '.repeat(9),
        ));
  const sections = [
    header,
    `${title('EVENTS', tableOpts)}${events}`,
    `${title('MIGRATIONS', tableOpts)}${migrations}`,
    attachment,
    vm,
    users === '' ? '' : `${title('USERS', tableOpts)}${users}`,
    renderWarningsSection(history.warnings, opts.palette, width),
  ];
  return sections.filter((s) => s !== '').join('\n');
}

/** The PVC history as JSON, two-space indent, newline at the end. */
export function renderHistoryJson(history: PvcHistory): string {
  return toJson(historyDocument(history));
}

/** The PVC history as one YAML document, newline at the end. */
export async function renderHistoryYaml(history: PvcHistory): Promise<string> {
  const { toYaml } = await import('./yaml.js');
  return toYaml(historyDocument(history));
}

import Table from 'cli-table3';
import { displayWidth } from '../domain/sanitize.js';

/** Options of renderTable. */
export interface TableOptions {
  /** Omit the header row (kubectl --no-headers). */
  noHeaders?: boolean;
}

/** Gap between columns, like kubectl's tabwriter padding. */
const GAP = '   ';

// Every border character blanked (as npm-check-updates does); `middle` is the gap.
const CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: GAP,
};

/**
 * cli-table3's layout is quadratic in the number of cells (every cell is checked
 * against every earlier one for row/col spans we never use). Measured with 8
 * columns: 0.6 s for 1,000 rows, 1.1 s for 2,000, 3.6 s for 4,000 (10,000 would
 * take tens of seconds). Above this many rows the same layout is computed in one
 * linear pass instead (10,000 rows in well under a second; a test checks both agree).
 */
const CLI_TABLE3_MAX_ROWS = 500;

/**
 * Renders a borderless kubectl-style table with uppercase headers, ending in a newline.
 * Cells must already be sanitized (sanitizeText): they may carry the palette's colour codes, nothing else.
 */
export function renderTable(headers: string[], rows: string[][], opts: TableOptions = {}): string {
  const all = opts.noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  if (all.length === 0) return '';
  const lines = all.length <= CLI_TABLE3_MAX_ROWS ? layoutWithCliTable3(all) : layoutLinear(all);
  let out = '';
  for (const line of lines) out += `${line.trimEnd()}\n`;
  return out;
}

/** Lays the rows out with cli-table3 (which measures colour codes and wide characters itself). */
function layoutWithCliTable3(rows: string[][]): string[] {
  const table = new Table({
    chars: CHARS,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true },
  });
  // Rows of unequal length would make cli-table3 invent spanning cells; pad them.
  const columns = rows.reduce((max, row) => Math.max(max, row.length), 0);
  for (const row of rows) table.push(row.length === columns ? row : [...row, ...Array<string>(columns - row.length).fill('')]);
  return table.toString().split('\n');
}

/** The same layout as cli-table3 produces here, in linear time. */
function layoutLinear(rows: string[][]): string[] {
  const widths: number[] = [];
  const columns = rows.reduce((max, row) => Math.max(max, row.length), 0);
  for (let col = 0; col < columns; col++) widths.push(1); // cli-table3's minimum column width
  const cellWidths = rows.map((row) =>
    row.map((cell, col) => {
      const w = displayWidth(cell);
      if (w > (widths[col] ?? 0)) widths[col] = w;
      return w;
    }),
  );
  return rows.map((row, r) => {
    const cw = cellWidths[r] ?? [];
    const parts: string[] = [];
    for (let col = 0; col < columns; col++) {
      const cell = row[col] ?? '';
      const pad = (widths[col] ?? 0) - (cw[col] ?? 0);
      parts.push(pad > 0 ? cell + ' '.repeat(pad) : cell);
    }
    return parts.join(GAP);
  });
}

import { displayWidth, truncateText } from '../domain/sanitize.js';

/** Options of renderTable. */
export interface TableOptions {
  /** Omit the header row (kubectl --no-headers). */
  noHeaders?: boolean;
  /** Widest line wanted; only the `fit` column gives way to it (names are never cut). */
  maxWidth?: number;
  /** Index of the column whose cells (plain text, no colour codes) are cut at their end to keep within maxWidth. */
  fit?: number;
}

/** Gap between columns, like kubectl's tabwriter padding. */
const GAP = '   ';

/** The narrowest the `fit` column is cut to: a few words still say what the text is about. */
const FIT_MIN_WIDTH = 20;

/**
 * Renders a borderless kubectl-style table with uppercase headers, ending in a newline.
 * Cells must already be sanitized (sanitizeText): they may carry the palette's colour codes, nothing else.
 * One pass over the cells, so ten thousand rows take milliseconds.
 */
export function renderTable(headers: string[], rows: string[][], opts: TableOptions = {}): string {
  const all = opts.noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  if (all.length === 0) return '';
  const columns = all.reduce((max, row) => Math.max(max, row.length), 0);
  const widths: number[] = Array<number>(columns).fill(0);
  const cellWidths = all.map((row) =>
    row.map((cell, col) => {
      const w = displayWidth(cell);
      if (w > (widths[col] ?? 0)) widths[col] = w;
      return w;
    }),
  );
  // The fit column's cells, cut when the table is wider than maxWidth (the rows are not touched).
  const fitted = new Map<number, string>();
  const { fit, maxWidth } = opts;
  if (fit !== undefined && maxWidth !== undefined && fit < columns) {
    const total = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns - 1);
    const current = widths[fit] ?? 0;
    const floor = Math.max(FIT_MIN_WIDTH, opts.noHeaders ? 0 : displayWidth(headers[fit] ?? ''));
    const target = Math.max(floor, current - (total - maxWidth));
    if (target < current) {
      widths[fit] = 0;
      all.forEach((row, r) => {
        const cell = row[fit];
        const cw = cellWidths[r];
        if (cell === undefined || cw === undefined) return;
        const cut = truncateText(cell, target);
        const w = displayWidth(cut);
        fitted.set(r, cut);
        cw[fit] = w;
        if (w > (widths[fit] ?? 0)) widths[fit] = w;
      });
    }
  }
  let out = '';
  all.forEach((row, r) => {
    const cw = cellWidths[r] ?? [];
    let line = '';
    for (let col = 0; col < columns; col++) {
      const cell = (col === fit ? fitted.get(r) : undefined) ?? row[col] ?? '';
      if (col > 0) line += GAP;
      line += cell;
      const pad = (widths[col] ?? 0) - (cw[col] ?? 0);
      if (pad > 0) line += ' '.repeat(pad);
    }
    out += `${line.trimEnd()}\n`;
  });
  return out;
}

// audit --watch: the audit's reads followed through the watch API, the report rebuilt
// after each batch of changes and as time passes. On a terminal the report is redrawn in place at
// most once a second (ages tick, rows that changed in the last minute marked, findings that
// resolved listed); elsewhere, and with -o json, one JSON object per line for each finding that
// opens or resolves. Runs until Ctrl-C.

import type { Context } from '../context.js';
import { auditSnapshot } from '../domain/audit.js';
import { changedMigrations, diffFindings, findingKey } from '../domain/changes.js';
import { sanitizeText } from '../domain/sanitize.js';
import type { AuditReport, DualAttach, Finding } from '../domain/types.js';
import type { Gateway } from '../kube/gateway.js';
import { type AuditOptions, auditParameters } from './audit.js';
import { ClusterFollower } from './cluster-live.js';
import { followChanges, LiveSet, settle, TICK_MS } from './live.js';

/** How long a watch that started mid-run (the pods of a namespace) may take to read its state before the report goes on without it. */
const PENDING_GRACE_MS = 5000;
/** How long a changed row stays marked, and a resolved finding listed, on the screen. */
const MARK_WINDOW_MS = 60_000;
/** The screen is redrawn at most this often. */
const REDRAW_MS = 1000;

/** The terminal's alternate screen, with the cursor hidden (as watch(1) and top use it), and back. */
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

/**
 * Follows the audit until interrupted. `started` is called once the current state has been read
 * (the command's deadline then no longer applies).
 */
export async function runAuditWatch(options: AuditOptions, gateway: Gateway, ctx: Context, started: () => void): Promise<number> {
  const live = new LiveSet(ctx);
  try {
    return await follow(options, gateway, ctx, started, live);
  } finally {
    live.close();
  }
}

async function follow(options: AuditOptions, gateway: Gateway, ctx: Context, started: () => void, live: LiveSet): Promise<number> {
  const cluster = await ClusterFollower.start(gateway, live, options);
  await settle(live);
  // The pods of namespaces with shared volumes, once the attachments say which.
  cluster.followPods(ctx.now());
  await settle(live);
  started();
  /** The report now, or null while a watch started for it is still reading its state. */
  const build = (): AuditReport | null => {
    const now = ctx.now();
    if (cluster.followPods(now)) return null;
    if (live.pending().some((s) => now - s.startedAt < PENDING_GRACE_MS)) return null;
    return auditSnapshot(cluster.snapshot(), auditParameters(options, now));
  };
  if (ctx.stdout.isTTY === true && options.output !== 'json') return followOnScreen(live, build, options, ctx);
  const { findingJsonLine } = await import('../render/watch.js');
  const warned = new Set<string>();
  let previous: Finding[] = [];
  await followChanges(live, ctx, TICK_MS, () => {
    const report = build();
    if (report === null) return false;
    for (const warning of report.warnings) {
      if (!warned.has(warning)) ctx.logger.warn(sanitizeText(warning));
      warned.add(warning);
    }
    const { opened, resolved } = diffFindings(previous, report.findings);
    previous = report.findings;
    let out = '';
    for (const f of resolved) out += findingJsonLine('resolved', f, report.now);
    for (const f of opened) out += findingJsonLine('opened', f, report.now);
    if (out !== '') ctx.stdout.write(out);
    return false;
  });
  return 0;
}

/** Redraws the report in place until interrupted; on the way out, the last screen stays on the terminal. */
async function followOnScreen(live: LiveSet, build: () => AuditReport | null, options: AuditOptions, ctx: Context): Promise<number> {
  const [{ renderAuditScreen }, { createPalette }] = await Promise.all([
    import('../render/audit-watch.js'),
    import('../render/palette.js'),
  ]);
  const palette = createPalette(options.color);
  const changedAt = { finding: new Map<string, number>(), migration: new Map<string, number>(), attach: new Map<string, number>() };
  let resolved: { finding: Finding; at: number }[] = [];
  let previous: AuditReport | null = null;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let screen: string[] = [];
  const attachState = (d: DualAttach): string => JSON.stringify([d.nodes, d.stuck]);
  ctx.stdout.write(ENTER_SCREEN);
  try {
    await followChanges(live, ctx, TICK_MS, () => {
      const now = ctx.now();
      if (now - lastDraw < REDRAW_MS) return false;
      const report = build();
      if (report === null) return false;
      if (previous !== null) {
        const { opened, resolved: gone } = diffFindings(previous.findings, report.findings);
        for (const f of opened) changedAt.finding.set(findingKey(f), now);
        for (const f of gone) resolved.unshift({ finding: f, at: now });
        for (const { migration } of changedMigrations(previous.migrations, report.migrations)) changedAt.migration.set(migration.id, now);
        const before = new Map([...previous.dualAttaches, ...previous.multiAttaches].map((d) => [d.volumeId, attachState(d)]));
        for (const d of [...report.dualAttaches, ...report.multiAttaches]) {
          if (before.get(d.volumeId) !== attachState(d)) changedAt.attach.set(d.volumeId, now);
        }
      }
      previous = report;
      // What left the window is forgotten: memory stays flat however long the screen runs.
      for (const marks of Object.values(changedAt)) for (const [key, at] of marks) if (now - at >= MARK_WINDOW_MS) marks.delete(key);
      resolved = resolved.filter((r) => now - r.at < MARK_WINDOW_MS);
      const recent = (marks: Map<string, number>, key: string): boolean => marks.has(key);
      const columns = ctx.stdout.columns ?? 80;
      screen = renderAuditScreen(report, {
        palette,
        wide: options.output === 'wide',
        // Every line is one row (prose is cut, not wrapped): the whole terminal width is used.
        width: columns,
        height: Math.max(5, ctx.stdout.rows ?? 24),
        heading: 'audit -w: every 1s; * = changed in the last minute; advice: rds-migrate audit',
        marked: {
          finding: (f) => recent(changedAt.finding, findingKey(f)),
          migration: (m) => recent(changedAt.migration, m.id),
          attach: (d) => recent(changedAt.attach, d.volumeId),
        },
        resolved: resolved.map((r) => ({ finding: r.finding, agoSeconds: (now - r.at) / 1000 })),
      });
      ctx.stdout.write(`\x1b[H${screen.map((line) => `${line}\x1b[K`).join('\n')}\x1b[J`);
      lastDraw = now;
      return false;
    });
    return 0;
  } finally {
    // Back to the normal screen, with the last report left on it.
    ctx.stdout.write(`${LEAVE_SCREEN}${screen.length > 0 ? `${screen.join('\n')}\n` : ''}`);
  }
}

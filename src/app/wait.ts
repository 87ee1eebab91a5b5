// wait <pvc>: like `kubectl wait`, blocks until the PVC's open migration (or, when
// none is open, the next one to start) records an outcome, or until its volume is attached to at
// most one node. It reads the current state, then follows the watches (not polling): one line per
// state change on stderr, the final state on stdout.

import type { Context } from '../context.js';
import { DEFAULT_EVENT_TTL_SECONDS } from '../domain/audit.js';
import { type Attachment, attachmentChanged, followMigration, type MigrationChange, openMigration } from '../domain/changes.js';
import { formatAge } from '../domain/duration.js';
import { sanitizeText } from '../domain/sanitize.js';
import type { Migration, PvcHistory } from '../domain/types.js';
import { ExitCode, WaitTimeoutError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';
import { followChanges, LiveSet, settle, TICK_MS } from './live.js';
import { PvcFollower } from './pvc-live.js';

export type WaitFor = 'outcome' | 'single-attach';

export interface WaitOptions {
  pvc: string;
  for: WaitFor;
  /** --timeout, seconds. */
  timeoutSeconds: number;
  output: 'text' | 'json';
  driver: string;
  /** Colour on stdout (the final line). */
  color: boolean;
  /** Colour on stderr (the progress lines). */
  stderrColor: boolean;
}

/** The exit code of a migration that failed or became unresolved. */
const MIGRATION_FAILED = 1;

/**
 * Waits for the condition; exit 0 when it holds (completed, or single-attach), 1 when the
 * migration failed or became unresolved; a WaitTimeoutError (exit 5) when --timeout passes
 * first. `started` is called once the current state has been read.
 */
export async function runWait(options: WaitOptions, gateway: Gateway, ctx: Context, started: () => void): Promise<number> {
  const where = `${options.pvc} -n ${gateway.namespace}`;
  const pvcName = `PVC ${gateway.namespace}/${options.pvc}`;
  let latest: PvcHistory | null = null;
  const expired = new AbortController();
  const timer = setTimeout(() => {
    const state = latest === null ? '' : ` (${describeNow(options.for, latest)})`;
    const what = options.for === 'outcome' ? 'a migration of' : 'the volume of';
    const until = options.for === 'outcome' ? 'to record an outcome' : 'to be attached to at most one node';
    expired.abort(
      new WaitTimeoutError(
        `timed out after ${formatAge(options.timeoutSeconds)} waiting for ${what} ${pvcName} ${until}${state}`,
        `see where it stands: rds-migrate events ${where}`,
      ),
    );
  }, options.timeoutSeconds * 1000);
  // Ctrl-C, the reader of stdout going away, or --timeout: whichever comes first ends the wait.
  const signal = AbortSignal.any([ctx.signal, expired.signal]);
  const live = new LiveSet({ ...ctx, signal });
  try {
    const [follower, render, { createPalette }] = await Promise.all([
      PvcFollower.start(gateway, live, {
        pvc: options.pvc,
        driver: options.driver,
        all: false,
        eventTtlSeconds: DEFAULT_EVENT_TTL_SECONDS,
      }),
      import('../render/watch.js'),
      import('../render/palette.js'),
    ]);
    await settle(live);
    started();
    const progress = createPalette(options.stderrColor);
    const final = createPalette(options.color);
    let exitCode: number = ExitCode.ok;
    let previous: PvcHistory | null = null;
    let target: Migration | null = null;
    const warned = new Set<string>();
    await followChanges(live, { ...ctx, signal }, TICK_MS, () => {
      if (live.pending().length > 0) return false;
      const history = follower.history(ctx.now());
      latest = history;
      const nowMs = Date.parse(history.now);
      for (const warning of history.warnings) {
        if (!warned.has(warning)) ctx.logger.warn(sanitizeText(warning));
        warned.add(warning);
      }
      const before = previous;
      previous = history;
      if (options.for === 'single-attach') {
        const attachment = history.attachment;
        const done = attachment.nodes.length <= 1;
        if (done)
          ctx.stdout.write(
            options.output === 'json' ? render.renderAttachmentJson(attachment) : render.renderAttachmentChange(attachment, final),
          );
        else if (attachmentChanged(before?.attachment ?? null, attachment))
          ctx.stderr.write(render.renderAttachmentChange(attachment, progress));
        return done;
      }
      const was = target;
      if (before === null) {
        target = openMigration(history.migrations);
        if (target === null) ctx.stderr.write(`waiting for the next migration of ${sanitizeText(pvcName)} to start\n`);
      } else {
        target = followMigration(before.migrations, history.migrations, target);
        // The events of the migration followed expired: the next one to start is waited for.
        if (target === null && was !== null) target = followMigration(before.migrations, history.migrations, null);
      }
      if (target === null || was?.state === target.state) return false;
      const change: MigrationChange = { migration: target, previousState: was?.state ?? null };
      if (target.state === 'in-progress') {
        ctx.stderr.write(render.renderMigrationChange(change, nowMs, progress));
        return false;
      }
      ctx.stdout.write(options.output === 'json' ? render.renderMigrationJson(target) : render.renderMigrationChange(change, nowMs, final));
      exitCode = target.state === 'completed' ? ExitCode.ok : MIGRATION_FAILED;
      return true;
    });
    return exitCode;
  } finally {
    clearTimeout(timer);
    live.close();
  }
}

/** What the PVC is at, for the timeout message: its open migration's state, or its nodes. */
function describeNow(waitFor: WaitFor, history: PvcHistory): string {
  if (waitFor === 'outcome') {
    const open = openMigration(history.migrations);
    return open === null ? 'no migration started' : `its migration ${describeRoute(open)} is ${open.state}`;
  }
  return describeNodes(history.attachment);
}

function describeRoute(m: Migration): string {
  return `${sanitizeText(m.sourceNode ?? '?')} -> ${sanitizeText(m.targetNode ?? '?')}`;
}

function describeNodes(a: Attachment): string {
  return a.nodes.length === 0 ? 'not attached' : `attached to ${a.nodes.map(sanitizeText).join(', ')}`;
}

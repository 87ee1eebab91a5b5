// events <pvc> --watch: the PVC's history as `events` reads it, then every change:
// each new or changed event as a row (the header once), and one line per change of a
// migration's state or of the attachment; with -o json one JSON object per line. Runs until
// Ctrl-C.

import type { Context } from '../context.js';
import { DEFAULT_EVENT_TTL_SECONDS } from '../domain/audit.js';
import { attachmentChanged, changedEvents, changedMigrations } from '../domain/changes.js';
import { sanitizeText } from '../domain/sanitize.js';
import type { PvcHistory } from '../domain/types.js';
import type { Gateway } from '../kube/gateway.js';
import type { EventsOptions } from './events.js';
import { followChanges, LiveSet, settle, TICK_MS } from './live.js';
import { PvcFollower } from './pvc-live.js';

/**
 * Follows one PVC's events, migrations and attachment until interrupted. `started` is called once
 * the current state has been read (the command's deadline then no longer applies).
 */
export async function runEventsWatch(options: EventsOptions, gateway: Gateway, ctx: Context, started: () => void): Promise<number> {
  const live = new LiveSet(ctx);
  try {
    return await follow(options, gateway, ctx, started, live);
  } finally {
    live.close();
  }
}

async function follow(options: EventsOptions, gateway: Gateway, ctx: Context, started: () => void, live: LiveSet): Promise<number> {
  const follower = await PvcFollower.start(gateway, live, {
    pvc: options.pvc,
    driver: options.driver,
    all: options.all,
    eventTtlSeconds: DEFAULT_EVENT_TTL_SECONDS,
  });
  const [render, { createPalette }, { outputWidth }] = await Promise.all([
    import('../render/watch.js'),
    import('../render/palette.js'),
    import('../render/common.js'),
  ]);
  await settle(live);
  started();
  const palette = createPalette(options.color);
  const json = options.output === 'json';
  const width = outputWidth(ctx.stdout);
  let layout: ReturnType<typeof render.planEventRows> | null = null;
  let previous: PvcHistory | null = null;
  const warned = new Set<string>();
  await followChanges(live, ctx, TICK_MS, () => {
    // A PVC bound to another volume: its PV and VolumeAttachments are being read.
    if (live.pending().length > 0) return false;
    const history = follower.history(ctx.now());
    const nowMs = Date.parse(history.now);
    for (const warning of history.warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      ctx.logger.warn(sanitizeText(warning));
    }
    const events = changedEvents(previous?.events ?? [], history.events);
    const migrations = changedMigrations(previous?.migrations ?? [], history.migrations);
    const attachment = attachmentChanged(previous?.attachment ?? null, history.attachment);
    let out = '';
    if (json) {
      for (const e of events) out += render.eventJsonLine(e, history.now);
      for (const change of migrations) out += render.migrationJsonLine(change, history.now);
      if (attachment) out += render.attachmentJsonLine(history.attachment, history.now);
    } else {
      if (layout === null) {
        layout = render.planEventRows(events, nowMs, { wide: options.output === 'wide', palette, volumeId: history.pvc.volumeId, width });
        if (!options.noHeaders) out += render.renderEventHeader(layout);
      }
      out += render.renderEventRows(events, nowMs, layout);
      for (const change of migrations) out += render.renderMigrationChange(change, nowMs, palette, width);
      if (attachment) out += render.renderAttachmentChange(history.attachment, palette, width);
    }
    // One write per batch: a reader of the stream never sees half of one.
    if (out !== '') ctx.stdout.write(out);
    previous = history;
    return false;
  });
  return 0;
}

// Watches (`?watch=1`) of any served resource, with the API server's semantics:
// resourceVersion unset/"0" = synthetic ADDED of the current state then changes, an exact
// resourceVersion = the changes after it (410 once it left the history window), field and label
// selectors (an object that starts or stops matching is ADDED or DELETED), bookmarks,
// timeoutSeconds, sendInitialEvents with its end bookmark, and Table conversion for kubectl.
// Tests inject drops, stalls, garbage and 410s mid-stream with watch faults.
import type { ServerResponse } from 'node:http';
import type { HandlerContext, Reply, ResourceRequest } from './handlers.js';
import { serve } from './handlers.js';
import { apiVersionOf } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { badRequest, failure, invalid, type Status, StatusError } from './status.js';
import type { StoreChange } from './store.js';
import { toTable, wantsTable } from './tables.js';

export interface WatchSettings {
  /** How often an open watch that asked for bookmarks gets one, ms; 0 = never (default 60 s). */
  bookmarkIntervalMs?: number;
  /**
   * sendInitialEvents: 'on' (WatchList enabled), 'off' (422, as with the feature gate off), or
   * 'ignored' (accepted, but no initial-events-end bookmark is ever sent). Default 'on'.
   */
  watchList?: 'on' | 'off' | 'ignored';
  /** How a too-old resourceVersion is refused: an ERROR event on a 200 stream (default) or a plain 410. */
  expiredAs?: 'event' | 'status';
  /** The timeout of a watch that sends no timeoutSeconds, s (default 1800, the server's minimum). */
  defaultTimeoutSeconds?: number;
}

/** A fault injected into the next matching watch streams. */
export interface WatchFault {
  /** Exact pathname, or a RegExp tested against it (default: every watch). */
  path?: string | RegExp;
  /** How many events are sent before the fault (default 0). */
  afterEvents?: number;
  /**
   * drop: the connection is cut; expire: an ERROR event 410 Expired, then a clean end; stall: the
   * stream stays open and silent (timeoutSeconds is not honoured); garbage: a line that is not JSON.
   */
  action: 'drop' | 'expire' | 'stall' | 'garbage';
  /** How many watches it applies to (default 1). */
  times?: number;
}

/** What watches need from the server beyond the handlers' context. */
export interface WatchContext {
  settings: WatchSettings;
  /** The fault for a new watch on `path`, if any (counts down). */
  takeFault: (path: string) => WatchFault | undefined;
  /** Registers an open watch; the returned function unregisters it. */
  track: (stream: { drop: () => void }) => () => void;
}

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

function expiredStatus(rv: number, oldest: number): Status {
  return failure(410, 'Expired', `too old resource version: ${rv} (${oldest})`);
}

function parseResourceVersion(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`invalid resource version: ${raw}`);
  return Number(raw);
}

/** Validates a watch request (throwing the server's Status errors) and returns the streaming reply. */
export function watchReply(ctx: HandlerContext, req: ResourceRequest): Reply {
  const { def, query, path } = req;
  const { watch } = ctx;
  const watchList = watch.settings.watchList ?? 'on';
  const sendInitialEventsParam = watchList === 'ignored' ? undefined : query.sendInitialEvents;
  const match = watchList === 'ignored' ? undefined : query.resourceVersionMatch;
  // apimachinery's validateWatchOptions.
  const causes: { reason: string; message: string; field: string }[] = [];
  if (sendInitialEventsParam !== undefined) {
    if (match !== 'NotOlderThan') {
      causes.push({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        field: 'resourceVersionMatch',
      });
    }
    if (watchList === 'off') {
      causes.push({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
        field: 'sendInitialEvents',
      });
    }
  }
  if (match !== undefined && match !== '') {
    if (sendInitialEventsParam === undefined) {
      causes.push({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        field: 'resourceVersionMatch',
      });
    } else if (match !== 'NotOlderThan') {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${match}"`, field: 'resourceVersionMatch' });
    }
  }
  if (causes.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', causes);

  const fieldMatch = fieldMatcher(def, query.fieldSelector);
  const labelMatch = labelMatcher(query.labelSelector);
  const namespace = def.namespaced ? req.namespace : undefined;
  const matches = (o: any): boolean =>
    o !== undefined &&
    (namespace === undefined || o.metadata?.namespace === namespace) &&
    (req.name === undefined || o.metadata?.name === req.name) &&
    fieldMatch(o) &&
    labelMatch(o);

  const sendInitialEvents = sendInitialEventsParam === 'true';
  const requestedRv = parseResourceVersion(query.resourceVersion);
  // Without sendInitialEvents, an unset or "0" resourceVersion starts with the current state;
  // with it, the state comes first whatever the resourceVersion ("not older than").
  const withState = sendInitialEvents || (sendInitialEventsParam === undefined && requestedRv === undefined);
  let backlog: StoreChange[] = [];
  let expired = false;
  if (!withState && requestedRv !== undefined) {
    const since = ctx.store.changesSince(requestedRv);
    if (since === 'expired') {
      if ((watch.settings.expiredAs ?? 'event') === 'status') {
        throw new StatusError(expiredStatus(requestedRv, ctx.store.oldestResourceVersion() + 1));
      }
      expired = true;
    } else {
      backlog = since.filter((c) => c.kind === def.storageKind);
    }
  }
  const startRv = withState ? Number(ctx.store.currentResourceVersion()) : (requestedRv ?? Number(ctx.store.currentResourceVersion()));
  const parsedTimeout = query.timeoutSeconds !== undefined ? Number.parseInt(query.timeoutSeconds, 10) : NaN;
  const timeoutSeconds =
    Number.isFinite(parsedTimeout) && parsedTimeout >= 0 ? parsedTimeout : (watch.settings.defaultTimeoutSeconds ?? 1800);
  const bookmarks = query.allowWatchBookmarks === 'true';
  const table = wantsTable(header(req, 'accept'));

  const stream = (res: ServerResponse, sent: (type: string) => void): void => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const fault = watch.takeFault(path);
    let count = 0;
    let stalled = false;
    let dropping = false;
    let headersSent = false;
    let timeout: NodeJS.Timeout | undefined;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    let unsubscribe = (): void => {};
    let untrack = (): void => {};
    const stopTimers = (): void => {
      clearTimeout(timeout);
      clearInterval(bookmarkTimer);
    };
    const cleanup = (): void => {
      stopTimers();
      unsubscribe();
      untrack();
    };
    const end = (): void => {
      cleanup();
      res.end();
    };
    const drop = (): void => {
      cleanup();
      res.socket?.destroy();
    };
    const actOnFault = (): void => {
      if (!fault || count !== (fault.afterEvents ?? 0)) return;
      switch (fault.action) {
        case 'drop':
          // Only before the first event: later drops happen in write().
          drop();
          return;
        case 'expire':
          write('ERROR', expiredStatus(startRv, Number(ctx.store.currentResourceVersion())));
          end();
          return;
        case 'stall':
          stalled = true;
          stopTimers();
          return;
        case 'garbage':
          res.write('this is not a watch event\n');
          return;
      }
    };
    const write = (type: string, object: any): void => {
      if (stalled || dropping || res.writableEnded || res.destroyed) return;
      const line = `${JSON.stringify({ type, object })}\n`;
      count += 1;
      sent(type);
      if (fault?.action === 'drop' && count === (fault.afterEvents ?? 0)) {
        // Cut the connection once this event is out, so that the client has it.
        dropping = true;
        res.write(line, drop);
        return;
      }
      res.write(line);
      actOnFault();
    };
    const served = (stored: any): any => {
      const obj = serve(def, stored);
      if (!table) return obj;
      const converted = toTable(
        def.storageKind,
        [{ stored, served: obj }],
        { resourceVersion: stored.metadata?.resourceVersion },
        query.includeObject,
        ctx.now(),
      );
      // Like the API server, only the first event of a watch carries the column definitions.
      if (headersSent) converted.columnDefinitions = null;
      headersSent = true;
      return converted;
    };
    const bookmark = (annotations?: Record<string, string>): any => ({
      kind: def.kind,
      apiVersion: apiVersionOf(def),
      metadata: { resourceVersion: ctx.store.currentResourceVersion(), ...(annotations ? { annotations } : {}) },
    });
    const deliver = (change: StoreChange): void => {
      if (change.kind !== def.storageKind || change.resourceVersion <= startRv) return;
      const now = change.type !== 'DELETED' && matches(change.object);
      const before = change.previous !== undefined && matches(change.previous);
      if (now && before) write('MODIFIED', served(change.object));
      else if (now) write('ADDED', served(change.object));
      else if (before) {
        // Deleted, or no longer matching the selectors: the last state, at the change's resourceVersion.
        const last =
          change.type === 'DELETED'
            ? change.object
            : { ...change.previous, metadata: { ...change.previous.metadata, resourceVersion: String(change.resourceVersion) } };
        write('DELETED', served(last));
      }
    };

    untrack = watch.track({ drop });
    res.on('close', cleanup);
    actOnFault();
    if (expired) {
      write('ERROR', expiredStatus(requestedRv!, ctx.store.oldestResourceVersion() + 1));
      end();
      return;
    }
    if (withState) {
      for (const obj of ctx.store.list(def.storageKind, namespace)) if (matches(obj)) write('ADDED', served(obj));
      if (sendInitialEvents && bookmarks && watchList === 'on') write('BOOKMARK', bookmark({ [INITIAL_EVENTS_END]: 'true' }));
    }
    for (const change of backlog) deliver(change);
    if (res.writableEnded || res.destroyed) return;
    unsubscribe = ctx.store.subscribe(deliver);
    if (!stalled) {
      if (timeoutSeconds > 0) timeout = setTimeout(end, timeoutSeconds * 1000);
      const every = watch.settings.bookmarkIntervalMs ?? 60_000;
      if (bookmarks && every > 0) bookmarkTimer = setInterval(() => write('BOOKMARK', bookmark()), every);
    }
  };
  return { status: 200, body: undefined, stream };
}

function header(req: ResourceRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

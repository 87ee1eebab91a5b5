// Follows one Kubernetes collection through the watch API for as long as the caller wants:
// reads the current state (a streaming list with sendInitialEvents where the server offers it,
// else a paged LIST), then watches from that resourceVersion with bookmarks and a server-side
// timeout; resumes from the last resourceVersion seen when a watch ends or drops; relists on
// 410 Gone and reports only the difference; backs off with jitter on errors and 429. It keeps
// one small entry per object (key -> uid, resourceVersion), so memory stays flat over hours.
// The behaviour copies client-go's Reflector (k8s.io/client-go/tools/cache/reflector.go).
import type { Logger } from '../context.js';
import { CliError, ClusterError } from '../errors.js';
import { mapRequestError, type RequestTarget } from './errors.js';
import { type ApiClient, ApiStatusError, type ApiStream, sleep, TransportError } from './http.js';
import { decodeWatchFrame, FrameSplitter, FrameTooLargeError } from './watch-frames.js';

/** An object as the API server sent it; the caller normalises it. */
export type RawObject = Record<string, unknown>;

/**
 * One change of the watched collection, in order. Before the first SYNCED the changes are the
 * current state (ADDED for every object); after it they are live. A relist (after 410 Gone, or a
 * stream that could not be resumed) reports only what differs from what was already reported,
 * then another SYNCED. Per key, changes are consistent: ADDED for a key not reported yet,
 * MODIFIED and DELETED only for a key reported before; an unchanged object is never repeated.
 */
export type WatchChange =
  | { type: 'ADDED' | 'MODIFIED'; key: string; object: RawObject }
  | {
      type: 'DELETED';
      key: string;
      /** The object's last state; when `inferred`, only apiVersion, kind and metadata (name, namespace, uid, resourceVersion). */
      object: RawObject;
      /** The deletion was found by a relist (it happened while the watch was down), not sent by the server. */
      inferred: boolean;
    }
  | {
      type: 'SYNCED';
      /** false the first time (the initial state is complete), true after each relist. */
      relist: boolean;
      resourceVersion: string;
    };

export interface WatchBackoff {
  /** First delay, ms (client-go: 800). */
  initialMs: number;
  /** Largest delay, ms (client-go: 30 s). */
  maxMs: number;
  /** A quiet period after which the delay starts again from `initialMs`, ms (client-go: 2 min). */
  resetMs: number;
}

export interface WatchOptions {
  /** The collection: `/api/v1/namespaces/vms/events`, `/apis/storage.k8s.io/v1/volumeattachments`. */
  path: string;
  /** For error messages: the resource (plural, with group) and namespace (null: all namespaces). */
  target: Pick<RequestTarget, 'resource' | 'namespace'>;
  fieldSelector?: string;
  labelSelector?: string;
  /** Stops the watch: the iteration then throws the signal's reason. */
  signal: AbortSignal;
  logger: Logger;
  /** Page size of a LIST (default 500). */
  chunkSize?: number;
  /** Ask for the state as a stream (`sendInitialEvents`) before falling back to LIST (default true). */
  initialEvents?: boolean;
  /** How long to wait for the initial-events-end bookmark before falling back to LIST, ms (default 10 s). */
  initialEventsTimeoutMs?: number;
  /** The server-side timeout of each watch, s (default: random in 300..600, as client-go). */
  timeoutSeconds?: () => number;
  /** A stream silent this much longer than its timeoutSeconds is dead, ms (default 60 s). */
  staleAfterMs?: number;
  backoff?: Partial<WatchBackoff>;
  /** Largest single watch event, bytes (default 16 MiB; etcd keeps objects under 1.5 MiB). */
  maxFrameBytes?: number;
  /** Failed attempts allowed before the state was first read, so that a wrong server fails fast (default 5). */
  maxInitialAttempts?: number;
}

/** Follows a collection: its current state, then every change, until the signal aborts (see WatchChange). */
export function watchResource(client: ApiClient, options: WatchOptions): AsyncGenerator<WatchChange, never, undefined> {
  return new ResourceWatcher(client, options).run();
}

const DEFAULT_BACKOFF: WatchBackoff = { initialMs: 800, maxMs: 30_000, resetMs: 120_000 };
/** A Retry-After larger than this is not believed. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
/** client-go treats a watch that ends within a second without an event as a failure (no tight loop). */
const SHORT_WATCH_MS = 1000;
const MAX_CONTINUE_RESTARTS = 3;

/** The stream broke in a way that resuming from the last resourceVersion repairs. */
class WatchStreamError extends Error {}
/** The server refused a streaming list (422/400: WatchList off): fall back to LIST. */
class WatchListRefusedError extends Error {}

/** Why this reader aborted its own stream. */
const STALE = Symbol('stale');
const NO_INITIAL_EVENTS_END = Symbol('no-initial-events-end');

interface ObjectMeta {
  key: string;
  uid: string;
  resourceVersion: string;
}

function metaOf(object: RawObject): ObjectMeta | null {
  const m = object.metadata as { name?: unknown; namespace?: unknown; uid?: unknown; resourceVersion?: unknown } | undefined;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || m.name === '') return null;
  if (typeof m.resourceVersion !== 'string') return null;
  const namespace = typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : undefined;
  return {
    key: namespace === undefined ? m.name : `${namespace}/${m.name}`,
    uid: typeof m.uid === 'string' ? m.uid : '',
    resourceVersion: m.resourceVersion,
  };
}

function resourceVersionOf(object: RawObject): string | undefined {
  const rv = (object.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

function isInitialEventsEnd(object: RawObject): boolean {
  const annotations = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  return annotations?.[INITIAL_EVENTS_END] === 'true';
}

/**
 * What has been reported, per key (namespace/name): the uid and resourceVersion, nothing else.
 * A sync (list or streaming list) marks the keys it sees; the keys it did not see are gone.
 */
class Reconciler {
  private readonly known = new Map<string, { uid: string; resourceVersion: string }>();
  private seen: Set<string> | null = null;
  private typeMeta: { apiVersion?: unknown; kind?: unknown } = {};

  beginSync(): void {
    this.seen = new Set();
  }

  /** An object that exists now (a list item, an ADDED or MODIFIED event): what to report. */
  present(object: RawObject, meta: ObjectMeta): WatchChange[] {
    if (this.typeMeta.kind === undefined && object.kind !== undefined) this.typeMeta = { apiVersion: object.apiVersion, kind: object.kind };
    this.seen?.add(meta.key);
    const changes: WatchChange[] = [];
    let before = this.known.get(meta.key);
    if (before !== undefined && before.uid !== meta.uid) {
      // Deleted and created again under the same name while we were not watching.
      changes.push(this.forget(meta.key, before));
      before = undefined;
    }
    if (before?.resourceVersion === meta.resourceVersion) return changes;
    this.known.set(meta.key, { uid: meta.uid, resourceVersion: meta.resourceVersion });
    changes.push({ type: before === undefined ? 'ADDED' : 'MODIFIED', key: meta.key, object });
    return changes;
  }

  /** A DELETED event: reported only for an object reported before. */
  deleted(object: RawObject, meta: ObjectMeta): WatchChange[] {
    if (!this.known.delete(meta.key)) return [];
    return [{ type: 'DELETED', key: meta.key, object, inferred: false }];
  }

  /** Ends a sync: every key reported before and not seen since is deleted. */
  endSync(): WatchChange[] {
    const seen = this.seen;
    this.seen = null;
    if (seen === null) return [];
    const changes: WatchChange[] = [];
    for (const [key, entry] of this.known) {
      if (!seen.has(key)) changes.push(this.forget(key, entry));
    }
    return changes;
  }

  private forget(key: string, entry: { uid: string; resourceVersion: string }): WatchChange {
    this.known.delete(key);
    const slash = key.indexOf('/');
    const metadata: Record<string, string> = slash < 0 ? { name: key } : { name: key.slice(slash + 1), namespace: key.slice(0, slash) };
    if (entry.uid !== '') metadata.uid = entry.uid;
    metadata.resourceVersion = entry.resourceVersion;
    const object: RawObject = { ...this.typeMeta, metadata };
    return { type: 'DELETED', key, object, inferred: true };
  }
}

/** Exponential backoff with jitter, reset after a quiet period (client-go's NewExponentialBackoffManager). */
class Backoff {
  private failures = 0;
  private lastFailure = 0;

  constructor(private readonly options: WatchBackoff) {}

  /** The wait before the next attempt; at least Retry-After when the server sent one. */
  next(retryAfterMs: number | undefined): number {
    const now = Date.now();
    if (now - this.lastFailure > this.options.resetMs) this.failures = 0;
    this.lastFailure = now;
    this.failures++;
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** (this.failures - 1));
    const jittered = Math.min(this.options.maxMs, base * (1 + Math.random()));
    return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  }
}

/** How a watch that was not broken ended: how many events it carried, and after how long. */
interface StreamEnd {
  events: number;
  ms: number;
}

class ResourceWatcher {
  private readonly state = new Reconciler();
  private readonly backoff: Backoff;
  /** Where the next watch starts; undefined while the state must be (re)read. */
  private resourceVersion: string | undefined;
  private useWatchList: boolean;
  private synced = false;
  private initialFailures = 0;
  private readonly selectors: Record<string, string | undefined>;

  constructor(
    private readonly client: ApiClient,
    private readonly options: WatchOptions,
  ) {
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.useWatchList = options.initialEvents ?? true;
    this.selectors = { fieldSelector: options.fieldSelector, labelSelector: options.labelSelector };
  }

  async *run(): AsyncGenerator<WatchChange, never, undefined> {
    for (;;) {
      this.throwIfAborted();
      let end: StreamEnd;
      try {
        if (this.resourceVersion === undefined && !this.useWatchList) {
          yield* this.list();
          continue;
        }
        end = yield* this.watch();
      } catch (err) {
        await this.recover(err);
        continue;
      }
      if (end.ms < SHORT_WATCH_MS && end.events === 0) {
        this.debug('watch ended at once without an event');
        await this.pause(undefined);
      }
    }
  }

  /** Reads the state with a paged LIST and reconciles it with what was reported. */
  private async *list(): AsyncGenerator<WatchChange, void, undefined> {
    for (let restart = 0; ; restart++) {
      this.state.beginSync();
      let token: string | undefined;
      let listRv = '';
      try {
        do {
          const res = await this.client.request({
            method: 'GET',
            path: this.options.path,
            query: { ...this.selectors, limit: this.options.chunkSize ?? 500, continue: token },
            retry: true,
          });
          const page = (res.body ?? {}) as {
            apiVersion?: unknown;
            kind?: unknown;
            metadata?: { resourceVersion?: unknown; continue?: unknown };
            items?: unknown;
          };
          if (token === undefined && typeof page.metadata?.resourceVersion === 'string') listRv = page.metadata.resourceVersion;
          // List items carry no apiVersion/kind on a real server; watch events do. Give both the same shape.
          const kind = typeof page.kind === 'string' && page.kind.endsWith('List') ? page.kind.slice(0, -4) : undefined;
          for (const item of Array.isArray(page.items) ? (page.items as RawObject[]) : []) {
            this.throwIfAborted();
            if (typeof item !== 'object' || item === null) continue;
            const object = item.kind === undefined && kind !== undefined ? { apiVersion: page.apiVersion, kind, ...item } : item;
            const meta = metaOf(object);
            if (meta === null) continue;
            yield* this.state.present(object, meta);
          }
          const next = page.metadata?.continue;
          token = typeof next === 'string' && next !== '' ? next : undefined;
        } while (token !== undefined);
      } catch (err) {
        if (err instanceof ApiStatusError && err.status === 410 && token !== undefined && restart < MAX_CONTINUE_RESTARTS) {
          this.debug('continue token expired, restarting the list');
          continue;
        }
        // Before the state was first read, a failed list fails the command (the client has retried);
        // later only a refusal does, and anything transient is retried.
        const refused = err instanceof ApiStatusError && !TRANSIENT_STATUS.has(err.status);
        if ((!this.synced || refused) && !this.options.signal.aborted) {
          throw mapRequestError(err, this.target('list'), this.client.server.origin);
        }
        throw err;
      }
      yield* this.finishSync(listRv);
      return;
    }
  }

  /** Ends a sync: deletions, then the SYNCED marker. */
  private *finishSync(resourceVersion: string): Generator<WatchChange, void, undefined> {
    yield* this.state.endSync();
    const relist = this.synced;
    this.synced = true;
    this.initialFailures = 0;
    this.resourceVersion = resourceVersion;
    yield { type: 'SYNCED', relist, resourceVersion };
  }

  /**
   * One watch request, read to its end: from `resourceVersion`, or, when that is unset, a
   * streaming list (sendInitialEvents) that turns into a watch after its end bookmark.
   */
  private async *watch(): AsyncGenerator<WatchChange, StreamEnd, undefined> {
    let initial = this.resourceVersion === undefined;
    const timeoutSeconds = this.options.timeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const query: Record<string, string | number | undefined> = {
      ...this.selectors,
      watch: 1,
      allowWatchBookmarks: 'true',
      timeoutSeconds,
    };
    if (initial) {
      // resourceVersion unset: the state as of now (a consistent read), then changes.
      query.sendInitialEvents = 'true';
      query.resourceVersionMatch = 'NotOlderThan';
    } else {
      query.resourceVersion = this.resourceVersion;
    }
    const own = new AbortController();
    let stream: ApiStream;
    try {
      stream = await this.client.openStream({ path: this.options.path, query }, AbortSignal.any([this.options.signal, own.signal]));
    } catch (err) {
      if (initial && err instanceof ApiStatusError && (err.status === 422 || err.status === 400)) {
        throw new WatchListRefusedError(err.statusMessage || `${err.status} ${err.reason}`);
      }
      throw err;
    }
    const opened = Date.now();
    let events = 0;
    const splitter = new FrameSplitter(this.options.maxFrameBytes ?? 16 * 1024 * 1024);
    const noMarker = initial
      ? setTimeout(() => own.abort(NO_INITIAL_EVENTS_END), this.options.initialEventsTimeoutMs ?? 10_000)
      : undefined;
    if (initial) this.state.beginSync();
    const chunks = stream.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const staleMs = timeoutSeconds * 1000 + (this.options.staleAfterMs ?? 60_000);
    try {
      for (;;) {
        // Only time spent waiting for the server counts, not time the caller spends on a change.
        const stale = setTimeout(() => own.abort(STALE), staleMs);
        let chunk: IteratorResult<Buffer>;
        try {
          chunk = await chunks.next();
        } catch (err) {
          throw this.streamFailure(err, own.signal);
        } finally {
          clearTimeout(stale);
        }
        if (chunk.done) break;
        for (const line of splitter.push(chunk.value)) {
          this.throwIfAborted();
          const frame = decodeWatchFrame(line);
          if (frame === null) continue;
          if (frame === 'garbage') throw new WatchStreamError('the server sent a line that is not a watch event');
          events++;
          const { type, object } = frame;
          if (type === 'ERROR') {
            const code = typeof object.code === 'number' ? object.code : 0;
            const message = typeof object.message === 'string' ? object.message : '';
            const reason = typeof object.reason === 'string' ? object.reason : '';
            // 410 Expired/Gone (the history is compacted) and other refusals, as if the request had got them.
            if (code >= 400 && code < 500 && code !== 429) throw new ApiStatusError(code, reason, message, {});
            throw new WatchStreamError(`the server ended the watch: ${code || ''} ${reason} ${message}`.replace(/\s+/g, ' ').trim());
          }
          if (type === 'BOOKMARK') {
            const rv = resourceVersionOf(object);
            if (initial && isInitialEventsEnd(object) && rv !== undefined) {
              clearTimeout(noMarker);
              initial = false;
              yield* this.finishSync(rv);
            } else if (!initial && rv !== undefined) {
              this.resourceVersion = rv;
            }
            continue;
          }
          const meta = metaOf(object);
          if (meta === null) {
            this.debug(`skipped a ${type} event without a name or resourceVersion`);
            continue;
          }
          if (!initial) this.resourceVersion = meta.resourceVersion;
          yield* type === 'DELETED' ? this.state.deleted(object, meta) : this.state.present(object, meta);
        }
      }
    } finally {
      clearTimeout(noMarker);
      stream.body.destroy();
    }
    if (splitter.rest().trim() !== '') throw new WatchStreamError('the watch stream ended in the middle of an event');
    if (initial) throw new WatchStreamError('the watch stream ended before the initial state was complete');
    return { events, ms: Date.now() - opened };
  }

  /** Names what broke a stream read: our own abort (stale, no end marker), the caller's, or the connection. */
  private streamFailure(err: unknown, own: AbortSignal): unknown {
    if (this.options.signal.aborted) return err;
    if (own.reason === STALE) return new WatchStreamError('the watch stream went silent');
    if (own.reason === NO_INITIAL_EVENTS_END) return new WatchListRefusedError('no initial-events-end bookmark');
    const code = (err as NodeJS.ErrnoException)?.code;
    return new WatchStreamError(`the watch stream broke${code ? ` (${code})` : ''}`);
  }

  /** Decides what an error means: stop (thrown), read the state another way, or wait and retry. */
  private async recover(err: unknown): Promise<void> {
    this.throwIfAborted();
    if (err instanceof CliError) throw err;
    if (err instanceof WatchListRefusedError) {
      this.debug(`streaming list not available (${err.message}), using LIST then WATCH`);
      this.useWatchList = false;
      return;
    }
    if (err instanceof FrameTooLargeError) {
      throw new ClusterError(`cannot watch ${this.describe()}: ${err.message}`);
    }
    let retryAfterMs: number | undefined;
    if (err instanceof ApiStatusError) {
      if (err.status === 410) {
        // The history we would resume from is compacted: read the state again (client-go backs off first too).
        this.debug('resourceVersion expired (410), relisting');
        this.resourceVersion = undefined;
        await this.pause(undefined);
        return;
      }
      if (!TRANSIENT_STATUS.has(err.status)) throw mapRequestError(err, this.target('watch'), this.client.server.origin);
      retryAfterMs = err.retryAfterMs;
    } else if (!(err instanceof TransportError) && !(err instanceof WatchStreamError)) {
      throw err;
    }
    if (!this.synced && ++this.initialFailures >= (this.options.maxInitialAttempts ?? 5)) {
      if (err instanceof WatchStreamError) throw new ClusterError(`cannot watch ${this.describe()}: ${err.message}`);
      throw mapRequestError(err, this.target('watch'), this.client.server.origin);
    }
    this.debug(`${(err as Error).message}`);
    await this.pause(retryAfterMs);
  }

  private async pause(retryAfterMs: number | undefined): Promise<void> {
    const ms = this.backoff.next(retryAfterMs);
    this.debug(`watching again in ${Math.round(ms)}ms`);
    await sleep(ms, this.options.signal).catch(() => this.throwIfAborted());
  }

  private throwIfAborted(): void {
    const { signal } = this.options;
    if (!signal.aborted) return;
    throw signal.reason instanceof Error ? signal.reason : new DOMException('The watch was aborted', 'AbortError');
  }

  private target(verb: 'list' | 'watch'): RequestTarget {
    return { verb, resource: this.options.target.resource, namespace: this.options.target.namespace ?? null };
  }

  private describe(): string {
    const { resource, namespace } = this.options.target;
    return namespace ? `${resource} in namespace "${namespace}"` : resource;
  }

  private debug(line: string): void {
    this.options.logger.debug(`watch ${this.describe()}: ${line}`);
  }
}

// The only way rds-migrate talks to Kubernetes. Reads come back already reduced
// to the domain records (raw objects are dropped page by page, so memory follows
// what the audit keeps, not the cluster size).

import { createHash } from 'node:crypto';
import type { Context, Logger } from '../context.js';
import { normalizeEvent, normalizePersistentVolume, normalizePvc, normalizeVolumeAttachment } from '../domain/normalize.js';
import type { EventRecord, PersistentVolumeRecord, PvcRecord, VolumeAttachmentRecord } from '../domain/types.js';
import { ClusterError } from '../errors.js';
import { resolveCredentials } from './auth.js';
import { loadConfig } from './config.js';
import { mapRequestError, type RequestTarget } from './errors.js';
import { ApiClient, type ApiRequest, type ApiResponse, ApiStatusError } from './http.js';
import { chooseProxy } from './proxy.js';
import { watchResource } from './watch.js';

export interface ListOptions {
  /** null = all namespaces (or a cluster-scoped resource). */
  namespace: string | null;
  fieldSelector?: string;
  labelSelector?: string;
  chunkSize?: number;
}

/** What a watch follows: a list's scope and selectors, until `signal` aborts. */
export interface WatchRequest extends ListOptions {
  /** Ends the watch: the iteration then throws the signal's reason. */
  signal: AbortSignal;
}

/**
 * One change of a watched collection, as records (see watchResource in ./watch.ts): the state
 * first, then `synced`, then live changes; after a relist only the differences, then `synced`
 * again. An object that no longer makes a record (or that `keep` drops) is a `delete` of its key.
 */
export type RecordChange<T> =
  | { type: 'upsert'; key: string; record: T }
  | { type: 'delete'; key: string }
  | { type: 'synced'; relist: boolean };

/** Where a kind is served: API group ('' for core), version, plural resource, scope. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export interface Gateway {
  /** The namespace commands default to: -n, else the context's, else `default`. */
  readonly namespace: string;
  readonly server: string;
  /** The name of the kubeconfig context's cluster (`in-cluster` for the service account). */
  readonly clusterName: string;
  getPvc(namespace: string, name: string): Promise<PvcRecord>;
  /** The PV, or null when it does not exist. */
  getPersistentVolume(name: string): Promise<PersistentVolumeRecord | null>;
  listPersistentVolumes(chunkSize?: number): Promise<PersistentVolumeRecord[]>;
  listVolumeAttachments(chunkSize?: number): Promise<VolumeAttachmentRecord[]>;
  /**
   * Reads which VolumeAttachment belongs to which PV without reading every one in full; the
   * answer then reads those of one PV. Two steps, so that the list can run while the PV's
   * name is still being read.
   */
  indexVolumeAttachments(): Promise<VolumeAttachmentsOf>;
  listEvents(options: ListOptions, keep?: (event: EventRecord) => boolean): Promise<EventRecord[]>;
  /** Lists every page of a resource, reducing each item to a record as it arrives (null drops it). */
  list<T>(resource: ResourceRef, options: ListOptions, toRecord: (raw: unknown) => T | null): Promise<T[]>;
  /**
   * Follows a collection through the watch API (list, then watch from its resourceVersion, resume,
   * relist on 410, back off), reducing each object to a record as it arrives. Runs until
   * `options.signal` aborts; a refusal (403, 404, …) throws a ClusterError.
   */
  watch<T>(resource: ResourceRef, options: WatchRequest, toRecord: (raw: unknown) => T | null): AsyncGenerator<RecordChange<T>, never>;
  /** Follows Events as watch() does; `keep` drops the ones a command does not show. */
  watchEvents(options: WatchRequest, keep?: (event: EventRecord) => boolean): AsyncGenerator<RecordChange<EventRecord>, never>;
  /** Whether the cluster serves an API group version (discovery), e.g. `kubevirt.io/v1`. */
  serves(groupVersion: string): Promise<boolean>;
  /** Whether a namespace exists; null when reading namespaces is forbidden. */
  namespaceExists(name: string): Promise<boolean | null>;
  /** The raw Event, or null when it does not exist. */
  getEvent(namespace: string, name: string): Promise<Record<string, unknown> | null>;
  createEvent(namespace: string, body: Record<string, unknown>, options?: WriteOptions): Promise<Record<string, unknown>>;
  patchEvent(namespace: string, name: string, patch: Record<string, unknown>, options?: WriteOptions): Promise<Record<string, unknown>>;
  /** Whether the Node exists (false on 404); a forbidden read throws a ClusterError with status 403. */
  nodeExists(name: string): Promise<boolean>;
  /** The names of all objects of a kind (namespaced kinds: in `namespace`), for shell completion. */
  listNames(resource: NamedResource, namespace?: string): Promise<string[]>;
  /** HTTP requests sent so far. */
  requestCount(): number;
  close(): void;
}

/** How a write is sent. */
export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): the API server admits and validates the write, and stores nothing. */
  dryRun?: boolean;
}

/** The core/v1 kinds whose names shell completion offers. */
export type NamedResource = 'namespaces' | 'nodes' | 'persistentvolumeclaims';

/** The VolumeAttachments whose source is a given PV, read in full. */
export type VolumeAttachmentsOf = (pvName: string) => Promise<VolumeAttachmentRecord[]>;

/** The server-side selector for a PVC's events (the fields kubectl describe uses). */
export function pvcEventSelector(pvcName: string): string {
  return `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${pvcName}`;
}

const MAX_LIST_RESTARTS = 3;
/**
 * Pages one list may take: 10 000 pages of 500 are five million objects. A server that keeps
 * handing out new continue tokens (or an endless run of empty pages) ends here, not at the deadline.
 */
export const MAX_LIST_PAGES = 10_000;

const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true };

const VOLUME_ATTACHMENTS = '/apis/storage.k8s.io/v1/volumeattachments';
const VOLUME_ATTACHMENTS_RESOURCE = 'volumeattachments.storage.k8s.io';
/**
 * Server-side printing (what `kubectl get` asks for): a Table of name, attacher, PV, node,
 * attached and age per VolumeAttachment, about a quarter of the bytes of the objects. A server
 * without Tables answers the plain list, which is read as such.
 */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
/** Rows per Table page: a row is ~170 bytes, so a page stays under 1 MB. */
const TABLE_CHUNK_SIZE = 5000;

interface ListPage {
  items?: unknown;
  metadata?: { continue?: unknown };
}

/** How to reach the cluster: the kubectl-style connection flags, validated. */
export interface ConnectionOptions {
  kubeconfig: string | undefined;
  context: string | undefined;
  /** -n as given; undefined means "the context's namespace, else default". */
  namespace: string | undefined;
  requestTimeoutSeconds: number;
}

/** How a gateway is opened beyond the connection flags. */
export interface GatewayOptions {
  /**
   * Connections open at once (default 8). A command that watches holds one per open watch for
   * as long as it runs, so it needs room for its watches beside its ordinary requests.
   */
  maxSockets?: number;
}

/** Loads the kubeconfig, resolves credentials and returns a gateway to the cluster. */
export async function openGateway(ctx: Context, globals: ConnectionOptions, options: GatewayOptions = {}): Promise<Gateway> {
  const { logger } = ctx;
  const config = await loadConfig({
    kubeconfigFlag: globals.kubeconfig,
    contextFlag: globals.context,
    namespaceFlag: globals.namespace,
    env: ctx.env,
    signal: ctx.signal,
  });
  logger.debug(`context "${config.contextName}", server ${redactServer(config.serverUrl)}, namespace "${config.namespace}"`);
  const credentials = await resolveCredentials(config, {
    env: ctx.env,
    signal: ctx.signal,
    stdinIsTerminal: (ctx.stdin as { isTTY?: boolean }).isTTY === true,
  });
  const proxy = chooseProxy(config.serverUrl, config.cluster.proxyUrl, config.cluster.name, ctx.env);
  if (proxy) logger.debug(`proxy ${proxy.display}`);
  const client = new ApiClient({
    server: config.cluster.server,
    credentials,
    timeoutMs: globals.requestTimeoutSeconds * 1000,
    signal: ctx.signal,
    logger,
    ...(proxy ? { proxy } : {}),
    ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
  });
  return new HttpGateway(client, config.namespace, config.cluster.name, logger);
}

class HttpGateway implements Gateway {
  readonly server: string;

  constructor(
    private readonly client: ApiClient,
    readonly namespace: string,
    readonly clusterName: string,
    private readonly logger: Logger,
  ) {
    this.server = client.server.origin;
  }

  requestCount(): number {
    return this.client.requestCount;
  }

  close(): void {
    this.client.close();
  }

  async getPvc(namespace: string, name: string): Promise<PvcRecord> {
    const raw = await this.call(
      { method: 'GET', path: `/api/v1/namespaces/${enc(namespace)}/persistentvolumeclaims/${enc(name)}`, retry: true },
      { verb: 'get', resource: 'persistentvolumeclaims', namespace, name },
      'PersistentVolumeClaim',
    );
    const pvc = normalizePvc(raw);
    if (!pvc) throw new ClusterError(`the API server returned an unreadable PersistentVolumeClaim for "${name}"`);
    return pvc;
  }

  async getPersistentVolume(name: string): Promise<PersistentVolumeRecord | null> {
    const raw = await this.getOrNull(
      { method: 'GET', path: `/api/v1/persistentvolumes/${enc(name)}`, retry: true },
      { verb: 'get', resource: 'persistentvolumes', name },
      'PersistentVolume',
    );
    return raw === null ? null : normalizePersistentVolume(raw);
  }

  listPersistentVolumes(chunkSize?: number): Promise<PersistentVolumeRecord[]> {
    return this.listAll(
      '/api/v1/persistentvolumes',
      { verb: 'list', resource: 'persistentvolumes' },
      {},
      chunkSize,
      normalizePersistentVolume,
    );
  }

  listVolumeAttachments(chunkSize?: number): Promise<VolumeAttachmentRecord[]> {
    return this.listAll(
      VOLUME_ATTACHMENTS,
      { verb: 'list', resource: VOLUME_ATTACHMENTS_RESOURCE },
      {},
      chunkSize,
      normalizeVolumeAttachment,
    );
  }

  async indexVolumeAttachments(): Promise<VolumeAttachmentsOf> {
    // VolumeAttachments have no field selector for their PV, so every one is listed, as a
    // Table (names and PVs only); those of a PV are then read in full (creation time,
    // attachError, deletion). A volume attached where no event says so is still found.
    const namesByPv = new Map<string, string[]>();
    let objects: VolumeAttachmentRecord[] = [];
    let tableOk = true;
    await this.listPages(
      VOLUME_ATTACHMENTS,
      { verb: 'list', resource: VOLUME_ATTACHMENTS_RESOURCE },
      { includeObject: 'None' },
      TABLE_CHUNK_SIZE,
      TABLE_ACCEPT,
      (page) => {
        const rows = tableRows(page);
        if (rows === 'not-a-table') {
          // A server without Tables sent the VolumeAttachments themselves.
          for (const item of itemsOf(page)) {
            const va = normalizeVolumeAttachment(item);
            if (va !== null) objects.push(va);
          }
        } else if (rows === null) {
          tableOk = false;
        } else {
          for (const { name, pv } of rows) {
            const names = namesByPv.get(pv);
            if (names === undefined) namesByPv.set(pv, [name]);
            else names.push(name);
          }
        }
      },
      () => {
        namesByPv.clear();
        objects = [];
        tableOk = true;
      },
    );
    if (!tableOk) {
      // A Table without the columns we read: fall back to the objects.
      namesByPv.clear();
      objects = await this.listVolumeAttachments();
    }
    if (namesByPv.size === 0) return async (pvName) => objects.filter((va) => va.persistentVolumeName === pvName);
    return async (pvName) => {
      const read = await Promise.all(
        (namesByPv.get(pvName) ?? []).map(async (name) => {
          const raw = await this.getOrNull(
            { method: 'GET', path: `${VOLUME_ATTACHMENTS}/${enc(name)}`, retry: true },
            { verb: 'get', resource: VOLUME_ATTACHMENTS_RESOURCE, name },
            'VolumeAttachment',
          );
          // Gone since the list (detached and deleted): not attached.
          const va = raw === null ? null : normalizeVolumeAttachment(raw);
          return va !== null && va.persistentVolumeName === pvName ? va : null;
        }),
      );
      return read.filter((va): va is VolumeAttachmentRecord => va !== null);
    };
  }

  async listEvents(options: ListOptions, keep?: (event: EventRecord) => boolean): Promise<EventRecord[]> {
    const path = options.namespace === null ? '/api/v1/events' : `/api/v1/namespaces/${enc(options.namespace)}/events`;
    let unreadable = 0;
    const toRecord = (raw: unknown): EventRecord | null => {
      const e = normalizeEvent(raw);
      if (e === null) unreadable++;
      return e !== null && (keep === undefined || keep(e)) ? e : null;
    };
    const events = await this.listAll(
      path,
      { verb: 'list', resource: 'events', namespace: options.namespace },
      { fieldSelector: options.fieldSelector },
      options.chunkSize,
      toRecord,
      () => {
        unreadable = 0;
      },
    );
    // Event data is untrusted: an event without an involved object is skipped, and said so.
    if (unreadable > 0) this.logger.warn(`skipped ${unreadable} event(s) without a readable involvedObject`);
    return events;
  }

  list<T>(resource: ResourceRef, options: ListOptions, toRecord: (raw: unknown) => T | null): Promise<T[]> {
    const prefix = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    const scoped = resource.namespaced && options.namespace !== null ? `/namespaces/${enc(options.namespace)}` : '';
    return this.listAll(
      `${prefix}${scoped}/${resource.plural}`,
      {
        verb: 'list',
        resource: resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`,
        namespace: resource.namespaced ? options.namespace : undefined,
      },
      { fieldSelector: options.fieldSelector, labelSelector: options.labelSelector },
      options.chunkSize,
      toRecord,
    );
  }

  async *watch<T>(
    resource: ResourceRef,
    options: WatchRequest,
    toRecord: (raw: unknown) => T | null,
  ): AsyncGenerator<RecordChange<T>, never> {
    const prefix = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    const namespace = resource.namespaced ? options.namespace : null;
    const scoped = namespace !== null ? `/namespaces/${enc(namespace)}` : '';
    const changes = watchResource(this.client, {
      path: `${prefix}${scoped}/${resource.plural}`,
      target: { resource: resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`, namespace },
      ...(options.fieldSelector === undefined ? {} : { fieldSelector: options.fieldSelector }),
      ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
      ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      signal: options.signal,
      logger: this.logger,
    });
    // The raw object is dropped here: the caller keeps records only.
    try {
      for (;;) {
        const { value: change } = await changes.next();
        if (change.type === 'SYNCED') yield { type: 'synced', relist: change.relist };
        else if (change.type === 'DELETED') yield { type: 'delete', key: change.key };
        else {
          const record = toRecord(change.object);
          yield record === null ? { type: 'delete', key: change.key } : { type: 'upsert', key: change.key, record };
        }
      }
    } finally {
      // A caller that stops iterating closes the stream at once, not when the signal aborts.
      await changes.return(undefined as never);
    }
  }

  watchEvents(options: WatchRequest, keep?: (event: EventRecord) => boolean): AsyncGenerator<RecordChange<EventRecord>, never> {
    return this.watch(EVENTS, options, (raw) => {
      const e = normalizeEvent(raw);
      // Event data is untrusted: an event without an involved object is not shown.
      if (e === null) this.logger.debug('skipped an event without a readable involvedObject');
      return e !== null && (keep === undefined || keep(e)) ? e : null;
    });
  }

  async serves(groupVersion: string): Promise<boolean> {
    const raw = await this.getOrNull(
      { method: 'GET', path: `/apis/${groupVersion.split('/').map(enc).join('/')}`, retry: true },
      { verb: 'get', resource: 'apiresources', name: groupVersion },
      'APIResourceList',
    );
    return raw !== null;
  }

  async namespaceExists(name: string): Promise<boolean | null> {
    try {
      const raw = await this.getOrNull(
        { method: 'GET', path: `/api/v1/namespaces/${enc(name)}`, retry: true },
        { verb: 'get', resource: 'namespaces', name },
        'Namespace',
      );
      return raw !== null;
    } catch (err) {
      if (err instanceof ClusterError && err.status === 403) return null;
      throw err;
    }
  }

  getEvent(namespace: string, name: string): Promise<Record<string, unknown> | null> {
    return this.getOrNull(
      { method: 'GET', path: `/api/v1/namespaces/${enc(namespace)}/events/${enc(name)}`, retry: true },
      { verb: 'get', resource: 'events', namespace, name },
      'Event',
    ) as Promise<Record<string, unknown> | null>;
  }

  async createEvent(namespace: string, body: Record<string, unknown>, options: WriteOptions = {}): Promise<Record<string, unknown>> {
    // Retries resend the same name, so they can never make two events; a 409 on a
    // retry means an earlier attempt got through, once the stored event is ours.
    const target: RequestTarget = { verb: 'create', resource: 'events', namespace };
    try {
      const res = await this.client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${enc(namespace)}/events`,
        query: dryRunQuery(options),
        body,
        retry: true,
      });
      return objectOf(res, 'Event', `POST /api/v1/namespaces/${enc(namespace)}/events`) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 409 && err.attempt > 1) {
        const name = (body.metadata as { name: string }).name;
        const existing = await this.getEvent(namespace, name);
        if (existing && sameEvent(existing, body)) return existing;
      }
      throw mapRequestError(err, target, this.server);
    }
  }

  async patchEvent(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<Record<string, unknown>> {
    return (await this.call(
      {
        method: 'PATCH',
        path: `/api/v1/namespaces/${enc(namespace)}/events/${enc(name)}`,
        query: dryRunQuery(options),
        body: patch,
        contentType: 'application/strategic-merge-patch+json',
        // The patch sets absolute values (count N+1, a timestamp), so repeating it is harmless.
        retry: true,
      },
      { verb: 'patch', resource: 'events', namespace, name },
      'Event',
    )) as Record<string, unknown>;
  }

  async nodeExists(name: string): Promise<boolean> {
    const raw = await this.getOrNull(
      { method: 'GET', path: `/api/v1/nodes/${enc(name)}`, retry: true },
      { verb: 'get', resource: 'nodes', name },
      'Node',
    );
    return raw !== null;
  }

  listNames(resource: NamedResource, namespace?: string): Promise<string[]> {
    const path =
      namespace === undefined || resource !== 'persistentvolumeclaims'
        ? `/api/v1/${resource}`
        : `/api/v1/namespaces/${enc(namespace)}/${resource}`;
    return this.listAll(path, { verb: 'list', resource, namespace: namespace ?? null }, {}, undefined, objectName);
  }

  /** Sends a request for one object and returns it, checked to be a `kind` (anything else is exit 4). */
  private async call(req: ApiRequest, target: RequestTarget, kind: string): Promise<unknown> {
    try {
      return objectOf(await this.client.request(req), kind, `${req.method} ${req.path}`);
    } catch (err) {
      throw mapRequestError(err, target, this.server);
    }
  }

  private async getOrNull(req: ApiRequest, target: RequestTarget, kind: string): Promise<unknown> {
    try {
      return objectOf(await this.client.request(req), kind, `${req.method} ${req.path}`);
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) return null;
      throw mapRequestError(err, target, this.server);
    }
  }

  /** Reads every page of a list into records (see listPages). */
  private async listAll<T>(
    path: string,
    target: RequestTarget,
    query: Record<string, string | undefined>,
    chunkSize: number | undefined,
    toRecord: (raw: unknown) => T | null,
    onRestart?: () => void,
  ): Promise<T[]> {
    const records: T[] = [];
    await this.listPages(
      path,
      target,
      query,
      chunkSize,
      undefined,
      (page) => {
        for (const item of itemsOf(page)) {
          const record = toRecord(item);
          if (record !== null) records.push(record);
        }
      },
      () => {
        records.length = 0;
        onRestart?.();
      },
    );
    return records;
  }

  /**
   * Follows `continue` tokens, handing each page to `onPage` as it arrives (so a page is garbage
   * once read); restarts the list when a token expires (410), a bounded number of times. Every page
   * must be a list (a Table when one was asked for): anything else, a continue token seen before in
   * the same list, or more than MAX_LIST_PAGES pages is exit 4, never an empty or endless list.
   */
  private async listPages(
    path: string,
    target: RequestTarget,
    query: Record<string, string | undefined>,
    chunkSize: number | undefined,
    accept: string | undefined,
    onPage: (page: ListPage) => void,
    onRestart: () => void,
  ): Promise<void> {
    const what = `GET ${path}`;
    const tableAsked = accept?.includes('as=Table') === true;
    for (let restart = 0; ; restart++) {
      onRestart();
      let token: string | undefined;
      const seen = new Set<string>();
      try {
        for (let pages = 1; ; pages++) {
          // The page is read inside the callback: this async frame never holds it while the next one loads.
          token = await this.client
            .request({ method: 'GET', path, query: { ...query, limit: chunkSize ?? 500, continue: token }, accept, retry: true })
            .then((res) => {
              const page = listOf(res, tableAsked, what);
              onPage(page);
              const next = page.metadata?.continue;
              return typeof next === 'string' && next !== '' ? next : undefined;
            });
          if (token === undefined) return;
          // Tokens are kept as digests: a hostile server's huge tokens must not pile up in memory.
          const digest = createHash('sha256').update(token).digest('base64');
          if (seen.has(digest)) {
            throw new ClusterError(
              `the API server sent a continue token it had sent before while listing ${target.resource} (${what}, page ${pages}): the list would never end`,
            );
          }
          seen.add(digest);
          if (pages >= MAX_LIST_PAGES) {
            throw new ClusterError(
              `listing ${target.resource} took more than ${MAX_LIST_PAGES} pages (${what}); stopped`,
              'the server keeps sending continue tokens; if the list is really that long, raise --chunk-size',
            );
          }
        }
      } catch (err) {
        if (err instanceof ApiStatusError && err.status === 410 && restart < MAX_LIST_RESTARTS) {
          // The continue token expired (etcd compaction): restart for a consistent list.
          this.logger.debug(`${target.resource}: continue token expired, restarting the list`);
          continue;
        }
        throw mapRequestError(err, target, this.server);
      }
    }
  }
}

function dryRunQuery(options: WriteOptions): Record<string, string> | undefined {
  return options.dryRun ? { dryRun: 'All' } : undefined;
}

function objectName(raw: unknown): string | null {
  const name = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' && name !== '' ? name : null;
}

/**
 * The page of a 200 answer to a list request: a JSON `…List` with an `items` array (or a
 * meta.k8s.io Table with `rows`, when one was asked for) and `metadata`. Anything else (a proxy's
 * HTML login page, `{}`, a Status, a JSON array) would read as an empty list, a false all-clear.
 */
function listOf(res: ApiResponse, tableAsked: boolean, what: string): ListPage {
  const page = res.body as { kind?: unknown; items?: unknown; rows?: unknown; metadata?: unknown } | undefined;
  const isObject = typeof page === 'object' && page !== null && !Array.isArray(page);
  const kind = isObject ? page.kind : undefined;
  const metadataOk = isObject && typeof page.metadata === 'object' && page.metadata !== null && !Array.isArray(page.metadata);
  const isList = typeof kind === 'string' && kind.endsWith('List') && Array.isArray(page?.items);
  const isTable = tableAsked && kind === 'Table' && Array.isArray(page?.rows);
  if (!metadataOk || !(isList || isTable)) throw unusableAnswer(res, what, tableAsked ? 'a list or a Table' : 'a list');
  return page as ListPage;
}

/** Kinds served without metadata: discovery documents. */
const WITHOUT_METADATA = new Set(['APIResourceList']);

/** The object of a 200 answer, checked to be a JSON object of the expected kind with metadata (discovery documents have none). */
function objectOf(res: ApiResponse, kind: string, what: string): unknown {
  const body = res.body as { kind?: unknown; metadata?: unknown } | undefined;
  const ok =
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    body.kind === kind &&
    (WITHOUT_METADATA.has(kind) || (typeof body.metadata === 'object' && body.metadata !== null && !Array.isArray(body.metadata)));
  if (!ok) throw unusableAnswer(res, what, `a ${kind}`);
  return body;
}

/** Exit 4 for a 200 that is not what was asked: the path, the content type and the first bytes of the body. */
function unusableAnswer(res: ApiResponse, what: string, expected: string): ClusterError {
  const contentType = String(res.headers['content-type'] ?? 'none');
  const head = res.head.replace(/\s+/g, ' ').trim();
  const shown = head === '' ? 'an empty body' : `body ${JSON.stringify(head.length > 80 ? `${head.slice(0, 80)}…` : head)}`;
  return new ClusterError(
    `the answer to ${what} is not ${expected} (${res.status}, content type ${contentType}, ${shown})`,
    'something other than the API server answered (a proxy or login page?); check the server URL and proxy settings',
  );
}

function itemsOf(page: ListPage): unknown[] {
  return Array.isArray(page.items) ? page.items : [];
}

/**
 * The names and PVs of a meta.k8s.io Table page of VolumeAttachments; 'not-a-table' for a
 * plain list, null for a Table without Name and PV columns.
 */
function tableRows(page: ListPage): { name: string; pv: string }[] | 'not-a-table' | null {
  const table = page as { kind?: unknown; columnDefinitions?: unknown; rows?: unknown };
  if (table.kind !== 'Table') return 'not-a-table';
  const columns = Array.isArray(table.columnDefinitions) ? (table.columnDefinitions as { name?: unknown }[]) : [];
  const nameColumn = columns.findIndex((c) => c?.name === 'Name');
  const pvColumn = columns.findIndex((c) => c?.name === 'PV');
  if (nameColumn < 0 || pvColumn < 0) return null;
  const rows: { name: string; pv: string }[] = [];
  for (const row of Array.isArray(table.rows) ? (table.rows as { cells?: unknown }[]) : []) {
    const cells = row?.cells;
    if (!Array.isArray(cells)) return null;
    const name: unknown = cells[nameColumn];
    const pv: unknown = cells[pvColumn];
    if (typeof name === 'string' && name !== '' && typeof pv === 'string' && pv !== '') rows.push({ name, pv });
  }
  return rows;
}

/** Whether a stored event is the one we tried to create (same object, reason, message, component). */
function sameEvent(stored: Record<string, unknown>, sent: Record<string, unknown>): boolean {
  const pick = (e: Record<string, unknown>) => {
    const io = (e.involvedObject ?? {}) as Record<string, unknown>;
    const source = (e.source ?? {}) as Record<string, unknown>;
    return JSON.stringify([io.uid, io.name, e.reason, e.message, e.type, source.component]);
  };
  return pick(stored) === pick(sent);
}

/** The server URL without any user:password part, for logs and messages. */
/** The server as it may be shown: the URL parser has split off any user:password (up to the last @ before the host). */
function redactServer(server: URL): string {
  return `${server.protocol}//${server.host}${server.pathname === '/' ? '' : server.pathname}`;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

// Resource operations: list, get, create, patch, delete on the store, served per API version.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { eventFromEventsV1, eventToEventsV1 } from './events-v1.js';
import { decodeContinue, encodeContinue, paginate } from './paging.js';
import { jsonPatch, mergePatch } from './patch.js';
import type { ResourceDef } from './resources.js';
import { apiVersionOf } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import {
  alreadyExists,
  badRequest,
  EXPIRED_CONTINUE_MESSAGE,
  failure,
  invalid,
  methodNotAllowed,
  notFound,
  StatusError,
  unsupportedMediaType,
} from './status.js';
import type { Store } from './store.js';
import { wholeSeconds } from './store.js';
import { toTable, wantsTable } from './tables.js';
import { decodeEvent, normalizeTime, validateCoreEvent, validateEventsV1Event, validateObjectMeta } from './validation.js';
import { type WatchContext, watchReply } from './watch.js';

export interface ResourceRequest {
  method: string;
  /** The request's pathname (watch faults match on it). */
  path: string;
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A streamed answer (a watch): writes the head and the body itself, instead of `body`; `sent` sees each event type. */
  stream?: (res: ServerResponse, sent: (type: string) => void) => void;
}

export interface HandlerContext {
  store: Store;
  now: () => Date;
  /** Returns true when this continued list must fail with 410 Expired (counts down). */
  takeContinueExpiry: () => boolean;
  watch: WatchContext;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];
const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function header(req: ResourceRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function mediaType(req: ResourceRequest): string {
  return header(req, 'content-type').split(';')[0]!.trim().toLowerCase();
}

/** The object as the requested resource version serves it. */
export function serve(def: ResourceDef, stored: any): any {
  if (def.group === 'events.k8s.io') return eventToEventsV1(stored);
  return stored;
}

function isEventsV1(def: ResourceDef): boolean {
  return def.group === 'events.k8s.io';
}

export function handleResource(ctx: HandlerContext, req: ResourceRequest): Reply {
  if (req.subresource !== undefined) throw notFound(`${req.def.plural}/${req.subresource}`, req.def.group, req.name ?? '');
  switch (req.method) {
    case 'GET':
      if (req.query.watch === 'true' || req.query.watch === '1') return watchReply(ctx, req);
      return req.name === undefined ? list(ctx, req) : get(ctx, req);
    case 'POST':
      if (req.name !== undefined) throw methodNotAllowed(req.method);
      return create(ctx, req);
    case 'PATCH':
      if (req.name === undefined) throw methodNotAllowed(req.method);
      return patch(ctx, req);
    case 'DELETE':
      if (req.name === undefined) throw methodNotAllowed(req.method);
      return remove(ctx, req);
    default:
      throw methodNotAllowed(req.method);
  }
}

function list(ctx: HandlerContext, req: ResourceRequest): Reply {
  const { def, query } = req;
  const fieldMatch = fieldMatcher(def, query.fieldSelector);
  const labelMatch = labelMatcher(query.labelSelector);
  const limit = query.limit !== undefined ? Number.parseInt(query.limit, 10) : undefined;
  if (query.continue) {
    const token = decodeContinue(query.continue);
    if (ctx.takeContinueExpiry()) {
      const status = failure(410, 'Expired', EXPIRED_CONTINUE_MESSAGE);
      // Like etcd3's store, offer an inconsistent continuation from the same key.
      status.metadata.continue = encodeContinue({ rv: ctx.store.currentResourceVersion(), start: token.start, offset: token.offset });
      throw new StatusError(status);
    }
  }
  const all = ctx.store.list(def.storageKind, def.namespaced ? req.namespace : undefined);
  // events.k8s.io field getters read the stored (core) form, so every selector sees stored objects.
  const page = paginate(all, (o) => fieldMatch(o) && labelMatch(o), {
    limit: limit !== undefined && Number.isFinite(limit) ? limit : undefined,
    continueToken: query.continue || undefined,
    currentRv: ctx.store.currentResourceVersion(),
    hasSelector: !!(query.fieldSelector || query.labelSelector),
  });
  const listMeta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue !== undefined) listMeta.continue = page.continue;
  if (page.remainingItemCount !== undefined) listMeta.remainingItemCount = page.remainingItemCount;
  if (wantsTable(header(req, 'accept'))) {
    const rows = page.items.map((stored) => ({ stored, served: serve(def, stored) }));
    return { status: 200, body: toTable(def.storageKind, rows, listMeta, query.includeObject, ctx.now()) };
  }
  return {
    status: 200,
    body: { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: listMeta, items: page.items.map((o) => serve(def, o)) },
  };
}

function lookup(ctx: HandlerContext, req: ResourceRequest): any {
  const obj = ctx.store.get(req.def.storageKind, req.def.namespaced ? (req.namespace ?? '') : '', req.name!);
  if (!obj) throw notFound(req.def.plural, req.def.group, req.name!);
  return obj;
}

function get(ctx: HandlerContext, req: ResourceRequest): Reply {
  const obj = lookup(ctx, req);
  if (wantsTable(header(req, 'accept'))) {
    const listMeta = { resourceVersion: obj.metadata.resourceVersion };
    return {
      status: 200,
      body: toTable(req.def.storageKind, [{ stored: obj, served: serve(req.def, obj) }], listMeta, req.query.includeObject, ctx.now()),
    };
  }
  return { status: 200, body: serve(req.def, obj) };
}

function parseJsonBody(req: ResourceRequest): any {
  try {
    return JSON.parse(req.rawBody);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/**
 * Whether a write is a server-side dry run (`?dryRun=All`): admitted and validated like any
 * other, answered as if done, stored nowhere. `All` is the only value the API server knows.
 */
function isDryRun(req: ResourceRequest, optionsKind: 'CreateOptions' | 'PatchOptions'): boolean {
  const value = req.query.dryRun;
  if (value === undefined || value === '') return false;
  if (value === 'All') return true;
  throw invalid(optionsKind, 'meta.k8s.io', '', [
    {
      reason: 'FieldValueNotSupported',
      field: 'dryRun',
      message: `Unsupported value: ${JSON.stringify([value])}: supported values: "All"`,
    },
  ]);
}

function create(ctx: HandlerContext, req: ResourceRequest): Reply {
  const { def } = req;
  const dryRun = isDryRun(req, 'CreateOptions');
  if (mediaType(req) !== 'application/json') throw unsupportedMediaType(BODY_TYPES);
  const body = parseJsonBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${def.kind})`);
  }
  const expectedApiVersion = apiVersionOf(def);
  if (body.apiVersion !== undefined && body.apiVersion !== expectedApiVersion) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expectedApiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
  }
  body.metadata ??= {};
  if (def.namespaced) {
    if (body.metadata.namespace !== undefined && body.metadata.namespace !== '' && body.metadata.namespace !== req.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    body.metadata.namespace = req.namespace;
  }

  let obj: any;
  let causes: ReturnType<typeof validateObjectMeta>;
  if (def.storageKind === 'Event') {
    if (isEventsV1(def)) {
      obj = eventFromEventsV1(body);
      decodeEvent(obj);
      causes = validateEventsV1Event(obj, body);
    } else {
      obj = body;
      decodeEvent(obj);
      causes = validateCoreEvent(obj);
    }
  } else {
    obj = body;
    causes = validateObjectMeta(obj);
  }
  obj.kind = def.storageKind;
  obj.apiVersion = def.storageKind === 'Event' ? 'v1' : expectedApiVersion;

  if (def.namespaced && !ctx.store.get('Namespace', '', req.namespace!)) throw notFound('namespaces', '', req.namespace!);
  if (causes.length > 0) throw invalid(def.kind, def.group, obj.metadata.name ?? '', causes);
  if (!obj.metadata.name && obj.metadata.generateName) {
    obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
  }
  const ns = def.namespaced ? req.namespace! : '';
  if (ctx.store.get(def.storageKind, ns, obj.metadata.name)) throw alreadyExists(def.plural, def.group, obj.metadata.name);

  delete obj.metadata.resourceVersion;
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = wholeSeconds(ctx.now());
  // A dry run gets the uid and creation time the object would have, but no resourceVersion (nothing was written).
  if (dryRun) return { status: 201, body: serve(def, obj) };
  obj.metadata.resourceVersion = ctx.store.nextResourceVersion();
  ctx.store.put(obj);
  return { status: 201, body: serve(def, obj) };
}

function patch(ctx: HandlerContext, req: ResourceRequest): Reply {
  const { def } = req;
  const dryRun = isDryRun(req, 'PatchOptions');
  const type = mediaType(req);
  if (!PATCH_TYPES.includes(type) || type === 'application/apply-patch+yaml') throw unsupportedMediaType(PATCH_TYPES);
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  const current = lookup(ctx, req);
  const currentServed = serve(def, current);
  let patched: any;
  if (type === 'application/json-patch+json') {
    // The real server decodes a JSON Patch into a list of operations; an object cannot be one.
    if (!Array.isArray(body)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    patched = jsonPatch(currentServed, body);
  } else {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    }
    patched = mergePatch(currentServed, body);
  }
  const requestedRv = (body as any)?.metadata?.resourceVersion;
  if (!Array.isArray(body) && requestedRv !== undefined && requestedRv !== current.metadata.resourceVersion) {
    throw new StatusError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${req.name}": the object has been modified; please apply your changes to the latest version and try again`,
        {
          name: req.name!,
          ...(def.group ? { group: def.group } : {}),
          kind: def.plural,
        },
      ),
    );
  }
  let stored: any = isEventsV1(def) ? eventFromEventsV1(patched) : patched;
  if (def.storageKind === 'Event') {
    stored.firstTimestamp = normalizeTime(stored.firstTimestamp, 'Event', 'v1');
    stored.lastTimestamp = normalizeTime(stored.lastTimestamp, 'Event', 'v1');
  }
  // Identity and server-managed fields cannot be changed by a patch.
  stored = { ...stored, kind: current.kind, apiVersion: current.apiVersion };
  stored.metadata = {
    ...stored.metadata,
    name: current.metadata.name,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    resourceVersion: dryRun ? current.metadata.resourceVersion : ctx.store.nextResourceVersion(),
  };
  if (current.metadata.namespace !== undefined) stored.metadata.namespace = current.metadata.namespace;
  if (dryRun) return { status: 200, body: serve(def, stored) };
  ctx.store.put(stored);
  return { status: 200, body: serve(def, stored) };
}

function remove(ctx: HandlerContext, req: ResourceRequest): Reply {
  const obj = lookup(ctx, req);
  ctx.store.delete(req.def.storageKind, obj.metadata.namespace ?? '', obj.metadata.name);
  const details: Record<string, unknown> = { name: obj.metadata.name };
  if (req.def.group) details.group = req.def.group;
  details.kind = req.def.plural;
  details.uid = obj.metadata.uid;
  return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } };
}

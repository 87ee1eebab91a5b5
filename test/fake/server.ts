// A fake Kubernetes API server that behaves like the real one on the wire: HTTPS with a test CA
// (or plain HTTP when asked), bearer-token auth, legacy discovery, core/storage/events resources
// (and KubeVirt's when asked), field and label selectors, paging, server-side Tables, server-side
// dry run (dryRun=All), gzip for answers over 128 KiB to clients that accept it, RBAC denials and
// injected faults. Every request is recorded, with the body bytes sent on the wire.
//
// kubectl: /usr/bin/kubectl is Google's dispatcher; it reads /version and runs the matching
// versioned binary. See test/helpers/run-cli.ts (`kubectlBinary`) for what works against this fake.
//
// Typical use in a test:
//   const server = await startFakeServer({ objects: [namespace('vms'), pvc({...}), ...] });
//   const kubeconfig = server.writeKubeconfig(tmpDir, { namespace: 'vms' });
//   const res = await runCli(['events', 'vm-disk'], { kubeconfig });
//   expect(server.writes()).toEqual([]);                       // what the server received
//   server.fault({ path: /\/events$/, status: 503, times: 1 });  // transient failure
//   server.deny({ verb: 'list', resource: 'volumeattachments' }); // 403 like RBAC
//   server.allowOnly(clusterRole.rules);  // RBAC allow-list: only what the rules (and discovery) allow
//
// Watches (`?watch=1`, test/fake/watch.ts) are served for every resource; a test changes objects
// while a client watches with add() / update() / remove(), and injects trouble with
// watchFault({ action: 'drop', afterEvents: 2 }), compactHistory() (410 on resume) or dropWatches().

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import type { HandlerContext, Reply } from './handlers.js';
import { handleResource } from './handlers.js';
import { allowsPath, allowsResource, DISCOVERY_RULES, forbiddenPath, type PolicyRule } from './rbac.js';
import { OPTIONAL_GROUPS, resourceForKind } from './resources.js';
import { route, verbOf } from './routing.js';
import { forbidden, genericFailure, pathNotFound, StatusError, unauthorized } from './status.js';
import { Store } from './store.js';
import { serverCredentials, type TlsVariant, testCaPem } from './tls.js';
import type { WatchFault, WatchSettings } from './watch.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** HTTP status answered; 0 when the connection was reset without an answer. */
  status: number;
  /** When the request arrived (epoch ms, real time). */
  receivedAt: number;
  /** A watch: the types of the events sent so far, in order. */
  watchEvents?: string[];
  userAgent?: string;
  /** Body bytes as sent on the wire (after compression); 0 until answered. */
  wireBytes: number;
  /** Body bytes before compression. */
  bodyBytes: number;
  /** Content-Encoding of the answer ('gzip' when compressed). */
  contentEncoding?: string;
}

export interface FaultRule {
  method?: string;
  /** Exact pathname (no query), or a RegExp tested against the pathname. */
  path?: string | RegExp;
  when?: (req: { method: string; path: string; query: Record<string, string> }) => boolean;
  status?: number;
  /** Response body; an object is sent as JSON, a string as is. Default: a Status for `status`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests the rule applies to (default Infinity). */
  times?: number;
  delayMs?: number;
  /** Destroy the socket without answering. */
  reset?: boolean;
}

export interface DenyRule {
  verb: string; // 'list', 'get', 'create', 'patch', ... or '*'
  resource: string; // plural, e.g. 'volumeattachments'
  namespace?: string; // only in this namespace (default: everywhere)
  group?: string; // only this API group (default: any)
}

export interface KubeconfigOptions {
  namespace?: string;
  contextName?: string;
  /** The cluster's name in the kubeconfig (default `<contextName>-cluster`). */
  clusterName?: string;
  token?: string;
  server?: string;
  /** CA to trust instead of the test CA (e.g. otherCaPem). */
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  /** File name inside `dir` (default `kubeconfig`). */
  fileName?: string;
  /** The cluster's tls-server-name. */
  tlsServerName?: string;
  /** The cluster's proxy-url. */
  proxyUrl?: string;
}

export interface FakeServer {
  url: string;
  token: string;
  caPem: string;
  requests: RecordedRequest[];
  writes(): RecordedRequest[];
  /** Stores objects (replacing an existing one is a MODIFIED change); open watches see them. */
  add(...objects: object[]): void;
  objects(kind: string): any[];
  /** Changes a stored object in place (a new resourceVersion, a MODIFIED change); returns a copy of it. */
  update(kind: string, namespace: string | undefined, name: string, change: (obj: any) => void): any;
  /** Removes a stored object (e.g. an event whose TTL ran out), a DELETED change. Returns whether it existed. */
  remove(kind: string, namespace: string | undefined, name: string): boolean;
  /** Injects a fault into the next matching watch streams. */
  watchFault(fault: WatchFault): void;
  /** Forgets the change history: a watch resuming from an earlier resourceVersion gets 410. */
  compactHistory(): void;
  /** Cuts every open watch connection (like an API server restart). */
  dropWatches(): void;
  /** How many watch streams are open now. */
  openWatches(): number;
  fault(rule: FaultRule): void;
  deny(rule: DenyRule): void;
  /**
   * RBAC allow-list mode: from now on a resource request is allowed only when one of `rules` allows
   * it (as for a user bound to them by a ClusterRoleBinding), a non-resource request only where the
   * default discovery roles or `rules` allow it; everything else is 403. null ends the mode.
   */
  allowOnly(rules: readonly PolicyRule[] | null): void;
  /** The next `times` list requests that carry `continue` get 410 Expired. */
  expireContinueTokens(times?: number): void;
  writeKubeconfig(dir: string, opts?: KubeconfigOptions): string;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  objects?: object[];
  token?: string;
  /** Reported by /version, e.g. '1.31' or 'v1.31.4' (default 1.31). */
  serverVersion?: string;
  tls?: TlsVariant;
  /** The user named in 403 messages (default system:serviceaccount:test:rds). */
  user?: string;
  /** Clock for creationTimestamp and table ages (default: real time). */
  now?: () => Date;
  /** Serve kubevirt.io/v1 (VMIs, VMIMs), as a cluster with KubeVirt installed does (default false). */
  kubevirt?: boolean;
  watch?: WatchSettings;
  /** How many changes the history keeps for resuming watches (default 10000). */
  watchHistorySize?: number;
  /** Serve plain HTTP instead of HTTPS (an API server behind `kubectl proxy` or a plain-http port). */
  plainHttp?: boolean;
}

export type { PolicyRule } from './rbac.js';

const json = (value: unknown): string => JSON.stringify(value);

/** The API server compresses responses larger than this (apiserver/pkg/endpoints/handlers/responsewriters). */
export const COMPRESSION_THRESHOLD = 128 * 1024;

function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => part.split(';')[0]!.trim().toLowerCase() === 'gzip');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the fake on https://127.0.0.1:<random port>. */
export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const token = options.token ?? 'fake-token-0123456789';
  const user = options.user ?? 'system:serviceaccount:test:rds';
  const now = options.now ?? (() => new Date());
  const store = new Store(now, options.watchHistorySize);
  const requests: RecordedRequest[] = [];
  let faults: (FaultRule & { remaining: number })[] = [];
  let watchFaults: (WatchFault & { remaining: number })[] = [];
  const openWatches = new Set<{ drop: () => void }>();
  let denials: DenyRule[] = [];
  let allowList: readonly PolicyRule[] | null = null;
  let expireContinue = 0;
  const sockets = new Set<Socket>();

  const ctx: HandlerContext = {
    store,
    now,
    takeContinueExpiry: () => {
      if (expireContinue <= 0) return false;
      expireContinue -= 1;
      return true;
    },
    watch: {
      settings: options.watch ?? {},
      takeFault: (path) => {
        const rule = watchFaults.find(
          (f) => f.remaining > 0 && (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
        );
        if (rule) rule.remaining -= 1;
        return rule;
      },
      track: (stream) => {
        openWatches.add(stream);
        return () => openWatches.delete(stream);
      },
    },
  };

  let hostPort = '127.0.0.1:0';
  const served = (group: string): boolean => !OPTIONAL_GROUPS.includes(group) || options.kubevirt === true;

  function send(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
    record.status = reply.status;
    if (reply.stream) {
      record.watchEvents = [];
      reply.stream(res, (type) => record.watchEvents!.push(type));
      return;
    }
    const payload = Buffer.from(typeof reply.body === 'string' ? reply.body : json(reply.body));
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...reply.headers };
    // Like the API server (responsewriters.go): gzip, level 1, for a client that accepts it and a body over 128 KiB.
    const compress = payload.length > COMPRESSION_THRESHOLD && acceptsGzip(res.req.headers['accept-encoding']);
    const wire = compress ? gzipSync(payload, { level: 1 }) : payload;
    if (compress) {
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
      record.contentEncoding = 'gzip';
    }
    record.bodyBytes = payload.length;
    record.wireBytes = wire.length;
    res.writeHead(reply.status, headers);
    res.end(wire);
  }

  function sendError(res: ServerResponse, record: RecordedRequest, err: unknown): void {
    if (err instanceof StatusError) {
      send(res, record, { status: err.status.code, body: err.status, headers: err.headers });
      return;
    }
    const status = genericFailure(500);
    status.message = `Internal error occurred: ${(err as Error)?.message ?? String(err)}`;
    send(res, record, { status: 500, body: status });
  }

  function matchFault(method: string, path: string, query: Record<string, string>): (FaultRule & { remaining: number }) | undefined {
    for (const rule of faults) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (typeof rule.path === 'string' && rule.path !== path) continue;
      if (rule.path instanceof RegExp && !rule.path.test(path)) continue;
      if (rule.when && !rule.when({ method, path, query })) continue;
      rule.remaining -= 1;
      return rule;
    }
    return undefined;
  }

  function faultReply(rule: FaultRule): Reply {
    const status = rule.status!;
    const headers: Record<string, string> = { ...rule.headers };
    let retryAfter: number | undefined;
    if (status === 429 || status === 503) {
      const given = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after');
      if (given) retryAfter = Number(given[1]);
      else if (status === 429) {
        retryAfter = 1;
        headers['Retry-After'] = '1';
      }
    }
    const body = rule.body !== undefined ? rule.body : genericFailure(status, retryAfter);
    return { status, body, headers };
  }

  function checkAuth(req: IncomingMessage): void {
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${token}`) throw unauthorized();
  }

  function checkDenied(method: string, query: Record<string, string>, r: Extract<ReturnType<typeof route>, { type: 'resource' }>): void {
    const verb = verbOf(method, r.name !== undefined, query);
    for (const rule of denials) {
      if (rule.verb !== '*' && rule.verb !== verb) continue;
      if (rule.resource !== r.def.plural) continue;
      if (rule.group !== undefined && rule.group !== r.def.group) continue;
      if (rule.namespace !== undefined && rule.namespace !== r.namespace) continue;
      throw forbidden({
        user,
        verb,
        resource: r.def.plural,
        group: r.def.group,
        ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
        ...(r.name !== undefined && verb !== 'create' ? { name: r.name } : {}),
      });
    }
  }

  /** Allow-list RBAC (allowOnly): throws the API server's 403 for a request no rule allows. */
  function checkAllowed(method: string, pathname: string, query: Record<string, string>, r: ReturnType<typeof route>): void {
    if (allowList === null) return;
    if (r.type !== 'resource') {
      const verb = method.toLowerCase();
      if (!allowsPath([...DISCOVERY_RULES, ...allowList], verb, pathname)) throw forbiddenPath(user, verb, pathname);
      return;
    }
    const verb = verbOf(method, r.name !== undefined, query);
    const attributes = {
      verb,
      group: r.def.group,
      resource: r.def.plural,
      ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
    };
    if (allowsResource(allowList, attributes)) return;
    throw forbidden({
      user,
      verb,
      resource: r.def.plural,
      group: r.def.group,
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined && verb !== 'create' ? { name: r.name } : {}),
    });
  }

  function dispatch(method: string, pathname: string, query: Record<string, string>, req: IncomingMessage, rawBody: string): Reply {
    const r = route(pathname);
    // The authorizer runs before any handler, as in the API server's filter chain.
    checkAllowed(method, pathname, query, r);
    const ok = (body: unknown): Reply => ({ status: 200, body });
    switch (r.type) {
      case 'version':
        return ok(versionInfo(options.serverVersion ?? '1.31'));
      case 'health':
        return { status: 200, body: 'ok', headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
      case 'api':
        // Aggregated discovery (Accept: ...;as=APIGroupDiscoveryList) is not offered: answering with the
        // legacy document and Content-Type application/json makes client-go fall back to legacy discovery.
        return ok(apiVersions(hostPort));
      case 'apis':
        return ok(apiGroupList(served));
      case 'group': {
        const doc = apiGroup(r.group, served);
        if (!doc) throw pathNotFound();
        return ok(doc);
      }
      case 'resourceList': {
        const doc = apiResourceList(r.group, r.version, served);
        if (!doc) throw pathNotFound();
        return ok(doc);
      }
      case 'resource':
        if (!served(r.def.group)) throw pathNotFound();
        checkDenied(method, query, r);
        return handleResource(ctx, {
          method,
          path: pathname,
          def: r.def,
          ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
          ...(r.name !== undefined ? { name: r.name } : {}),
          ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
          query,
          headers: req.headers,
          rawBody,
        });
      case 'notFound':
        throw pathNotFound();
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const rawBody = await readBody(req);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      headers: { ...req.headers },
      body: parseBody(rawBody),
      status: 0,
      receivedAt: Date.now(),
      wireBytes: 0,
      bodyBytes: 0,
    };
    const ua = req.headers['user-agent'];
    if (ua !== undefined) record.userAgent = ua;
    requests.push(record);
    try {
      const rule = matchFault(method, url.pathname, query);
      if (rule) {
        if (rule.delayMs) await sleep(rule.delayMs);
        if (rule.reset) {
          req.socket.destroy();
          return;
        }
        if (rule.status !== undefined) {
          send(res, record, faultReply(rule));
          return;
        }
      }
      checkAuth(req);
      send(res, record, dispatch(method, url.pathname, query, req, rawBody));
    } catch (err) {
      sendError(res, record, err);
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    onRequest(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  };
  const server = options.plainHttp ? createPlainServer(handler) : createServer({ ...serverCredentials(options.tls ?? 'good') }, handler);
  server.on(options.plainHttp ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS handshake failures (wrong host, expired, untrusted) are the client's business.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostPort = `127.0.0.1:${port}`;
  const url = `${options.plainHttp ? 'http' : 'https'}://${hostPort}`;

  const fake: FakeServer = {
    url,
    token,
    caPem: testCaPem,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
    add: (...objects) => {
      for (const obj of objects) store.seed(obj);
    },
    objects: (kind) => {
      const def = resourceForKind(kind);
      return store.list(def?.storageKind ?? kind).map((o) => structuredClone(o));
    },
    update: (kind, namespace, name, change) => {
      const def = resourceForKind(kind);
      const storageKind = def?.storageKind ?? kind;
      const current = store.get(storageKind, namespace ?? '', name);
      if (!current) throw new Error(`fake server: no ${kind} ${namespace ?? ''}/${name} to update`);
      const next = structuredClone(current);
      change(next);
      next.metadata = { ...next.metadata, resourceVersion: store.nextResourceVersion() };
      store.put(next);
      return structuredClone(next);
    },
    remove: (kind, namespace, name) => store.delete(kind, namespace ?? '', name) !== undefined,
    watchFault: (fault) => {
      watchFaults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    compactHistory: () => store.compact(),
    dropWatches: () => {
      for (const stream of [...openWatches]) stream.drop();
    },
    openWatches: () => openWatches.size,
    fault: (rule) => {
      faults.push({ ...rule, remaining: rule.times ?? Infinity });
    },
    deny: (rule) => {
      denials.push(rule);
    },
    allowOnly: (rules) => {
      allowList = rules === null ? null : structuredClone([...rules]);
    },
    expireContinueTokens: (times = 1) => {
      expireContinue += times;
    },
    writeKubeconfig: (dir, opts = {}) => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, opts.fileName ?? 'kubeconfig');
      writeFileSync(
        file,
        kubeconfigYaml({
          server: opts.server ?? url,
          caPem: opts.caPem ?? testCaPem,
          token: opts.token ?? token,
          contextName: opts.contextName ?? 'fake',
          ...(opts.clusterName !== undefined ? { clusterName: opts.clusterName } : {}),
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          insecure: opts.insecureSkipTlsVerify ?? false,
          ...(opts.tlsServerName !== undefined ? { tlsServerName: opts.tlsServerName } : {}),
          ...(opts.proxyUrl !== undefined ? { proxyUrl: opts.proxyUrl } : {}),
        }),
        { mode: 0o600 },
      );
      return file;
    },
    reset: () => {
      requests.length = 0;
      faults = [];
      watchFaults = [];
      denials = [];
      allowList = null;
      expireContinue = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  if (options.objects) fake.add(...options.objects);
  return fake;
}

/** A kubeconfig (one cluster, user and context) as YAML text: what writeKubeconfig writes. */
export function kubeconfigYaml(o: {
  server: string;
  caPem: string;
  token: string;
  contextName: string;
  /** Default `<contextName>-cluster`. */
  clusterName?: string;
  namespace?: string;
  insecure: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}): string {
  const clusterName = o.clusterName ?? `${o.contextName}-cluster`;
  const q = (s: string): string => JSON.stringify(s); // JSON strings are valid YAML scalars
  const clusterAuth =
    (o.insecure ? '    insecure-skip-tls-verify: true\n' : `    certificate-authority-data: ${Buffer.from(o.caPem).toString('base64')}\n`) +
    (o.tlsServerName !== undefined ? `    tls-server-name: ${q(o.tlsServerName)}\n` : '') +
    (o.proxyUrl !== undefined ? `    proxy-url: ${q(o.proxyUrl)}\n` : '');
  return (
    'apiVersion: v1\n' +
    'kind: Config\n' +
    'preferences: {}\n' +
    'clusters:\n' +
    `- name: ${q(clusterName)}\n` +
    '  cluster:\n' +
    `    server: ${q(o.server)}\n` +
    clusterAuth +
    'users:\n' +
    `- name: ${q(`${o.contextName}-user`)}\n` +
    '  user:\n' +
    `    token: ${q(o.token)}\n` +
    'contexts:\n' +
    `- name: ${q(o.contextName)}\n` +
    '  context:\n' +
    `    cluster: ${q(clusterName)}\n` +
    `    user: ${q(`${o.contextName}-user`)}\n` +
    (o.namespace !== undefined ? `    namespace: ${q(o.namespace)}\n` : '') +
    `current-context: ${q(o.contextName)}\n`
  );
}

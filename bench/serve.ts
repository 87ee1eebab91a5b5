// The benchmark's API server process (bundled by bench/build.mjs into bench/out/serve.mjs and run
// as a separate process, so the measured clients do not share its event loop):
//   node bench/out/serve.mjs --size L --seed 5 --dir <tmp> [--slow-store]
// generates the cluster (bench/generate.ts), serves it with the fake API server of test/fake over
// HTTPS (test CA, bearer token; KubeVirt's kubevirt.io/v1 served), writes <dir>/kubeconfig and <dir>/conn.json (server, CA, token for
// bench/floor.mjs), prints one JSON line {ready, control, kubeconfig, conn, ...} on stdout, and
// answers on a plain-HTTP control port (127.0.0.1, not recorded by the fake):
//   GET /reset  forget recorded requests and byte counts
//   GET /stats  {requests, bytes, serverCpuMs, byPath: {path: {requests, bytes}}, list: [...]}
//
// Response bytes: the fake records requests but not response sizes, so this process counts, on the
// server side, the body bytes every response of the fake writes (ServerResponse.write/end, before
// TLS; headers not included): the bytes on the wire. Like the API server, the fake gzips answers over
// 128 KiB for clients that ask; rds-migrate, kubectl and the floor all ask, so all receive the same
// bytes.
//
// --slow-store: by default the fake's Store.list (which copies and sorts every object of a kind on
// each page request: ~O(n log n) per page over all 100k events on L) is memoised per kind and
// namespace until the store changes. Answers are identical; only the server's CPU per page drops,
// so that the fake does not dominate what is measured. --slow-store serves with the fake as is.

import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { startFakeServer } from '../test/fake/server.js';
import { Store } from '../test/fake/store.js';
import { digest, generate, SIZES } from './generate.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const size = SIZES[arg('size')];
if (!size) throw new Error(`unknown size; one of ${Object.keys(SIZES).join(', ')}`);
const seed = Number(arg('seed', '5'));
const dir = arg('dir');
const slowStore = process.argv.includes('--slow-store');

if (!slowStore) {
  const proto = Store.prototype as any;
  const cache = new WeakMap<object, Map<string, any[]>>();
  const original = proto.list;
  proto.list = function list(kind: string, namespace?: string): any[] {
    let byKey = cache.get(this);
    if (!byKey) cache.set(this, (byKey = new Map()));
    const key = `${kind}\u0000${namespace ?? '\u0000all'}`;
    let items = byKey.get(key);
    if (!items) {
      items = original.call(this, kind, namespace) as any[];
      byKey.set(key, items);
    }
    return items;
  };
  for (const method of ['seed', 'put', 'delete', 'clear', 'ensureNamespace']) {
    const inner = proto[method];
    proto[method] = function (this: object, ...args: unknown[]) {
      cache.delete(this);
      return inner.apply(this, args);
    };
  }
}

// Body bytes written by the fake's responses (the control server marks its own).
let bytes = 0;
const bytesByRequest = new WeakMap<http.ServerResponse, number>();
const countBytes = (res: http.ServerResponse, chunk: unknown): void => {
  if ((res as any).__control || chunk === undefined || chunk === null || typeof chunk === 'function') return;
  const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : ((chunk as Uint8Array).byteLength ?? 0);
  bytes += n;
  bytesByRequest.set(res, (bytesByRequest.get(res) ?? 0) + n);
};
const origWrite = http.ServerResponse.prototype.write;
const origEnd = http.ServerResponse.prototype.end;
(http.ServerResponse.prototype as any).write = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]) {
  countBytes(this, chunk);
  return (origWrite as any).call(this, chunk, ...rest);
};
(http.ServerResponse.prototype as any).end = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]) {
  countBytes(this, chunk);
  return (origEnd as any).call(this, chunk, ...rest);
};

const t0 = performance.now();
const generated = generate(size, seed, Date.now());
const tGenerated = performance.now();
const fake = await startFakeServer({ objects: [{ kind: 'List', apiVersion: 'v1', items: generated.objects }], kubevirt: true });
const tServing = performance.now();
// Per-request byte attribution: remember each response's recorded request by order of arrival.
const byPathBytes = new Map<string, number>();
const origOnEnd = http.ServerResponse.prototype.end;
(http.ServerResponse.prototype as any).end = function (this: http.ServerResponse, ...args: unknown[]) {
  const result = (origOnEnd as any).apply(this, args);
  if (!(this as any).__control) {
    const path = (this.req?.url ?? '').split('?')[0]!;
    byPathBytes.set(path, (byPathBytes.get(path) ?? 0) + (bytesByRequest.get(this) ?? 0));
  }
  return result;
};

const kubeconfig = fake.writeKubeconfig(dir);
const conn = join(dir, 'conn.json');
writeFileSync(conn, JSON.stringify({ server: fake.url, ca: fake.caPem, token: fake.token }), { mode: 0o600 });

let cpuAtReset = process.cpuUsage();
const control = http.createServer((req, res) => {
  (res as any).__control = true;
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/reset') {
    fake.reset();
    cpuAtReset = process.cpuUsage();
    bytes = 0;
    byPathBytes.clear();
    res.end('{}');
    return;
  }
  if (path === '/stats') {
    const byPath: Record<string, { requests: number; bytes: number }> = {};
    for (const r of fake.requests) {
      const e = (byPath[r.path] ??= { requests: 0, bytes: 0 });
      e.requests++;
    }
    for (const [p, b] of byPathBytes) (byPath[p] ??= { requests: 0, bytes: 0 }).bytes = b;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        requests: fake.requests.length,
        bytes,
        // CPU the server process spent since /reset (it shares the 2 cores with the clients).
        serverCpuMs: (({ user, system }) => Math.round((user + system) / 1000))(process.cpuUsage(cpuAtReset)),
        byPath,
        list: fake.requests.map((r) => ({
          method: r.method,
          path: r.path,
          query: r.query,
          accept: r.headers.accept,
          acceptEncoding: r.headers['accept-encoding'],
          status: r.status,
          userAgent: r.userAgent,
        })),
      }),
    );
    return;
  }
  res.statusCode = 404;
  res.end('{}');
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const controlPort = (control.address() as { port: number }).port;

process.stdout.write(
  `${JSON.stringify({
    ready: true,
    size: size.name,
    seed,
    url: fake.url,
    control: `http://127.0.0.1:${controlPort}`,
    kubeconfig,
    conn,
    counts: generated.counts,
    expected: generated.expected,
    expectedFromEvents: generated.expectedFromEvents,
    podNamespaces: generated.podNamespaces,
    requests: generated.requests,
    eventsTarget: generated.eventsTarget,
    digest: digest(generated),
    fastStore: !slowStore,
    startupMs: { generate: Math.round(tGenerated - t0), seed: Math.round(tServing - tGenerated) },
  })}\n`,
);
generated.objects.length = 0;

const stop = async (): Promise<void> => {
  control.close();
  await fake.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop()); // the runner died: go too
process.stdin.resume();

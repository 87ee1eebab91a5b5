// What the API server (or whatever answers in its place) sends, read safely: gzip as
// kubectl gets it, Retry-After as a floor of the wait, and exit 4 with one line, never a false
// all-clear or a crash, for a 200 that is not a list, an endless or bomb-sized body, broken gzip,
// a repeated continue token or a list that never ends. The fake API server produces what it can
// (faults); test/helpers/hostile-server.ts the rest.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/cli/main.js';
import type { Context } from '../../src/context.js';
import { DeadlineError } from '../../src/errors.js';
import { ApiClient } from '../../src/kube/http.js';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { type HostileServer, sendForever, sendJson, startHostileServer } from '../helpers/hostile-server.js';
import { event, namespace, pv, pvc } from '../helpers/objects.js';
import { startedMessage } from '../helpers/read-side.js';
import { type RunResult, repoRoot, runCli, runKubectl } from '../helpers/run-cli.js';

const NS = 'vms';
const UID = '3b9f6c1e-2d4a-4e8b-9f1c-7a6b5c4d3e2f';
const VOL = `pvc-${UID}`;
const claim = pvc({ namespace: NS, name: 'vm-disk', uid: UID, volumeName: VOL });
const volume = pv({ name: VOL, claimRef: { namespace: NS, name: 'vm-disk', uid: UID } });
const PVC_PATH = `/api/v1/namespaces/${NS}/persistentvolumeclaims/vm-disk`;
const EVENTS_PATH = `/api/v1/namespaces/${NS}/events`;
/** 600 events of ~1 kB on the PVC: a 500-item page is far over the 128 KiB the API server compresses above. */
const manyEvents = Array.from({ length: 600 }, (_, i) =>
  event({
    pvc: claim,
    name: `vm-disk.${String(i).padStart(4, '0')}`,
    reason: 'MigrationStarted',
    type: 'Normal',
    message: `${startedMessage(VOL, 'node-a', 'node-b', '5m0s')} ${'x'.repeat(800)}`,
    firstTimestamp: new Date(Date.now() - (700 - i) * 1000),
  }),
);

let server: FakeServer;
let hostile: HostileServer;
let dir: string;
let kubeconfig: string;
let hostileConfig: string;

beforeAll(async () => {
  [server, hostile] = await Promise.all([
    startFakeServer({ objects: [namespace(NS), claim, volume, ...manyEvents] }),
    startHostileServer((_req, res) => sendJson(res, {})),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'rds-broken-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
  hostileConfig = hostile.writeKubeconfig(dir, 'hostile-kubeconfig');
});
afterAll(async () => {
  await Promise.all([server?.close(), hostile?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  hostile.requests.length = 0;
});

/** Exit 4, nothing on stdout, one `error:` line (and at most a hint); returns the error line. */
function expectClusterError(res: RunResult): string {
  expect(res.code, res.stderr).toBe(4);
  expect(res.stdout).toBe('');
  const lines = res.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  // Never a stack, never a line of the bundled source.
  expect(res.stderr.length).toBeLessThan(600);
  return lines[0]!;
}

describe('gzip, as the API server sends it to kubectl', () => {
  it('a large list arrives gzip-compressed with far fewer bytes on the wire, and is read in full', async () => {
    const res = await runCli(['events', 'vm-disk', '--all', '-o', 'json'], { kubeconfig });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).events).toHaveLength(600);
    const pages = server.requests.filter((r) => r.path === EVENTS_PATH);
    expect(pages.map((r) => r.headers['accept-encoding'])).toEqual(['gzip', 'gzip']);
    const first = pages[0]!;
    expect(first.contentEncoding).toBe('gzip');
    expect(first.bodyBytes).toBeGreaterThan(400_000);
    expect(first.wireBytes).toBeLessThan(first.bodyBytes / 5);
    // Small answers (the PVC) stay uncompressed, as the API server leaves them.
    expect(server.requests.find((r) => r.path === PVC_PATH)?.contentEncoding).toBeUndefined();
  });

  it('the fake compresses for kubectl too (it asks for gzip the same way)', async () => {
    const res = await runKubectl(['get', 'events', '-n', NS, '-o', 'name'], { kubeconfig });
    expect(res.stdout.trim().split('\n')).toHaveLength(600);
    expect(server.requests.find((r) => r.path === EVENTS_PATH)?.contentEncoding).toBe('gzip');
  });

  it('a body that is not valid gzip: exit 4, one line', async () => {
    hostile.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end('{"kind":"PersistentVolumeClaim"}');
    });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig }));
    expect(line).toMatch(new RegExp(`^error: the answer to GET ${PVC_PATH} is not valid gzip \\(`));
  });

  it('an encoding we did not ask for: exit 4, one line', async () => {
    hostile.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'br' });
      res.end('xx');
    });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig }));
    expect(line).toBe(`error: the answer to GET ${PVC_PATH} has an unknown Content-Encoding "br"`);
  });
});

describe('Retry-After is a floor of the wait', () => {
  it('a 429 with Retry-After: 12 is retried no sooner than 12 s later (not capped at 8 s)', { timeout: 45_000 }, async () => {
    server.fault({ path: PVC_PATH, status: 429, headers: { 'Retry-After': '12' }, times: 1 });
    const res = await runCli(['events', 'vm-disk', '-o', 'json'], { kubeconfig, timeoutMs: 40_000 });
    expect(res.code, res.stderr).toBe(0);
    const tries = server.requests.filter((r) => r.path === PVC_PATH);
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1]!.receivedAt - tries[0]!.receivedAt).toBeGreaterThanOrEqual(12_000);
  });

  it('a Retry-After of weeks waits until the deadline, not a timer overflow that retries at once', async () => {
    server.fault({ path: PVC_PATH, status: 429, headers: { 'Retry-After': '3000000' } });
    const ctx = { signal: new AbortController().signal } as Context;
    const attempt = withDeadline(ctx, 'events', 1500, async (c) => {
      const client = new ApiClient({
        server: server.url,
        credentials: { ca: Buffer.from(server.caPem), rejectUnauthorized: true, headers: { Authorization: `Bearer ${server.token}` } },
        timeoutMs: 5000,
        signal: c.signal,
        logger: { debug: () => {}, warn: () => {} },
      });
      try {
        return await client.request({ method: 'GET', path: PVC_PATH, retry: true });
      } finally {
        client.close();
      }
    });
    await expect(attempt).rejects.toBeInstanceOf(DeadlineError);
    expect(server.requests.filter((r) => r.path === PVC_PATH)).toHaveLength(1);
  });
});

describe('a 200 that is not a list is exit 4, never an empty list', () => {
  const LOGIN_PAGE =
    '<!DOCTYPE html>\n<html><head><title>Sign in · Corp SSO</title></head><body><form action="/login">…</form></body></html>';

  it('an HTML login page of a proxy: one line naming the path, the content type and the first bytes', async () => {
    server.fault({ path: '/api/v1/events', status: 200, body: LOGIN_PAGE, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    const res = await runCli(['audit', '-o', 'prometheus'], { kubeconfig });
    const line = expectClusterError(res);
    expect(line).toBe(
      'error: the answer to GET /api/v1/events is not a list (200, content type text/html; charset=utf-8, body "<!DOCTYPE html> <html><head><title>Sign in · Corp SSO</title></head><body><form …")',
    );
  });

  it.each([
    ['{}', {}],
    ['a Status', { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} }],
    ['a JSON array', []],
    ['a list without items', { kind: 'EventList', apiVersion: 'v1', metadata: {} }],
    ['items that are not an array', { kind: 'EventList', apiVersion: 'v1', metadata: {}, items: {} }],
    ['a list without metadata', { kind: 'EventList', apiVersion: 'v1', items: [] }],
    ['a Table that was not asked for', { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, rows: [] }],
    ['an empty body', ''],
  ])('%s: exit 4, audit prints nothing', async (_name, body) => {
    server.fault({ path: '/api/v1/events', status: 200, body });
    const line = expectClusterError(await runCli(['audit', '-o', 'json'], { kubeconfig }));
    expect(line).toMatch(/^error: the answer to GET \/api\/v1\/events is not a list \(200, content type application\/json, /);
  });

  it('a single object of the wrong shape (GET of the PVC answered by a login page): exit 4', async () => {
    server.fault({ path: PVC_PATH, status: 200, body: LOGIN_PAGE, headers: { 'Content-Type': 'text/html' } });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig }));
    expect(line).toMatch(
      new RegExp(`^error: the answer to GET ${PVC_PATH} is not a PersistentVolumeClaim \\(200, content type text/html, body "<!DOCTYPE`),
    );
  });

  it('the PV answered with `{}` is exit 4, not "no PV"', async () => {
    server.fault({ path: `/api/v1/persistentvolumes/${VOL}`, status: 200, body: {} });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig }));
    expect(line).toBe(
      `error: the answer to GET /api/v1/persistentvolumes/${VOL} is not a PersistentVolume (200, content type application/json, body "{}")`,
    );
  });
});

describe('endless and huge bodies', () => {
  it('a list streamed forever stops at the response cap: exit 4, one line, no crash', { timeout: 60_000 }, async () => {
    const item = Buffer.from(`${JSON.stringify(manyEvents[0])},`.repeat(64));
    hostile.handle((req, res) => {
      if (req.path === PVC_PATH) return sendJson(res, claim);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"EventList","apiVersion":"v1","metadata":{},"items":[');
      sendForever(res, item);
    });
    const res = await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig, timeoutMs: 55_000 });
    const line = expectClusterError(res);
    expect(line).toMatch(/^error: the answer to GET \/\S+ is larger than 64 MiB, the limit for one response; stopped reading it$/);
  });

  it('a gzip bomb (80 MiB from a small body) stops at the cap on the decoded size', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    hostile.handle((req, res) => {
      if (req.path === PVC_PATH) return sendJson(res, claim);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    });
    const line = expectClusterError(await runCli(['audit', '-n', NS], { kubeconfig: hostileConfig }));
    expect(line).toMatch(/is larger than 64 MiB, the limit for one response; stopped reading it$/);
  });

  it('an error that escapes every handler prints one line and exits 70, never the bundle source', async () => {
    // The built bundle's main, with an exception thrown from a callback while a command waits on stdin.
    const script = `require(${JSON.stringify(join(repoRoot, 'dist', 'main.cjs'))}).main(process);
      setTimeout(() => { throw new RangeError('Invalid string length'); }, 200);`;
    const res = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath, ['-e', script, '--', 'rds-migrate', 'audit', '--from-file', '-'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(res.code).toBe(70);
    expect(res.stderr).toBe('error: internal error: Invalid string length\nhint: run again with --verbose for details, and report it\n');
  });
});

describe('lists that never end', () => {
  const pvcAnswer = (req: { path: string }, res: Parameters<Parameters<HostileServer['handle']>[0]>[1]): boolean => {
    if (req.path === PVC_PATH) sendJson(res, claim);
    else if (req.path === `/api/v1/persistentvolumes/${VOL}`) sendJson(res, volume);
    else if (req.path === '/apis/storage.k8s.io/v1/volumeattachments')
      sendJson(res, { kind: 'VolumeAttachmentList', metadata: {}, items: [] });
    else if (req.path === '/api/v1/namespaces/vms/pods') sendJson(res, { kind: 'PodList', metadata: {}, items: [] });
    // A cluster without KubeVirt: discovery of kubevirt.io/v1 is 404.
    else if (req.path.startsWith('/apis/kubevirt.io')) sendJson(res, { kind: 'Status', code: 404, reason: 'NotFound' }, 404);
    else return false;
    return true;
  };

  it('the same continue token again: exit 4 at the second page, not thousands of requests', async () => {
    hostile.handle((req, res) => {
      if (!pvcAnswer(req, res)) sendJson(res, { kind: 'EventList', apiVersion: 'v1', metadata: { continue: 'same-token' }, items: [] });
    });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig }));
    expect(line).toBe(
      `error: the API server sent a continue token it had sent before while listing events (GET ${EVENTS_PATH}, page 2): the list would never end`,
    );
    expect(hostile.requests.filter((r) => r.path === EVENTS_PATH)).toHaveLength(2);
  });

  it('tokens that cycle (A, B, A) are caught too', async () => {
    let n = 0;
    hostile.handle((req, res) => {
      if (!pvcAnswer(req, res)) sendJson(res, { kind: 'EventList', metadata: { continue: ['A', 'B'][n++ % 2] }, items: [] });
    });
    const line = expectClusterError(await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig }));
    expect(line).toMatch(/page 3\): the list would never end$/);
  });

  it('a new token on every page: stops after 10000 pages of one list, exit 4 with a hint', { timeout: 120_000 }, async () => {
    let n = 0;
    hostile.handle((req, res) => {
      if (!pvcAnswer(req, res)) sendJson(res, { kind: 'EventList', metadata: { continue: `token-${++n}` }, items: [] });
    });
    const res = await runCli(['events', 'vm-disk'], { kubeconfig: hostileConfig, timeoutMs: 110_000 });
    const line = expectClusterError(res);
    expect(line).toBe(`error: listing events took more than 10000 pages (GET ${EVENTS_PATH}); stopped`);
    expect(hostile.requests.filter((r) => r.path === EVENTS_PATH)).toHaveLength(10_000);
  });
});

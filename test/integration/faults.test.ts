// Transient faults, timeouts, the overall deadline and Ctrl-C, through the
// built binary against the fake API server. Backoff is kept short by design, never by a switch:
// 429s carry `Retry-After: 0`, 503s carry none (full jitter from 250 ms), timeouts are sub-second.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadlineMs, withDeadline } from '../../src/cli/main.js';
import type { Context } from '../../src/context.js';
import { DeadlineError, InterruptedError } from '../../src/errors.js';
import { ApiClient, ApiStatusError } from '../../src/kube/http.js';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { event, namespace, node, pv, pvc, volumeAttachment, withNodes } from '../helpers/objects.js';
import { completedMessage, startedMessage } from '../helpers/read-side.js';
import { cliPath, runCli } from '../helpers/run-cli.js';

const NS = 'vms';
const UID = '3b9f6c1e-2d4a-4e8b-9f1c-7a6b5c4d3e2f';
const VOL = `pvc-${UID}`;
const claim = pvc({ namespace: NS, name: 'vm-disk', uid: UID, volumeName: VOL });
const volume = pv({ name: VOL, claimRef: { namespace: NS, name: 'vm-disk', uid: UID }, timeout: '300' });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** Three completed migrations on three PVCs: with --chunk-size 1 every list takes several pages. */
function migrationObjects(): object[] {
  const objects: object[] = [
    namespace(NS),
    node('node-a'),
    node('node-b'),
    claim,
    volume,
    volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: minutesAgo(90) }),
  ];
  for (const [i, name] of ['disk-a', 'disk-b', 'disk-c'].entries()) {
    const uid = `00000000-0000-4000-8000-00000000000${i}`;
    const c = pvc({ namespace: NS, name, uid, volumeName: `pvc-${uid}` });
    objects.push(
      c,
      pv({ name: `pvc-${uid}`, claimRef: { namespace: NS, name, uid } }),
      event({
        pvc: c,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: startedMessage(`pvc-${uid}`, 'node-a', 'node-b', '5m0s'),
        firstTimestamp: minutesAgo(30 - i),
      }),
      event({
        pvc: c,
        reason: 'MigrationCompleted',
        type: 'Normal',
        message: completedMessage(`pvc-${uid}`, 'node-a', 'node-b', '45s'),
        firstTimestamp: minutesAgo(29 - i),
      }),
    );
  }
  return objects;
}

let server: FakeServer;
let dir: string;
let kubeconfig: string;
const cli = (args: string[]) => runCli(args, { kubeconfig });
const gets = (path: string | RegExp) =>
  server.requests.filter((r) => r.method === 'GET' && (typeof path === 'string' ? r.path === path : path.test(r.path)));
const PVC_PATH = `/api/v1/namespaces/${NS}/persistentvolumeclaims/vm-disk`;

beforeAll(async () => {
  server = await startFakeServer({ objects: withNodes(migrationObjects()) });
  dir = mkdtempSync(join(tmpdir(), 'rds-faults-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: NS });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

describe('retries of transient failures', () => {
  it('429 twice, then OK: success after three GETs', async () => {
    server.fault({ path: PVC_PATH, status: 429, headers: { 'Retry-After': '0' }, times: 2 });
    const res = await cli(['events', 'vm-disk', '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).pvc.name).toBe('vm-disk');
    expect(gets(PVC_PATH).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('honours Retry-After: the retry waits the second the server asked for', async () => {
    server.fault({ path: PVC_PATH, status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    const started = Date.now();
    const res = await cli(['events', 'vm-disk', '-o', 'json']);
    expect(res.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(gets(PVC_PATH)).toHaveLength(2);
  });

  it('503 persistent: exit 4 within the deadline, one clear line, a bounded number of attempts', async () => {
    server.fault({ path: `/api/v1/namespaces/${NS}/events`, status: 503 });
    const started = Date.now();
    const res = await cli(['events', 'vm-disk', '--request-timeout', '2s']);
    const elapsed = Date.now() - started;
    expect(res.code).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^error: the API server refused to list events in namespace "vms": 503 ServiceUnavailable: .+ \(gave up after 5 attempts\)\n$/,
    );
    expect(elapsed).toBeLessThan(deadlineMs({ requestTimeoutSeconds: 2 }));
    expect(gets(`/api/v1/namespaces/${NS}/events`)).toHaveLength(5);
  });

  it('a connection reset mid-page is retried and the audit completes with correct counts', async () => {
    server.fault({ path: '/api/v1/events', when: (r) => r.query.continue !== undefined, reset: true, times: 1 });
    const res = await cli(['audit', '--chunk-size', '1', '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.summary).toMatchObject({ migrations: 3, completed: 3, failed: 0 });
    expect(server.requests.filter((r) => r.status === 0)).toHaveLength(1);
  });

  it('410 Expired on the second page restarts that list; counts are right (no duplicates)', async () => {
    server.expireContinueTokens(1);
    const res = await cli(['audit', '--chunk-size', '1', '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.summary).toMatchObject({ migrations: 3, completed: 3 });
    expect(report.migrations.map((m: { pvc: string }) => m.pvc)).toEqual(['disk-a', 'disk-b', 'disk-c']);
    expect(server.requests.filter((r) => r.status === 410)).toHaveLength(1);
  });

  it('a 401 or 404 is not retried', async () => {
    const res = await cli(['events', 'no-such-disk']);
    expect(res.code).toBe(3);
    expect(gets(`/api/v1/namespaces/${NS}/persistentvolumeclaims/no-such-disk`)).toHaveLength(1);
  });
});

describe('a failing command', () => {
  it('drops the requests it sent alongside: no wait, no retry, one error line', async () => {
    // events sends its PVC, events and VolumeAttachment reads together; the PVC does not exist.
    server.fault({ path: '/apis/storage.k8s.io/v1/volumeattachments', delayMs: 4000, times: 1 });
    const started = Date.now();
    const res = await cli(['events', 'no-such-disk', '-v']);
    expect(res.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(res.stderr).not.toMatch(/volumeattachments\S* failed|retrying/);
    // Sent alongside or still queued when the PVC's 404 came: never retried.
    expect(gets('/apis/storage.k8s.io/v1/volumeattachments').length).toBeLessThanOrEqual(1);
  });
});

describe('timeouts', () => {
  it('a server slower than --request-timeout: exit 4 naming the timeout, not retried', async () => {
    server.fault({ path: PVC_PATH, delayMs: 3000, times: 1 });
    const started = Date.now();
    const res = await cli(['events', 'vm-disk', '--request-timeout', '300ms']);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe(`error: cannot reach the cluster at ${server.url}: request timed out after 0.3s (--request-timeout)\n`);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(gets(PVC_PATH)).toHaveLength(1);
  });

  it('the overall deadline is 4 × --request-timeout, at least a minute', () => {
    expect(deadlineMs({ requestTimeoutSeconds: 1 })).toBe(60_000);
    expect(deadlineMs({ requestTimeoutSeconds: 30 })).toBe(120_000);
  });

  it('the deadline stops retries and backoff: a Retry-After longer than the deadline ends at the deadline', async () => {
    server.fault({ path: PVC_PATH, status: 503, headers: { 'Retry-After': '5' } });
    const ctx = { signal: new AbortController().signal } as Context;
    const started = Date.now();
    const attempt = withDeadline(ctx, 'events', 400, async (c) => {
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
    await expect(attempt).rejects.toThrow(/^events did not finish within /);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(gets(PVC_PATH)).toHaveLength(1);
  });

  it('without a deadline the same 503 reaches the caller as a status error after bounded attempts', async () => {
    server.fault({ path: PVC_PATH, status: 503, headers: { 'Retry-After': '0' } });
    const client = new ApiClient({
      server: server.url,
      credentials: { ca: Buffer.from(server.caPem), rejectUnauthorized: true, headers: { Authorization: `Bearer ${server.token}` } },
      timeoutMs: 5000,
      signal: new AbortController().signal,
      logger: { debug: () => {}, warn: () => {} },
      maxAttempts: 3,
    });
    try {
      const err = await client.request({ method: 'GET', path: PVC_PATH, retry: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiStatusError);
      expect((err as ApiStatusError).attempt).toBe(3);
    } finally {
      client.close();
    }
  });
});

describe('the event write under retries', () => {
  const args = ['post-started', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--timeout', '5m'];
  const posts = () => server.requests.filter((r) => r.method === 'POST');

  it('a create whose answer was lost is retried with the same name; 409 on the retry is success when the event is ours', async () => {
    // First POST: the connection drops. Before the retry reaches the store, the first attempt
    // "lands" (as if the server had stored it before the reset), so the retry meets 409 AlreadyExists.
    server.fault({ method: 'POST', reset: true, times: 1 });
    server.fault({
      method: 'POST',
      times: 1,
      when: () => {
        server.add(structuredClone(posts()[0]!.body as object));
        return false;
      },
    });
    const before = server.objects('Event').length;
    const res = await cli(args);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [first, second] = posts();
    const name = (first!.body as { metadata: { name: string } }).metadata.name;
    expect((second!.body as { metadata: { name: string } }).metadata.name).toBe(name);
    expect(second!.status).toBe(409);
    expect(res.stdout).toBe(`event/${name} created\n`);
    expect(server.objects('Event').length).toBe(before + 1);
  });

  it('409 on a retried create is an error when the stored event is not ours', async () => {
    server.fault({ method: 'POST', reset: true, times: 1 });
    server.fault({
      method: 'POST',
      times: 1,
      when: () => {
        const body = structuredClone(posts()[0]!.body as { message: string });
        body.message = 'someone else';
        server.add(body);
        return false;
      },
    });
    const res = await cli(args);
    expect(res.code).toBe(4);
    // (An earlier test's post leaves an open migration, which post-started warns about first.)
    expect(res.stderr).toMatch(/^error: the API server refused to create events in namespace "vms": 409 AlreadyExists: .*already exists/m);
  });

  it('503 on create, then OK: one event, one name', async () => {
    server.fault({ method: 'POST', status: 503, times: 2 });
    const before = server.objects('Event').length;
    const res = await cli(args);
    expect(res.code).toBe(0);
    const names = new Set(posts().map((r) => (r.body as { metadata: { name: string } }).metadata.name));
    expect(posts()).toHaveLength(3);
    expect(names.size).toBe(1);
    expect(server.objects('Event').length).toBe(before + 1);
  });
});

describe('Ctrl-C', () => {
  /** Spawns the binary, sends SIGINT once the server has seen `path`, and collects the outcome. */
  function interrupt(args: string[], path: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let sentAt = 0;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const poll = setInterval(() => {
        if (sentAt === 0 && server.requests.some((r) => r.path === path)) {
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      }, 20);
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(poll);
        clearTimeout(killer);
        resolve({ code, stdout, stderr, ms: Date.now() - sentAt });
      });
    });
  }

  it('stops a waiting request promptly with exit 130 and no machine output', async () => {
    server.fault({ path: PVC_PATH, delayMs: 8000 });
    const res = await interrupt(['events', 'vm-disk', '-o', 'json'], PVC_PATH);
    expect(res.code).toBe(130);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('error: interrupted\n');
    expect(res.ms).toBeLessThan(2000);
  });

  it('stops a backoff sleep promptly (audit -o json)', async () => {
    server.fault({ path: '/api/v1/persistentvolumes', status: 503, headers: { 'Retry-After': '8' } });
    const res = await interrupt(['audit', '-o', 'json'], '/api/v1/persistentvolumes');
    expect(res.code).toBe(130);
    expect(res.stdout).toBe('');
    expect(res.ms).toBeLessThan(2000);
  });

  it('InterruptedError is what the deadline wrapper rethrows on Ctrl-C', async () => {
    const controller = new AbortController();
    const run = withDeadline(
      { signal: controller.signal } as Context,
      'audit',
      60_000,
      (c) => new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(new Error('torn down')))),
    );
    controller.abort(new InterruptedError());
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
  });
});

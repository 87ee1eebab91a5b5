// The watch reader (src/kube/watch.ts) in-process against the fake API server: every change
// reported exactly once across drops, 410 relists and refusals; backoff; streaming lists; abort.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/errors.js';
import { ApiClient } from '../../src/kube/http.js';
import { type WatchChange, type WatchOptions, watchResource } from '../../src/kube/watch.js';
import type { FakeServer, FakeServerOptions, RecordedRequest } from '../fake/server.js';
import { startFakeServer } from '../fake/server.js';
import { namespace, pod } from '../helpers/objects.js';

const PODS = '/api/v1/namespaces/vms/pods';

let server: FakeServer | undefined;
let stopFollowing: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopFollowing?.();
  stopFollowing = undefined;
  await server?.close();
  server = undefined;
});

async function start(options: FakeServerOptions = {}): Promise<FakeServer> {
  server = await startFakeServer({
    objects: [
      namespace('vms'),
      pod({ namespace: 'vms', name: 'a' }),
      pod({ namespace: 'vms', name: 'b' }),
      pod({ namespace: 'vms', name: 'c' }),
    ],
    ...options,
  });
  return server;
}

interface Following {
  changes: WatchChange[];
  /** Resolves when `predicate` holds (checked on every change and every 10 ms; fails after `timeoutMs`). */
  until(predicate: (changes: WatchChange[]) => boolean, timeoutMs?: number): Promise<void>;
  /** How the iteration ended: the error it threw. */
  ended: Promise<unknown>;
  abort(reason?: unknown): void;
  client: ApiClient;
}

/** Runs the reader in the background, collecting its changes. */
function follow(s: FakeServer, options: Partial<WatchOptions> = {}): Following {
  const controller = new AbortController();
  const client = new ApiClient({
    server: s.url,
    credentials: { ca: Buffer.from(s.caPem), rejectUnauthorized: true, headers: { Authorization: `Bearer ${s.token}` } },
    timeoutMs: 5000,
    signal: controller.signal,
    logger: { debug: () => {}, warn: () => {} },
  });
  const changes: WatchChange[] = [];
  let waiters: (() => void)[] = [];
  const ended = (async () => {
    try {
      for await (const change of watchResource(client, {
        path: PODS,
        target: { resource: 'pods', namespace: 'vms' },
        signal: controller.signal,
        logger: { debug: () => {}, warn: () => {} },
        backoff: { initialMs: 20, maxMs: 200 },
        ...options,
      })) {
        changes.push(change);
        for (const w of waiters) w();
      }
    } catch (err) {
      return err;
    } finally {
      for (const w of waiters) w();
    }
    return undefined;
  })();
  let done = false;
  void ended.then(() => {
    done = true;
  });
  const following: Following = {
    changes,
    client,
    ended,
    abort: (reason) => controller.abort(reason ?? new Error('test over')),
    until: (predicate, timeoutMs = 8000) =>
      new Promise((resolve, reject) => {
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          clearInterval(poll);
          waiters = waiters.filter((w) => w !== check);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (predicate(changes)) finish();
          else if (done) finish(new Error(`the watch ended; changes: ${summarize(changes).join(', ')}`));
        };
        const timer = setTimeout(() => finish(new Error(`timed out; changes: ${summarize(changes).join(', ')}`)), timeoutMs);
        const poll = setInterval(check, 10);
        waiters.push(check);
        check();
      }),
  };
  stopFollowing = async () => {
    controller.abort(new Error('test over'));
    await ended;
    client.close();
  };
  return following;
}

function summarize(changes: WatchChange[]): string[] {
  return changes.map((c) => {
    if (c.type === 'SYNCED') return c.relist ? 'SYNCED relist' : 'SYNCED';
    if (c.type === 'DELETED' && c.inferred) return `DELETED ${c.key} (inferred)`;
    return `${c.type} ${c.key}`;
  });
}

const syncedCount = (n: number) => (changes: WatchChange[]) => changes.filter((c) => c.type === 'SYNCED').length >= n;
const has = (line: string) => (changes: WatchChange[]) => summarize(changes).includes(line);
const watches = (s: FakeServer): RecordedRequest[] => s.requests.filter((r) => r.query.watch === '1');
const lists = (s: FakeServer): RecordedRequest[] => s.requests.filter((r) => r.path === PODS && r.query.watch === undefined);
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server has `n` open watches (the reader is following). */
async function watchingOn(s: FakeServer, n = 1): Promise<void> {
  for (let i = 0; i < 400 && s.openWatches() < n; i++) await sleepMs(10);
  expect(s.openWatches()).toBe(n);
}

/** Every non-SYNCED change after the first SYNCED. */
const live = (changes: WatchChange[]) => summarize(changes.slice(changes.findIndex((c) => c.type === 'SYNCED') + 1));

describe.sequential('the watch reader', () => {
  it('reports the current state, SYNCED, then a change made while watching, once', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    expect(summarize(f.changes)).toEqual(['ADDED vms/a', 'ADDED vms/b', 'ADDED vms/c', 'SYNCED']);
    s.update('Pod', 'vms', 'a', (p) => {
      p.status.phase = 'Succeeded';
    });
    s.add(pod({ namespace: 'vms', name: 'd' }));
    s.remove('Pod', 'vms', 'b');
    await f.until(has('DELETED vms/b'));
    expect(live(f.changes)).toEqual(['MODIFIED vms/a', 'ADDED vms/d', 'DELETED vms/b']);
    const modified = f.changes.find((c) => c.type === 'MODIFIED');
    expect(modified).toMatchObject({ object: { kind: 'Pod', status: { phase: 'Succeeded' } } });
    // One streaming list that became the watch: no LIST, no second request.
    expect(lists(s)).toEqual([]);
    expect(watches(s)).toHaveLength(1);
  });

  it('asks for a streaming list with bookmarks and a 300-600 s server-side timeout', async () => {
    const s = await start();
    const f = follow(s, { fieldSelector: 'status.phase=Running', labelSelector: 'app!=x' });
    await f.until(syncedCount(1));
    const [first] = watches(s);
    expect(first!.query).toMatchObject({
      watch: '1',
      sendInitialEvents: 'true',
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: 'true',
      fieldSelector: 'status.phase=Running',
      labelSelector: 'app!=x',
    });
    expect(first!.query.resourceVersion).toBeUndefined();
    const timeout = Number(first!.query.timeoutSeconds);
    expect(timeout).toBeGreaterThanOrEqual(300);
    expect(timeout).toBeLessThanOrEqual(600);
  });

  it('resumes after a dropped connection from the last resourceVersion: every change once, no relist', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    const a = s.update('Pod', 'vms', 'a', () => {});
    await f.until(has('MODIFIED vms/a'));
    // Cut the connection; change things before the reader can be back.
    s.dropWatches();
    s.update('Pod', 'vms', 'b', () => {});
    s.add(pod({ namespace: 'vms', name: 'd' }));
    await f.until(has('ADDED vms/d'));
    // Next time, the stream breaks after two of four events.
    await watchingOn(s);
    s.watchFault({ action: 'drop', afterEvents: 2 });
    s.dropWatches();
    await f.until(() => watches(s).length === 3 && s.openWatches() === 1);
    s.update('Pod', 'vms', 'c', () => {});
    s.update('Pod', 'vms', 'a', () => {});
    s.remove('Pod', 'vms', 'd');
    s.update('Pod', 'vms', 'b', () => {});
    await f.until(() => live(f.changes).length === 7);
    await sleepMs(200);
    expect(live(f.changes)).toEqual([
      'MODIFIED vms/a',
      'MODIFIED vms/b',
      'ADDED vms/d',
      'MODIFIED vms/c',
      'MODIFIED vms/a',
      'DELETED vms/d',
      'MODIFIED vms/b',
    ]);
    const requests = watches(s);
    expect(requests).toHaveLength(4);
    expect(requests[1]!.query.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(requests[1]!.query.sendInitialEvents).toBeUndefined();
    // The third watch got two events before the drop; the fourth resumed after the second.
    expect(requests[2]!.watchEvents).toEqual(['MODIFIED', 'MODIFIED']);
    expect(Number(requests[3]!.query.resourceVersion)).toBe(
      Number(s.objects('Pod').find((p) => p.metadata.name === 'a').metadata.resourceVersion),
    );
    expect(lists(s)).toEqual([]);
  });

  describe.each([
    { name: 'ERROR event, streaming list', watch: {}, relistBy: 'watch' },
    { name: 'plain 410, streaming list', watch: { expiredAs: 'status' as const }, relistBy: 'watch' },
    { name: 'ERROR event, WatchList off (LIST)', watch: { watchList: 'off' as const }, relistBy: 'list' },
  ])('on 410 Gone ($name)', ({ watch, relistBy }) => {
    it('relists and reports only the difference, including deletions made while disconnected', async () => {
      const s = await start({ watch });
      const f = follow(s);
      await f.until(syncedCount(1));
      s.update('Pod', 'vms', 'a', () => {});
      await f.until(has('MODIFIED vms/a'));
      const listsBefore = lists(s).length;
      s.dropWatches();
      s.update('Pod', 'vms', 'b', (p) => {
        p.status.phase = 'Failed';
      });
      s.remove('Pod', 'vms', 'c');
      s.add(pod({ namespace: 'vms', name: 'd' }));
      s.compactHistory(); // the reader's resourceVersion is now too old
      await f.until(syncedCount(2));
      s.update('Pod', 'vms', 'd', () => {});
      await f.until(has('MODIFIED vms/d'));
      await sleepMs(200);
      // What the relist found, in its order; deletions are known once the whole state is read.
      expect(live(f.changes)).toEqual([
        'MODIFIED vms/a',
        'MODIFIED vms/b',
        'ADDED vms/d',
        'DELETED vms/c (inferred)',
        'SYNCED relist',
        'MODIFIED vms/d',
      ]);
      const deleted = f.changes.find((c) => c.type === 'DELETED');
      expect(deleted).toMatchObject({
        object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'c', namespace: 'vms', uid: expect.any(String) } },
      });
      const expiredWatch = watches(s).find((r) => r.status === 410 || r.watchEvents?.includes('ERROR'));
      expect(expiredWatch).toBeDefined();
      if (relistBy === 'list') expect(lists(s).length).toBe(listsBefore + 1);
      else expect(lists(s)).toEqual([]);
    });
  });

  it('a deletion and re-creation under the same name while disconnected is DELETED then ADDED', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    s.dropWatches();
    s.remove('Pod', 'vms', 'a');
    s.add(pod({ namespace: 'vms', name: 'a' }));
    s.compactHistory();
    await f.until(syncedCount(2));
    expect(live(f.changes)).toEqual(['DELETED vms/a (inferred)', 'ADDED vms/a', 'SYNCED relist']);
  });

  it('bookmarks move the resourceVersion on without reporting anything', async () => {
    const s = await start({ watch: { bookmarkIntervalMs: 50 } });
    const f = follow(s);
    await f.until(syncedCount(1));
    s.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x' } }); // another kind: only the resourceVersion moves
    const [watch] = watches(s);
    await f.until(() => watch!.watchEvents!.filter((t) => t === 'BOOKMARK').length >= 3);
    const nodeRv = s.objects('Node').find((n) => n.metadata.name === 'node-x').metadata.resourceVersion;
    s.compactHistory(); // only a resume from the bookmark's resourceVersion avoids a 410
    s.dropWatches();
    await f.until(() => watches(s).length === 2 && s.openWatches() === 1);
    await sleepMs(200);
    expect(watches(s)[1]!.query.resourceVersion).toBe(nodeRv);
    expect(watches(s)[1]!.status).toBe(200);
    expect(watches(s)[1]!.watchEvents!.includes('ERROR')).toBe(false);
    expect(live(f.changes)).toEqual([]);
  });

  it('retries a 429 after its Retry-After, not in a tight loop', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    s.fault({ when: (r) => r.query.watch === '1', status: 429, headers: { 'Retry-After': '1' }, times: 2 });
    s.dropWatches();
    await f.until(() => watches(s).length === 4 && s.openWatches() === 1, 10_000);
    s.update('Pod', 'vms', 'a', () => {});
    await f.until(has('MODIFIED vms/a'));
    const retries = watches(s).slice(1);
    expect(retries.map((r) => r.status)).toEqual([429, 429, 200]);
    const at = retries.map((r) => r.receivedAt);
    // The reader's own backoff is 20-40 ms here: the gaps are the server's Retry-After.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(950);
    expect(lists(s)).toEqual([]);
  });

  it('backs off exponentially while the server keeps failing', async () => {
    const s = await start();
    const f = follow(s, { backoff: { initialMs: 100, maxMs: 10_000 } });
    await f.until(syncedCount(1));
    s.fault({ when: (r) => r.query.watch === '1', status: 503, headers: { 'Retry-After': '0' } });
    s.dropWatches();
    await sleepMs(2000);
    // Delays of 100-200, 200-400, 400-800, 800-1600 ms: at most 5 attempts in 2 s.
    const failed = watches(s).slice(1);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThanOrEqual(5);
    expect(failed.every((r) => r.status === 503)).toBe(true);
  });

  it('falls back to LIST then WATCH when the server refuses sendInitialEvents (422)', async () => {
    const s = await start({ watch: { watchList: 'off' } });
    const f = follow(s);
    await f.until(syncedCount(1));
    s.update('Pod', 'vms', 'c', () => {});
    await f.until(has('MODIFIED vms/c'));
    expect(summarize(f.changes)).toEqual(['ADDED vms/a', 'ADDED vms/b', 'ADDED vms/c', 'SYNCED', 'MODIFIED vms/c']);
    const requests = s.requests.filter((r) => r.path === PODS);
    expect(requests.map((r) => [r.query.watch ? 'watch' : 'list', r.status])).toEqual([
      ['watch', 422],
      ['list', 200],
      ['watch', 200],
    ]);
    const [, list, watch] = requests;
    expect(list!.query.limit).toBe('500');
    expect(watch!.query.resourceVersion).toBeDefined();
    expect(watch!.query.sendInitialEvents).toBeUndefined();
  });

  it('falls back to LIST when the end bookmark never comes, without reporting an object twice', async () => {
    const s = await start({ watch: { watchList: 'ignored' } });
    const f = follow(s, { initialEventsTimeoutMs: 300 });
    await f.until(syncedCount(1));
    s.remove('Pod', 'vms', 'a');
    await f.until(has('DELETED vms/a'));
    expect(summarize(f.changes)).toEqual(['ADDED vms/a', 'ADDED vms/b', 'ADDED vms/c', 'SYNCED', 'DELETED vms/a']);
    expect(lists(s)).toHaveLength(1);
    expect(watches(s)).toHaveLength(2);
  });

  it('reconnects when a stream goes silent well past its timeoutSeconds', async () => {
    const s = await start();
    const f = follow(s, { timeoutSeconds: () => 1, staleAfterMs: 300 });
    await f.until(syncedCount(1));
    s.watchFault({ action: 'stall' });
    s.dropWatches();
    await f.until(() => watches(s).length === 3 && s.openWatches() >= 1, 10_000);
    s.update('Pod', 'vms', 'b', () => {});
    await f.until(has('MODIFIED vms/b'));
    expect(live(f.changes)).toEqual(['MODIFIED vms/b']);
  });

  it('resumes after a line that is not a watch event', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    s.watchFault({ action: 'garbage', afterEvents: 1 });
    s.dropWatches();
    await f.until(() => watches(s).length === 2 && s.openWatches() === 1);
    s.update('Pod', 'vms', 'a', () => {});
    s.update('Pod', 'vms', 'b', () => {});
    await f.until(has('MODIFIED vms/b'));
    await sleepMs(200);
    expect(live(f.changes)).toEqual(['MODIFIED vms/a', 'MODIFIED vms/b']);
    expect(watches(s)).toHaveLength(3);
  });

  it('ends at once when the signal aborts, with its reason, and closes the stream', async () => {
    const s = await start();
    const f = follow(s);
    await f.until(syncedCount(1));
    const reason = new Error('interrupted');
    const before = Date.now();
    f.abort(reason);
    expect(await f.ended).toBe(reason);
    expect(Date.now() - before).toBeLessThan(1000);
    for (let i = 0; i < 100 && s.openWatches() > 0; i++) await sleepMs(10);
    expect(s.openWatches()).toBe(0);
  });

  it('ends at once when the signal aborts during a backoff', async () => {
    const s = await start();
    const f = follow(s, { backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await f.until(syncedCount(1));
    s.dropWatches(); // the broken stream makes the reader wait a minute before it watches again
    await sleepMs(200);
    expect(watches(s)).toHaveLength(1);
    const reason = new Error('interrupted');
    const before = Date.now();
    f.abort(reason);
    expect(await f.ended).toBe(reason);
    expect(Date.now() - before).toBeLessThan(1000);
  });

  it('stops with a cluster error when the watch is forbidden', async () => {
    const s = await start();
    s.deny({ verb: 'watch', resource: 'pods' });
    const f = follow(s, { initialEvents: false });
    const err = await f.ended;
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).message).toBe('forbidden: cannot watch pods in namespace "vms" (needs RBAC: watch pods)');
    expect(summarize(f.changes)).toEqual(['ADDED vms/a', 'ADDED vms/b', 'ADDED vms/c', 'SYNCED']);
  });

  it('fails after a few attempts when the state cannot be read at all', async () => {
    const s = await start();
    s.fault({ when: (r) => r.query.watch === '1', status: 503, headers: { 'Retry-After': '0' } });
    const f = follow(s, { maxInitialAttempts: 3 });
    const err = await f.ended;
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).message).toMatch(/^the API server refused to watch pods in namespace "vms": 503/);
    expect(watches(s)).toHaveLength(3);
  });
});

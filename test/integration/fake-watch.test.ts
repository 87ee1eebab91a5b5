// The fake API server's watches behave like the real server's: what is sent
// for each resourceVersion, selectors, bookmarks, timeouts, streaming lists, 410s and faults.
import { afterEach, describe, expect, it } from 'vitest';
import { apiVersionOf, resources } from '../fake/resources.js';
import type { FakeServer, FakeServerOptions } from '../fake/server.js';
import { startFakeServer } from '../fake/server.js';
import { INITIAL_EVENTS_END } from '../fake/watch.js';
import { kubeRequest } from '../helpers/kube-request.js';
import { event, namespace, pod, pvc } from '../helpers/objects.js';
import { openWatch } from '../helpers/watch-stream.js';

const PODS = '/api/v1/namespaces/vms/pods';
const claim = pvc({ namespace: 'vms', name: 'vm-disk', uid: 'b1b2c3d4-0000-4000-8000-000000000001' });

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: FakeServerOptions = {}): Promise<FakeServer> {
  server = await startFakeServer({
    objects: [
      namespace('vms'),
      pod({ namespace: 'vms', name: 'a', labels: { app: 'vm' } }),
      pod({ namespace: 'vms', name: 'b', labels: { app: 'other' } }),
      pod({ namespace: 'other', name: 'c' }),
    ],
    ...options,
  });
  return server;
}

const summary = (frames: any[]) => frames.map((f) => `${f.type} ${f.object.metadata?.name ?? f.object.code ?? ''}`.trim());
const rvOf = (f: any) => Number(f.object.metadata.resourceVersion);

describe('watch requests on the fake API server', () => {
  it('without a resourceVersion: ADDED for the current state, then each change with a new resourceVersion', async () => {
    const s = await start();
    const watch = await openWatch(s, PODS);
    expect(watch.status).toBe(200);
    await watch.waitFor(2);
    const before = Number((await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion);
    s.update('Pod', 'vms', 'a', (p) => {
      p.status.phase = 'Succeeded';
    });
    s.add(pod({ namespace: 'vms', name: 'd' }));
    s.add(pod({ namespace: 'other', name: 'e' })); // another namespace: not this watch's
    s.remove('Pod', 'vms', 'b');
    const frames = await watch.waitFor(5);
    expect(summary(frames)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'ADDED d', 'DELETED b']);
    expect(frames[2].object.status.phase).toBe('Succeeded');
    const rvs = frames.slice(2).map(rvOf);
    expect(rvs[0]).toBeGreaterThan(before);
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(3);
    expect(s.requests.at(-1)).toBeDefined();
    const recorded = s.requests.find((r) => r.query.watch === '1');
    expect(recorded).toMatchObject({
      method: 'GET',
      path: PODS,
      status: 200,
      watchEvents: ['ADDED', 'ADDED', 'MODIFIED', 'ADDED', 'DELETED'],
    });
    expect(s.openWatches()).toBe(1);
    watch.close();
  });

  it('from an exact resourceVersion: only the changes after it, no synthetic ADDED', async () => {
    const s = await start();
    const list = await kubeRequest(s, { path: PODS });
    const rv = list.body.metadata.resourceVersion;
    s.update('Pod', 'vms', 'b', (p) => {
      p.metadata.labels.app = 'vm';
    });
    const watch = await openWatch(s, PODS, { resourceVersion: rv });
    s.remove('Pod', 'vms', 'a');
    expect(summary(await watch.waitFor(2))).toEqual(['MODIFIED b', 'DELETED a']);
    watch.close();
  });

  it('resourceVersion "0" also starts with the current state', async () => {
    const s = await start();
    const watch = await openWatch(s, PODS, { resourceVersion: '0' });
    expect(summary(await watch.waitFor(2))).toEqual(['ADDED a', 'ADDED b']);
    watch.close();
  });

  it('applies label and field selectors; an object that starts or stops matching is ADDED or DELETED', async () => {
    const s = await start();
    const labelled = await openWatch(s, PODS, { labelSelector: 'app=vm' });
    const byName = await openWatch(s, PODS, { fieldSelector: 'metadata.name=b' });
    await labelled.waitFor(1);
    await byName.waitFor(1);
    s.update('Pod', 'vms', 'b', (p) => {
      p.metadata.labels.app = 'vm';
    });
    s.update('Pod', 'vms', 'a', (p) => {
      p.metadata.labels.app = 'gone';
    });
    s.update('Pod', 'vms', 'b', (p) => {
      p.status.phase = 'Failed';
    });
    const frames = await labelled.waitFor(4);
    expect(summary(frames)).toEqual(['ADDED a', 'ADDED b', 'DELETED a', 'MODIFIED b']);
    // The object that stopped matching is sent as it was, at the resourceVersion of the change.
    expect(frames[2].object.metadata.labels.app).toBe('vm');
    expect(rvOf(frames[2])).toBeGreaterThan(rvOf(frames[1]));
    expect(summary(await byName.waitFor(3))).toEqual(['ADDED b', 'MODIFIED b', 'MODIFIED b']);
    labelled.close();
    byName.close();
  });

  it('watches events by field selector on reason, as the CLI will', async () => {
    const s = await start({ objects: [namespace('vms'), claim] });
    const watch = await openWatch(s, '/api/v1/namespaces/vms/events', { fieldSelector: 'reason=MigrationStarted' });
    const message = '[pvc-1]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s';
    s.add(event({ pvc: claim, name: 'e1', reason: 'MigrationStarted', type: 'Normal', message }));
    s.add(event({ pvc: claim, name: 'e2', reason: 'VolumeAttached', type: 'Normal', message: 'x' }));
    s.remove('Event', 'vms', 'e1');
    expect(summary(await watch.waitFor(2))).toEqual(['ADDED e1', 'DELETED e1']);
    await expect(watch.waitFor(3, 300)).rejects.toThrow(/expected 3 frames/);
    watch.close();
  });

  it("serves a watch for every resource it serves, in that resource version's form", async () => {
    const s = await start({ objects: [namespace('w')], kubevirt: true });
    for (const def of resources) {
      const base = def.group === '' ? `/api/${def.version}` : `/apis/${def.group}/${def.version}`;
      const path = def.namespaced ? `${base}/namespaces/w/${def.plural}` : `${base}/${def.plural}`;
      const watch = await openWatch(s, path, { resourceVersion: (await kubeRequest(s, { path })).body.metadata.resourceVersion });
      expect(watch.status, path).toBe(200);
      const name = `watched-${def.plural}-${def.group.replace(/\./g, '-') || 'core'}`;
      s.add({
        apiVersion: def.storageKind === def.kind ? apiVersionOf(def) : 'v1',
        kind: def.storageKind,
        metadata: { name, namespace: 'w' },
      });
      const [frame] = await watch.waitFor(1);
      expect(frame.type, path).toBe('ADDED');
      expect(frame.object, path).toMatchObject({ kind: def.kind, apiVersion: apiVersionOf(def), metadata: { name } });
      watch.close();
    }
  });

  it('sends bookmarks only when asked, at the current resourceVersion', async () => {
    const s = await start({ watch: { bookmarkIntervalMs: 50 } });
    const plain = await openWatch(s, PODS);
    const withBookmarks = await openWatch(s, PODS, { allowWatchBookmarks: 'true' });
    s.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x' } }); // moves the resourceVersion on
    const frames = await withBookmarks.waitFor(3);
    expect(frames[2]).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(Number((await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion)) },
      },
    });
    expect(plain.frames.every((f) => f.type !== 'BOOKMARK')).toBe(true);
    plain.close();
    withBookmarks.close();
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const s = await start();
    const watch = await openWatch(s, PODS, { timeoutSeconds: 1 });
    expect(await watch.ended).toBe('end');
    expect(s.openWatches()).toBe(0);
  });

  it('closes a watch without timeoutSeconds after the configured default', async () => {
    const s = await start({ watch: { defaultTimeoutSeconds: 1 } });
    const watch = await openWatch(s, PODS);
    expect(await watch.ended).toBe('end');
  });

  describe('resourceVersions that left the history window', () => {
    it('get an ERROR event 410 Expired on a 200 stream, which then ends', async () => {
      const s = await start();
      const rv = (await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion;
      s.update('Pod', 'vms', 'a', () => {});
      s.compactHistory();
      const watch = await openWatch(s, PODS, { resourceVersion: rv });
      expect(watch.status).toBe(200);
      expect(await watch.ended).toBe('end');
      expect(watch.frames).toEqual([
        {
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
            reason: 'Expired',
            code: 410,
          },
        },
      ]);
    });

    it('get a plain 410 when the server is set up so', async () => {
      const s = await start({ watch: { expiredAs: 'status' } });
      const rv = (await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion;
      s.compactHistory();
      s.update('Pod', 'vms', 'a', () => {});
      const watch = await openWatch(s, PODS, { resourceVersion: rv });
      // Compacted at the list's resourceVersion: resuming from it is still fine.
      expect(watch.status).toBe(200);
      watch.close();
      const older = await openWatch(s, PODS, { resourceVersion: String(Number(rv) - 1) });
      expect(older.status).toBe(410);
      expect(older.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    });

    it('keeps only the configured number of changes', async () => {
      const s = await start({ watchHistorySize: 3 });
      const rv = (await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion;
      for (let i = 0; i < 3; i++) s.update('Pod', 'vms', 'a', () => {});
      const inWindow = await openWatch(s, PODS, { resourceVersion: rv });
      expect(summary(await inWindow.waitFor(3))).toEqual(['MODIFIED a', 'MODIFIED a', 'MODIFIED a']);
      inWindow.close();
      s.update('Pod', 'vms', 'a', () => {});
      const outOfWindow = await openWatch(s, PODS, { resourceVersion: rv });
      expect(summary(await outOfWindow.waitFor(1))).toEqual(['ERROR 410']);
    });
  });

  describe('sendInitialEvents', () => {
    it('sends the state, then a bookmark annotated as the end of the initial events, then changes', async () => {
      const s = await start();
      const watch = await openWatch(s, PODS, {
        sendInitialEvents: 'true',
        resourceVersionMatch: 'NotOlderThan',
        allowWatchBookmarks: 'true',
      });
      const initial = await watch.waitFor(3);
      expect(summary(initial)).toEqual(['ADDED a', 'ADDED b', 'BOOKMARK']);
      expect(initial[2].object.metadata).toEqual({
        resourceVersion: (await kubeRequest(s, { path: PODS })).body.metadata.resourceVersion,
        annotations: { [INITIAL_EVENTS_END]: 'true' },
      });
      s.remove('Pod', 'vms', 'b');
      expect(summary(await watch.waitFor(4)).at(-1)).toBe('DELETED b');
      watch.close();
    });

    it('requires resourceVersionMatch=NotOlderThan (422)', async () => {
      const s = await start();
      const watch = await openWatch(s, PODS, { sendInitialEvents: 'true' });
      expect(watch.status).toBe(422);
      expect(watch.body.message).toBe(
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      );
    });

    it('refuses resourceVersionMatch on a watch without sendInitialEvents (422)', async () => {
      const s = await start();
      const watch = await openWatch(s, PODS, { resourceVersionMatch: 'NotOlderThan' });
      expect(watch.status).toBe(422);
      expect(watch.body.message).toContain('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    });

    it('with WatchList off: 422 naming the feature gate', async () => {
      const s = await start({ watch: { watchList: 'off' } });
      const watch = await openWatch(s, PODS, {
        sendInitialEvents: 'true',
        resourceVersionMatch: 'NotOlderThan',
        allowWatchBookmarks: 'true',
      });
      expect(watch.status).toBe(422);
      expect(watch.body).toMatchObject({
        reason: 'Invalid',
        message:
          'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
        details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', field: 'sendInitialEvents' }] },
      });
    });

    it('when ignored: the state arrives but no end bookmark', async () => {
      const s = await start({ watch: { watchList: 'ignored', bookmarkIntervalMs: 50 } });
      const watch = await openWatch(s, PODS, {
        sendInitialEvents: 'true',
        resourceVersionMatch: 'NotOlderThan',
        allowWatchBookmarks: 'true',
      });
      const frames = await watch.waitFor(4);
      expect(summary(frames.slice(0, 2))).toEqual(['ADDED a', 'ADDED b']);
      expect(frames.slice(2).every((f) => f.type === 'BOOKMARK' && f.object.metadata.annotations === undefined)).toBe(true);
      watch.close();
    });
  });

  describe('injected watch faults', () => {
    it('drop: the connection is cut after N events', async () => {
      const s = await start();
      s.watchFault({ path: PODS, action: 'drop', afterEvents: 1 });
      const watch = await openWatch(s, PODS);
      expect(await watch.ended).toBe('aborted');
      expect(summary(watch.frames)).toEqual(['ADDED a']);
      // One watch only: the next one is whole.
      const next = await openWatch(s, PODS);
      expect(summary(await next.waitFor(2))).toEqual(['ADDED a', 'ADDED b']);
      next.close();
    });

    it('expire: an ERROR 410 after N events, then a clean end', async () => {
      const s = await start();
      s.watchFault({ action: 'expire', afterEvents: 2 });
      const watch = await openWatch(s, PODS);
      expect(await watch.ended).toBe('end');
      expect(summary(watch.frames)).toEqual(['ADDED a', 'ADDED b', 'ERROR 410']);
    });

    it('garbage: a line that is not JSON, and the stream goes on', async () => {
      const s = await start();
      s.watchFault({ action: 'garbage', afterEvents: 1 });
      const watch = await openWatch(s, PODS);
      await watch.waitFor(2);
      expect(watch.garbage).toEqual(['this is not a watch event']);
      watch.close();
    });

    it('stall: the stream stays open and silent past its timeoutSeconds', async () => {
      const s = await start();
      s.watchFault({ action: 'stall', afterEvents: 0 });
      const watch = await openWatch(s, PODS, { timeoutSeconds: 1 });
      s.update('Pod', 'vms', 'a', () => {});
      const outcome = await Promise.race([watch.ended, new Promise((r) => setTimeout(() => r('still open'), 1500))]);
      expect(outcome).toBe('still open');
      expect(watch.frames).toEqual([]);
      watch.close();
    });

    it('dropWatches cuts every open watch', async () => {
      const s = await start();
      const one = await openWatch(s, PODS);
      const two = await openWatch(s, '/api/v1/nodes');
      expect(s.openWatches()).toBe(2);
      s.dropWatches();
      expect(await one.ended).toBe('aborted');
      expect(await two.ended).toBe('aborted');
      expect(s.openWatches()).toBe(0);
    });

    it('status faults (429 with Retry-After) apply to watch requests too', async () => {
      const s = await start();
      s.fault({ when: (r) => r.query.watch === '1', status: 429, times: 1 });
      const refused = await openWatch(s, PODS);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect((await openWatch(s, PODS)).status).toBe(200);
    });
  });

  it('answers 403 to a watch that RBAC denies', async () => {
    const s = await start();
    s.deny({ verb: 'watch', resource: 'pods' });
    const watch = await openWatch(s, PODS);
    expect(watch.status).toBe(403);
    expect(watch.body.message).toContain('cannot watch resource "pods"');
    expect((await kubeRequest(s, { path: PODS })).status).toBe(200);
  });

  it('converts each event to a one-row Table when asked, with column definitions only in the first', async () => {
    const s = await start();
    const watch = await openWatch(s, PODS, {}, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const frames = await watch.waitFor(2);
    expect(frames[0].object).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      rows: [{ object: { metadata: { name: 'a' } } }],
    });
    expect(frames[0].object.rows[0].cells.slice(0, 4)).toEqual(['a', '1/1', 'Running', '0']);
    expect(frames[0].object.columnDefinitions.map((c: any) => c.name)).toContain('Name');
    expect(frames[1].object.columnDefinitions).toBeNull();
    expect(frames[1].object.rows).toHaveLength(1);
    watch.close();
  });
});

// The fake API server answers like a real one: auth, Status errors, selectors, paging, RBAC, faults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fake/server.js';
import { startFakeServer } from '../fake/server.js';
import { otherCaPem } from '../fake/tls.js';
import { kubeRequest } from '../helpers/kube-request.js';
import { event, eventName, namespace, pv, pvc, volumeAttachment, volumeAttachmentName } from '../helpers/objects.js';

const claim = pvc({
  namespace: 'vms',
  name: 'vm-disk',
  uid: 'a1b2c3d4-0000-4000-8000-000000000001',
  volumeName: 'pvc-0001',
  resourceVersion: '777',
});
const other = pvc({ namespace: 'vms', name: 'other-disk', uid: 'a1b2c3d4-0000-4000-8000-000000000002', volumeName: 'pvc-0002' });
const volume = pv({ name: 'pvc-0001', claimRef: { namespace: 'vms', name: 'vm-disk', uid: claim.metadata.uid }, timeout: 300 });
const t0 = new Date('2025-01-02T03:04:05Z');
const started = event({
  pvc: claim,
  reason: 'MigrationStarted',
  type: 'Normal',
  firstTimestamp: t0,
  message: '[pvc-0001]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s',
});
const completed = event({
  pvc: claim,
  reason: 'MigrationCompleted',
  type: 'Normal',
  firstTimestamp: new Date(t0.getTime() + 45_000),
  component: 'rds-migrate',
  message: '[pvc-0001]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 45s)',
});
const attached = event({
  pvc: other,
  reason: 'VolumeAttached',
  type: 'Normal',
  firstTimestamp: t0,
  message: '[pvc-0002]: Attached to node node-a (duration: 1.2s)',
});
// An events.k8s.io-style event: only reportingComponent, no source.component.
const reportingOnly = {
  ...event({ pvc: other, reason: 'MigrationFailed', type: 'Warning', firstTimestamp: t0, message: 'x', name: 'other-disk.reporting' }),
  source: {},
  reportingComponent: 'kubevirt-ctl',
};

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer({ objects: [namespace('vms'), claim, other, volume, started, completed, attached, reportingOnly] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe('authentication and TLS', () => {
  it('rejects a missing or wrong token with the real 401 Status', async () => {
    for (const token of [null, 'wrong']) {
      const res = await kubeRequest(server, { path: '/api/v1/namespaces/vms/events', token });
      expect(res.status).toBe(401);
      expect(res.text).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
      );
    }
  });

  it('serves a certificate for 127.0.0.1 and localhost signed by the test CA', async () => {
    const res = await kubeRequest(server, { path: '/version' });
    expect(res.status).toBe(200);
    const byName = await kubeRequest({ ...server, url: server.url.replace('127.0.0.1', 'localhost') }, { path: '/version' });
    expect(byName.status).toBe(200);
  });

  it.each([
    ['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['expired', 'CERT_HAS_EXPIRED'],
    ['untrusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('with tls %s the client sees %s', async (tls, code) => {
    const bad = await startFakeServer({ tls });
    try {
      await expect(kubeRequest(bad, { path: '/version' })).rejects.toMatchObject({ code });
    } finally {
      await bad.close();
    }
  });

  it('the untrusted certificate verifies against the other CA', async () => {
    const bad = await startFakeServer({ tls: 'untrusted' });
    try {
      expect((await kubeRequest(bad, { path: '/version', ca: otherCaPem })).status).toBe(200);
    } finally {
      await bad.close();
    }
  });
});

describe('discovery', () => {
  it('reports the configured version', async () => {
    const v = await startFakeServer({ serverVersion: 'v1.29.3' });
    try {
      expect((await kubeRequest(v, { path: '/version' })).body).toMatchObject({ major: '1', minor: '29', gitVersion: 'v1.29.3' });
    } finally {
      await v.close();
    }
    expect((await kubeRequest(server, { path: '/version' })).body).toMatchObject({ major: '1', minor: '31' });
  });

  it('lists core resources with scope, kinds and short names', async () => {
    const res = await kubeRequest(server, { path: '/api/v1' });
    const byName = Object.fromEntries(res.body.resources.map((r: any) => [r.name, r]));
    expect(res.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    expect(byName.namespaces).toMatchObject({ namespaced: false, kind: 'Namespace', shortNames: ['ns'] });
    expect(byName.pods).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(byName.events).toMatchObject({ namespaced: true, kind: 'Event', shortNames: ['ev'] });
    expect(byName.persistentvolumeclaims).toMatchObject({ namespaced: true, kind: 'PersistentVolumeClaim', shortNames: ['pvc'] });
    expect(byName.persistentvolumes).toMatchObject({ namespaced: false, kind: 'PersistentVolume', shortNames: ['pv'] });
    expect(byName.nodes).toMatchObject({ namespaced: false, kind: 'Node' });
    expect(byName.events.verbs).toEqual(expect.arrayContaining(['create', 'get', 'list', 'patch']));
  });

  it('lists the storage.k8s.io and events.k8s.io groups', async () => {
    const groups = (await kubeRequest(server, { path: '/apis' })).body.groups.map((g: any) => g.preferredVersion.groupVersion);
    expect(groups).toEqual(['storage.k8s.io/v1', 'events.k8s.io/v1']);
    const storage = await kubeRequest(server, { path: '/apis/storage.k8s.io/v1' });
    expect(storage.body.resources).toContainEqual(
      expect.objectContaining({ name: 'volumeattachments', namespaced: false, kind: 'VolumeAttachment' }),
    );
    const events = await kubeRequest(server, { path: '/apis/events.k8s.io/v1' });
    expect(events.body.resources).toContainEqual(expect.objectContaining({ name: 'events', namespaced: true, kind: 'Event' }));
  });

  it('answers unknown paths with a NotFound Status', async () => {
    const res = await kubeRequest(server, { path: '/apis/kubevirt.io/v1/virtualmachineinstancemigrations' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});

describe('get and list', () => {
  it('gets a PVC and answers a missing one with the real 404 Status', async () => {
    const ok = await kubeRequest(server, { path: '/api/v1/namespaces/vms/persistentvolumeclaims/vm-disk' });
    expect(ok.body).toMatchObject({
      kind: 'PersistentVolumeClaim',
      metadata: { uid: claim.metadata.uid, resourceVersion: expect.any(String) },
    });
    const missing = await kubeRequest(server, { path: '/api/v1/namespaces/vms/persistentvolumeclaims/x' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'persistentvolumeclaims "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'persistentvolumeclaims' },
      code: 404,
    });
    const va = await kubeRequest(server, { path: '/apis/storage.k8s.io/v1/volumeattachments/csi-x' });
    expect(va.body).toMatchObject({
      message: 'volumeattachments.storage.k8s.io "csi-x" not found',
      details: { name: 'csi-x', group: 'storage.k8s.io', kind: 'volumeattachments' },
    });
  });

  it('lists with <Kind>List, apiVersion and a resourceVersion, sorted by namespace and name', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/events' });
    expect(res.body).toMatchObject({ kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    const keys = res.body.items.map((e: any) => `${e.metadata.namespace}/${e.metadata.name}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toHaveLength(4);
    const vas = await kubeRequest(server, { path: '/apis/storage.k8s.io/v1/volumeattachments' });
    expect(vas.body).toMatchObject({ kind: 'VolumeAttachmentList', apiVersion: 'storage.k8s.io/v1', items: [] });
  });

  it('keeps seeded objects as given and fills uid, resourceVersion and creationTimestamp', () => {
    const [stored] = server.objects('Event').filter((e) => e.metadata.name === started.metadata.name);
    expect(stored).toMatchObject({
      ...started,
      metadata: { ...started.metadata, uid: expect.any(String), resourceVersion: expect.any(String) },
    });
    expect(started.metadata.name).toBe(eventName('vm-disk', t0));
    // UnixNano of 2025-01-02T03:04:05Z in lowercase hex.
    expect(started.metadata.name).toBe('vm-disk.1816c11eeef33200');
  });

  it('lists an empty namespace as an empty list', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/nowhere/events' });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });
});

describe('event field selectors', () => {
  const names = async (fieldSelector: string, path = '/api/v1/events'): Promise<string[]> => {
    const res = await kubeRequest(server, { path, query: { fieldSelector } });
    expect(res.status, res.text).toBe(200);
    return res.body.items.map((e: any) => e.metadata.name).sort();
  };

  it.each([
    ['reason=MigrationStarted', [started.metadata.name]],
    ['reason==MigrationStarted', [started.metadata.name]],
    ['reason!=MigrationStarted', [attached.metadata.name, completed.metadata.name, 'other-disk.reporting'].sort()],
    [`involvedObject.uid=${claim.metadata.uid}`, [completed.metadata.name, started.metadata.name].sort()],
    ['involvedObject.kind=PersistentVolumeClaim,involvedObject.name=vm-disk,reason=MigrationCompleted', [completed.metadata.name]],
    ['involvedObject.namespace=vms,involvedObject.apiVersion=v1,type=Warning', ['other-disk.reporting']],
    ['involvedObject.resourceVersion=777', [completed.metadata.name, started.metadata.name].sort()],
    ['involvedObject.fieldPath=', [attached.metadata.name, completed.metadata.name, started.metadata.name, 'other-disk.reporting'].sort()],
    ['source=rds-migrate', [completed.metadata.name]],
    ['source=kubevirt-ctl', ['other-disk.reporting']], // falls back to reportingComponent
    ['reportingComponent=rds-csi-node', [attached.metadata.name, started.metadata.name].sort()],
    [`metadata.name=${started.metadata.name}`, [started.metadata.name]],
    ['metadata.namespace=elsewhere', []],
    ['reason=Migration\\=Started', []], // escaped '='
  ])('%s', async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it('applies selectors within a namespace', async () => {
    expect(await names('reason=VolumeAttached', '/api/v1/namespaces/vms/events')).toEqual([attached.metadata.name]);
  });

  it('rejects an unsupported field with 400 field label not supported', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/events', query: { fieldSelector: 'message=hello' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'field label not supported: message',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it.each([
    ['reason', "invalid selector: 'reason'; can't understand 'reason'"],
    ['reason in (A)', "invalid selector: 'reason in (A)'; can't understand 'reason in (A)'"],
    ['reason=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
  ])('rejects the malformed selector %s', async (selector, message) => {
    const res = await kubeRequest(server, { path: '/api/v1/events', query: { fieldSelector: selector } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'BadRequest', message });
  });

  it('only knows metadata fields for VolumeAttachments', async () => {
    const res = await kubeRequest(server, {
      path: '/apis/storage.k8s.io/v1/volumeattachments',
      query: { fieldSelector: 'spec.nodeName=a' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});

describe('paging', () => {
  const many = Array.from({ length: 5 }, (_, i) =>
    event({
      pvc: claim,
      namespace: 'paging',
      name: `e${i}`,
      reason: i % 2 === 0 ? 'MigrationStarted' : 'Other',
      type: 'Normal',
      message: `m${i}`,
      firstTimestamp: t0,
    }),
  );
  beforeAll(() => server.add(...many));

  it('pages with limit and an opaque continue token at one resourceVersion', async () => {
    const path = '/api/v1/namespaces/paging/events';
    const first = await kubeRequest(server, { path, query: { limit: 2 } });
    expect(first.body.items.map((e: any) => e.metadata.name)).toEqual(['e0', 'e1']);
    expect(first.body.metadata).toMatchObject({ continue: expect.any(String), remainingItemCount: 3 });
    server.add(event({ pvc: claim, namespace: 'default', name: 'unrelated', reason: 'X', type: 'Normal', message: 'bumps the RV' }));
    const second = await kubeRequest(server, { path, query: { limit: 2, continue: first.body.metadata.continue } });
    expect(second.body.items.map((e: any) => e.metadata.name)).toEqual(['e2', 'e3']);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    const third = await kubeRequest(server, { path, query: { limit: 2, continue: second.body.metadata.continue } });
    expect(third.body.items.map((e: any) => e.metadata.name)).toEqual(['e4']);
    expect(third.body.metadata.continue).toBeUndefined();
    expect(third.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('omits remainingItemCount with a selector', async () => {
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/paging/events',
      query: { limit: 2, fieldSelector: 'reason=MigrationStarted' },
    });
    expect(res.body.items.map((e: any) => e.metadata.name)).toEqual(['e0', 'e2']);
    expect(res.body.metadata.continue).toEqual(expect.any(String));
    expect(res.body.metadata).not.toHaveProperty('remainingItemCount');
  });

  it('rejects a garbage continue token with 400', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/paging/events', query: { limit: 2, continue: 'garbage' } });
    expect(res.status).toBe(400);
  });

  it('answers 410 Expired for an expired continue token, once', async () => {
    const path = '/api/v1/namespaces/paging/events';
    const first = await kubeRequest(server, { path, query: { limit: 2 } });
    server.expireContinueTokens(1);
    const expired = await kubeRequest(server, { path, query: { limit: 2, continue: first.body.metadata.continue } });
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      message: expect.stringMatching(
        /^The provided continue parameter is too old to display a consistent list result\. You can start a new list/,
      ),
    });
    const again = await kubeRequest(server, { path, query: { limit: 2, continue: first.body.metadata.continue } });
    expect(again.status).toBe(200);
  });
});

describe('RBAC denials', () => {
  it('forbids a cluster-scoped list like the real server', async () => {
    server.deny({ verb: 'list', resource: 'volumeattachments' });
    const res = await kubeRequest(server, { path: '/apis/storage.k8s.io/v1/volumeattachments' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'volumeattachments.storage.k8s.io is forbidden: User "system:serviceaccount:test:rds" cannot list resource "volumeattachments" in API group "storage.k8s.io" at the cluster scope',
      reason: 'Forbidden',
      details: { group: 'storage.k8s.io', kind: 'volumeattachments' },
      code: 403,
    });
  });

  it('forbids within one namespace only', async () => {
    server.deny({ verb: 'create', resource: 'events', namespace: 'vms' });
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body: event({ pvc: claim, reason: 'R', type: 'Normal', message: 'm' }),
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'events is forbidden: User "system:serviceaccount:test:rds" cannot create resource "events" in API group "" in the namespace "vms"',
    );
    expect(res.body.details).toEqual({ kind: 'events' });
    expect((await kubeRequest(server, { path: '/api/v1/namespaces/vms/events' })).status).toBe(200);
  });

  it('names the object for get', async () => {
    server.deny({ verb: 'get', resource: 'persistentvolumeclaims' });
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/vms/persistentvolumeclaims/vm-disk' });
    expect(res.body.message).toBe(
      'persistentvolumeclaims "vm-disk" is forbidden: User "system:serviceaccount:test:rds" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "vms"',
    );
    expect(res.body.details).toEqual({ name: 'vm-disk', kind: 'persistentvolumeclaims' });
  });
});

describe('faults', () => {
  it('answers 429 with Retry-After and details.retryAfterSeconds, counting down times', async () => {
    server.fault({ path: '/api/v1/events', status: 429, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await kubeRequest(server, { path: '/api/v1/events' });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    }
    expect((await kubeRequest(server, { path: '/api/v1/events' })).status).toBe(200);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it.each([
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout'],
  ])('answers %i with a %s Status', async (status, reason) => {
    server.fault({ method: 'GET', path: /\/volumeattachments$/, status, times: 1 });
    const res = await kubeRequest(server, { path: '/apis/storage.k8s.io/v1/volumeattachments' });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ kind: 'Status', status: 'Failure', reason, code: status });
  });

  it('sends a custom body and headers, matching on a predicate', async () => {
    server.fault({ when: (r) => r.query.fieldSelector === 'reason=X', status: 500, body: 'not json', headers: { 'X-Test': 'yes' } });
    const res = await kubeRequest(server, { path: '/api/v1/events', query: { fieldSelector: 'reason=X' } });
    expect(res.status).toBe(500);
    expect(res.text).toBe('not json');
    expect(res.headers['x-test']).toBe('yes');
    expect((await kubeRequest(server, { path: '/api/v1/events' })).status).toBe(200);
  });

  it('delays a response', async () => {
    server.fault({ path: '/version', delayMs: 300, times: 1 });
    const start = Date.now();
    expect((await kubeRequest(server, { path: '/version' })).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection without answering', async () => {
    server.fault({ path: '/api/v1/events', reset: true, times: 1 });
    await expect(kubeRequest(server, { path: '/api/v1/events' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/v1/events', status: 0 });
    expect((await kubeRequest(server, { path: '/api/v1/events' })).status).toBe(200);
  });
});

describe('event create', () => {
  const fresh = (name: string, overrides: Record<string, unknown> = {}): any => ({
    ...event({ pvc: claim, name, reason: 'MigrationStarted', type: 'Normal', message: 'm', firstTimestamp: '2025-01-02T03:04:05.678Z' }),
    ...overrides,
  });

  it('creates an event like client-go posts it, keeping the name and truncating times to seconds', async () => {
    const body = { ...fresh('vm-disk.created1'), metadata: { name: 'vm-disk.created1', namespace: 'vms', creationTimestamp: null } };
    body.firstTimestamp = '2025-01-02T03:04:05.678Z';
    body.lastTimestamp = '2025-01-02T03:04:05.678Z';
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body,
      headers: { 'User-Agent': 'rds-migrate-test/1.0' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: {
        name: 'vm-disk.created1',
        namespace: 'vms',
        uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        resourceVersion: expect.stringMatching(/^\d+$/),
      },
      firstTimestamp: '2025-01-02T03:04:05Z',
      lastTimestamp: '2025-01-02T03:04:05Z',
      count: 1,
      eventTime: null,
    });
    expect(res.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(server.objects('Event').map((e) => e.metadata.name)).toContain('vm-disk.created1');
    expect(server.writes()).toHaveLength(1);
    expect(server.writes()[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/vms/events',
      body: { metadata: { name: 'vm-disk.created1' } },
      status: 201,
      userAgent: 'rds-migrate-test/1.0',
    });
  });

  it('answers 409 AlreadyExists for an existing name', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/vms/events', body: fresh(started.metadata.name) });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `events "${started.metadata.name}" already exists`,
      reason: 'AlreadyExists',
      details: { name: started.metadata.name, kind: 'events' },
      code: 409,
    });
  });

  it('answers 422 Invalid when the namespace differs from involvedObject.namespace', async () => {
    server.add(namespace('elsewhere'));
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/elsewhere/events',
      body: { ...fresh('x1'), metadata: { name: 'x1' } },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      code: 422,
      message: 'Event "x1" is invalid: involvedObject.namespace: Invalid value: "vms": does not match event.namespace',
      details: {
        name: 'x1',
        kind: 'Event',
        causes: [
          {
            reason: 'FieldValueInvalid',
            field: 'involvedObject.namespace',
            message: 'Invalid value: "vms": does not match event.namespace',
          },
        ],
      },
    });
  });

  it('answers 404 for a namespace that does not exist', async () => {
    const body = { ...fresh('x2'), metadata: { name: 'x2' }, involvedObject: { ...started.involvedObject, namespace: 'ghost' } };
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/ghost/events', body });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('namespaces "ghost" not found');
  });

  it('rejects an eventTime without exactly six fractional digits with 400', async () => {
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body: fresh('x3', { eventTime: '2025-01-02T03:04:05.123Z' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('2006-01-02T15:04:05.000000Z07:00') });
  });

  it('applies the strict events rules when eventTime is set', async () => {
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body: fresh('x4', { eventTime: '2025-01-02T03:04:05.123456Z' }),
    });
    expect(res.status).toBe(422);
    expect(res.body.details.causes.map((c: any) => c.field)).toEqual(['reportingInstance', 'action']);
    const ok = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body: fresh('x5', { eventTime: '2025-01-02T03:04:05.123456Z', action: 'Migrate', reportingInstance: 'node-a' }),
    });
    expect(ok.status).toBe(201);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      body: 'a: b',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.reason).toBe('UnsupportedMediaType');
  });
});

describe('server-side dry run (dryRun=All)', () => {
  const fresh = (name: string, overrides: Record<string, unknown> = {}): any => ({
    ...event({ pvc: claim, name, reason: 'MigrationStarted', type: 'Normal', message: 'm', firstTimestamp: t0 }),
    ...overrides,
  });
  const stored = (name: string) => server.objects('Event').find((e) => e.metadata.name === name);

  it('validates a create and answers as if created, storing nothing', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/vms/events', query: { dryRun: 'All' }, body: fresh('dry1') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'Event', metadata: { name: 'dry1', namespace: 'vms', uid: expect.any(String) } });
    expect(res.body.metadata.creationTimestamp).toMatch(/Z$/);
    // Nothing was written, so there is no resourceVersion to report.
    expect(res.body.metadata.resourceVersion).toBeUndefined();
    expect(stored('dry1')).toBeUndefined();
  });

  it('answers the errors a real create would: 422 Invalid, 409 AlreadyExists, 404 for a missing namespace', async () => {
    const bad = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      query: { dryRun: 'All' },
      body: fresh('dry2', { involvedObject: { ...started.involvedObject, namespace: 'other' } }),
    });
    expect(bad.status).toBe(422);
    const taken = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      query: { dryRun: 'All' },
      body: fresh(started.metadata.name),
    });
    expect(taken.status).toBe(409);
    const ghost = await kubeRequest(server, {
      path: '/api/v1/namespaces/ghost/events',
      query: { dryRun: 'All' },
      body: { ...fresh('dry3'), metadata: { name: 'dry3' }, involvedObject: { ...started.involvedObject, namespace: 'ghost' } },
    });
    expect(ghost.status).toBe(404);
  });

  it('rejects a dryRun value other than All with 422', async () => {
    const res = await kubeRequest(server, { path: '/api/v1/namespaces/vms/events', query: { dryRun: 'true' }, body: fresh('dry4') });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"');
    expect(stored('dry4')).toBeUndefined();
  });

  it('answers a patch with the patched object and leaves the stored one as it was', async () => {
    const before = stored(attached.metadata.name);
    const res = await kubeRequest(server, {
      method: 'PATCH',
      path: `/api/v1/namespaces/vms/events/${attached.metadata.name}`,
      query: { dryRun: 'All' },
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: { count: 42 },
    });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(42);
    expect(res.body.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(stored(attached.metadata.name)).toEqual(before);
  });
});

describe('event patch', () => {
  const path = (): string => `/api/v1/namespaces/vms/events/${attached.metadata.name}`;

  it('applies the strategic-merge patch client-go sends for a repeat', async () => {
    const before = server.objects('Event').find((e) => e.metadata.name === attached.metadata.name);
    const res = await kubeRequest(server, {
      method: 'PATCH',
      path: path(),
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: { count: 2, lastTimestamp: '2025-01-02T03:09:00Z', message: 'again' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      count: 2,
      lastTimestamp: '2025-01-02T03:09:00Z',
      message: 'again',
      firstTimestamp: attached.firstTimestamp,
      source: attached.source,
    });
    expect(res.body.metadata.uid).toBe(before.metadata.uid);
    expect(Number(res.body.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
  });

  it('applies a merge patch', async () => {
    const res = await kubeRequest(server, {
      method: 'PATCH',
      path: path(),
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { count: 3 },
    });
    expect(res.body.count).toBe(3);
  });

  it('rejects a JSON Patch whose body is an object with 400, as the driver experiences', async () => {
    const res = await kubeRequest(server, {
      method: 'PATCH',
      path: path(),
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: { count: 4 },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'BadRequest', code: 400 });
  });

  it('applies a real JSON Patch', async () => {
    const res = await kubeRequest(server, {
      method: 'PATCH',
      path: path(),
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/count', value: 5 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(5);
  });

  it('answers 415 for an unsupported patch type and 404 for a missing event', async () => {
    const bad = await kubeRequest(server, {
      method: 'PATCH',
      path: path(),
      headers: { 'Content-Type': 'application/json' },
      body: { count: 9 },
    });
    expect(bad.status).toBe(415);
    const missing = await kubeRequest(server, {
      method: 'PATCH',
      path: '/api/v1/namespaces/vms/events/nope',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: { count: 2 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('events "nope" not found');
  });
});

describe('events.k8s.io/v1 view', () => {
  it('serves stored core events converted, namespaced and cluster-wide', async () => {
    const res = await kubeRequest(server, {
      path: '/apis/events.k8s.io/v1/namespaces/vms/events',
      query: { fieldSelector: `reason=MigrationStarted,metadata.name=${started.metadata.name}` },
    });
    expect(res.body).toMatchObject({ kind: 'EventList', apiVersion: 'events.k8s.io/v1' });
    expect(res.body.items).toHaveLength(1);
    const [e] = res.body.items;
    expect(e).toMatchObject({
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      eventTime: null,
      regarding: started.involvedObject,
      note: started.message,
      reason: 'MigrationStarted',
      type: 'Normal',
      reportingController: 'rds-csi-node',
      deprecatedSource: { component: 'rds-csi-node' },
      deprecatedFirstTimestamp: started.firstTimestamp,
      deprecatedLastTimestamp: started.lastTimestamp,
      deprecatedCount: 1,
    });
    expect(e).not.toHaveProperty('involvedObject');
    const all = await kubeRequest(server, {
      path: '/apis/events.k8s.io/v1/events',
      query: { fieldSelector: `regarding.uid=${claim.metadata.uid}` },
    });
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    const bad = await kubeRequest(server, { path: '/apis/events.k8s.io/v1/events', query: { fieldSelector: 'involvedObject.uid=x' } });
    expect(bad.status).toBe(400);
  });

  it('accepts seeded events.k8s.io/v1 events and stores them in core form', () => {
    server.add({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'series-event', namespace: 'vms' },
      eventTime: '2025-01-02T03:04:05.000000Z',
      series: { count: 3, lastObservedTime: '2025-01-02T03:06:05.000000Z' },
      regarding: { kind: 'PersistentVolumeClaim', namespace: 'vms', name: 'vm-disk', uid: claim.metadata.uid, apiVersion: 'v1' },
      note: 'n',
      reason: 'MigrationStarted',
      type: 'Normal',
      action: 'Migrate',
      reportingController: 'c',
      reportingInstance: 'i',
    });
    const stored = server.objects('Event').find((e) => e.metadata.name === 'series-event');
    expect(stored).toMatchObject({
      apiVersion: 'v1',
      involvedObject: { name: 'vm-disk' },
      message: 'n',
      reportingComponent: 'c',
      series: { count: 3 },
      firstTimestamp: null,
    });
  });
});

describe('tables and builders', () => {
  it('answers a Table when the Accept header asks for one', async () => {
    const res = await kubeRequest(server, {
      path: '/api/v1/namespaces/vms/events',
      query: { fieldSelector: `metadata.name=${started.metadata.name}` },
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    expect(res.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(res.body.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
    // The server always sends every column (priority 1 ones are shown by -o wide only).
    const byColumn = Object.fromEntries(res.body.columnDefinitions.map((c: any, i: number) => [c.name, res.body.rows[0].cells[i]]));
    expect(byColumn).toMatchObject({
      Type: 'Normal',
      Reason: 'MigrationStarted',
      Object: 'persistentvolumeclaim/vm-disk',
      Source: 'rds-csi-node',
      Message: started.message,
      Count: 1,
      Name: started.metadata.name,
    });
    expect(res.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: started.metadata.name } });
  });

  it('names VolumeAttachments like the attach/detach controller', () => {
    const va = volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: t0 });
    expect(va.metadata.name).toBe(volumeAttachmentName('pvc-0001', 'rds.csi.srvlab.io', 'node-a'));
    expect(va.metadata.name).toMatch(/^csi-[0-9a-f]{64}$/);
    expect(va.metadata.finalizers).toEqual(['external-attacher/rds-csi-srvlab-io']);
  });
});

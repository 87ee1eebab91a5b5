// The fake API server's RBAC allow-list mode (allowOnly), which deploy.test.ts relies on to prove
// the ClusterRole: it must allow and refuse exactly as the real RBAC authorizer does for a subject
// bound cluster-wide to the rules, with the real verbs and the real 403s.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { kubeRequest } from '../helpers/kube-request.js';
import { namespace, node, pod } from '../helpers/objects.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer({
    objects: [namespace('vms'), node('node-a'), pod({ namespace: 'vms', name: 'p', node: 'node-a' })],
    kubevirt: true,
    user: 'system:serviceaccount:ops:auditor',
  });
});
afterAll(() => server?.close());
afterEach(() => server.reset());

const status = async (path: string, query?: Record<string, string>): Promise<number> =>
  (await kubeRequest(server, { path, ...(query ? { query } : {}) })).status;

describe('allowOnly', () => {
  it('allows a verb on a resource of a group, and nothing the rules do not name', async () => {
    server.allowOnly([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    expect(await status('/api/v1/namespaces/vms/pods')).toBe(200);
    expect(await status('/api/v1/pods')).toBe(200);
    // get, watch and another resource or group are other permissions.
    expect(await status('/api/v1/namespaces/vms/pods/p')).toBe(403);
    expect(await status('/api/v1/namespaces/vms/pods', { watch: '1' })).toBe(403);
    expect(await status('/api/v1/nodes')).toBe(403);
    expect(await status('/apis/kubevirt.io/v1/virtualmachineinstances')).toBe(403);
  });

  it('answers a refused request with the API server 403', async () => {
    server.allowOnly([]);
    const res = await kubeRequest(server, { path: '/api/v1/nodes/node-a' });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'nodes "node-a" is forbidden: User "system:serviceaccount:ops:auditor" cannot get resource "nodes" in API group "" at the cluster scope',
    );
  });

  it('allows discovery and /version as system:discovery does, and no other path', async () => {
    server.allowOnly([]);
    for (const path of ['/api', '/api/v1', '/apis', '/apis/kubevirt.io', '/apis/kubevirt.io/v1', '/version', '/healthz']) {
      expect(await status(path), path).toBe(200);
    }
    const res = await kubeRequest(server, { path: '/metrics' });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('forbidden: User "system:serviceaccount:ops:auditor" cannot get path "/metrics"');
  });

  it('reads wildcards, resourceNames and nonResourceURLs as RBAC does', async () => {
    server.allowOnly([
      { apiGroups: ['*'], resources: ['virtualmachineinstances'], verbs: ['*'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'], resourceNames: ['node-a'] },
      { verbs: ['get'], nonResourceURLs: ['/metrics'] },
    ]);
    expect(await status('/apis/kubevirt.io/v1/virtualmachineinstances')).toBe(200);
    expect(await status('/api/v1/nodes/node-a')).toBe(200);
    expect(await status('/api/v1/nodes')).toBe(403);
    expect(await status('/metrics')).not.toBe(403);
  });

  it('ends with reset()', async () => {
    server.allowOnly([]);
    expect(await status('/api/v1/nodes')).toBe(403);
    server.reset();
    expect(await status('/api/v1/nodes')).toBe(200);
  });
});

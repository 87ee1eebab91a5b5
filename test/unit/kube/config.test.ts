import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError, NotFoundError, UsageError } from '../../../src/errors.js';
import { loadConfig } from '../../../src/kube/config.js';

const dir = mkdtempSync(join(tmpdir(), 'rds-kubeconfig-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function kubeconfig(opts: {
  current?: string;
  cluster: string;
  server: string;
  user: string;
  token: string;
  context: string;
  namespace?: string;
}): string {
  return `apiVersion: v1
kind: Config
${opts.current ? `current-context: ${opts.current}\n` : ''}clusters:
- name: ${opts.cluster}
  cluster:
    server: ${opts.server}
    certificate-authority: ca.pem
users:
- name: ${opts.user}
  user:
    token: ${opts.token}
contexts:
- name: ${opts.context}
  context:
    cluster: ${opts.cluster}
    user: ${opts.user}
${opts.namespace ? `    namespace: ${opts.namespace}\n` : ''}`;
}

const first = file(
  'first.yaml',
  kubeconfig({ current: 'one', cluster: 'c', server: 'https://first:6443', user: 'u', token: 'T1', context: 'one', namespace: 'vms' }),
);
const second = file(
  'second.yaml',
  kubeconfig({ current: 'two', cluster: 'c', server: 'https://second:6443', user: 'u', token: 'T2', context: 'two' }),
);

describe('loadConfig', () => {
  it('merges KUBECONFIG like kubectl: the first current-context and the first of each name win', async () => {
    const config = await loadConfig({
      kubeconfigFlag: undefined,
      contextFlag: undefined,
      namespaceFlag: undefined,
      env: { KUBECONFIG: `${first}:${second}` },
    });
    expect(config.contextName).toBe('one');
    expect(config.cluster.server).toBe('https://first:6443');
    expect(config.user.token).toBe('T1');
    expect(config.namespace).toBe('vms');
  });

  it('uses a context of a later file when asked, with the first definition of its cluster', async () => {
    const config = await loadConfig({
      kubeconfigFlag: undefined,
      contextFlag: 'two',
      namespaceFlag: undefined,
      env: { KUBECONFIG: `${first}:${second}` },
    });
    expect(config.contextName).toBe('two');
    expect(config.cluster.server).toBe('https://first:6443');
    expect(config.namespace).toBe('default');
  });

  it('skips KUBECONFIG entries that do not exist', async () => {
    const config = await loadConfig({
      kubeconfigFlag: undefined,
      contextFlag: undefined,
      namespaceFlag: 'x',
      env: { KUBECONFIG: `${join(dir, 'missing')}::${second}` },
    });
    expect(config.contextName).toBe('two');
    expect(config.namespace).toBe('x');
  });

  it('resolves relative file references against the kubeconfig file', async () => {
    const config = await loadConfig({ kubeconfigFlag: first, contextFlag: undefined, namespaceFlag: undefined, env: {} });
    expect(config.cluster.certificateAuthority).toBe(join(dir, 'ca.pem'));
  });

  it.each([
    ['a missing --kubeconfig', { kubeconfigFlag: join(dir, 'nope') }, UsageError, /no such file/],
    ['a malformed file', { kubeconfigFlag: file('bad.yaml', 'clusters: [\n  - : :') }, UsageError, /not valid YAML/],
    ['a file that is not a mapping', { kubeconfigFlag: file('list.yaml', '- a\n- b\n') }, UsageError, /expected a mapping/],
    ['a malformed $KUBECONFIG entry', { env: { KUBECONFIG: `${first}:${file('bad2.yaml', 'users: 5')}` } }, UsageError, /must be a list/],
    ['an unknown context', { kubeconfigFlag: first, contextFlag: 'nope' }, NotFoundError, /context "nope" not found/],
    ['no configuration at all', { env: { HOME: dir } }, ClusterError, /no cluster configuration found/],
  ])('rejects %s', async (_name, input, type, message) => {
    const call = () =>
      loadConfig({
        kubeconfigFlag: undefined,
        contextFlag: undefined,
        namespaceFlag: undefined,
        env: {},
        serviceAccountDir: join(dir, 'no-sa'),
        ...input,
      });
    await expect(call()).rejects.toThrow(type);
    await expect(call()).rejects.toThrow(message);
  });

  it('falls back to the in-cluster service account', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'rds-sa-'));
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'namespace'), 'vms\n');
    const config = await loadConfig({
      kubeconfigFlag: undefined,
      contextFlag: undefined,
      namespaceFlag: undefined,
      env: { HOME: dir, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
    });
    expect(config.cluster.server).toBe('https://10.0.0.1:443');
    expect(config.user.tokenFile).toBe(join(sa, 'token'));
    expect(config.namespace).toBe('vms');
  });
});

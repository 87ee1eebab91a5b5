import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError, NotFoundError, UsageError } from '../../../src/errors.js';
import { type LoadConfigInput, loadConfig, MAX_KUBECONFIG_BYTES } from '../../../src/kube/config.js';

const dir = mkdtempSync(join(tmpdir(), 'rds-kubeconfig-'));
const signal = new AbortController().signal;

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
      signal,
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
      signal,
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
      signal,
    });
    expect(config.contextName).toBe('two');
    expect(config.namespace).toBe('x');
  });

  it('resolves relative file references against the kubeconfig file', async () => {
    const config = await loadConfig({ kubeconfigFlag: first, contextFlag: undefined, namespaceFlag: undefined, env: {}, signal });
    expect(config.cluster.certificateAuthority).toBe(join(dir, 'ca.pem'));
  });

  it.each([
    ['a missing --kubeconfig', { kubeconfigFlag: join(dir, 'nope') }, UsageError, /no such file/],
    ['a malformed file', { kubeconfigFlag: file('bad.yaml', 'clusters: [\n  - : :') }, UsageError, /not valid YAML/],
    ['a file that is not a mapping', { kubeconfigFlag: file('list.yaml', '- a\n- b\n') }, UsageError, /not a mapping/],
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
        signal,
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
      signal,
    });
    expect(config.cluster.server).toBe('https://10.0.0.1:443');
    expect(config.user.tokenFile).toBe(join(sa, 'token'));
    expect(config.namespace).toBe('vms');
  });
});

/** A kubeconfig of one cluster, user and context, with `user:` and `cluster:` bodies as given (YAML, indented 4). */
function single(user: string, cluster = '    server: https://127.0.0.1:6443'): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
${cluster}
users:
- name: u
  user:
${user}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`;
}

let fileCount = 0;
function load(text: string, extra: Partial<LoadConfigInput> = {}) {
  const path = file(`case-${++fileCount}.yaml`, text);
  return {
    path,
    result: loadConfig({ kubeconfigFlag: path, contextFlag: undefined, namespaceFlag: undefined, env: {}, signal, ...extra }),
  };
}

describe('a kubeconfig is refused where kubectl refuses it, naming the file and the field', () => {
  it.each([
    // Unquoted values of the wrong type: kubectl says "cannot unmarshal number into Go struct field AuthInfo.users.user.token of type string".
    ['token: 123456789', single('    token: 123456789'), /line 10: users\[0\]\.user\.token \(user "u"\) must be a string, not a number$/],
    [
      'password: 1234',
      single('    username: admin\n    password: 1234'),
      /users\[0\]\.user\.password \(user "u"\) must be a string, not a number$/,
    ],
    ['token: yes (YAML 1.1)', single('    token: yes'), /users\[0\]\.user\.token \(user "u"\) must be a string, not a boolean$/],
    ['token: 0x1F', single('    token: 0x1F'), /\.token \(user "u"\) must be a string, not a number$/],
    ['token: 1_000', single('    token: 1_000'), /\.token \(user "u"\) must be a string, not a number$/],
    ['token: [a]', single('    token: [a]'), /\.token \(user "u"\) must be a string, not a list$/],
    [
      'insecure-skip-tls-verify: "true"',
      single('    token: t', '    server: https://h\n    insecure-skip-tls-verify: "true"'),
      /clusters\[0\]\.cluster\.insecure-skip-tls-verify \(cluster "c"\) must be true or false, not a string$/,
    ],
    [
      'server: 1234',
      single('    token: t', '    server: 1234'),
      /clusters\[0\]\.cluster\.server \(cluster "c"\) must be a string, not a number$/,
    ],
    [
      'certificate-authority-data that is not base64',
      single('    token: t', '    server: https://h\n    certificate-authority-data: "a b"'),
      /certificate-authority-data \(cluster "c"\) is not valid base64$/,
    ],
    [
      'exec.args not a list',
      single('    exec: {command: x, args: "a b"}'),
      /users\[0\]\.user\.exec\.args \(user "u"\) must be a list, not a string$/,
    ],
    [
      'exec.args with a number',
      single('    exec: {command: x, args: [a, 1]}'),
      /users\[0\]\.user\.exec\.args\[1\] \(user "u"\) must be a string, not a number$/,
    ],
    [
      'exec.env value number',
      single('    exec: {command: x, env: [{name: A, value: 1}]}'),
      /exec\.env\[0\]\.value \(user "u"\) must be a string, not a number$/,
    ],
    ['a user that is a string', 'users:\n- name: u\n  user: admin\n', /users\[0\]\.user \(user "u"\) must be a mapping, not a string$/],
    ['two users of one name', 'users:\n- name: u\n  user: {token: a}\n- name: u\n  user: {token: b}\n', /line 4: has two users named "u"$/],
    ['.inf', single('    token: .inf'), /users\[0\]\.user\.token is \.inf or \.nan/],
    ['a null key', 'users:\n- name: u\n  user: {~: x}\n', /has a key that is null/],
    ['apiVersion v2', 'apiVersion: v2\nkind: Config\n', /is not a kubeconfig: apiVersion is "v2", not "v1"$/],
    ['kind Pod', 'apiVersion: v1\nkind: Pod\n', /is not a kubeconfig: kind is "Pod", not "Config"$/],
    ['tabs as indentation', 'users:\n- name: u\n  user:\n\ttoken: a\n', /is not valid YAML \(line 4, column 1\)/],
    [
      'billion laughs',
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
      /expands more than 10000 aliases/,
    ],
  ])('%s', async (_name, text, message) => {
    const { path, result } = load(text);
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`^kubeconfig "${path}"`));
    expect((err as Error).message).toMatch(message);
  });

  it('names the field as kubectl does in the hint', async () => {
    const err = await load(single('    token: 123456789')).result.catch((e: unknown) => e);
    expect((err as UsageError).hint).toBe(
      'kubectl refuses the file too (cannot unmarshal number into users.user.token of type string); put the value in quotes',
    );
  });

  it.each([
    [
      'client-certificate and client-certificate-data',
      single('    client-certificate: c.pem\n    client-certificate-data: YWJj\n    client-key-data: YWJj'),
      /user "u" sets both client-certificate and client-certificate-data$/,
    ],
    [
      'client-key and client-key-data',
      single('    client-certificate-data: YWJj\n    client-key: k.pem\n    client-key-data: YWJj'),
      /user "u" sets both client-key and client-key-data$/,
    ],
    [
      'certificate-authority and its data',
      single('    token: t', '    server: https://h\n    certificate-authority: ca.pem\n    certificate-authority-data: YWJj'),
      /cluster "c" sets both certificate-authority and certificate-authority-data$/,
    ],
    ['a certificate without a key', single('    client-certificate-data: YWJj'), /user "u" has a client certificate but no client-key/],
    ['a key without a certificate', single('    client-key-data: YWJj'), /user "u" has a client key but no client-certificate/],
    [
      'a token and a password',
      single('    token: t\n    username: a\n    password: p'),
      /user "u" has both a token and a username\/password$/,
    ],
    ['a password without a user name', single('    password: p'), /user "u" has a password but no username$/],
    ['as-groups without as', single('    token: t\n    as-groups: [g]'), /user "u" sets as-uid, as-groups or as-user-extra without as$/],
    [
      'exec.env: [null]',
      single('    exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, env: [null]}'),
      /user "u": an exec env entry has no name$/,
    ],
    ['exec without apiVersion', single('    exec: {command: x, interactiveMode: Never}'), /user "u": exec has no apiVersion$/],
    [
      'exec of an unknown apiVersion',
      single('    exec: {command: x, apiVersion: foo/v1, interactiveMode: Never}'),
      /exec apiVersion "foo\/v1" is not supported$/,
    ],
    [
      'exec v1 without interactiveMode',
      single('    exec: {command: x, apiVersion: client.authentication.k8s.io/v1}'),
      /user "u": exec has no interactiveMode$/,
    ],
    [
      'exec with a bad interactiveMode',
      single('    exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}'),
      /interactiveMode "Sometimes" is not Never, IfAvailable or Always$/,
    ],
    [
      'exec and auth-provider',
      single('    exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}\n    auth-provider: {name: gcp}'),
      /user "u" has both exec and auth-provider$/,
    ],
    ['a cluster without server', single('    token: t', '    insecure-skip-tls-verify: true'), /cluster "c" has no server$/],
    [
      'a server that is not a URL, holding a password',
      single('    token: t', '    server: https://admin:pa/SECRET@host'),
      /cluster "c": its server is not a valid URL$/,
    ],
    [
      'a file:// server',
      single('    token: t', '    server: file:///etc/passwd'),
      /cluster "c": its server must be an https:\/\/ or http:\/\/ URL$/,
    ],
    ['a server without a scheme', single('    token: t', '    server: 127.0.0.1:6443'), /cluster "c": its server is not a valid URL$/],
  ])('the context in use: %s', async (_name, text, message) => {
    const { path, result } = load(text);
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`^kubeconfig "${path}"`));
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('SECRET');
  });

  it('checks only the context in use, as kubectl does', async () => {
    const text = `clusters:
- name: c
  cluster: {server: "https://h:6443"}
- name: broken
  cluster: {server: "file:///etc/passwd"}
users:
- name: u
  user: {token: t}
- name: both
  user: {token: t, username: a, password: b}
contexts:
- name: x
  context: {cluster: c, user: u}
- name: other
  context: {cluster: broken, user: both}
current-context: x
`;
    await expect(load(text).result).resolves.toMatchObject({ contextName: 'x' });
    await expect(load(text, { contextFlag: 'other' }).result).rejects.toThrow(/cluster "broken": its server must be/);
  });
});

describe('a kubeconfig is read as kubectl reads it', () => {
  it.each([
    ['quoted numbers stay strings', single('    token: "123456789"'), { token: '123456789' }],
    ['!!str keeps a number a string', single('    token: !!str 123'), { token: '123' }],
    ['a timestamp stays the text written', single('    token: 2001-12-14'), { token: '2001-12-14' }],
    ['12:34 is a string (no sexagesimal numbers in go-yaml)', single('    token: 12:34'), { token: '12:34' }],
    ['!!binary is decoded', single('    token: !!binary aGVsbG8='), { token: 'hello' }],
    ['a block scalar keeps its newline', single('    token: |\n      abc'), { token: 'abc\n' }],
    ['a repeated key: the last wins', single('    token: a\n    token: b'), { token: 'b' }],
    ['keys are case-sensitive', single('    Token: a\n    token: b'), { token: 'b' }],
    ['token: null is no token', single('    token: null\n    username: a'), { username: 'a' }],
    [
      'exec.args: [null] is an empty argument',
      single('    exec: {command: x, apiVersion: client.authentication.k8s.io/v1beta1, args: [null, a]}'),
      { exec: { args: ['', 'a'], interactiveMode: 'IfAvailable' } },
    ],
  ])('%s', async (_name, text, user) => {
    const config = await load(text).result;
    expect(config.user).toMatchObject(user);
  });

  it('reads anchors, aliases and << merge keys; a later explicit key wins over the merge', async () => {
    const text = `apiVersion: v1
clusters:
- name: base
  cluster: &base {server: "https://base:6443", tls-server-name: base}
- name: c
  cluster:
    <<: *base
    tls-server-name: override
users:
- name: u
  user: {token: t}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`;
    const config = await load(text).result;
    expect(config.cluster).toMatchObject({ server: 'https://base:6443', tlsServerName: 'override' });
  });

  it('reads the first YAML document only, as go-yaml does', async () => {
    const config = await load(`${single('    token: first')}---\nthis: [is not: even valid\n`).result;
    expect(config.user.token).toBe('first');
  });

  it('decodes certificate data with encoding/json rules: line breaks ignored', async () => {
    const config = await load(single('    client-certificate-data: "YWJj\\nZGVm"\n    client-key-data: YWJj')).result;
    expect(config.user.clientCertificateData?.toString()).toBe('abcdef');
  });
});

describe('local files are read bounded', () => {
  it('refuses a device as --kubeconfig at once', async () => {
    const call = loadConfig({ kubeconfigFlag: '/dev/zero', contextFlag: undefined, namespaceFlag: undefined, env: {}, signal });
    await expect(call).rejects.toThrow(/^cannot read --kubeconfig "\/dev\/zero": not a regular file/);
  });

  it('refuses a kubeconfig over the cap before reading it', async () => {
    const path = file('huge.yaml', '');
    truncateSync(path, MAX_KUBECONFIG_BYTES + 1);
    const call = loadConfig({ kubeconfigFlag: path, contextFlag: undefined, namespaceFlag: undefined, env: {}, signal });
    await expect(call).rejects.toThrow(/it is 16777217 bytes, over the 16 MiB limit$/);
  });

  it('refuses a device in $KUBECONFIG too (only missing entries are skipped)', async () => {
    const call = loadConfig({
      kubeconfigFlag: undefined,
      contextFlag: undefined,
      namespaceFlag: undefined,
      env: { KUBECONFIG: `/dev/zero:${first}` },
      signal,
    });
    await expect(call).rejects.toThrow(/^cannot read kubeconfig "\/dev\/zero"/);
  });
});

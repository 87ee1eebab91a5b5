// Differential test of the kubeconfig reader against the real kubectl (a kubeconfig is
// refused where kubectl refuses it, never read differently). Two corpora:
//  - files: `kubectl config view --raw -o json` and our reader must agree on whether the file is
//    accepted and, when it is, on every value we use; when kubectl names a field of the wrong type,
//    our error names the same field.
//  - the context in use: kubectl.1.31 `get --raw /version` against the fake API server, and our
//    loadConfig + resolveCredentials: kubectl accepted the file when its request reached the server.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { resolveCredentials } from '../../src/kube/auth.js';
import { type KubeConfigFile, loadConfig, readKubeConfigFile } from '../../src/kube/config.js';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { kubectlAvailable, kubectlBinary, runKubectl } from '../helpers/run-cli.js';

const KUBECTL = kubectlBinary('1.31');
const dir = mkdtempSync(join(tmpdir(), 'rds-kubeconfig-kubectl-'));
const signal = new AbortController().signal;
const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const plugin = fileURLToPath(new URL('../fixtures/exec-plugin/credential.mjs', import.meta.url));

const U = (body: string) => `users:\n- name: u\n  user:\n${body}\n`;
const C = (body: string) => `clusters:\n- name: c\n  cluster:\n${body}\n`;

/** Files: [name, text]. Secrets are SECRET-marked, so that no error line may show them. */
const FILES: [string, string][] = [
  ['token: 123456789', U('    token: 123456789')],
  ['password: 1234', U('    username: admin\n    password: 1234')],
  ['token: yes', U('    token: yes')],
  ['token: y', U('    token: y')],
  ['token: on', U('    token: on')],
  ['token: True', U('    token: True')],
  ['token: tRUE', U('    token: tRUE')],
  ['token: 0x1F', U('    token: 0x1F')],
  ['token: 0o17', U('    token: 0o17')],
  ['token: 0777', U('    token: 0777')],
  ['token: 0789', U('    token: 0789')],
  ['token: 1_000', U('    token: 1_000')],
  ['token: +12', U('    token: +12')],
  ['token: -0', U('    token: -0')],
  ['token: 0b101', U('    token: 0b101')],
  ['token: 1.', U('    token: 1.')],
  ['token: .5', U('    token: .5')],
  ['token: 1e3', U('    token: 1e3')],
  ['token: 1e999', U('    token: 1e999')],
  ['token: 1e-999', U('    token: 1e-999')],
  ['token: 0x1p3', U('    token: 0x1p3')],
  ['token: 99999999999999999999999', U('    token: 99999999999999999999999')],
  ['token: .inf', U('    token: .inf')],
  ['token: .NaN', U('    token: .NaN')],
  ['token: 12:34', U('    token: 12:34')],
  ['token: 2001-12-14', U('    token: 2001-12-14')],
  ['token: 2001-12-14T21:59:43.10-05:00', U('    token: 2001-12-14T21:59:43.10-05:00')],
  ['token: !!str 123', U('    token: !!str 123')],
  ['token: !!int 12', U('    token: !!int 12')],
  ['token: !!binary', U('    token: !!binary U0VDUkVULWJpbmFyeQ==')],
  ['token: !local tag', U('    token: !foo SECRET-local')],
  ['token: ~', U('    token: ~')],
  ['token: (empty)', U('    token:')],
  ['token: NULL', U('    token: NULL')],
  ['token: "SECRET\\n"', U('    token: "SECRET-nl\\n"')],
  ['token: block scalar', U('    token: |\n      SECRET-block')],
  ['token: folded scalar', U('    token: >-\n      SECRET\n      folded')],
  ['token: [a]', U('    token: [a]')],
  ['token: {a: b}', U('    token: {a: b}')],
  ['token repeated', U('    token: SECRET-a\n    token: SECRET-b')],
  ['Token (case)', U('    Token: SECRET-case')],
  ['as-groups: a', U('    as: x\n    as-groups: a')],
  ['as-groups: [a, null]', U('    as: x\n    as-groups: [a, null]')],
  ['as-user-extra', U('    as: x\n    as-user-extra: {k: [v]}')],
  ['as-user-extra: string', U('    as: x\n    as-user-extra: {k: v}')],
  ['auth-provider config number', U('    auth-provider:\n      name: gcp\n      config: {a: 1}')],
  ['exec args: "a b"', U('    exec:\n      command: x\n      args: "a b"')],
  ['exec args: [null, a]', U('    exec:\n      command: x\n      args: [null, a]')],
  ['exec args: [1]', U('    exec:\n      command: x\n      args: [1]')],
  ['exec env: [null]', U('    exec:\n      command: x\n      env: [null]')],
  ['exec env value number', U('    exec:\n      command: x\n      env: [{name: A, value: 1}]')],
  ['exec provideClusterInfo: "true"', U('    exec:\n      command: x\n      provideClusterInfo: "true"')],
  ['exec: null', U('    exec: null')],
  ['exec relative command', U('    exec:\n      command: ./bin/plugin\n      apiVersion: client.authentication.k8s.io/v1')],
  ['user: a string', 'users:\n- name: u\n  user: SECRET-user\n'],
  ['users: 5', 'users: 5\n'],
  ['users: null', 'users: null\n'],
  ['users: [null]', 'users: [null]\n'],
  ['name: 5', 'users:\n- name: 5\n  user: {}\n'],
  ['no name', C('    server: https://x')],
  ['two users named u', 'users:\n- name: u\n  user: {token: SECRET-a}\n- name: u\n  user: {token: SECRET-b}\n'],
  ['two clusters named c', `${C('    server: https://x')}- name: c\n  cluster: {server: https://y}\n`],
  ['insecure-skip-tls-verify: "true"', C('    server: https://x\n    insecure-skip-tls-verify: "true"')],
  ['insecure-skip-tls-verify: yes', C('    server: https://x\n    insecure-skip-tls-verify: yes')],
  ['insecure-skip-tls-verify: off', C('    server: https://x\n    insecure-skip-tls-verify: off')],
  ['insecure-skip-tls-verify: 1', C('    server: https://x\n    insecure-skip-tls-verify: 1')],
  ['insecure-skip-tls-verify: null', C('    server: https://x\n    insecure-skip-tls-verify: null')],
  ['server: 1234', C('    server: 1234')],
  ['certificate-authority-data: abc', C('    server: https://x\n    certificate-authority-data: abc')],
  ['certificate-authority-data: "YW Jj"', C('    server: https://x\n    certificate-authority-data: "YW Jj"')],
  ['certificate-authority-data: "-_-_"', C('    server: https://x\n    certificate-authority-data: "-_-_"')],
  ['certificate-authority-data: no padding', C('    server: https://x\n    certificate-authority-data: YWJjZA')],
  ['certificate-authority-data: CRLF', C('    server: https://x\n    certificate-authority-data: "YWJj\\r\\nZGVm"')],
  ['certificate-authority-data: 1234', C('    server: https://x\n    certificate-authority-data: 1234')],
  ['certificate-authority relative', C('    server: https://x\n    certificate-authority: ca.pem')],
  ['anchors and aliases', 'clusters:\n- name: c\n  cluster: &cl\n    server: https://x\n- name: d\n  cluster: *cl\n'],
  [
    'merge key, later key wins',
    'clusters:\n- name: c\n  cluster: &cl\n    server: https://x\n- name: d\n  cluster:\n    <<: *cl\n    server: https://y\n',
  ],
  [
    'merge key, earlier key overridden',
    'clusters:\n- name: c\n  cluster: &cl\n    server: https://x\n- name: d\n  cluster:\n    server: https://y\n    <<: *cl\n',
  ],
  [
    'merge of a list',
    'x: &a {server: https://a}\ny: &b {server: https://b, tls-server-name: b}\nclusters:\n- name: c\n  cluster:\n    <<: [*a, *b]\n',
  ],
  ['flow style', '{clusters: [{name: c, cluster: {server: "https://x"}}], current-context: a}'],
  ['JSON', '{"current-context": "a", "users": [{"name": "u", "user": {"token": "SECRET-json"}}]}'],
  ['comments', '# a comment\ncurrent-context: a # trailing\n'],
  ['two documents', 'current-context: a\n---\ncurrent-context: b\n'],
  ['a broken second document', 'current-context: a\n---\nb: [\n'],
  ['a repeated top-level key', 'current-context: a\ncurrent-context: b\n'],
  ['a key that is a boolean', 'yes: SECRET-key\n'],
  ['a null key', 'users:\n- name: u\n  user: {~: SECRET-null-key}\n'],
  ['empty', ''],
  ['only a comment', '# nothing\n'],
  ['a list', '- a\n'],
  ['a string', 'hello\n'],
  ['tabs as indentation', 'users:\n- name: u\n  user:\n\ttoken: SECRET-tab\n'],
  ['apiVersion: v2', 'apiVersion: v2\nkind: Config\n'],
  ['kind: Pod', 'apiVersion: v1\nkind: Pod\n'],
  ['kind: 5', 'apiVersion: v1\nkind: 5\n'],
  ['no apiVersion', 'kind: Config\ncurrent-context: a\n'],
  ['preferences: 5', 'preferences: 5\n'],
  ['preferences: {colors: yes}', 'preferences: {colors: yes}\n'],
  ['extensions: 5', 'extensions: 5\n'],
  ['an extension of anything', 'extensions:\n- name: e\n  extension: {a: [1, yes, null]}\n'],
  ['contexts', 'contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: vms}\ncurrent-context: x\n'],
  ['context namespace: 5', 'contexts:\n- name: x\n  context: {namespace: 5}\n'],
  ['a BOM', '\ufeffcurrent-context: a\n'],
];

/** The values we use, in one shape for both readers; empty values left out as kubectl leaves them out. */
function canonical(config: {
  clusters: Record<string, Record<string, unknown>>;
  users: Record<string, Record<string, unknown>>;
  contexts: Record<string, Record<string, unknown>>;
  currentContext: unknown;
}): unknown {
  return JSON.parse(JSON.stringify(config, (_k, v) => (v === '' || v === false || v === null ? undefined : v)));
}

function fromKubectl(json: any, base: string): unknown {
  const abs = (p: unknown) => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? join(base, p) : p);
  const named = (list: any[] | null, key: string, map: (v: any) => Record<string, unknown>) =>
    Object.fromEntries((list ?? []).map((e: any) => [e.name ?? '', map(e[key] ?? {})]));
  return canonical({
    clusters: named(json.clusters, 'cluster', (c) => ({
      server: c.server,
      ca: abs(c['certificate-authority']),
      caData: c['certificate-authority-data'],
      insecure: c['insecure-skip-tls-verify'],
      tlsServerName: c['tls-server-name'],
      proxyUrl: c['proxy-url'],
    })),
    users: named(json.users, 'user', (u) => ({
      token: u.token,
      tokenFile: abs(u.tokenFile),
      cert: abs(u['client-certificate']),
      certData: u['client-certificate-data'],
      key: abs(u['client-key']),
      keyData: u['client-key-data'],
      username: u.username,
      password: u.password,
      as: u.as,
      asGroups: u['as-groups'],
      asUserExtra: u['as-user-extra'],
      exec: u.exec && {
        command: u.exec.command?.includes('/') ? abs(u.exec.command) : u.exec.command,
        args: u.exec.args?.length ? u.exec.args : undefined,
        env: u.exec.env?.length ? u.exec.env : undefined,
        apiVersion: u.exec.apiVersion,
        interactiveMode: u.exec.interactiveMode,
        provideClusterInfo: u.exec.provideClusterInfo,
      },
      authProvider: u['auth-provider'],
    })),
    contexts: named(json.contexts, 'context', (c) => ({ cluster: c.cluster, user: c.user, namespace: c.namespace })),
    currentContext: json['current-context'],
  });
}

function fromOurs(file: KubeConfigFile): unknown {
  const b64 = (b: Buffer | undefined) => b?.toString('base64');
  return canonical({
    clusters: Object.fromEntries(
      file.clusters.map((c) => [
        c.name,
        {
          server: c.server,
          ca: c.certificateAuthority,
          caData: b64(c.certificateAuthorityData),
          insecure: c.insecureSkipTlsVerify,
          tlsServerName: c.tlsServerName,
          proxyUrl: c.proxyUrl,
        },
      ]),
    ),
    users: Object.fromEntries(
      file.users.map((u) => [
        u.name,
        {
          token: u.token,
          tokenFile: u.tokenFile,
          cert: u.clientCertificate,
          certData: b64(u.clientCertificateData),
          key: u.clientKey,
          keyData: b64(u.clientKeyData),
          username: u.username,
          password: u.password,
          as: u.as,
          asGroups: u.asGroups,
          asUserExtra: u.asUserExtra,
          exec: u.exec && {
            command: u.exec.command,
            args: u.exec.args.length ? u.exec.args : undefined,
            env: u.exec.env.length ? u.exec.env : undefined,
            apiVersion: u.exec.apiVersion,
            interactiveMode: u.exec.interactiveMode,
            provideClusterInfo: u.exec.provideClusterInfo,
          },
          authProvider: u.authProvider && { name: u.authProvider.name, config: u.authProvider.config },
        },
      ]),
    ),
    contexts: Object.fromEntries(file.contexts.map((c) => [c.name, { cluster: c.cluster, user: c.user, namespace: c.namespace }])),
    currentContext: file.currentContext,
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!kubectlAvailable)('kubeconfig files: our reader and `kubectl config view --raw` agree', () => {
  it.concurrent.each(FILES.map(([name, text], i) => [name, text, i] as const))('%s', async (_name, text, i) => {
    const caseDir = join(dir, `file-${i}`);
    const path = join(caseDir, 'config');
    mkdirSync(caseDir, { recursive: true });
    writeFileSync(path, text);
    const kubectl = await runKubectl(['config', 'view', '--raw', '-o', 'json'], { kubeconfig: path, binary: KUBECTL });
    const ours = await readKubeConfigFile(path, `kubeconfig "${path}"`, signal).catch((err: unknown) => err);
    if (kubectl.code === 0) {
      expect(ours, `kubectl accepts it, we refused: ${(ours as Error).message}`).not.toBeInstanceOf(Error);
      expect(fromOurs(ours as KubeConfigFile)).toEqual(fromKubectl(JSON.parse(kubectl.stdout), caseDir));
      return;
    }
    expect(ours, `kubectl refuses it (${kubectl.stderr.trim()}), we accepted it`).toBeInstanceOf(UsageError);
    const err = ours as UsageError;
    expect(err.message).toMatch(new RegExp(`^kubeconfig "${path}"`));
    expect(`${err.message}\n${err.hint ?? ''}`).not.toMatch(/SECRET/);
    // "cannot unmarshal number into Go struct field AuthInfo.users.user.token of type string"
    const field = /cannot unmarshal (\w+) into Go struct field \w+\.(\S+) of type (\S+)/.exec(kubectl.stderr);
    if (field) expect(err.hint).toContain(`cannot unmarshal ${field[1]} into ${field[2]} of type ${field[3]}`);
  });
});

let server: FakeServer;
const keyPem = readFileSync(join(tlsDir, 'other-server.key'), 'utf8');
const certPem = readFileSync(join(tlsDir, 'other-server.crt'), 'utf8');
const wrongKeyPem = readFileSync(join(tlsDir, 'server.key'), 'utf8');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The context in use: [name, user body, extra cluster lines, how we differ from kubectl]. */
const CONTEXTS: [string, (files: Record<string, string>) => string, string, 'same' | 'stricter'][] = [
  ['a token', () => '    token: t', '', 'same'],
  ['a token and a username/password', () => '    token: t\n    username: a\n    password: b', '', 'same'],
  ['a tokenFile and a username/password', (f) => `    tokenFile: ${f.token}\n    username: a\n    password: b`, '', 'same'],
  ['a username alone', () => '    username: a', '', 'same'],
  ['a client certificate and key', () => `    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64(keyPem)}`, '', 'same'],
  [
    'client-certificate and client-certificate-data',
    (f) => `    client-certificate: ${f.cert}\n    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64(keyPem)}`,
    '',
    'same',
  ],
  [
    'client-key and client-key-data',
    (f) => `    client-certificate-data: ${b64(certPem)}\n    client-key: ${f.key}\n    client-key-data: ${b64(keyPem)}`,
    '',
    'same',
  ],
  ['a certificate without a key', () => `    client-certificate-data: ${b64(certPem)}`, '', 'same'],
  [
    'a certificate that is not PEM',
    () => `    client-certificate-data: ${b64('SECRET-not-pem')}\n    client-key-data: ${b64(keyPem)}`,
    '',
    'same',
  ],
  [
    'a key that is not PEM',
    () => `    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64('SECRET-not-pem')}`,
    '',
    'same',
  ],
  [
    'a key of another certificate',
    () => `    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64(wrongKeyPem)}`,
    '',
    'same',
  ],
  ['an unreadable client-key file', () => `    client-certificate-data: ${b64(certPem)}\n    client-key: /nonexistent/key.pem`, '', 'same'],
  ['certificate-authority and its data', () => '    token: t', '    certificate-authority: CA_FILE', 'same'],
  [
    'a certificate-authority with no certificate',
    () => '    token: t',
    `    certificate-authority-data: ${b64('SECRET-not-a-ca')}`,
    'same',
  ],
  ['as-groups without as', () => '    token: t\n    as-groups: [g]', '', 'same'],
  ['as-uid without as', () => '    token: t\n    as-uid: "1"', '', 'same'],
  [
    'exec and auth-provider',
    () =>
      `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, args: [${plugin}, t]}\n    auth-provider: {name: gcp}`,
    '',
    'same',
  ],
  [
    'exec.env: [null]',
    () =>
      `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, args: [${plugin}, t], env: [null]}`,
    '',
    'same',
  ],
  ['exec without apiVersion', () => `    exec: {command: ${process.execPath}, interactiveMode: Never, args: [${plugin}, t]}`, '', 'same'],
  [
    'exec of an unknown apiVersion',
    () => `    exec: {command: ${process.execPath}, apiVersion: foo/v1, interactiveMode: Never, args: [${plugin}, t]}`,
    '',
    'same',
  ],
  [
    'exec v1 without interactiveMode',
    () => `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1, args: [${plugin}, t]}`,
    '',
    'same',
  ],
  [
    'exec v1beta1 without interactiveMode',
    () => `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1beta1, args: [${plugin}, t]}`,
    '',
    'same',
  ],
  [
    'exec with interactiveMode: Sometimes',
    () =>
      `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes, args: [${plugin}, t]}`,
    '',
    'same',
  ],
  [
    'exec with interactiveMode: Always, no terminal',
    () =>
      `    exec: {command: ${process.execPath}, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Always, args: [${plugin}, t]}`,
    '',
    'same',
  ],
  ['a server that is not a URL', () => '    token: t', 'SERVER https://admin:pa/SECRET@host', 'same'],
  ['a file:// server', () => '    token: t', 'SERVER file:///etc/passwd', 'same'],
  // kubectl would ignore the key, and send the token in clear text over http:// to a server written without a scheme.
  ['a key without a certificate', () => `    token: t\n    client-key-data: ${b64(keyPem)}`, '', 'stricter'],
  ['a server without a scheme', () => '    token: t', 'SERVER HOSTPORT', 'stricter'],
];

describe.skipIf(!kubectlAvailable)('the context in use: refused by our reader exactly when kubectl refuses it', () => {
  const files: Record<string, string> = {};
  beforeAll(async () => {
    server = await startFakeServer({ objects: [] });
    files.token = join(dir, 'token');
    files.cert = join(dir, 'client.crt');
    files.key = join(dir, 'client.key');
    files.ca = join(dir, 'ca.crt');
    writeFileSync(files.token, 't\n');
    writeFileSync(files.cert, certPem);
    writeFileSync(files.key, keyPem);
    writeFileSync(files.ca, server.caPem);
  });
  afterAll(() => server?.close());

  // One at a time: whether kubectl's request reached the server is how its answer is read.
  it.each(CONTEXTS)('%s', async (name, user, cluster, relation) => {
    const url = new URL(server.url);
    let clusterLines = `    server: ${server.url}\n    certificate-authority-data: ${b64(server.caPem)}`;
    if (cluster.startsWith('SERVER ')) {
      const value = cluster.slice('SERVER '.length).replace('HOSTPORT', url.host);
      clusterLines = `    server: "${value}"\n    certificate-authority-data: ${b64(server.caPem)}`;
    } else if (cluster.includes('CA_FILE')) {
      clusterLines += `\n    certificate-authority: ${files.ca}`;
    } else if (cluster !== '') {
      clusterLines = `    server: ${server.url}\n${cluster}`;
    }
    const path = join(dir, `context-${name.replace(/\W+/g, '-')}`);
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\n${C(clusterLines)}${U(user(files))}contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
    );

    const before = server.requests.length;
    const kubectl = await runKubectl(['get', '--raw', '/version', '--request-timeout', '5s'], { kubeconfig: path, binary: KUBECTL });
    // Without a scheme kubectl speaks plain http to the fake's TLS port, which only sees garbage: the
    // connection reached the server all the same.
    const kubectlAccepted = server.requests.length > before || /^Unable to connect to the server: EOF$/m.test(kubectl.stderr);
    const ours = await loadConfig({ kubeconfigFlag: path, contextFlag: undefined, namespaceFlag: undefined, env: {}, signal })
      .then((config) => resolveCredentials(config, { env: {}, signal, stdinIsTerminal: false }))
      .catch((err: unknown) => err);
    const weAccepted = !(ours instanceof Error);
    if (!weAccepted) {
      expect(ours).toBeInstanceOf(UsageError);
      expect(`${(ours as UsageError).message} ${(ours as UsageError).hint ?? ''}`).not.toMatch(/SECRET/);
    }
    if (relation === 'same') {
      expect({ weAccepted, why: weAccepted ? '' : (ours as Error).message }).toEqual({
        weAccepted: kubectlAccepted,
        why: weAccepted ? '' : expect.any(String),
      });
      if (!kubectlAccepted) expect(kubectl.code, kubectl.stderr).not.toBe(0);
    } else {
      expect({ kubectlAccepted, weAccepted }).toEqual({ kubectlAccepted: true, weAccepted: false });
    }
  });
});

// Credentials never reach any output (SPEC §6), and TLS failures are exit 4, clear, and never
// retried or downgraded. Every secret in the kubeconfig is a unique marker string; every command
// runs with --verbose and both output streams are grepped for every marker.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { otherCaPem } from '../fake/tls.js';
import { event, namespace, node, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { startedMessage } from '../helpers/read-side.js';
import { type RunResult, runCli } from '../helpers/run-cli.js';

const NS = 'vms';
const UID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const VOL = `pvc-${UID}`;
const plugin = fileURLToPath(new URL('../fixtures/exec-plugin/credential.mjs', import.meta.url));
const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

const MARKERS = {
  execToken: 'EXEC-MARKER-c0ffee-5a1t',
  staticToken: 'STATIC-TOKEN-MARKER-b16b00b5',
  fileToken: 'TOKENFILE-MARKER-d15ea5e',
  password: 'BASIC-PASSWORD-MARKER-8badf00d',
  failingExec: 'EXEC-FAIL-MARKER-feedface',
  garbageExec: 'EXEC-GARBAGE-MARKER-deadc0de',
  providerToken: 'AUTH-PROVIDER-MARKER-0ddba11',
};
const keyPem = readFileSync(join(tlsDir, 'other-server.key'), 'utf8');
const certPem = readFileSync(join(tlsDir, 'other-server.crt'), 'utf8');
/** Every string whose appearance in any output is a leak. */
const secrets = [
  ...Object.values(MARKERS),
  Buffer.from(`admin:${MARKERS.password}`).toString('base64'),
  Buffer.from(keyPem).toString('base64').slice(0, 60),
  // A line from the middle of the private key's PEM body.
  keyPem.split('\n').filter((l) => l.length === 64)[3]!,
];

const servers: FakeServer[] = [];
let dir: string;
let kubeconfig: string;

function objects(): object[] {
  const claim = pvc({ namespace: NS, name: 'vm-disk', uid: UID, volumeName: VOL });
  const volume = pv({ name: VOL, claimRef: { namespace: NS, name: 'vm-disk', uid: UID } });
  return [
    namespace(NS),
    ...['node-a', 'node-b', 'node-c', 'node-d'].map((n) => node(n)),
    claim,
    volume,
    volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: new Date(Date.now() - 600_000) }),
    event({
      pvc: claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(VOL, 'node-a', 'node-b', '5m0s'),
      firstTimestamp: new Date(Date.now() - 60_000),
    }),
  ];
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  const exec = await startFakeServer({ objects: objects(), token: MARKERS.execToken });
  const token = await startFakeServer({ objects: objects(), token: MARKERS.staticToken });
  const file = await startFakeServer({ objects: objects(), token: MARKERS.fileToken });
  const provider = await startFakeServer({ objects: objects(), token: MARKERS.providerToken });
  servers.push(exec, token, file, provider);
  dir = mkdtempSync(join(tmpdir(), 'rds-creds-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${MARKERS.fileToken}\n`, { mode: 0o600 });
  const keyFile = join(dir, 'client.key');
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  const cluster = (name: string, server: string) => ({
    name,
    cluster: { server, 'certificate-authority-data': b64(exec.caPem) },
  });
  const execUser = (name: string, token: string, mode?: string) => ({
    name,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: mode ? [plugin, token, mode] : [plugin, token],
        interactiveMode: 'Never',
      },
    },
  });
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster('exec', exec.url), cluster('token', token.url), cluster('file', file.url), cluster('provider', provider.url)],
    users: [
      execUser('exec', MARKERS.execToken),
      execUser('exec-fail', MARKERS.failingExec, '--fail'),
      execUser('exec-garbage', MARKERS.garbageExec, '--garbage'),
      { name: 'token', user: { token: MARKERS.staticToken } },
      { name: 'file', user: { tokenFile } },
      // A legacy auth provider, handed to @kubernetes/client-node (a cached, unexpired GCP token).
      {
        name: 'provider',
        user: { 'auth-provider': { name: 'gcp', config: { 'access-token': MARKERS.providerToken, expiry: '2999-01-01T00:00:00Z' } } },
      },
      { name: 'basic', user: { username: 'admin', password: MARKERS.password } },
      { name: 'cert-data', user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } },
      { name: 'cert-file', user: { 'client-certificate-data': b64(certPem), 'client-key': keyFile, token: MARKERS.staticToken } },
    ],
    contexts: [
      { name: 'exec', context: { cluster: 'exec', user: 'exec', namespace: NS } },
      { name: 'exec-fail', context: { cluster: 'exec', user: 'exec-fail', namespace: NS } },
      { name: 'exec-garbage', context: { cluster: 'exec', user: 'exec-garbage', namespace: NS } },
      { name: 'token', context: { cluster: 'token', user: 'token', namespace: NS } },
      { name: 'file', context: { cluster: 'file', user: 'file', namespace: NS } },
      { name: 'provider', context: { cluster: 'provider', user: 'provider', namespace: NS } },
      // The fake accepts bearer tokens only: these get 401, which exercises the error paths.
      { name: 'basic', context: { cluster: 'exec', user: 'basic', namespace: NS } },
      { name: 'cert-data', context: { cluster: 'exec', user: 'cert-data', namespace: NS } },
      { name: 'cert-file', context: { cluster: 'token', user: 'cert-file', namespace: NS } },
    ],
    'current-context': 'exec',
  };
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, toYaml(config), { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const COMMANDS: string[][] = [
  // Explicit nodes and durations: these run concurrently, so none may depend on another's event.
  ['post-started', 'vm-disk', '--target', 'node-b'],
  ['post-completed', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--duration', '1m', '-o', 'yaml'],
  [
    'post-failed',
    'vm-disk',
    '--reason',
    'timeout',
    '--source',
    'node-c',
    '--target',
    'node-d',
    '--elapsed',
    '5m',
    '--dry-run',
    '-o',
    'json',
  ],
  ['events', 'vm-disk', '-o', 'wide'],
  ['audit', '-o', 'yaml', '--fail-on', 'never'],
  ['events', 'no-such-pvc', '-o', 'json'],
];

function leaks(res: RunResult): string[] {
  return secrets.filter((s) => res.stdout.includes(s) || res.stderr.includes(s));
}

describe('no credential in any output, --verbose included', () => {
  it.each([
    ['exec', 'exec plugin token', 0],
    ['token', 'static token', 0],
    ['file', 'tokenFile', 0],
    ['provider', 'auth-provider through @kubernetes/client-node', 0],
    ['basic', 'basic auth (401)', 4],
    ['cert-data', 'client certificate and key data (401)', 4],
    ['cert-file', 'client key file and token', 0],
    ['exec-fail', 'an exec plugin that fails, printing its token', 4],
    ['exec-garbage', 'an exec plugin that prints garbage holding its token', 4],
  ])('context %s (%s): every command, both streams', async (context, _what, worst) => {
    const results = await Promise.all(COMMANDS.map((args) => runCli([...args, '--context', context, '-v'], { kubeconfig })));
    for (const [i, res] of results.entries()) {
      expect({ command: COMMANDS[i], leaked: leaks(res) }).toEqual({ command: COMMANDS[i], leaked: [] });
      expect(res.stderr).not.toMatch(/Bearer|Authorization|Basic /i);
      expect(res.stderr).not.toMatch(/^\s+at /m); // no stack trace for an expected failure
    }
    if (worst === 0) {
      // The verbose log really ran: one line per request.
      expect(results[3]!.stderr).toMatch(/^GET \/api\/v1\/namespaces\/vms\/persistentvolumeclaims\/vm-disk 200 \d+ms$/m);
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 3]);
    } else {
      expect(new Set(results.map((r) => r.code))).toEqual(new Set([worst]));
    }
  });

  it('a failing plugin is named, its output is not', async () => {
    const res = await runCli(['events', 'vm-disk', '--context', 'exec-fail'], { kubeconfig });
    expect(res.code).toBe(4);
    expect(res.stderr).toBe(`error: credential plugin "${process.execPath}" failed: exit code 1\n`);
  });

  it('a rejected credential says 401 and what to do, nothing more', async () => {
    const res = await runCli(['events', 'vm-disk', '--context', 'basic'], { kubeconfig });
    expect(res.stderr).toBe(
      'error: unauthorized: the cluster rejected the credentials (401)\nhint: refresh the token or client certificate of the kubeconfig context\n',
    );
  });

  it('a server URL with user:password in it is not echoed', async () => {
    const withUserinfo = join(dir, 'userinfo');
    const url = new URL(servers[0]!.url);
    url.username = 'admin';
    url.password = MARKERS.password;
    writeFileSync(
      withUserinfo,
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: `https://admin:${MARKERS.password}@127.0.0.1:1`, 'certificate-authority-data': b64(servers[0]!.caPem) },
          },
        ],
        users: [{ name: 'u', user: { token: MARKERS.staticToken } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const res = await runCli(['events', 'vm-disk', '-v', '--request-timeout', '1s'], { kubeconfig: withUserinfo });
    expect(res.code).toBe(4);
    expect(leaks(res)).toEqual([]);
  });
});

describe('TLS failures: exit 4, clear, not retried, never downgraded', () => {
  const variants = [
    [
      'wrong-host',
      /^error: cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+: TLS error: the server certificate is not valid for this host name \(ERR_TLS_CERT_ALTNAME_INVALID\)$/m,
      undefined,
    ],
    [
      'expired',
      /^error: cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+: TLS error: the server certificate has expired \(CERT_HAS_EXPIRED\)$/m,
      undefined,
    ],
    [
      'untrusted',
      /^error: cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+: TLS error: the server certificate is signed by an unknown authority \(\w+\)$/m,
      undefined,
    ],
    ['good', /TLS error: the server certificate is signed by an unknown authority/, otherCaPem],
  ] as const;

  it.each(variants)('%s certificate', async (tls, line, caPem) => {
    const server = await startFakeServer({ tls, objects: objects() });
    const tmp = mkdtempSync(join(tmpdir(), 'rds-tls-'));
    try {
      const file = server.writeKubeconfig(tmp, { namespace: NS, ...(caPem ? { caPem } : {}) });
      const res = await runCli(['events', 'vm-disk', '-v'], { kubeconfig: file });
      expect(res.code).toBe(4);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(line);
      expect(res.stderr.match(/^error: /gm)).toHaveLength(1);
      expect(res.stderr).toMatch(
        /^hint: check the certificate-authority and server of the kubeconfig context; verification is never turned off by rds-migrate$/m,
      );
      // One attempt per request (the verbose log has one line per attempt; events sends its
      // first reads together), and no request got through.
      const attempts = [...res.stderr.matchAll(/^GET (\S+) failed \(/gm)].map((m) => m[1]);
      expect(attempts.length).toBeGreaterThan(0);
      expect(new Set(attempts).size, res.stderr).toBe(attempts.length);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

// Credentials never reach any output, and TLS failures are exit 4, clear, and never
// retried or downgraded. Every secret in the kubeconfig is a unique marker string; every command
// runs with --verbose and both output streams are grepped for every marker.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { withDeadline } from '../../src/cli/main.js';
import type { Context } from '../../src/context.js';
import { DeadlineError } from '../../src/errors.js';
import { resolveCredentials } from '../../src/kube/auth.js';
import { loadConfig } from '../../src/kube/config.js';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { otherCaPem } from '../fake/tls.js';
import { event, namespace, node, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { startedMessage } from '../helpers/read-side.js';
import { cliPath, type RunResult, runCli } from '../helpers/run-cli.js';

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
  newlineExec: 'EXEC-NEWLINE-MARKER-abad1dea',
  bigExec: 'EXEC-BIG-MARKER-cafed00d',
  pairExec: 'EXEC-PAIR-MARKER-defaced0',
  alwaysExec: 'EXEC-ALWAYS-MARKER-0ff1ce',
  staleToken: 'STALE-TOKEN-MARKER-5ca1ab1e',
  /** Unquoted in a kubeconfig it is a number: kubectl refuses the file, so must we. */
  numericToken: '918273645501',
};
const keyPem = readFileSync(join(tlsDir, 'other-server.key'), 'utf8');
const wrongKeyPem = readFileSync(join(tlsDir, 'server.key'), 'utf8');
const certPem = readFileSync(join(tlsDir, 'other-server.crt'), 'utf8');
/** Every string whose appearance in any output is a leak. */
const secrets = [
  ...Object.values(MARKERS),
  Buffer.from(`admin:${MARKERS.password}`).toString('base64'),
  Buffer.from(keyPem).toString('base64').slice(0, 60),
  // A line from the middle of each private key's PEM body.
  keyPem.split('\n').filter((l) => l.length === 64)[3]!,
  wrongKeyPem.split('\n').filter((l) => l.length === 64)[3]!,
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
  const execUser = (name: string, token: string, mode?: string, extra: string[] = [], interactiveMode = 'Never') => ({
    name,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: mode ? [plugin, token, mode, ...extra] : [plugin, token],
        interactiveMode,
        env: [{ name: 'PLUGIN_INFO_FILE', value: join(dir, `info-${name}`) }],
      },
    },
  });
  const certFile = join(dir, 'client.crt');
  const wrongKeyFile = join(dir, 'wrong.key');
  writeFileSync(certFile, certPem);
  writeFileSync(wrongKeyFile, wrongKeyPem, { mode: 0o600 });
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster('exec', exec.url), cluster('token', token.url), cluster('file', file.url), cluster('provider', provider.url)],
    users: [
      execUser('exec', MARKERS.execToken),
      execUser('exec-fail', MARKERS.failingExec, '--fail'),
      execUser('exec-garbage', MARKERS.garbageExec, '--garbage'),
      execUser('exec-newline', MARKERS.newlineExec, '--token-newline'),
      execUser('exec-big', MARKERS.bigExec, '--big'),
      execUser('exec-bad-pair', MARKERS.pairExec, '--pair', [certFile, wrongKeyFile]),
      execUser('exec-always', MARKERS.alwaysExec, undefined, [], 'Always'),
      // kubectl reads tokenFile (again and again) when it can, and falls back to token.
      { name: 'token-and-file', user: { token: MARKERS.staleToken, tokenFile } },
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
      { name: 'exec-newline', context: { cluster: 'exec', user: 'exec-newline', namespace: NS } },
      { name: 'exec-big', context: { cluster: 'exec', user: 'exec-big', namespace: NS } },
      { name: 'exec-bad-pair', context: { cluster: 'exec', user: 'exec-bad-pair', namespace: NS } },
      { name: 'exec-always', context: { cluster: 'exec', user: 'exec-always', namespace: NS } },
      { name: 'token-and-file', context: { cluster: 'file', user: 'token-and-file', namespace: NS } },
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
    ['exec-newline', 'an exec plugin whose token has a line break (header injection)', 2],
    ['exec-big', 'an exec plugin that prints more than 1 MiB', 4],
    ['exec-bad-pair', 'an exec plugin whose key does not match its certificate', 2],
    ['exec-always', 'an exec plugin with interactiveMode: Always and no terminal', 2],
    ['token-and-file', 'a tokenFile next to a token', 0],
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

  it('a plugin that prints more than 1 MiB is stopped there and named', async () => {
    const res = await runCli(['events', 'vm-disk', '--context', 'exec-big'], { kubeconfig });
    expect(res.code).toBe(4);
    expect(res.stderr).toBe(`error: credential plugin "${process.execPath}" failed: it printed more than 1 MiB\n`);
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

/** A kubeconfig of one context on `server` whose user is `user` (YAML lines, indented 4). */
function writeSingle(name: string, server: string, user: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "${server}"\n    certificate-authority-data: ${b64(servers[0]!.caPem)}\nusers:\n- name: u\n  user:\n${user}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: ${NS}}\ncurrent-context: x\n`,
  );
  return path;
}

describe('a kubeconfig value of the wrong type is refused, never dropped', () => {
  it('an unquoted numeric token: exit 2 naming the file and the field; no request goes out without it', async () => {
    const server = servers[1]!;
    const path = writeSingle('numeric-token', server.url, `    token: ${MARKERS.numericToken}`);
    const before = server.requests.length;
    const res = await runCli(['events', 'vm-disk', '-v'], { kubeconfig: path });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `error: kubeconfig "${path}", line 11: users[0].user.token (user "u") must be a string, not a number\n` +
        'hint: kubectl refuses the file too (cannot unmarshal number into users.user.token of type string); put the value in quotes\n',
    );
    expect(server.requests.length).toBe(before);
  });
});

describe('exec plugins: interactiveMode as kubectl treats it', () => {
  it('Always without a terminal fails at once with one clear line, and the plugin never runs', async () => {
    const started = Date.now();
    const res = await runCli(['events', 'vm-disk', '--context', 'exec-always', '-v'], { kubeconfig });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([
      `error: the exec plugin "${process.execPath}" of user "exec-always" (kubeconfig "${kubeconfig}") cannot support interactive mode: standard input is not a terminal (interactiveMode: Always)`,
    ]);
    expect(existsSync(join(dir, 'info-exec-always'))).toBe(false);
  });

  /** Runs the CLI under `script`, so that its standard input is a terminal; returns the ExecCredential the plugin was given. */
  async function execInfoOnTerminal(mode: string, terminal: boolean): Promise<{ code: number | null; info: any }> {
    const name = `tty-${mode}-${terminal}`;
    const infoFile = join(dir, `info-${name}`);
    const path = writeSingle(
      name,
      servers[0]!.url,
      `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${process.execPath}\n      args: [${plugin}, ${MARKERS.execToken}]\n      interactiveMode: ${mode}\n      env: [{name: PLUGIN_INFO_FILE, value: ${infoFile}}]`,
    );
    const cli = `${process.execPath} ${cliPath} events vm-disk --kubeconfig ${path} -o json`;
    const [command, args] = terminal
      ? ['script', ['-qec', cli, '/dev/null']]
      : [process.execPath, [cliPath, 'events', 'vm-disk', '--kubeconfig', path, '-o', 'json']];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(command as string, args as string[], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'dumb' },
        stdio: terminal ? 'pipe' : ['pipe', 'pipe', 'pipe'],
      });
      child.stdin?.end();
      child.stdout?.resume();
      child.stderr?.resume();
      child.on('close', resolve);
    });
    return { code, info: JSON.parse(readFileSync(infoFile, 'utf8')) };
  }

  it.each([
    ['Never', true, false],
    ['IfAvailable', true, true],
    ['IfAvailable', false, false],
    ['Always', true, true],
  ] as const)('%s with a terminal on stdin: %s -> spec.interactive %s', async (mode, terminal, interactive) => {
    const { code, info } = await execInfoOnTerminal(mode, terminal);
    expect(code).toBe(0);
    expect(info).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive } });
  });
});

/** Starts the CLI; resolves once `ready()` holds, so that the test can signal it. */
function startCli(args: string[], path: string): { done: Promise<RunResult & { exitedAt: number }>; signal: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RunResult & { exitedAt: number }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() })),
  );
  return { done, signal: (s) => child.kill(s) };
}

async function waitFor(condition: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether a process is still there (a zombie waiting for its parent to reap it is gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('a credential plugin that misbehaves cannot keep the command alive', () => {
  it.each([
    ['leaves a child holding its stdout', '--background', 2, 'SIGINT', 130, 'error: interrupted'],
    ['ignores SIGTERM', '--ignore-term', 1, 'SIGINT', 130, 'error: interrupted'],
    ['ignores SIGTERM (the CLI gets SIGTERM)', '--ignore-term', 1, 'SIGTERM', 130, 'error: interrupted'],
  ] as const)(
    'a plugin that %s: interrupted, exit 130 within 2 s, no plugin process left',
    async (_what, mode, processes, sig, code, line) => {
      const pidFile = join(dir, `pids${mode}-${sig}`);
      const path = writeSingle(
        `misbehaving${mode}-${sig}`,
        servers[0]!.url,
        `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${process.execPath}\n      args: [${plugin}, ${MARKERS.execToken}, "${mode}"]\n      interactiveMode: Never\n      env: [{name: PLUGIN_PID_FILE, value: ${pidFile}}]`,
      );
      const run = startCli(['events', 'vm-disk', '--request-timeout', '1s'], path);
      const pids = (): number[] => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim().split('\n').map(Number) : []);
      await waitFor(() => pids().length === processes);
      // The plugin hangs (or its child holds the pipe): the command would wait for its deadline.
      await new Promise((r) => setTimeout(r, 300));
      const sentAt = Date.now();
      run.signal(sig);
      const res = await run.done;
      expect(res.exitedAt - sentAt).toBeLessThan(2000);
      expect(res.code).toBe(code);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(`${line}\n`);
      expect(pids().filter(alive)).toEqual([]);
    },
  );
});

describe('a credential plugin at the command deadline', () => {
  // The deadline of a real run is at least a minute; withDeadline is the same mechanism with a shorter one.
  it.each([
    ['--background', 2],
    ['--ignore-term', 1],
  ] as const)('%s: the command ends with its deadline error and the plugin group is gone', async (mode, processes) => {
    const pidFile = join(dir, `deadline-pids${mode}`);
    const path = writeSingle(
      `deadline${mode}`,
      servers[0]!.url,
      `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${process.execPath}\n      args: [${plugin}, ${MARKERS.execToken}, "${mode}"]\n      interactiveMode: Never\n      env: [{name: PLUGIN_PID_FILE, value: ${pidFile}}]`,
    );
    const ctx = { signal: new AbortController().signal } as Context;
    const started = Date.now();
    const attempt = withDeadline(ctx, 'events', 1500, async (c) => {
      const config = await loadConfig({
        kubeconfigFlag: path,
        contextFlag: undefined,
        namespaceFlag: undefined,
        env: {},
        signal: c.signal,
      });
      return resolveCredentials(config, { env: { PATH: process.env.PATH }, signal: c.signal, stdinIsTerminal: false });
    });
    await expect(attempt).rejects.toBeInstanceOf(DeadlineError);
    expect(Date.now() - started).toBeLessThan(3000);
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(processes);
    // SIGTERM, then SIGKILL after the grace.
    await waitFor(() => pids.filter(alive).length === 0, 2000);
  });
});

describe('secrets in the server URL', () => {
  it('an unparsable URL holding a password is exit 2 and never echoed', async () => {
    const path = writeSingle('server-unparsable', `https://admin:pa/${MARKERS.password}@127.0.0.1:1`, `    token: ${MARKERS.staticToken}`);
    const res = await runCli(['events', 'vm-disk', '-v'], { kubeconfig: path });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `error: kubeconfig "${path}": cluster "c": its server is not a valid URL\nhint: write it as https://<host>:<port>\n`,
    );
    expect(leaks(res)).toEqual([]);
  });

  it('a password with an @ in it: -v shows the server without any of it', async () => {
    const host = new URL(servers[1]!.url).host;
    const path = writeSingle(
      'server-two-at',
      `https://admin:${MARKERS.password}@TAIL-MARKER-f00d@${host}`,
      `    token: ${MARKERS.staticToken}`,
    );
    const res = await runCli(['events', 'vm-disk', '-v'], { kubeconfig: path });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^context "x", server https:\/\/127\.0\.0\.1:\d+, namespace "vms"$/m);
    expect(leaks(res)).toEqual([]);
    expect(res.stderr).not.toContain('TAIL-MARKER');
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/'])('a %s server is exit 2', async (server) => {
    const path = writeSingle(`server-${server.slice(0, 3)}`, server, `    token: ${MARKERS.staticToken}`);
    const res = await runCli(['events', 'vm-disk'], { kubeconfig: path });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `error: kubeconfig "${path}": cluster "c": its server must be an https:// or http:// URL\nhint: write it as https://<host>:<port>\n`,
    );
  });
});

// The connection through proxies, like kubectl's: HTTPS_PROXY/HTTP_PROXY/NO_PROXY by Go's
// rules, the kubeconfig's proxy-url (http and socks5), TLS to the API server verified through the
// tunnel, and a failing proxy named in the error. Real proxies: squid (HTTP CONNECT, forward proxy)
// and danted (SOCKS5), see test/helpers/proxies.ts. The fake API server is named
// kube.proxy.test, a name only squid resolves (its hosts_file): a request that reaches the fake
// under that name went through the proxy. Loopback hosts never use an environment proxy, so
// without such a name the environment cases would prove nothing. The real kubectl runs through
// the same setup to show the setup is right.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { serverCredentials } from '../fake/tls.js';
import { namespace, pv, pvc } from '../helpers/objects.js';
import { freePort, type RunningProxy, startDante, startSquid } from '../helpers/proxies.js';
import { type RunResult, runCli, runKubectl } from '../helpers/run-cli.js';

const NS = 'vms';
const UID = '3b9f6c1e-2d4a-4e8b-9f1c-7a6b5c4d3e2f';
const claim = pvc({ namespace: NS, name: 'vm-disk', uid: UID, volumeName: `pvc-${UID}` });
const volume = pv({ name: `pvc-${UID}`, claimRef: { namespace: NS, name: 'vm-disk', uid: UID } });
/** A name only squid resolves; the test certificate is valid for `localhost`, hence tls-server-name. */
const HIDDEN = 'kube.proxy.test';
const BLOCKED = 'blocked.proxy.test';

let server: FakeServer;
let plain: FakeServer;
let squid: RunningProxy;
let dir: string;
let port: string;
/** The fake, by the name only the proxy resolves. */
let hiddenUrl: string;

beforeAll(async () => {
  [server, plain, squid] = await Promise.all([
    startFakeServer({ objects: [namespace(NS), claim, volume] }),
    startFakeServer({ objects: [namespace(NS), claim, volume], plainHttp: true }),
    startSquid({
      hosts: { [HIDDEN]: '127.0.0.1', [BLOCKED]: '127.0.0.1' },
      deny: [BLOCKED],
      // An https:// proxy: first with a certificate of the kubeconfig's CA, then of another CA.
      https: [serverCredentials('good'), serverCredentials('untrusted')],
    }),
  ]);
  port = new URL(server.url).port;
  hiddenUrl = `https://${HIDDEN}:${port}`;
  dir = mkdtempSync(join(tmpdir(), 'rds-proxy-'));
});
afterAll(async () => {
  await Promise.all([server?.close(), plain?.close(), squid?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  plain.reset();
});

let configs = 0;
/** A kubeconfig for the fake with the given server URL and cluster fields. */
function kubeconfig(opts: { server?: string; tlsServerName?: string; proxyUrl?: string; fake?: FakeServer } = {}): string {
  const fake = opts.fake ?? server;
  return fake.writeKubeconfig(dir, {
    namespace: NS,
    fileName: `kubeconfig-${++configs}`,
    ...(opts.server !== undefined ? { server: opts.server } : {}),
    ...(opts.tlsServerName !== undefined ? { tlsServerName: opts.tlsServerName } : {}),
    ...(opts.proxyUrl !== undefined ? { proxyUrl: opts.proxyUrl } : {}),
  });
}

const hiddenConfig = (extra: { proxyUrl?: string } = {}) => kubeconfig({ server: hiddenUrl, tlsServerName: 'localhost', ...extra });
const EVENTS = ['events', 'vm-disk', '-o', 'json'];
const KUBECTL_GET = ['get', 'pvc', 'vm-disk', '-n', NS, '-o', 'name'];
/** squid's access.log lines since `before` (its length then). */
const squidSince = (before: number) => squid.log().slice(before);

function expectOk(res: RunResult): void {
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  expect(JSON.parse(res.stdout).pvc.name).toBe('vm-disk');
}

function expectOneErrorLine(res: RunResult): string {
  expect(res.code, res.stderr).toBe(4);
  expect(res.stdout).toBe('');
  const lines = res.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.slice(1).every((l) => l.startsWith('hint: '))).toBe(true);
  expect(lines.length).toBeLessThanOrEqual(2);
  return lines[0]!;
}

describe('environment proxies (Go rules)', () => {
  it('HTTPS_PROXY: requests to an https server go through it (and kubectl agrees)', async () => {
    const config = hiddenConfig();
    const before = squid.log().length;
    const res = await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: squid.url } });
    expectOk(res);
    expect(squidSince(before)).toContain(`CONNECT ${HIDDEN}:${port}`);
    expect(server.requests.length).toBeGreaterThan(0);

    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config, env: { HTTPS_PROXY: squid.url } });
    expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');
  });

  it('https_proxy (lower case) works too; HTTP_PROXY alone is not used for an https server', async () => {
    const config = hiddenConfig();
    expectOk(await runCli(EVENTS, { kubeconfig: config, env: { https_proxy: squid.url } }));
    const line = expectOneErrorLine(await runCli(EVENTS, { kubeconfig: config, env: { HTTP_PROXY: squid.url } }));
    expect(line).toBe(`error: cannot reach the cluster at ${hiddenUrl}: host name not found`);
  });

  it('a host matched by NO_PROXY is not proxied: a suffix, the name itself, a host:port entry', async () => {
    const config = hiddenConfig();
    for (const noProxy of ['.proxy.test', 'proxy.test', HIDDEN, `other.example, ${HIDDEN}:${port}`, '*']) {
      const before = squid.log().length;
      const res = await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: squid.url, NO_PROXY: noProxy } });
      // Direct, the name does not resolve: the proxy was not asked.
      expect(expectOneErrorLine(res), noProxy).toBe(`error: cannot reach the cluster at ${hiddenUrl}: host name not found`);
      expect(squidSince(before), noProxy).not.toContain('CONNECT');
    }
    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config, env: { HTTPS_PROXY: squid.url, NO_PROXY: '.proxy.test' } });
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('no such host');
  });

  it('NO_PROXY entries that do not match leave the proxy in use (another port, another domain, no_proxy)', async () => {
    const config = hiddenConfig();
    for (const env of [{ NO_PROXY: `${HIDDEN}:1` }, { NO_PROXY: 'test.proxy' }, { NO_PROXY: 'xproxy.test' }, { NO_PROXY: '127.0.0.0/8' }]) {
      expectOk(await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: squid.url, ...env } }));
    }
    // NO_PROXY wins over no_proxy, as in Go.
    expectOk(await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: squid.url, NO_PROXY: 'other.example', no_proxy: HIDDEN } }));
  });

  it('loopback hosts never use an environment proxy (127.0.0.1, localhost), as kubectl', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (const host of ['127.0.0.1', 'localhost']) {
      const config = kubeconfig({ server: `https://${host}:${port}` });
      expectOk(await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: dead } }));
      const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config, env: { HTTPS_PROXY: dead } });
      expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');
    }
  });

  it('HTTP_PROXY: an http:// server is reached through it as a forward proxy (absolute URLs), as kubectl does', async () => {
    const plainPort = new URL(plain.url).port;
    const config = kubeconfig({ fake: plain, server: `http://${HIDDEN}:${plainPort}` });
    const before = squid.log().length;
    expectOk(await runCli(EVENTS, { kubeconfig: config, env: { HTTP_PROXY: squid.url } }));
    expect(squidSince(before)).toContain(`GET http://${HIDDEN}:${plainPort}/api/v1/namespaces/${NS}/persistentvolumeclaims/vm-disk`);

    // kubectl sends no credentials to an http:// server, so the fake answers 401: it got there through the proxy.
    const kubectlBefore = squid.log().length;
    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config, env: { HTTP_PROXY: squid.url } });
    expect(kubectl.stderr).toContain('You must be logged in to the server');
    expect(squidSince(kubectlBefore)).toContain(`GET http://${HIDDEN}:${plainPort}/`);
  });
});

describe("the kubeconfig's proxy-url", () => {
  it('http proxy-url: every request goes through it, NO_PROXY does not apply (as client-go)', async () => {
    const config = hiddenConfig({ proxyUrl: squid.url });
    const before = squid.log().length;
    expectOk(await runCli(EVENTS, { kubeconfig: config, env: { NO_PROXY: '*' } }));
    expect(squidSince(before)).toContain(`CONNECT ${HIDDEN}:${port}`);

    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config, env: { NO_PROXY: '*' } });
    expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');
  });

  it('an https:// proxy: TLS to the proxy, verified against the kubeconfig CA as kubectl does, then TLS to the server inside', async () => {
    const [trusted, untrusted] = squid.httpsUrls as [string, string];
    const before = squid.log().length;
    expectOk(await runCli(EVENTS, { kubeconfig: hiddenConfig({ proxyUrl: trusted }) }));
    expect(squidSince(before)).toContain(`CONNECT ${HIDDEN}:${port}`);
    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: hiddenConfig({ proxyUrl: trusted }) });
    expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');

    // The proxy's certificate is not signed by a CA we trust: the proxy is named, the request never leaves.
    server.reset();
    const line = expectOneErrorLine(await runCli(EVENTS, { kubeconfig: hiddenConfig(), env: { HTTPS_PROXY: untrusted } }));
    expect(line).toBe(
      `error: cannot connect to the proxy ${untrusted} (HTTPS_PROXY): TLS error: the proxy's certificate is signed by an unknown authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    );
    expect(server.requests).toEqual([]);
  });

  it('proxy-url is used even for a loopback server', async () => {
    const before = squid.log().length;
    expectOk(await runCli(EVENTS, { kubeconfig: kubeconfig({ proxyUrl: squid.url }) }));
    expect(squidSince(before)).toContain(`CONNECT 127.0.0.1:${port}`);
  });

  it('TLS is verified through the tunnel: the server name must match the certificate', async () => {
    // Without tls-server-name the certificate (localhost, 127.0.0.1) does not cover kube.proxy.test.
    const config = kubeconfig({ server: hiddenUrl, proxyUrl: squid.url });
    const line = expectOneErrorLine(await runCli(EVENTS, { kubeconfig: config }));
    expect(line).toBe(
      `error: cannot reach the cluster at ${hiddenUrl}: TLS error: the server certificate is not valid for this host name (ERR_TLS_CERT_ALTNAME_INVALID)`,
    );
    expect(server.requests).toEqual([]);
  });

  it('an unsupported proxy-url scheme is refused as kubectl refuses it (exit 2)', async () => {
    const config = hiddenConfig({ proxyUrl: 'ftp://user:secret@127.0.0.1:2121' });
    const res = await runCli(EVENTS, { kubeconfig: config });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'error: invalid proxy-url "ftp://127.0.0.1:2121" for cluster "fake-cluster": unsupported scheme "ftp", must be http, https, or socks5\n',
    );
    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config });
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('unsupported scheme "ftp", must be http, https, or socks5');
  });
});

describe('socks5 proxy-url through danted', () => {
  let dante: RunningProxy;
  beforeAll(async () => {
    dante = await startDante();
  });
  afterAll(async () => {
    await dante?.stop();
  });

  it('goes through the SOCKS5 proxy (its log shows the connection), kubectl too; stopped, the error names the proxy', async () => {
    const config = kubeconfig({ proxyUrl: dante.url });
    const before = dante.log().length;
    expectOk(await runCli(EVENTS, { kubeconfig: config }));
    expect(dante.log().slice(before)).toMatch(new RegExp(`tcp/connect \\[: .* 127\\.0\\.0\\.1\\.${port}\\b`));

    const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: config });
    expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');

    await dante.stop();
    const line = expectOneErrorLine(await runCli(EVENTS, { kubeconfig: config }));
    expect(line).toBe(`error: cannot connect to the proxy ${dante.url} (proxy-url): connection refused`);
  });
});

describe('a failing proxy is named, never its password', () => {
  it('an unreachable environment proxy: one line naming it (no user:password), not "cannot reach the cluster"', async () => {
    const deadPort = await freePort();
    const res = await runCli(EVENTS, { kubeconfig: hiddenConfig(), env: { HTTPS_PROXY: `http://alice:s3cret-pw@127.0.0.1:${deadPort}` } });
    const line = expectOneErrorLine(res);
    expect(line).toBe(`error: cannot connect to the proxy http://127.0.0.1:${deadPort} (HTTPS_PROXY): connection refused`);
    expect(res.stderr).not.toContain('s3cret');
    expect(res.stderr).not.toContain('alice');
  });

  it('a proxy that refuses the tunnel (403 to CONNECT): named, with its answer', async () => {
    const config = kubeconfig({ server: `https://${BLOCKED}:${port}`, tlsServerName: 'localhost' });
    const line = expectOneErrorLine(await runCli(EVENTS, { kubeconfig: config, env: { HTTPS_PROXY: squid.url } }));
    expect(line).toBe(`error: the proxy ${squid.url} (HTTPS_PROXY) refused to connect to ${BLOCKED}:${port}: 403 Forbidden`);
    expect(server.requests).toEqual([]);
  });

  it('a proxy that wants credentials: user:password from the URL (percent-decoded) are sent; without them, its 407 is named', async () => {
    const authed = await startSquid({ hosts: { [HIDDEN]: '127.0.0.1' }, users: { 'kube-user': 'p@ss w:rd' } });
    try {
      const withCreds = authed.url.replace('//', '//kube-user:p%40ss%20w%3Ard@');
      expectOk(await runCli(EVENTS, { kubeconfig: hiddenConfig(), env: { HTTPS_PROXY: withCreds } }));
      expect(authed.log()).toMatch(new RegExp(`CONNECT ${HIDDEN}:${port} kube-user `));
      const kubectl = await runKubectl(KUBECTL_GET, { kubeconfig: hiddenConfig(), env: { HTTPS_PROXY: withCreds } });
      expect(kubectl.stdout.trim(), kubectl.stderr).toBe('persistentvolumeclaim/vm-disk');

      const wrong = await runCli(EVENTS, { kubeconfig: hiddenConfig({ proxyUrl: authed.url.replace('//', '//kube-user:nope@') }) });
      expect(expectOneErrorLine(wrong)).toBe(
        `error: the proxy ${authed.url} (proxy-url) refused to connect to ${HIDDEN}:${port}: 407 Proxy Authentication Required`,
      );
      expect(wrong.stderr).not.toContain('nope');
    } finally {
      await authed.stop();
    }
  });

  it('--verbose names the proxy without its credentials', async () => {
    const res = await runCli([...EVENTS, '-v'], {
      kubeconfig: hiddenConfig(),
      env: { HTTPS_PROXY: squid.url.replace('//', '//bob:pa55word@') },
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`proxy ${squid.url} (HTTPS_PROXY)`);
    expect(res.stderr).not.toContain('pa55word');
  });
});

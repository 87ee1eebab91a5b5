// Real proxies for the connection tests: Debian's squid (HTTP CONNECT and forward proxy) and
// dante (danted, SOCKS5), each started as a foreground process on a free loopback port with its
// own configuration and logs in a temporary directory. When the tests run as root (CI), squid
// drops to its own user and danted to `nobody` for the work it does unprivileged.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningProxy {
  port: number;
  /** squid's https_port listeners, one per SquidOptions.https entry (https://localhost:<port>). */
  httpsUrls: string[];
  /** e.g. http://127.0.0.1:3128 or socks5://127.0.0.1:1080 */
  url: string;
  /** The proxy's log of the requests it handled (squid's access.log, danted's log). */
  log(): string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`proxy did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
}

function startProcess(command: string, args: string[], dir: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  return { child, output: () => output };
}

/** Stops the process group started for a proxy (it forks helpers) and removes its directory. */
async function stopGroup(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.pid !== undefined) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}

function readIfThere(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A directory the proxy (possibly running as another user) can write its logs to. */
function proxyDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

export interface SquidOptions {
  /** Names only this proxy resolves (squid's hosts_file), e.g. { 'kube.proxy.test': '127.0.0.1' }. */
  hosts?: Record<string, string>;
  /** Destination host names squid refuses (403 to CONNECT and GET). */
  deny?: string[];
  /** Also listen as an https:// proxy (TLS to the proxy), one port per certificate and key. */
  https?: { cert: string; key: string }[];
  /** Require Basic proxy authentication with these users and passwords (407 otherwise). */
  users?: Record<string, string>;
}

/** Starts squid as an HTTP proxy (CONNECT to any port, forward proxying for http://) on 127.0.0.1. */
export async function startSquid(opts: SquidOptions = {}): Promise<RunningProxy> {
  const dir = proxyDir('rds-squid-');
  const port = await freePort();
  const hostsFile = join(dir, 'hosts');
  writeFileSync(
    hostsFile,
    Object.entries(opts.hosts ?? {})
      .map(([name, ip]) => `${ip} ${name}\n`)
      .join(''),
  );
  const httpsPorts: number[] = [];
  let httpsLines = '';
  for (const [i, { cert, key }] of (opts.https ?? []).entries()) {
    const httpsPort = await freePort();
    httpsPorts.push(httpsPort);
    // Readable by squid's own user when it drops root.
    writeFileSync(join(dir, `tls-${i}.crt`), cert, { mode: 0o644 });
    writeFileSync(join(dir, `tls-${i}.key`), key, { mode: 0o644 });
    httpsLines += `https_port 127.0.0.1:${httpsPort} tls-cert=${join(dir, `tls-${i}.crt`)} tls-key=${join(dir, `tls-${i}.key`)}\n`;
  }
  let deny = opts.deny?.length ? `acl denied dstdomain -n ${opts.deny.join(' ')}\nhttp_access deny denied\n` : '';
  if (opts.users) {
    const passwd = join(dir, 'passwd');
    const lines = Object.entries(opts.users).map(
      ([user, password]) => `${user}:${execFileSync('openssl', ['passwd', '-apr1', password], { encoding: 'utf8' }).trim()}\n`,
    );
    writeFileSync(passwd, lines.join(''), { mode: 0o644 });
    deny =
      `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${passwd}\nauth_param basic realm rds-migrate-test\n` +
      `acl authenticated proxy_auth REQUIRED\nhttp_access deny !authenticated\n${deny}`;
  }
  writeFileSync(
    join(dir, 'squid.conf'),
    `http_port 127.0.0.1:${port}
${httpsLines}pid_filename none
cache_log ${join(dir, 'cache.log')}
access_log stdio:${join(dir, 'access.log')} squid
logfile_rotate 0
cache deny all
coredump_dir ${dir}
hosts_file ${hostsFile}
pinger_enable off
netdb_filename none
shutdown_lifetime 0 seconds
${deny}http_access allow all
`,
  );
  const { child, output } = startProcess('/usr/sbin/squid', ['-N', '-f', join(dir, 'squid.conf')], dir);
  for (const p of [port, ...httpsPorts]) await waitForPort(p, child, () => `${output()}${readIfThere(join(dir, 'cache.log'))}`);
  return {
    port,
    httpsUrls: httpsPorts.map((p) => `https://localhost:${p}`),
    url: `http://127.0.0.1:${port}`,
    log: () => readIfThere(join(dir, 'access.log')),
    stop: () => stopGroup(child, dir),
  };
}

/** Starts danted as a SOCKS5 proxy without authentication on 127.0.0.1, logging every connect. */
export async function startDante(): Promise<RunningProxy> {
  const dir = proxyDir('rds-dante-');
  const port = await freePort();
  const logFile = join(dir, 'danted.log');
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'danted.conf'),
    `logoutput: ${logFile}
internal: 127.0.0.1 port = ${port}
external: 127.0.0.1
socksmethod: none
clientmethod: none
${asRoot ? 'user.privileged: root\nuser.unprivileged: nobody\n' : ''}client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  log: error connect disconnect
}
socks pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  command: connect
  log: error connect disconnect
}
`,
  );
  const { child, output } = startProcess(
    '/usr/sbin/danted',
    ['-f', join(dir, 'danted.conf'), '-p', join(dir, 'danted.pid'), '-N', '1'],
    dir,
  );
  await waitForPort(port, child, () => `${output()}${readIfThere(logFile)}`);
  return {
    port,
    httpsUrls: [],
    url: `socks5://127.0.0.1:${port}`,
    log: () => readIfThere(logFile),
    stop: () => stopGroup(child, dir),
  };
}

// Which proxy a request to the API server goes through, and the tunnel through it, as kubectl
// does it: client-go uses the cluster's `proxy-url` for every request when the kubeconfig sets
// one (http.ProxyURL), else Go's environment rules (golang.org/x/net/http/httpproxy):
// HTTPS_PROXY for https servers, HTTP_PROXY for http ones, NO_PROXY exceptions, and never a proxy
// for loopback hosts. The proxy's user:password never appears in a message or log line.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { domainToASCII } from 'node:url';
import { UsageError } from '../errors.js';
import { networkError } from './tls-errors.js';

/** A proxy to send the cluster's requests through. */
export interface ProxyRoute {
  url: URL;
  /** Where it was configured: `proxy-url` or the environment variable's name. */
  source: string;
  /** The URL without user:password, and where it came from: for messages and logs. */
  display: string;
}

/** Reaching or tunnelling through the proxy failed (not the API server). */
export class ProxyError extends Error {
  constructor(
    readonly code: string,
    /** ProxyRoute.display of the proxy that failed. */
    readonly proxy: string,
    message: string,
  ) {
    super(message);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:']);
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'socks5:': 1080 };

/**
 * The proxy for requests to `server`: the cluster's `proxy-url` when set (for every request, as
 * client-go's http.ProxyURL), else HTTPS_PROXY/HTTP_PROXY unless NO_PROXY or loopback exempts the
 * host; undefined for a direct connection. A malformed proxy setting is an input error (exit 2).
 */
export function chooseProxy(server: URL, proxyUrl: string | undefined, clusterName: string, env: Env): ProxyRoute | undefined {
  if (proxyUrl !== undefined) {
    // client-go's clientcmd validation: url.Parse, then the scheme must be http, https or socks5.
    const url = parseUrl(proxyUrl);
    if (url === undefined) throw new UsageError(`invalid proxy-url for cluster "${clusterName}": not a URL`);
    if (!PROXY_SCHEMES.has(url.protocol)) {
      throw new UsageError(
        `invalid proxy-url "${redactUrl(url)}" for cluster "${clusterName}": unsupported scheme "${url.protocol.slice(0, -1)}", must be http, https, or socks5`,
      );
    }
    return proxyOf(url, 'proxy-url');
  }
  const names =
    server.protocol === 'https:' ? ['HTTPS_PROXY', 'https_proxy'] : server.protocol === 'http:' ? ['HTTP_PROXY', 'http_proxy'] : [];
  const chosen = firstSet(env, names);
  if (chosen === undefined) return undefined;
  const noProxy = firstSet(env, ['NO_PROXY', 'no_proxy'])?.value ?? '';
  if (!useProxy(hostOf(server), portOf(server), noProxy)) return undefined;
  return proxyOf(parseEnvProxy(chosen.name, chosen.value), chosen.name);
}

function firstSet(env: Env, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** Go's parseProxy: a value without a known scheme (`proxy:3128`) is read as http://. */
function parseEnvProxy(name: string, value: string): URL {
  const url = parseUrl(value);
  if (url !== undefined && PROXY_SCHEMES.has(url.protocol)) return url;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? undefined : parseUrl(`http://${value}`);
  if (withScheme !== undefined) return withScheme;
  const shown = url ? redactUrl(url) : 'its value';
  throw new UsageError(`${name}: cannot use ${shown} as a proxy: the scheme must be http, https or socks5`);
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

function proxyOf(url: URL, source: string): ProxyRoute {
  return { url, source, display: `${redactUrl(url)} (${source})` };
}

/** The URL as text without its user:password. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

/** The host of a URL without IPv6 brackets, lower case (the WHATWG parser already lowercases and punycodes it). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL): string {
  return url.port !== '' ? url.port : String(DEFAULT_PORTS[url.protocol] ?? '');
}

// ---- NO_PROXY: golang.org/x/net/http/httpproxy (config.init and config.useProxy) ----

type Matcher = (host: string, port: string, ip: Uint8Array | undefined) => boolean;

/**
 * Whether a request to host:port goes through the environment's proxy under NO_PROXY, with Go's
 * rules: never for `localhost` or a loopback IP; `*` exempts everything; an entry is an IP or CIDR
 * (IPv4 or IPv6), or a domain that also exempts its subdomains (`example.com`, `.example.com` and
 * `*.example.com` alike, the first also the name itself), each optionally with `:port`.
 */
export function useProxy(host: string, port: string, noProxy: string): boolean {
  if (host === '') return true;
  if (host === 'localhost') return false;
  const ip = parseIp(host);
  if (ip !== undefined && isLoopback(ip)) return false;
  const { ipMatchers, domainMatchers } = noProxyMatchers(noProxy);
  const name = host.trim().toLowerCase();
  if (ip !== undefined && ipMatchers.some((m) => m(name, port, ip))) return false;
  return !domainMatchers.some((m) => m(name, port, ip));
}

function noProxyMatchers(noProxy: string): { ipMatchers: Matcher[]; domainMatchers: Matcher[] } {
  const ipMatchers: Matcher[] = [];
  const domainMatchers: Matcher[] = [];
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return { ipMatchers: [() => true], domainMatchers: [() => true] };
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      ipMatchers.push((_host, _port, ip) => ip !== undefined && cidrContains(cidr, ip));
      continue;
    }
    let host = entry;
    let entryPort = '';
    const split = splitHostPort(entry);
    if (split !== undefined) {
      if (split.host === '') continue;
      host = split.host;
      entryPort = split.port;
    }
    const entryIp = parseIp(host);
    if (entryIp !== undefined) {
      ipMatchers.push((_host, port, ip) => ip !== undefined && sameIp(entryIp, ip) && (entryPort === '' || entryPort === port));
      continue;
    }
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    if (matchHost) host = `.${host}`;
    // Go converts the entry to its IDNA ASCII form; the WHATWG one would also rewrite numbers as IPv4.
    if (/[^\x00-\x7f]/.test(host)) {
      const ascii = domainToASCII(host.slice(1));
      if (ascii !== '') host = `.${ascii}`;
    }
    const suffix = host;
    domainMatchers.push(
      (name, port) => (name.endsWith(suffix) || (matchHost && name === suffix.slice(1))) && (entryPort === '' || entryPort === port),
    );
  }
  return { ipMatchers, domainMatchers };
}

/** Go's net.SplitHostPort; undefined where it returns an error. */
function splitHostPort(text: string): { host: string; port: string } | undefined {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':' || text.indexOf(']', end + 1) >= 0) return undefined;
    const port = text.slice(end + 2);
    return port.includes(':') || port.includes('[') ? undefined : { host: text.slice(1, end), port };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon || text.includes('[') || text.includes(']')) return undefined;
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

/** An IP address as 16 bytes (IPv4 as ::ffff:a.b.c.d, as Go holds it), or undefined. */
export function parseIp(text: string): Uint8Array | undefined {
  if (net.isIPv4(text)) return ipv4Bytes(text);
  if (!net.isIPv6(text) || text.includes('%')) return undefined;
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Bytes(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(...v4.subarray(12));
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = body.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const head = groups(left);
  const rest = right === undefined ? [] : groups(right);
  const words = [...head, ...new Array(8 - head.length - rest.length).fill(0), ...rest];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

function ipv4Bytes(text: string): Uint8Array | undefined {
  if (!net.isIPv4(text)) return undefined;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(
    text.split('.').map((p) => Number(p)),
    12,
  );
  return bytes;
}

function isV4(ip: Uint8Array): boolean {
  return ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

function isLoopback(ip: Uint8Array): boolean {
  if (isV4(ip)) return ip[12] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.every((byte, i) => byte === b[i]);
}

interface Cidr {
  v4: boolean;
  ip: Uint8Array;
  bits: number;
}

/** Go's net.ParseCIDR: an IPv4 or IPv6 address, `/`, and a prefix length in range. */
function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return undefined;
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const v4 = net.isIPv4(address);
  const bits = Number(prefix);
  if (bits > (v4 ? 32 : 128)) return undefined;
  return { v4, ip, bits };
}

/** Go's IPNet.Contains: an IPv4 network holds IPv4 addresses (mapped ones too), an IPv6 one only IPv6. */
function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.v4 !== isV4(ip)) return false;
  const offset = cidr.v4 ? 12 : 0;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const byte = offset + (bit >> 3);
    const mask = 0x80 >> (bit & 7);
    if (((cidr.ip[byte] ?? 0) & mask) !== ((ip[byte] ?? 0) & mask)) return false;
  }
  return true;
}

// ---- The tunnel ----

/** How the proxy's own connection is secured when it is an https:// proxy. */
export interface ProxyTlsOptions {
  ca?: Buffer;
  rejectUnauthorized: boolean;
}

/**
 * Opens a byte stream to host:port through the proxy: an HTTP CONNECT (Node's own HTTP client
 * parses the proxy's answer) or a SOCKS5 CONNECT (the `socks` package) with the host name sent to
 * the proxy, as Go does. Every failure is a ProxyError naming the proxy.
 */
export async function openTunnel(
  proxy: ProxyRoute,
  host: string,
  port: number,
  tlsOptions: ProxyTlsOptions,
  signal: AbortSignal,
): Promise<Duplex> {
  return proxy.url.protocol === 'socks5:' ? socksTunnel(proxy, host, port, signal) : connectTunnel(proxy, host, port, tlsOptions, signal);
}

function proxyPort(proxy: ProxyRoute): number {
  return Number(portOf(proxy.url));
}

function credentialsOf(url: URL): { user: string; password: string } | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/** The Proxy-Authorization header for an http(s) proxy with user:password, as Go sends it. */
export function proxyAuthorization(proxy: ProxyRoute): Record<string, string> {
  const creds = credentialsOf(proxy.url);
  return creds ? { 'Proxy-Authorization': `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}` } : {};
}

/** TLS settings of a connection to an https:// proxy (verified like the API server, with the proxy's own name). */
export function proxyTlsConnectOptions(proxy: ProxyRoute, tlsOptions: ProxyTlsOptions): https.AgentOptions {
  const host = hostOf(proxy.url);
  return {
    ...(tlsOptions.ca ? { ca: tlsOptions.ca } : {}),
    rejectUnauthorized: tlsOptions.rejectUnauthorized,
    ...(net.isIP(host) ? {} : { servername: host }),
  };
}

function connectTunnel(proxy: ProxyRoute, host: string, port: number, tlsOptions: ProxyTlsOptions, signal: AbortSignal): Promise<Duplex> {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const secure = proxy.url.protocol === 'https:';
  const options: https.RequestOptions = {
    host: hostOf(proxy.url),
    port: proxyPort(proxy),
    method: 'CONNECT',
    path: authority,
    headers: { Host: authority, 'User-Agent': 'rds-migrate', ...proxyAuthorization(proxy) },
    agent: false,
    signal,
    ...(secure ? proxyTlsConnectOptions(proxy, tlsOptions) : {}),
  };
  return new Promise<Duplex>((resolve, reject) => {
    const request = (secure ? https : http).request(options);
    request.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new ProxyError(
            `PROXY_${res.statusCode ?? 0}`,
            proxy.display,
            `the proxy ${proxy.display} refused to connect to ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(),
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('response', (res) => {
      // Not an answer to CONNECT: whatever listens there is not an HTTP proxy.
      res.destroy();
      reject(new ProxyError('PROXY_PROTOCOL', proxy.display, `the proxy ${proxy.display} answered CONNECT without a tunnel`));
    });
    request.once('error', (err) => reject(proxyConnectionError(err, proxy, signal)));
    request.end();
  });
}

async function socksTunnel(proxy: ProxyRoute, host: string, port: number, signal: AbortSignal): Promise<Duplex> {
  const proxyHost = hostOf(proxy.url);
  // Our own TCP connection first, so that an unreachable proxy fails with its errno code.
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: proxyHost, port: proxyPort(proxy), signal });
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => reject(proxyConnectionError(err, proxy, signal)));
  });
  const creds = credentialsOf(proxy.url);
  const onAbort = (): void => {
    socket.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Loaded only by the few who use a SOCKS5 proxy.
    const { SocksClient } = await import('socks');
    const { socket: tunnel } = await SocksClient.createConnection({
      command: 'connect',
      destination: { host, port },
      proxy: { host: proxyHost, port: proxyPort(proxy), type: 5, ...(creds ? { userId: creds.user, password: creds.password } : {}) },
      existing_socket: socket,
    });
    return tunnel;
  } catch (err) {
    socket.destroy();
    if (signal.aborted) throw proxyConnectionError(err, proxy, signal);
    const text = err instanceof Error ? err.message : String(err);
    throw new ProxyError('SOCKS_ERROR', proxy.display, `the SOCKS5 proxy ${proxy.display} could not connect to ${host}:${port}: ${text}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function proxyConnectionError(err: unknown, proxy: ProxyRoute, signal: AbortSignal): ProxyError {
  if (signal.aborted) return new ProxyError('ABORTED', proxy.display, `connecting through the proxy ${proxy.display} was aborted`);
  const code = String((err as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
  const text = networkError(code, "the proxy's", 'the proxy');
  return new ProxyError(code, proxy.display, `cannot connect to the proxy ${proxy.display}: ${text}`);
}

/** Opens a stream to host:port; the agents below call it for each new connection. */
export type Tunnel = (host: string, port: number) => Promise<Duplex>;

/**
 * An https.Agent (keep-alive pool, TLS as the kubeconfig says) whose connections are TLS inside a
 * tunnel through the proxy: the API server's certificate is verified end to end, as without one.
 */
export class HttpsTunnelAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly tunnel: Tunnel,
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | undefined {
    this.tunnel(String(options.host), Number(options.port)).then(
      (socket) => {
        let secured: Duplex | null | undefined;
        try {
          secured = super.createConnection({ ...options, socket } as https.RequestOptions);
        } catch (err) {
          socket.destroy();
          callback?.(err as Error, socket);
          return;
        }
        if (secured) callback?.(null, secured);
      },
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** An http.Agent whose connections are tunnels through a SOCKS5 proxy (an http:// server behind one). */
export class HttpTunnelAgent extends http.Agent {
  constructor(
    options: http.AgentOptions,
    private readonly tunnel: Tunnel,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | undefined {
    this.tunnel(String(options.host), Number(options.port)).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

// The one HTTP client of rds-migrate: JSON over HTTPS to the API server, directly or through a
// proxy as kubectl would, gzip accepted, every body capped, with a timeout on every request,
// bounded retries with backoff for transient failures, and a --verbose log line per request that
// never holds a credential.
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { Logger } from '../context.js';
import type { Credentials } from './auth.js';
import {
  HttpsTunnelAgent,
  HttpTunnelAgent,
  openTunnel,
  ProxyError,
  type ProxyRoute,
  proxyAuthorization,
  proxyTlsConnectOptions,
} from './proxy.js';
import { networkError } from './tls-errors.js';

/** A request as the gateway describes it; `what` feeds error messages. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  contentType?: string;
  /** The Accept header; `application/json` when absent. */
  accept?: string;
  /** Whether a transient failure may be retried (reads; writes that cannot duplicate). */
  retry: boolean;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** The first bytes of the (decoded) body, for messages about an answer that cannot be used. */
  head: string;
}

/** A non-2xx answer from the API server (after retries). */
export class ApiStatusError extends Error {
  /** Which attempt got this answer (1 = the first): a 409 on a retried create may be our own event. */
  attempt = 1;
  /** The server's Retry-After (header or Status details), ms; set by openStream. */
  retryAfterMs: number | undefined;

  constructor(
    readonly status: number,
    readonly reason: string,
    readonly statusMessage: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${status} ${reason}`);
  }
}

/** The server answered, but the answer cannot be used (too large, undecodable): not retried. */
export class ResponseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server could not be reached, the TLS handshake failed, or the request timed out. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A streamed GET (a watch): the path and its query. */
export interface StreamRequest {
  path: string;
  query: Record<string, string | number | undefined>;
}

/** A 2xx answer whose body has not been read yet; the reader destroys `body` when done. */
export interface ApiStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The decoded body (gzip undone). */
  body: Readable;
}

export interface ClientOptions {
  server: string;
  credentials: Credentials;
  timeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
  /** The proxy to go through (see chooseProxy); direct when absent. */
  proxy?: ProxyRoute;
  /** Total attempts for a retryable request. */
  maxAttempts?: number;
  /** Upper bound of one backoff sleep without Retry-After, ms. */
  maxBackoffMs?: number;
  /** Connections open at once (default 8); each open watch holds one for as long as it runs. */
  maxSockets?: number;
}

/**
 * The largest response body read, decoded (after gzip): 64 MiB. A page of 500 objects is far
 * smaller (see SECURITY.md); a server that sends more is broken or hostile, and reading on would
 * end in an out-of-memory crash.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A response whose head has arrived: the body is a stream of decoded bytes (gunzipped when gzip). */
export interface OpenResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The decoded body. */
  body: Readable;
  /** Stops the download (the body then ends with an error). */
  destroy(): void;
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Bytes of a body kept for error messages. */
const HEAD_BYTES = 160;

export class ApiClient {
  readonly server: URL;
  private readonly connection: Connection;
  /** How many HTTP requests were sent (for --verbose and the benchmark). */
  requestCount = 0;
  /** Aborted by close(): requests still out when the command ends are dropped, not retried. */
  private readonly closing = new AbortController();
  /** The command's signal (Ctrl-C, deadline) or close(). */
  private readonly stop: AbortSignal;

  constructor(private readonly options: ClientOptions) {
    this.server = new URL(options.server);
    this.stop = AbortSignal.any([options.signal, this.closing.signal]);
    this.connection = connectionTo(this.server, options.credentials, options.proxy, options.timeoutMs, this.stop, options.maxSockets ?? 8);
  }

  /** Sends a request, retrying transient failures when the request allows it. */
  async request(req: ApiRequest): Promise<ApiResponse> {
    const maxAttempts = req.retry ? (this.options.maxAttempts ?? 5) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.send(req);
        if (res.status >= 200 && res.status < 300) return res;
        const error = statusError(res);
        error.attempt = attempt;
        if (attempt < maxAttempts && TRANSIENT_STATUS.has(res.status)) {
          await this.backoff(attempt, retryAfterMs(res));
          continue;
        }
        throw error;
      } catch (err) {
        if (!(err instanceof TransportError || err instanceof ProxyError)) throw err;
        if (attempt < maxAttempts && TRANSIENT_CODES.has(err.code) && !this.stop.aborted) {
          await this.backoff(attempt, undefined);
          continue;
        }
        throw err;
      }
    }
  }

  /** Drops requests still out and closes the connections, so the process can exit. */
  close(): void {
    this.closing.abort();
    this.connection.agent.destroy();
  }

  /**
   * Sends a GET whose body is read as it arrives (a watch): the request timeout covers connecting
   * and the response headers only, then the body runs until the server ends it or `signal` (or the
   * command's signal) aborts. Not retried. A non-2xx answer is read (bounded) and thrown as an
   * ApiStatusError carrying its Retry-After.
   */
  async openStream(req: StreamRequest, signal: AbortSignal): Promise<ApiStream> {
    const request: ApiRequest = { method: 'GET', path: req.path, query: req.query, retry: false };
    const url = this.urlOf(request);
    const headerTimeout = new AbortController();
    const timer = setTimeout(() => headerTimeout.abort(), this.options.timeoutMs);
    const requestSignal = AbortSignal.any([this.stop, signal, headerTimeout.signal]);
    const started = performance.now();
    const logLine = (status: string): void =>
      this.options.logger.debug(`GET ${url.pathname}${url.search} ${status} ${Math.round(performance.now() - started)}ms`);
    let opened: OpenResponse;
    try {
      opened = await this.open(request, requestSignal);
    } catch (err) {
      const mapped = err instanceof ResponseError ? err : transportError(err, requestSignal, headerTimeout.signal, this.options.timeoutMs);
      if (!this.closing.signal.aborted) logLine(`failed (${mapped.code})`);
      const reason: unknown = this.options.signal.reason;
      throw mapped.code === 'ABORTED' && reason instanceof Error ? reason : mapped;
    } finally {
      clearTimeout(timer);
    }
    logLine(String(opened.status));
    if (opened.status >= 200 && opened.status < 300) {
      // Errors after this point belong to whoever reads the body; until it does, none may crash the process.
      opened.body.on('error', () => undefined);
      // A reader that stops (destroys the decoded body) also ends the response, freeing its socket.
      opened.body.once('close', opened.destroy);
      return { status: opened.status, headers: opened.headers, body: opened.body };
    }
    const text = await readText(opened, `GET ${url.pathname}`);
    let body: unknown;
    try {
      body = JSON.parse(text.text);
    } catch {
      body = text.text;
    }
    const answer: ApiResponse = { status: opened.status, body, headers: opened.headers, head: text.head };
    const error = statusError(answer);
    error.retryAfterMs = retryAfterMs(answer);
    throw error;
  }

  private async backoff(attempt: number, retryAfter: number | undefined): Promise<void> {
    // Full jitter (AWS architecture blog), capped; the server's Retry-After is a floor of the wait,
    // never shortened. The command's deadline still ends the sleep.
    const exp = Math.min(this.options.maxBackoffMs ?? 8000, 250 * 2 ** (attempt - 1));
    const jitter = Math.random() * exp;
    // Clamped to the longest timer Node has: beyond it setTimeout would fire at once.
    const wait = Math.min(retryAfter !== undefined ? Math.max(retryAfter, jitter) : jitter, MAX_TIMER_MS);
    this.options.logger.debug(`retrying in ${Math.round(wait)}ms (attempt ${attempt + 1})`);
    await sleep(wait, this.stop);
  }

  /** One attempt: the whole body read (at most MAX_RESPONSE_BYTES decoded) and parsed as JSON when it is. */
  private async send(req: ApiRequest): Promise<ApiResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([this.stop, timeout]);
    const url = this.urlOf(req);
    const started = performance.now();
    const logLine = (status: string): void =>
      this.options.logger.debug(`${req.method} ${url.pathname}${url.search} ${status} ${Math.round(performance.now() - started)}ms`);
    const fail = (err: unknown): Error => {
      if (err instanceof ResponseError) {
        logLine(`unreadable (${err.code})`);
        return err;
      }
      const mapped = transportError(err, signal, timeout, this.options.timeoutMs);
      // A request dropped by close() belongs to a command that has already answered.
      if (!this.closing.signal.aborted) logLine(`failed (${mapped.code})`);
      // Ctrl-C or the command's deadline: report that, not the torn-down request.
      const reason: unknown = this.options.signal.reason;
      return mapped.code === 'ABORTED' && reason instanceof Error ? reason : mapped;
    };
    let opened: OpenResponse;
    try {
      opened = await this.open(req, signal);
    } catch (err) {
      throw fail(err);
    }
    let text: { text: string; head: string };
    try {
      text = await readText(opened, `${req.method} ${url.pathname}`);
    } catch (err) {
      throw fail(err);
    }
    logLine(String(opened.status));
    let body: unknown;
    try {
      body = text.text === '' ? undefined : JSON.parse(text.text);
    } catch {
      body = text.text;
    }
    return { status: opened.status, body, headers: opened.headers, head: text.head };
  }

  private urlOf(req: ApiRequest): URL {
    const url = new URL(req.path, this.server);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    return url;
  }

  /**
   * Sends a request and resolves once the response head arrives, with the body as a stream of
   * decoded bytes (gzip undone). The one place that adds credentials, encodings and the proxy
   * route to a request; a streaming reader (watch) uses it as the whole-body reads do.
   */
  open(req: ApiRequest, signal: AbortSignal): Promise<OpenResponse> {
    const url = this.urlOf(req);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = {
      ...this.options.credentials.headers,
      Accept: req.accept ?? 'application/json',
      // Like client-go: the API server compresses large responses for clients that ask.
      'Accept-Encoding': 'gzip',
      'User-Agent': 'rds-migrate',
    };
    if (payload) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const { agent, transport, forwardProxy } = this.connection;
    // An http:// server behind an HTTP proxy: the request goes to the proxy with the absolute URL, as Go sends it.
    const target = forwardProxy ? forwardProxy.url : url;
    const options: http.RequestOptions = { method: req.method, headers, agent, signal };
    if (forwardProxy) {
      Object.assign(headers, proxyAuthorization(forwardProxy));
      options.path = url.href;
      options.setHost = false;
      headers.Host = url.host;
    }
    this.requestCount++;
    return new Promise<OpenResponse>((resolve, reject) => {
      const request = transport.request(target, options, (res) => {
        let body: Readable;
        try {
          body = decodedBody(res, `${req.method} ${url.pathname}`);
        } catch (err) {
          res.destroy();
          reject(err);
          return;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, destroy: () => res.destroy() });
      });
      request.on('error', reject);
      request.end(payload);
    });
  }
}

/** How requests reach the server: one keep-alive agent (TLS as the kubeconfig says, through the proxy if any). */
interface Connection {
  agent: http.Agent;
  transport: typeof http | typeof https;
  /** Set when requests go to an HTTP proxy as absolute URLs (an http:// server behind an HTTP proxy). */
  forwardProxy?: ProxyRoute;
}

function connectionTo(
  server: URL,
  credentials: Credentials,
  proxy: ProxyRoute | undefined,
  timeoutMs: number,
  stop: AbortSignal,
  maxSockets: number,
): Connection {
  const isHttps = server.protocol === 'https:';
  const pool = { keepAlive: true, maxSockets };
  const proxyTls = { ...(credentials.ca ? { ca: credentials.ca } : {}), rejectUnauthorized: credentials.rejectUnauthorized };
  const tunnel = (host: string, port: number): Promise<Duplex> =>
    openTunnel(proxy as ProxyRoute, host, port, proxyTls, AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]));
  if (isHttps) {
    const { rejectUnauthorized, servername } = credentials;
    const agentOptions: https.AgentOptions = { ...pool, ...tlsOptions(credentials), rejectUnauthorized, servername };
    return { agent: proxy ? new HttpsTunnelAgent(agentOptions, tunnel) : new https.Agent(agentOptions), transport: https };
  }
  if (proxy === undefined) return { agent: new http.Agent(pool), transport: http };
  if (proxy.url.protocol === 'socks5:') return { agent: new HttpTunnelAgent(pool, tunnel), transport: http };
  const secureProxy = proxy.url.protocol === 'https:';
  return {
    agent: secureProxy ? new https.Agent({ ...pool, ...proxyTlsConnectOptions(proxy, proxyTls) }) : new http.Agent(pool),
    transport: secureProxy ? https : http,
    forwardProxy: proxy,
  };
}

/** The body as the server meant it: gzip undone (we ask for nothing else). */
function decodedBody(res: http.IncomingMessage, what: string): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding === '' || encoding === 'identity') return res;
  if (encoding !== 'gzip') throw new ResponseError('BAD_ENCODING', `the answer to ${what} has an unknown Content-Encoding "${encoding}"`);
  const gunzip = createGunzip();
  res.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', () => res.destroy());
  return res.pipe(gunzip);
}

/**
 * Reads a decoded body into one string, decoded chunk by chunk (a multi-byte character split
 * between chunks is carried over; no array of Buffers, no Buffer.concat copy of a whole page), and
 * stops past MAX_RESPONSE_BYTES. Keeps the first bytes for error messages.
 */
function readText(res: OpenResponse, what: string): Promise<{ text: string; head: string }> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let head = '';
    let bytes = 0;
    const stop = (err: Error): void => {
      res.body.removeAllListeners('data');
      res.destroy();
      reject(err);
    };
    res.body.on('data', (chunk: Buffer) => {
      try {
        if (bytes < HEAD_BYTES) head += chunk.toString('utf8', 0, Math.min(chunk.length, HEAD_BYTES - bytes));
        bytes += chunk.length;
        if (bytes > MAX_RESPONSE_BYTES) {
          stop(
            new ResponseError(
              'TOO_LARGE',
              `the answer to ${what} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, the limit for one response; stopped reading it`,
            ),
          );
          return;
        }
        text += decoder.write(chunk);
      } catch (err) {
        // Never let an error escape from a stream callback as an uncaught exception.
        stop(err instanceof Error ? err : new Error(String(err)));
      }
    });
    res.body.on('error', (err: NodeJS.ErrnoException) => {
      if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
        reject(new ResponseError('BAD_GZIP', `the answer to ${what} is not valid gzip (${err.message})`));
      } else reject(err);
    });
    res.body.on('end', () => resolve({ text: text + decoder.end(), head }));
  });
}

/**
 * One secure context for every connection: without it each new socket parses the CA and the
 * client key again. When they do not load, they are passed as they are, so that the error
 * surfaces on the first request like any other TLS failure.
 */
function tlsOptions({ ca, cert, key }: Credentials): https.AgentOptions {
  try {
    return { secureContext: tls.createSecureContext({ ca, cert, key }) };
  } catch {
    return { ca, cert, key };
  }
}

function statusError(res: ApiResponse): ApiStatusError {
  const body = res.body;
  if (typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status') {
    const s = body as { reason?: unknown; message?: unknown; details?: unknown };
    return new ApiStatusError(
      res.status,
      typeof s.reason === 'string' ? s.reason : '',
      typeof s.message === 'string' ? s.message : '',
      typeof s.details === 'object' && s.details !== null ? (s.details as Record<string, unknown>) : {},
    );
  }
  return new ApiStatusError(res.status, '', '', {});
}

function retryAfterMs(res: ApiResponse): number | undefined {
  const header = res.headers['retry-after'];
  const seconds = typeof header === 'string' ? Number(header) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const details = (res.body as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details;
  const fromBody = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
  return fromBody !== undefined ? fromBody * 1000 : undefined;
}

function transportError(err: unknown, signal: AbortSignal, timeout: AbortSignal, timeoutMs: number): TransportError | ProxyError {
  if (timeout.aborted) return new TransportError('REQUEST_TIMEOUT', `request timed out after ${timeoutMs / 1000}s (--request-timeout)`);
  if (signal.aborted) return new TransportError('ABORTED', 'request aborted');
  if (err instanceof ProxyError || err instanceof TransportError) return err;
  const code = String((err as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
  return new TransportError(code, networkError(code, 'the server'));
}

/** Sleeps, waking early (with an AbortError) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// The one HTTP client of rds-migrate: JSON over HTTPS to the API server, with a
// timeout on every request, bounded retries with backoff for transient
// failures, and a --verbose log line per request that never holds a credential.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Logger } from '../context.js';
import type { Credentials } from './auth.js';

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
  body: http.IncomingMessage;
}

/** How much of an error answer to a streamed request is read (a Status is a few hundred bytes). */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

export interface ClientOptions {
  server: string;
  credentials: Credentials;
  timeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
  /** Total attempts for a retryable request. */
  maxAttempts?: number;
  /** Upper bound of one backoff sleep, ms. */
  maxBackoffMs?: number;
  /** Connections open at once (default 8); each open watch holds one for as long as it runs. */
  maxSockets?: number;
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export class ApiClient {
  readonly server: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  /** How many HTTP requests were sent (for --verbose and the benchmark). */
  requestCount = 0;
  /** Aborted by close(): requests still out when the command ends are dropped, not retried. */
  private readonly closing = new AbortController();
  /** The command's signal (Ctrl-C, deadline) or close(). */
  private readonly stop: AbortSignal;

  constructor(private readonly options: ClientOptions) {
    this.server = new URL(options.server);
    this.stop = AbortSignal.any([options.signal, this.closing.signal]);
    const isHttps = this.server.protocol === 'https:';
    this.transport = isHttps ? https : http;
    const { rejectUnauthorized, servername } = options.credentials;
    const maxSockets = options.maxSockets ?? 8;
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets, ...tlsOptions(options.credentials), rejectUnauthorized, servername })
      : new http.Agent({ keepAlive: true, maxSockets });
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
        if (!(err instanceof TransportError)) throw err;
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
    this.agent.destroy();
  }

  /**
   * Sends a GET whose body is read as it arrives (a watch): the request timeout covers connecting
   * and the response headers only, then the body runs until the server ends it or `signal` (or the
   * command's signal) aborts. Not retried. A non-2xx answer is read (bounded) and thrown as an
   * ApiStatusError carrying its Retry-After.
   */
  openStream(req: StreamRequest, signal: AbortSignal): Promise<ApiStream> {
    const url = new URL(req.path, this.server);
    for (const [k, v] of Object.entries(req.query)) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    const headers = { ...this.options.credentials.headers, Accept: 'application/json', 'User-Agent': 'rds-migrate' };
    const headerTimeout = new AbortController();
    const timer = setTimeout(() => headerTimeout.abort(), this.options.timeoutMs);
    const requestSignal = AbortSignal.any([this.stop, signal, headerTimeout.signal]);
    const started = performance.now();
    const logLine = (status: string): void =>
      this.options.logger.debug(`GET ${url.pathname}${url.search} ${status} ${Math.round(performance.now() - started)}ms`);
    this.requestCount++;
    return new Promise<ApiStream>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const mapped = transportError(err, requestSignal, headerTimeout.signal, this.options.timeoutMs);
        if (!this.closing.signal.aborted) logLine(`failed (${mapped.code})`);
        const reason: unknown = this.options.signal.reason;
        reject(mapped.code === 'ABORTED' && reason instanceof Error ? reason : mapped);
      };
      const request = this.transport.request(url, { method: 'GET', headers, agent: this.agent, signal: requestSignal }, (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        logLine(String(status));
        if (status >= 200 && status < 300) {
          settled = true;
          // Errors after this point belong to whoever reads the body; until it does, none may crash the process.
          res.on('error', () => undefined);
          resolve({ status, headers: res.headers, body: res });
          return;
        }
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => {
          if (text.length < MAX_ERROR_BODY_CHARS) text += c;
        });
        res.on('error', fail);
        res.on('end', () => {
          settled = true;
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          const answer = { status, body, headers: res.headers };
          const error = statusError(answer);
          error.retryAfterMs = retryAfterMs(answer);
          reject(error);
        });
      });
      request.on('error', fail);
      request.end();
    });
  }

  private async backoff(attempt: number, retryAfter: number | undefined): Promise<void> {
    const cap = this.options.maxBackoffMs ?? 8000;
    // Full jitter (AWS architecture blog); Retry-After is a floor, still capped.
    const exp = Math.min(cap, 250 * 2 ** (attempt - 1));
    const wait = retryAfter !== undefined ? Math.min(cap, retryAfter) : Math.random() * exp;
    this.options.logger.debug(`retrying in ${Math.round(wait)}ms (attempt ${attempt + 1})`);
    await sleep(wait, this.stop);
  }

  private send(req: ApiRequest): Promise<ApiResponse> {
    const url = new URL(req.path, this.server);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = {
      ...this.options.credentials.headers,
      Accept: req.accept ?? 'application/json',
      'User-Agent': 'rds-migrate',
    };
    if (payload) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([this.stop, timeout]);
    const started = performance.now();
    const logLine = (status: string): void =>
      this.options.logger.debug(`${req.method} ${url.pathname}${url.search} ${status} ${Math.round(performance.now() - started)}ms`);
    this.requestCount++;
    return new Promise<ApiResponse>((resolve, reject) => {
      const request = this.transport.request(url, { method: req.method, headers, agent: this.agent, signal }, (res) => {
        // Decoded chunk by chunk into one string (a multi-byte character split between chunks
        // is carried over): no array of Buffers, no Buffer.concat copy of a whole page.
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('error', (err) => {
          const mapped = transportError(err, signal, timeout, this.options.timeoutMs);
          const reason: unknown = this.options.signal.reason;
          reject(mapped.code === 'ABORTED' && reason instanceof Error ? reason : mapped);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          logLine(String(status));
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = text;
          }
          resolve({ status, body, headers: res.headers });
        });
      });
      request.on('error', (err) => {
        const mapped = transportError(err, signal, timeout, this.options.timeoutMs);
        // A request dropped by close() belongs to a command that has already answered.
        if (!this.closing.signal.aborted) logLine(`failed (${mapped.code})`);
        // Ctrl-C or the command's deadline: report that, not the torn-down request.
        const reason: unknown = this.options.signal.reason;
        reject(mapped.code === 'ABORTED' && reason instanceof Error ? reason : mapped);
      });
      request.end(payload);
    });
  }
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

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is not valid for this host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is signed by an unknown authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is signed by an unknown authority',
  CERT_NOT_YET_VALID: 'the server certificate is not yet valid',
};

function transportError(err: unknown, signal: AbortSignal, timeout: AbortSignal, timeoutMs: number): TransportError {
  if (timeout.aborted) return new TransportError('REQUEST_TIMEOUT', `request timed out after ${timeoutMs / 1000}s (--request-timeout)`);
  if (signal.aborted) return new TransportError('ABORTED', 'request aborted');
  const code = String((err as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
  if (TLS_CODES[code]) return new TransportError(code, `TLS error: ${TLS_CODES[code]} (${code})`);
  const text: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    EPROTO: 'TLS protocol error',
  };
  return new TransportError(code, text[code] ?? `network error (${code})`);
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

// `audit --pushgateway <url>`: one PUT of the audit's exposition to a Prometheus
// Pushgateway, so that the group's previous push is replaced whole and resolved findings
// disappear. Not Kubernetes: plain HTTP(S) with Node's own TLS trust (its CA bundle, plus
// NODE_EXTRA_CA_CERTS, or the system store with --use-openssl-ca), basic auth from the URL's
// user:password, no proxy. The URL is only ever shown with its password redacted.
// https://github.com/prometheus/pushgateway#url
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../context.js';
import { ClusterError } from '../errors.js';
import { certificateError, networkError } from './tls-errors.js';

/** The `job` label of every push. */
export const PUSH_JOB = 'rds-migrate';

/** How much of a refusal's body is read for the error line (the Pushgateway answers one line). */
const MAX_ERROR_BODY_BYTES = 4096;

export interface PushRequest {
  /** The Pushgateway's base URL (http or https; a path is a route prefix); user:password is basic auth. */
  url: URL;
  /** Grouping labels after `job`, in order (e.g. cluster). */
  grouping: [name: string, value: string][];
  /** The exposition text. */
  body: string;
  contentType: string;
  timeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
}

/** The URL as it may be shown: Go's URL.Redacted, the password replaced by `xxxxx`. */
export function redactUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = 'xxxxx';
  return copy.href;
}

/**
 * One path segment pair of a grouping key: `/<name>/<value>`, or `/<name>@base64/<base64url>`
 * for a value the plain form cannot carry (a `/`, an empty value, anything but unreserved URL
 * characters), as the Pushgateway defines it (an empty value is `=`).
 */
export function groupingSegment(name: string, value: string): string {
  if (/^[A-Za-z0-9._~-]+$/.test(value)) return `/${name}/${value}`;
  const encoded = Buffer.from(value, 'utf8').toString('base64url');
  return `/${name}@base64/${encoded === '' ? '=' : encoded}`;
}

/** The URL a push goes to: the base, then /metrics/job/<job> and the grouping labels; no credentials. */
export function pushUrl(base: URL, grouping: [string, string][]): URL {
  const url = new URL(base.href);
  url.username = '';
  url.password = '';
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/metrics${groupingSegment('job', PUSH_JOB)}${grouping.map(([n, v]) => groupingSegment(n, v)).join('')}`;
  return url;
}

/** PUTs the exposition to the Pushgateway; any failure is a ClusterError (exit 4) naming the redacted URL. */
export async function pushMetrics(req: PushRequest): Promise<void> {
  const target = pushUrl(req.url, req.grouping);
  const shown = redactUrl(withCredentials(target, req.url));
  const what = `cannot push the metrics to the Pushgateway (${shown})`;
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, timeout]);
  const headers: Record<string, string> = {
    'Content-Type': req.contentType,
    'Content-Length': String(Buffer.byteLength(req.body)),
    'User-Agent': 'rds-migrate',
  };
  if (req.url.username !== '' || req.url.password !== '') {
    const credentials = `${decodeURIComponent(req.url.username)}:${decodeURIComponent(req.url.password)}`;
    headers.Authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  const started = Date.now();
  let answer: { status: number; text: string };
  try {
    answer = await send(target, headers, req.body, signal);
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason;
    if (timeout.aborted) throw new ClusterError(`${what}: no answer within ${req.timeoutMs / 1000}s (--request-timeout)`);
    const code = String((err as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
    throw connectionFailure(what, code);
  }
  req.logger.debug(`PUT ${shown} ${answer.status} (${Date.now() - started} ms)`);
  if (answer.status >= 200 && answer.status < 300) return;
  const said = answer.text.split('\n')[0]?.trim().slice(0, 300) ?? '';
  throw new ClusterError(
    `${what}: ${answer.status} ${http.STATUS_CODES[answer.status] ?? 'error'}${said === '' ? '' : `: ${said}`}`,
    answer.status === 401 || answer.status === 403
      ? 'give the Pushgateway user and password in the URL: https://user:password@host:port'
      : undefined,
  );
}

/** The push URL with the base URL's user and password, for showing it redacted. */
function withCredentials(target: URL, base: URL): URL {
  const url = new URL(target.href);
  url.username = base.username;
  url.password = base.password;
  return url;
}

function send(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // No keep-alive agent: one request, and the process must not wait for an idle socket.
    const request = transport.request(url, { method: 'PUT', headers, signal, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES) }),
      );
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Why the push could not connect: the certificate problem (with a hint) or the network error. */
function connectionFailure(what: string, code: string): ClusterError {
  const certificate = certificateError(code, 'its');
  if (certificate !== undefined) {
    return new ClusterError(
      `${what}: ${certificate}`,
      "point NODE_EXTRA_CA_CERTS at the CA file that signed the Pushgateway's certificate; verification is never turned off",
    );
  }
  const text = networkError(code, 'its');
  return new ClusterError(`${what}: ${code === 'EPROTO' ? `${text} (is it an http:// Pushgateway?)` : text}`);
}

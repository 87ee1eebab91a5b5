// A direct HTTPS request to the fake API server (node:https, trusting the test CA).

import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the raw text. */
  body: any;
  text: string;
}

export interface KubeRequestOptions {
  method?: string;
  /** Path with or without query, e.g. '/api/v1/namespaces/vms/events'. */
  path: string;
  query?: Record<string, string | number>;
  /** Objects are sent as JSON (Content-Type application/json unless given). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bearer token; `null` sends no Authorization header. Default: the server's token. */
  token?: string | null;
  /** CA to trust (default: the server's test CA). */
  ca?: string;
  /** TLS server name to verify (default: from the URL). */
  servername?: string;
}

/** Sends one request to `server.url` and resolves with the answer; rejects on transport errors. */
export function kubeRequest(server: { url: string; token: string; caPem: string }, opts: KubeRequestOptions): Promise<KubeResponse> {
  const url = new URL(opts.path, server.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  const token = opts.token === undefined ? server.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: opts.method ?? (payload !== undefined ? 'POST' : 'GET'),
        headers,
        ca: opts.ca ?? server.caPem,
        agent: false,
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// A small HTTPS server (the test CA's certificate, like the fake) for faults the fake API server
// cannot produce: endless or bomb-sized bodies, broken gzip, continue tokens that never end. The
// test gives one handler that answers every request; requests are recorded.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { kubeconfigYaml } from '../fake/server.js';
import { serverCredentials, testCaPem } from '../fake/tls.js';

export interface HostileRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export type HostileHandler = (req: HostileRequest, res: ServerResponse) => void;

export interface HostileServer {
  url: string;
  requests: HostileRequest[];
  /** Replaces the handler (between tests). */
  handle(handler: HostileHandler): void;
  writeKubeconfig(dir: string, fileName?: string): string;
  close(): Promise<void>;
}

const TOKEN = 'hostile-token';

/** Starts the server on https://127.0.0.1:<random port>. */
export async function startHostileServer(handler: HostileHandler): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  let current = handler;
  const server = createServer(serverCredentials('good'), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: HostileRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
    };
    requests.push(record);
    res.on('error', () => undefined);
    current(record, res);
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    handle: (next) => {
      current = next;
    },
    writeKubeconfig: (dir, fileName = 'kubeconfig') => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, fileName);
      writeFileSync(
        file,
        kubeconfigYaml({ server: url, caPem: testCaPem, token: TOKEN, contextName: 'hostile', namespace: 'vms', insecure: false }),
        { mode: 0o600 },
      );
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends `chunk` again and again, honouring backpressure, until the client goes away. */
export function sendForever(res: ServerResponse, chunk: Buffer): void {
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket buffer is full
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** JSON answer helper. */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

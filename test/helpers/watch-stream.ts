// A raw watch request to the fake API server, read frame by frame (node:https, trusting the test CA).
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawWatch {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every frame received so far, parsed. */
  frames: any[];
  /** Lines that were not JSON. */
  garbage: string[];
  /** Waits until `count` frames have arrived in total and returns them all. */
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  /** How the stream ended: 'end' (the server closed it cleanly) or 'aborted' (the connection was cut). */
  ended: Promise<'end' | 'aborted'>;
  /** For a non-200 answer: the parsed body. */
  body: any;
  close(): void;
}

/** Opens a watch (adds watch=1) and reads its frames as they arrive. */
export function openWatch(
  server: { url: string; token: string; caPem: string },
  path: string,
  query: Record<string, string | number> = {},
  headers: Record<string, string> = {},
): Promise<RawWatch> {
  const url = new URL(path, server.url);
  url.searchParams.set('watch', '1');
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { headers: { Accept: 'application/json', Authorization: `Bearer ${server.token}`, ...headers }, ca: server.caPem, agent: false },
      (res) => {
        const frames: any[] = [];
        const garbage: string[] = [];
        let waiters: { count: number; resolve: () => void }[] = [];
        let pending = '';
        let text = '';
        let settle!: (how: 'end' | 'aborted') => void;
        const ended = new Promise<'end' | 'aborted'>((r) => {
          settle = r;
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          pending += chunk;
          let nl = pending.indexOf('\n');
          while (nl !== -1) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            try {
              frames.push(JSON.parse(line));
            } catch {
              garbage.push(line);
            }
            nl = pending.indexOf('\n');
          }
          waiters = waiters.filter((w) => {
            if (frames.length < w.count) return true;
            w.resolve();
            return false;
          });
        });
        res.on('end', () => settle('end'));
        res.on('aborted', () => settle('aborted'));
        res.on('error', () => settle('aborted'));
        const watch: RawWatch = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          frames,
          garbage,
          body: undefined,
          ended,
          waitFor: (count, timeoutMs = 5000) =>
            new Promise((ok, fail) => {
              if (frames.length >= count) return ok(frames);
              const timer = setTimeout(
                () => fail(new Error(`expected ${count} frames, got ${frames.length}: ${JSON.stringify(frames)}`)),
                timeoutMs,
              );
              waiters.push({
                count,
                resolve: () => {
                  clearTimeout(timer);
                  ok(frames);
                },
              });
            }),
          close: () => req.destroy(),
        };
        if (watch.status !== 200) {
          res.on('end', () => {
            watch.body = text === '' ? undefined : JSON.parse(text);
            resolve(watch);
          });
          return;
        }
        resolve(watch);
      },
    );
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

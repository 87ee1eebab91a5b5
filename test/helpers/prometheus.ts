// The real Prometheus tools for the tests (Debian's packages, installed by .ci/run): promtool
// (`check metrics`, `check rules`, `test rules`) and a prometheus-pushgateway started on a free
// loopback port with its own persistence file; plus a parser of the exposition text they exchange.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCaPem } from '../fake/tls.js';
import { type RunResult, runCommand } from './run-cli.js';

export const PROMTOOL = '/usr/bin/promtool';
export const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

export type ToolResult = RunResult;

/** Runs a program with `stdin`, collecting its output (killed after 30 s). */
export function runTool(command: string, args: string[], stdin = '', options: { cwd?: string } = {}): Promise<ToolResult> {
  return runCommand(command, args, { stdin, cwd: options.cwd });
}

/** `promtool check metrics`: lints an exposition read from stdin. */
export function promtoolCheckMetrics(text: string): Promise<ToolResult> {
  return runTool(PROMTOOL, ['check', 'metrics'], text);
}

/** A free TCP port on 127.0.0.1 (the listener is closed before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running Pushgateway. */
export interface Pushgateway {
  /** http(s)://127.0.0.1:<port> (no credentials). */
  url: string;
  /** The Pushgateway's own /metrics: every pushed group, with job and grouping labels. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export interface PushgatewayOptions {
  /** Serve https with the test server certificate (SAN 127.0.0.1, signed by the test CA). */
  tls?: { cert: string; key: string };
  /** Require basic auth: user -> bcrypt hash. */
  basicAuth?: Record<string, string>;
}

/** Starts prometheus-pushgateway on a free loopback port with a temporary persistence file. */
export async function startPushgateway(options: PushgatewayOptions = {}): Promise<Pushgateway> {
  const dir = mkdtempSync(join(tmpdir(), 'rds-pushgateway-'));
  const port = await freePort();
  const args = [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(dir, 'metrics.store')}`, '--log.level=warn'];
  const secure = options.tls !== undefined;
  if (secure || options.basicAuth) {
    const lines: string[] = [];
    if (options.tls) {
      writeFileSync(join(dir, 'server.crt'), options.tls.cert);
      writeFileSync(join(dir, 'server.key'), options.tls.key);
      lines.push('tls_server_config:', `  cert_file: ${join(dir, 'server.crt')}`, `  key_file: ${join(dir, 'server.key')}`);
    }
    if (options.basicAuth) {
      lines.push('basic_auth_users:', ...Object.entries(options.basicAuth).map(([user, hash]) => `  ${user}: ${JSON.stringify(hash)}`));
    }
    writeFileSync(join(dir, 'web.yml'), `${lines.join('\n')}\n`);
    args.push(`--web.config.file=${join(dir, 'web.yml')}`);
  }
  const child: ChildProcess = spawn(PUSHGATEWAY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  const auth = options.basicAuth ? Object.keys(options.basicAuth)[0] : undefined;
  const get = (path: string): Promise<Response> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.Authorization = `Basic ${Buffer.from(`${auth}:${PUSHGATEWAY_TEST_PASSWORD}`).toString('base64')}`;
      const onResponse = (res: IncomingMessage): void => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve(new Response(body, { status: res.statusCode ?? 0 })));
      };
      const req = secure
        ? https.request(`${url}${path}`, { headers, ca: testCaPem }, onResponse)
        : http.request(`${url}${path}`, { headers }, onResponse);
      req.on('error', reject);
      req.end();
    });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus-pushgateway exited: ${log}`);
    try {
      if ((await get('/-/ready')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus-pushgateway did not get ready: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    scrape: async () => {
      const res = await get('/metrics');
      if (res.status !== 200) throw new Error(`scrape: ${res.status}`);
      return res.text();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) done();
        else {
          child.once('exit', done);
          child.kill('SIGTERM');
        }
      }),
  };
}

/** The password whose bcrypt hash PUSHGATEWAY_TEST_USERS holds. */
export const PUSHGATEWAY_TEST_PASSWORD = 'push-secret-0123';
/** Basic-auth users of a test Pushgateway: `rds` with PUSHGATEWAY_TEST_PASSWORD (bcrypt, cost 10). */
export const PUSHGATEWAY_TEST_USERS = { rds: '$2a$10$GbDDfHl.5aGFu.Z1VhAdXeksIigqvz5qTaU8.f/Neve0s68ItutMu' };

/** One sample of an exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

/** The samples of a text exposition (comments skipped; label values unescaped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name === undefined) throw new Error(`not a sample: ${line}`);
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
        if (label === undefined || line[i + label.length] !== '=' || line[i + label.length + 1] !== '"')
          throw new Error(`bad labels: ${line}`);
        i += label.length + 2;
        let value = '';
        while (line[i] !== '"') {
          if (i >= line.length) throw new Error(`unterminated label value: ${line}`);
          if (line[i] === '\\') {
            const next = line[i + 1];
            value += next === 'n' ? '\n' : (next ?? '');
            i += 2;
          } else {
            value += line[i];
            i++;
          }
        }
        i++;
        labels[label] = value;
        if (line[i] === ',') i++;
      }
      i++;
    }
    samples.push({ name, labels, value: line.slice(i).trim().split(' ')[0] ?? '' });
  }
  return samples;
}

/** The samples named `name`. */
export function samplesNamed(text: string, name: string): Sample[] {
  return parseExposition(text).filter((s) => s.name === name);
}

// The built CLI as a child process that keeps running (`wait`, `--watch`): a test reads its output
// as it comes, changes the fake server meanwhile, and signals or awaits it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, type RunResult } from './run-cli.js';

export interface LiveCli {
  stdout(): string;
  stderr(): string;
  /** Resolves with the output once `test` holds for it (checked on every chunk); fails after `timeoutMs`. */
  waitForStdout(test: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  waitForStderr(test: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The stdout lines parsed as JSON (one object per line). */
  jsonLines(): any[];
  signal(name: NodeJS.Signals): void;
  /** How it ended (code null when killed by a signal). */
  exited: Promise<RunResult>;
}

const running = new Set<{ kill: (signal: NodeJS.Signals) => boolean }>();

/** Kills every CLI still running (call it in afterEach: a failed test must not leave watchers behind). */
export function stopClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts `node bin/rds-migrate.cjs ...args` with a clean environment (KUBECONFIG only when given); killed after `killAfterMs`. */
export function startCli(args: string[], opts: { kubeconfig?: string; env?: Record<string, string>; killAfterMs?: number } = {}): LiveCli {
  const home = mkdtempSync(join(tmpdir(), 'rds-migrate-home-'));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...opts.env };
  if (opts.kubeconfig !== undefined) env.KUBECONFIG = opts.kubeconfig;
  const child = spawn(process.execPath, [cliPath, ...args], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  let waiters: { stream: 'out' | 'err'; test: (t: string) => boolean; done: () => void }[] = [];
  const check = (): void => {
    waiters = waiters.filter((w) => {
      if (!w.test(w.stream === 'out' ? out : err)) return true;
      w.done();
      return false;
    });
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    check();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
  const exited = new Promise<RunResult>((resolve) => {
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(killer);
      rmSync(home, { recursive: true, force: true });
      for (const w of waiters) w.done();
      resolve({ code, stdout: out, stderr: err });
    });
  });
  let closed = false;
  void exited.then(() => {
    closed = true;
  });
  const waitFor = (stream: 'out' | 'err', test: (t: string) => boolean, timeoutMs = 15_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const text = (): string => (stream === 'out' ? out : err);
      const timer = setTimeout(() => reject(new Error(`timed out waiting for std${stream}; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        if (test(text())) resolve(text());
        else reject(new Error(`the CLI exited before std${stream} matched; stdout:\n${out}\nstderr:\n${err}`));
      };
      if (test(text())) done();
      else if (closed) done();
      else waiters.push({ stream, test, done });
    });
  return {
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (test, timeoutMs) => waitFor('out', test, timeoutMs),
    waitForStderr: (test, timeoutMs) => waitFor('err', test, timeoutMs),
    jsonLines: () =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l)),
    signal: (name) => child.kill(name),
    exited,
  };
}

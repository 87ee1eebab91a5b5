// Run the built rds-migrate CLI, or the real kubectl, as a child process with a clean environment.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment variables (NO_COLOR, KUBECONFIG, ... only when given here). */
  env?: Record<string, string>;
  stdin?: string;
  /** Sets KUBECONFIG for the CLI; passed as --kubeconfig to kubectl. */
  kubeconfig?: string;
  /** Kill the process after this long (default 20 s); `code` is then null. */
  timeoutMs?: number;
}

/** The repository root, resolved from this file (test/helpers/run-cli.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = join(repoRoot, 'bin', 'rds-migrate.cjs');

/**
 * kubectl on this machine is Google's dispatcher (`kubectl version --client` says v1.32.4-dispatcher):
 * it GETs /version (User-Agent `kubectl-dispatcher/v1.0`) and execs the versioned binary
 * /usr/lib/google-cloud-sdk/bin/kubectl.1.<minor> when one exists for the server's minor version
 * (1.27 … 1.33), else falls back to its own built-in 1.32. Against the fake (which reports 1.31 by
 * default) the dispatcher works fine and runs kubectl.1.31; `kubectlBinary('1.29')` picks a
 * versioned binary directly when a test wants one client version without the extra /version request.
 */
export const KUBECTL_DISPATCHER = '/usr/bin/kubectl';

/** Path of a versioned kubectl binary, e.g. kubectlBinary('1.31'). */
export function kubectlBinary(minorVersion: string): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.${minorVersion}`;
}

/** Whether a real kubectl is installed (kubectl tests skip otherwise). */
export const kubectlAvailable = existsSync(KUBECTL_DISPATCHER);

export interface CommandOptions {
  stdin?: string;
  /** The whole environment (default: this process's). */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the process after this long (default 30 s); `code` is then null. */
  timeoutMs?: number;
}

/** Runs a program to its end, collecting what it writes. */
export function runCommand(command: string, args: string[], opts: CommandOptions = {}): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // the child may exit without reading stdin
    child.stdin.end(opts.stdin ?? '');
  });
}

/** runCommand with a clean environment (PATH, a fresh HOME that is also the working directory, `env`, opts.env). */
async function runProcess(command: string, args: string[], env: Record<string, string>, opts: RunOptions): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), 'rds-migrate-home-'));
  const fullEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env, ...opts.env };
  try {
    return await runCommand(command, args, { env: fullEnv, cwd: home, stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 20_000 });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Runs `node bin/rds-migrate.cjs ...args` with a clean environment: PATH, a fresh temporary HOME,
 * KUBECONFIG only when `opts.kubeconfig` is given, nothing else inherited (no NO_COLOR, no
 * KUBECONFIG, no in-cluster variables) unless passed in `opts.env`.
 */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = {};
  if (opts.kubeconfig !== undefined) env.KUBECONFIG = opts.kubeconfig;
  return runProcess(process.execPath, [cliPath, ...args], env, opts);
}

export interface KubectlOptions extends RunOptions {
  /** kubectl binary (default the dispatcher, KUBECTL_DISPATCHER). */
  binary?: string;
}

/**
 * Runs the real kubectl with `--kubeconfig <opts.kubeconfig>` (when given) and a fresh HOME, so the
 * discovery cache (~/.kube/cache) never leaks between tests.
 */
export function runKubectl(args: string[], opts: KubectlOptions = {}): Promise<RunResult> {
  const full = opts.kubeconfig !== undefined ? ['--kubeconfig', opts.kubeconfig, ...args] : args;
  return runProcess(opts.binary ?? KUBECTL_DISPATCHER, full, {}, opts);
}

// Runs a client-go credential plugin and reads what it prints, bounded in size and time. A plugin
// that is not interactive runs in a process group of its own, so that when the command is
// interrupted or passes its deadline the whole group is stopped (SIGTERM, then SIGKILL after a
// short grace), including a background child that still holds the plugin's output open; the
// command then ends at once instead of waiting for that pipe.
import { spawn } from 'node:child_process';
import { kill } from 'node:process';
import { ClusterError } from '../errors.js';
import { formatBytes } from '../read-input.js';

/** How long a stopped plugin gets between SIGTERM and SIGKILL. */
export const PLUGIN_KILL_GRACE_MS = 500;
const POLL_MS = 50;

export interface PluginRun {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  /** Interactive: the plugin shares the terminal (stdin and stderr) and the foreground process group, as with kubectl. */
  interactive: boolean;
  /** Stops the plugin (Ctrl-C, the command's deadline); the promise then rejects with its reason. */
  signal: AbortSignal;
  /** The most the plugin may print on stdout. */
  maxBytes: number;
  installHint: string | undefined;
}

/** Runs the plugin to its end and returns its standard output; never shows what it printed. */
export function runCredentialPlugin(run: PluginRun): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (run.signal.aborted) {
      reject(run.signal.reason);
      return;
    }
    const failed = (why: string): ClusterError =>
      // The plugin's own output may hold secrets; name only the command.
      new ClusterError(`credential plugin "${run.command}" failed: ${why}`, run.installHint?.split('\n')[0]);
    const child = spawn(run.command, run.args, {
      env: run.env,
      stdio: run.interactive ? ['inherit', 'pipe', 'inherit'] : ['ignore', 'pipe', 'ignore'],
      detached: !run.interactive,
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let ended = false;
    let settled = false;

    const settle = (err: unknown, value?: string): void => {
      if (settled) return;
      settled = true;
      run.signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve(value ?? '');
      else reject(err);
    };
    const stop = (err: unknown): void => {
      // Stop waiting for the pipe: a leftover child may hold it open for ever.
      child.stdout?.destroy();
      if (child.pid !== undefined) terminate(child.pid, !run.interactive, () => exit !== undefined);
      settle(err);
    };
    const finish = (): void => {
      if (exit === undefined || !ended) return;
      if (exit.code === 0) settle(undefined, Buffer.concat(chunks).toString('utf8'));
      else settle(failed(exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`));
    };
    const onAbort = (): void => stop(run.signal.reason);

    run.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'command not found' : err.code === 'EACCES' ? 'permission denied' : (err.code ?? 'cannot run it');
      stop(failed(why));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      finish();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > run.maxBytes) {
        stop(failed(`it printed more than ${formatBytes(run.maxBytes)}`));
        return;
      }
      chunks.push(chunk);
    });
    child.stdout?.on('end', () => {
      ended = true;
      finish();
    });
    child.stdout?.on('error', () => undefined);
  });
}

/**
 * SIGTERM to the plugin (its whole group when it has one), then SIGKILL when anything of it is
 * still there after the grace. The timers keep the process alive until then, so that a plugin
 * ignoring SIGTERM cannot outlive the command.
 */
function terminate(pid: number, group: boolean, leaderGone: () => boolean): void {
  const target = group ? -pid : pid;
  if (!signalTo(target, 'SIGTERM')) return;
  const started = Date.now();
  const timer = setInterval(() => {
    const alive = group ? signalTo(target, 0) : !leaderGone();
    if (!alive) {
      clearInterval(timer);
    } else if (Date.now() - started >= PLUGIN_KILL_GRACE_MS) {
      signalTo(target, 'SIGKILL');
      clearInterval(timer);
    }
  }, POLL_MS);
}

/** Sends a signal (0: only checks); false when nothing with that pid or group is left. */
function signalTo(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    kill(target, signal);
    return true;
  } catch {
    return false;
  }
}

// The run context: every stream, clock and environment value a command may use,
// passed in so that tests can build an in-memory one.

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** A terminal's height (lines), for output redrawn in place. */
  rows?: number;
}

export interface Logger {
  /** Diagnostics, shown only with --verbose. Never pass credentials. */
  debug(line: string): void;
  /** A warning line on stderr, always shown. */
  warn(line: string): void;
}

export interface Spinner {
  start(text: string): void;
  update(text: string): void;
  stop(): void;
}

export interface Context {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Wall clock, epoch ms. */
  now(): number;
  /** Aborted on Ctrl-C or when the command's deadline passes. */
  signal: AbortSignal;
  /** Aborted when stdout's reader has gone (`| head`): a command that follows changes then ends. */
  outputClosed?: AbortSignal;
  /** Warnings always, diagnostics with --verbose; on stderr. */
  logger: Logger;
}

/** A logger writing to stderr; debug lines only when verbose. */
export function createLogger(stderr: OutputStream, verbose: boolean): Logger {
  return {
    debug: verbose ? (line) => stderr.write(`${line}\n`) : () => {},
    warn: (line) => stderr.write(`warning: ${line}\n`),
  };
}

/** `--color`: `auto` colours a terminal when NO_COLOR is unset; `--no-color` is `never`. */
export type ColorMode = 'auto' | 'always' | 'never';

/** Whether to colour what goes to `stream` under `--color mode` (`always` overrides NO_COLOR). */
export function colorEnabled(mode: ColorMode, stream: OutputStream, env: Context['env']): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

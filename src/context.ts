// The run context: every stream, clock and environment value a command may use,
// passed in so that tests can build an in-memory one.

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
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

/** Whether colour may be used on a stream (SPEC §3: --no-color, NO_COLOR, terminals only). */
export function colorAllowed(stream: OutputStream, env: Context['env'], noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

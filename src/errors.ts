/** Exit codes (README.md, docs/output.md). */
export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  notFound: 3,
  cluster: 4,
  /** `wait`: its --timeout passed before the condition held. */
  waitTimeout: 5,
  /** The output could not be written (a full disk; sysexits EX_IOERR). A closed pipe is not this. */
  output: 74,
  interrupted: 130,
  /** A bug (sysexits EX_SOFTWARE): not one of the documented outcomes. */
  internal: 70,
} as const;

/** Base error: carries the exit code and an optional one-line hint. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flag, bad value, unreadable or malformed input file: exit 2, nothing written. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** A named object (PVC, namespace, kubeconfig context) does not exist: exit 3. */
export class NotFoundError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.notFound, hint);
  }
}

/** The cluster could not be reached or refused the request: exit 4. */
export class ClusterError extends CliError {
  /** HTTP status when the API server answered, else undefined (transport failure). */
  readonly status: number | undefined;

  constructor(message: string, hint?: string, status?: number) {
    super(message, ExitCode.cluster, hint);
    this.status = status;
  }
}

/** `wait` gave up: its --timeout passed before the condition held: exit 5. */
export class WaitTimeoutError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.waitTimeout, hint);
  }
}

/** The user interrupted the run (Ctrl-C): exit 130. */
export class InterruptedError extends CliError {
  constructor() {
    super('interrupted', ExitCode.interrupted);
  }
}

/** The command's overall deadline passed (every request has a timeout; so has the whole command): exit 4. */
export class DeadlineError extends ClusterError {
  constructor(command: string, within: string) {
    super(
      `${command} did not finish within ${within} (the overall deadline: 4 × --request-timeout, at least a minute)`,
      'the cluster is slow or keeps failing; check its health, or raise --request-timeout',
    );
  }
}

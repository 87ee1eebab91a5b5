// Raw commander values -> validated options. Every value given on the command
// line is checked here, before any file or API access (SPEC §3.1).
import type { Command } from 'commander';
import { colorAllowed, type Context, type GlobalOptions } from '../context.js';
import { DurationSyntaxError, parseDuration } from '../domain/duration.js';
import { DEFAULT_DRIVER } from '../domain/types.js';
import { dnsLabelProblem, dnsSubdomainProblem } from '../domain/validation.js';
import { UsageError } from '../errors.js';

/** Adds the kubectl-style global options of SPEC §3 to a command. */
export function addGlobalOptions(cmd: Command, { namespace = true }: { namespace?: boolean } = {}): Command {
  cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use');
  if (namespace) cmd.option('-n, --namespace <ns>', "namespace (default: the context's namespace, else default)");
  return cmd
    .option('--request-timeout <dur>', 'timeout of each API request (Go duration or seconds)', '30s')
    .option('--driver <name>', 'CSI driver name', DEFAULT_DRIVER)
    .option('--no-color', 'never colour the output (also NO_COLOR)')
    .option('-v, --verbose', 'log each API request to stderr (never credentials)');
}

const MAX_REQUEST_TIMEOUT_SECONDS = 24 * 3600;

interface RawGlobals {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  requestTimeout: string;
  driver: string;
  color: boolean;
  verbose?: boolean;
}

/** Validates the global options; `colorTarget` is the stream a table would go to. */
export function resolveGlobals(raw: RawGlobals, ctx: Context): GlobalOptions {
  if (raw.context !== undefined && raw.context.trim() === '') throw invalid('--context', raw.context, 'must not be empty');
  if (raw.namespace !== undefined) checkName('--namespace', raw.namespace, dnsLabelProblem);
  checkName('--driver', raw.driver, dnsSubdomainProblem);
  const requestTimeoutSeconds = durationFlag('--request-timeout', raw.requestTimeout, { positive: true });
  // Node timers hold at most 2^31 ms (about 24.8 days); a day is already far beyond any sensible request.
  if (requestTimeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) throw invalid('--request-timeout', raw.requestTimeout, 'must be at most 24h');
  return {
    kubeconfig: raw.kubeconfig,
    context: raw.context,
    namespace: raw.namespace,
    requestTimeoutSeconds,
    driver: raw.driver,
    color: colorAllowed(ctx.stdout, ctx.env, raw.color === false),
    verbose: raw.verbose === true,
  };
}

/** Parses a duration flag (Go syntax or seconds); negative values are rejected. */
export function durationFlag(flag: string, value: string, { positive = false } = {}): number {
  let seconds: number;
  try {
    seconds = parseDuration(value);
  } catch (err) {
    if (err instanceof DurationSyntaxError) throw new UsageError(`invalid ${flag} "${value}": ${reasonOf(err.message, value)}`);
    throw err;
  }
  if (positive && seconds <= 0) throw invalid(flag, value, 'must be greater than zero');
  return seconds;
}

/** Throws a UsageError when `problem(value)` finds something wrong. */
export function checkName(flag: string, value: string, problem: (v: string) => string | null): void {
  const why = problem(value);
  if (why) throw invalid(flag, value, why);
}

/** `invalid --flag "value": why` — the one line every bad input gets. */
export function invalid(flag: string, value: string, why: string): UsageError {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return new UsageError(`invalid ${flag} ${JSON.stringify(shown)}: ${why}`);
}

// DurationSyntaxError messages start with `invalid duration "<value>": `; keep only the why.
function reasonOf(message: string, value: string): string {
  const prefix = `invalid duration ${JSON.stringify(value)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Checks an -o value against the formats a command supports. */
export function outputFlag<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalid('--output', value, `must be one of ${allowed.join(', ')}`);
}

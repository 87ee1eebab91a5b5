// Raw commander values -> validated, typed options. Every value given on the command
// line is checked here, before any file or API access.
import { type Command, Option } from 'commander';
import type { AuditOptions, AuditOutput, FailOn } from '../app/audit.js';
import type { EventsOptions } from '../app/events.js';
import type { DryRun, PostKind, PostOptions } from '../app/post.js';
import type { WaitFor, WaitOptions } from '../app/wait.js';
import { type ColorMode, type Context, colorEnabled } from '../context.js';
import { DurationSyntaxError, parseFlagDuration } from '../domain/duration.js';
import { MAX_MESSAGE_BYTES } from '../domain/event-body.js';
import { FINDING_CODES } from '../domain/findings.js';
import { quoteValue } from '../domain/sanitize.js';
import { parseTimestamp } from '../domain/time.js';
import { DEFAULT_DRIVER, type Exclusion, type FindingCode } from '../domain/types.js';
import { dnsLabelProblem, dnsSubdomainProblem, printableLineProblem, volumeIdProblem } from '../domain/validation.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptions } from '../kube/gateway.js';

/** Options every command shares (the global options), already validated. */
export interface GlobalOptions extends ConnectionOptions {
  driver: string;
  /** Colour in tables on stdout. */
  color: boolean;
  /** Colour on stderr (the spinner). */
  stderrColor: boolean;
  verbose: boolean;
}

/** The help of -n for commands about one PVC. */
export const PVC_NAMESPACE_HELP = "namespace of the PVC (default: the context's namespace, else default)";

/** Adds the kubectl-style global options to a command; `namespace` is -n's help, which differs per command. */
export function addGlobalOptions(cmd: Command, { namespace = PVC_NAMESPACE_HELP }: { namespace?: string } = {}): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', namespace)
    .option('--request-timeout <dur>', 'timeout of each API request (90s, 5m, 1h; bare seconds)', '30s')
    .option('--driver <name>', 'CSI driver name', DEFAULT_DRIVER)
    .addOption(
      new Option('--color <when>', 'colour tables: auto (a terminal and NO_COLOR unset), always or never')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .option('--no-color', 'never colour the output (--color never)')
    .option('-v, --verbose', 'log each API request to stderr (never credentials)');
}

const MAX_REQUEST_TIMEOUT_SECONDS = 24 * 3600;

/** The global options as commander hands them over. */
export interface RawGlobals {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  requestTimeout: string;
  driver: string;
  /** `--color <when>`, or false for `--no-color`. */
  color: ColorMode | false;
  verbose?: boolean;
}

/** Validates the global options; colour is decided for stdout, where tables go, and for stderr. */
export function resolveGlobals(raw: RawGlobals, ctx: Pick<Context, 'stdout' | 'stderr' | 'env'>): GlobalOptions {
  if (raw.context !== undefined && raw.context.trim() === '') throw invalid('--context', raw.context, 'must not be empty');
  if (raw.namespace !== undefined) checkName('--namespace', raw.namespace, dnsLabelProblem);
  checkName('--driver', raw.driver, dnsSubdomainProblem);
  const requestTimeoutSeconds = durationFlag('--request-timeout', raw.requestTimeout, { positive: true });
  // Node timers hold at most 2^31 ms (about 24.8 days); a day is already far beyond any sensible request.
  if (requestTimeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) throw invalid('--request-timeout', raw.requestTimeout, 'must be at most 24h');
  const colorMode: ColorMode = raw.color === false ? 'never' : raw.color;
  return {
    kubeconfig: raw.kubeconfig,
    context: raw.context,
    namespace: raw.namespace,
    requestTimeoutSeconds,
    driver: raw.driver,
    color: colorEnabled(colorMode, ctx.stdout, ctx.env),
    stderrColor: colorEnabled(colorMode, ctx.stderr, ctx.env),
    verbose: raw.verbose === true,
  };
}

/** The options of the three post commands as commander hands them over. */
export interface RawPostOptions {
  source?: string;
  target?: string;
  timeout?: string;
  duration?: string;
  elapsed?: string;
  reason?: string;
  volumeId?: string;
  component?: string;
  dedupe?: boolean;
  dryRun?: DryRun;
  output?: 'json' | 'yaml' | 'name';
  ignoreNotFound?: boolean;
}

const SECONDS_FLAG: Record<PostKind, 'timeout' | 'duration' | 'elapsed'> = { started: 'timeout', completed: 'duration', failed: 'elapsed' };

/** Validates the command-line values of a post command; nothing is read or written yet. */
export function resolvePostOptions(kind: PostKind, pvc: string, raw: RawPostOptions, globals: GlobalOptions): PostOptions {
  checkName('PVC name', pvc, dnsSubdomainProblem);
  const { source, target } = raw;
  if (source !== undefined) checkName('--source', source, dnsSubdomainProblem);
  if (target !== undefined) checkName('--target', target, dnsSubdomainProblem);
  if (kind === 'started' && target === undefined) throw new UsageError('post-started needs --target <node>: the node the VM migrates to');
  if (source !== undefined && source === target) throw invalid('--target', target ?? '', 'must differ from --source');

  const secondsKey = SECONDS_FLAG[kind];
  const secondsRaw = raw[secondsKey];
  const seconds = secondsRaw === undefined ? undefined : durationFlag(`--${secondsKey}`, secondsRaw, { positive: kind === 'started' });

  const failureReason = raw.reason;
  if (kind === 'failed') {
    if (failureReason === undefined) {
      throw new UsageError('post-failed needs --reason <text>: why the migration failed (the driver writes "timeout")');
    }
    const why = printableLineProblem(failureReason, MAX_MESSAGE_BYTES);
    if (why) throw invalid('--reason', failureReason, why);
  }
  const volumeId = raw.volumeId;
  if (volumeId !== undefined) checkName('--volume-id', volumeId, volumeIdProblem);
  const component = raw.component ?? 'rds-migrate';
  const componentWhy = printableLineProblem(component, 128) ?? (/\s/.test(component) ? 'must not contain spaces' : null);
  if (componentWhy) throw invalid('--component', component, componentWhy);

  return {
    kind,
    pvc,
    source,
    target,
    seconds,
    failureReason,
    volumeId,
    component,
    dedupe: raw.dedupe === true,
    dryRun: raw.dryRun ?? 'none',
    output: raw.output,
    ignoreNotFound: raw.ignoreNotFound === true,
    driver: globals.driver,
  };
}

/** The options of `events` as commander hands them over. */
export interface RawEventsOptions {
  all?: boolean;
  output: EventsOptions['output'];
  headers: boolean;
  watch?: boolean;
}

/** Validates the events flags. */
export function resolveEventsOptions(pvc: string, raw: RawEventsOptions, globals: GlobalOptions): EventsOptions {
  checkName('PVC name', pvc, dnsSubdomainProblem);
  const watch = raw.watch === true;
  if (watch && raw.output === 'yaml')
    throw new UsageError('--watch prints rows (-o table|wide) or one JSON object per line (-o json), not YAML');
  return {
    watch,
    pvc,
    all: raw.all === true,
    output: raw.output,
    noHeaders: raw.headers === false,
    driver: globals.driver,
    color: globals.color,
  };
}

/** The options of `wait` as commander hands them over. */
export interface RawWaitOptions {
  for: WaitFor;
  timeout: string;
  output?: 'json';
}

/** The longest --timeout of `wait`: a week (timers hold at most about 24 days). */
const MAX_WAIT_SECONDS = 7 * 24 * 3600;

/** Validates the wait flags. */
export function resolveWaitOptions(pvc: string, raw: RawWaitOptions, globals: GlobalOptions): WaitOptions {
  checkName('PVC name', pvc, dnsSubdomainProblem);
  const timeoutSeconds = durationFlag('--timeout', raw.timeout, { positive: true });
  if (timeoutSeconds > MAX_WAIT_SECONDS) throw invalid('--timeout', raw.timeout, 'must be at most 7d');
  return {
    pvc,
    for: raw.for,
    timeoutSeconds,
    output: raw.output ?? 'text',
    driver: globals.driver,
    color: globals.color,
    stderrColor: globals.stderrColor,
  };
}

/** The options of `audit` as commander hands them over. */
export interface RawAuditOptions {
  allNamespaces?: boolean;
  since?: string;
  stuckAfter?: string;
  failOn: FailOn;
  output: AuditOutput;
  fromFile: string[];
  now?: string;
  chunkSize: string;
  headers: boolean;
  eventTtl: string;
  staleAfter: string;
  exclude: string[];
  pushgateway?: string;
  clusterName?: string;
  watch?: boolean;
}

/** Validates the audit flags before anything is read. */
export function resolveAuditOptions(raw: RawAuditOptions, globals: GlobalOptions, ctx: Pick<Context, 'stderr'>): AuditOptions {
  if (globals.namespace !== undefined && raw.allNamespaces === true) {
    throw new UsageError('--namespace and --all-namespaces cannot be used together');
  }
  const chunkText = raw.chunkSize;
  const chunkSize = Number(chunkText);
  if (!/^\d+$/.test(chunkText) || !Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 100000) {
    throw invalid('--chunk-size', chunkText, 'must be a whole number from 1 to 100000');
  }
  const fromFiles = raw.fromFile;
  for (const f of fromFiles) if (f === '') throw invalid('--from-file', f, 'must not be empty');
  const watch = raw.watch === true;
  if (watch && fromFiles.length > 0) throw new UsageError('--watch follows a cluster; it cannot be used with --from-file');
  if (watch && (raw.output === 'yaml' || raw.output === 'prometheus')) {
    throw new UsageError(
      `--watch redraws the report (-o table|wide on a terminal) or prints one JSON object per line (-o json), not ${raw.output}`,
    );
  }
  let now: number | null = null;
  if (raw.now !== undefined) {
    if (fromFiles.length === 0) throw new UsageError('--now applies only to --from-file audits; a live audit runs at the current time');
    now = parseTimestamp(raw.now);
    if (now === null) throw invalid('--now', raw.now, 'must be an RFC 3339 time such as 2025-01-02T03:04:05Z');
  }
  const pushgateway = raw.pushgateway === undefined ? null : pushgatewayFlag(raw.pushgateway);
  if (pushgateway !== null && fromFiles.length > 0) {
    throw new UsageError("--pushgateway applies only to a live audit: its metrics are grouped by the kubeconfig context's cluster");
  }
  if (pushgateway !== null && watch) throw new UsageError('--pushgateway pushes one audit; it cannot be used with --watch');
  const clusterName = raw.clusterName ?? null;
  if (clusterName !== null && pushgateway === null) throw new UsageError('--cluster-name applies only with --pushgateway');
  if (clusterName === '') throw invalid('--cluster-name', clusterName, 'must not be empty');
  return {
    watch,
    namespace: globals.namespace ?? null,
    sinceSeconds: raw.since === undefined ? null : durationFlag('--since', raw.since, { positive: true }),
    stuckAfterSeconds: raw.stuckAfter === undefined ? null : durationFlag('--stuck-after', raw.stuckAfter, { positive: true }),
    failOn: raw.failOn,
    output: raw.output,
    eventTtlSeconds: durationFlag('--event-ttl', raw.eventTtl, { positive: true }),
    staleAfterSeconds: durationFlag('--stale-after', raw.staleAfter),
    exclude: raw.exclude.map(exclusionFlag),
    fromFiles,
    now,
    chunkSize,
    noHeaders: raw.headers === false,
    driver: globals.driver,
    color: globals.color,
    progress: ctx.stderr.isTTY === true && !globals.verbose,
    progressColor: globals.stderrColor,
    pushgateway,
    clusterName,
    requestTimeoutSeconds: globals.requestTimeoutSeconds,
  };
}

/**
 * Parses `--pushgateway <url>`: an http or https URL (its path is the Pushgateway's route prefix,
 * user:password its basic auth). The value is never echoed: it may hold a password.
 */
export function pushgatewayFlag(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('invalid --pushgateway: not a URL', 'write it as http://<host>:<port> or https://<host>:<port>');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'invalid --pushgateway: must be an http:// or https:// URL',
      'write it as http://<host>:<port> or https://<host>:<port>',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError('invalid --pushgateway: must have no query or fragment', 'the job and cluster are added to its path');
  }
  return url;
}

/** Parses `--exclude <code>[=<namespace>/<pvc>]`: an acknowledged finding. */
export function exclusionFlag(value: string): Exclusion {
  const [code, target] = splitOnce(value, '=');
  if (!(FINDING_CODES as readonly string[]).includes(code)) {
    throw invalid('--exclude', value, `${JSON.stringify(code)} is not a finding code (one of ${FINDING_CODES.join(', ')})`);
  }
  if (target === undefined) return { code: code as FindingCode, namespace: null, pvc: null };
  const [namespace, pvc] = splitOnce(target, '/');
  if (pvc === undefined || dnsLabelProblem(namespace) !== null || dnsSubdomainProblem(pvc) !== null) {
    throw invalid('--exclude', value, 'must be <code> or <code>=<namespace>/<pvc>');
  }
  return { code: code as FindingCode, namespace, pvc };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * kubectl's flags with an optional value (`--dry-run[=client|server|none]`) take it only after
 * `=`: bare, they mean their preset and never take the next word as their value, as commander's
 * `[value]` options would. Rewrites each bare use in `argv` to `--flag=<preset>`.
 */
export function presetBareOptions(argv: readonly string[], program: Command): string[] {
  const at = argv.findIndex((w) => !w.startsWith('-'));
  const command = at < 0 ? undefined : program.commands.find((c) => c.name() === argv[at]);
  if (!command) return [...argv];
  const out = argv.slice(0, at + 1);
  let valueNext = false;
  for (let i = at + 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (valueNext) {
      out.push(word);
      valueNext = false;
      continue;
    }
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const option = command.options.find((o) => o.long === word || o.short === word);
    out.push(option?.optional && option.long && option.presetArg !== undefined ? `${option.long}=${String(option.presetArg)}` : word);
    valueNext = option?.required === true;
  }
  return out;
}

/** Parses a duration flag (Go syntax, seconds or days); negative values are rejected. */
export function durationFlag(flag: string, value: string, { positive = false } = {}): number {
  let seconds: number;
  try {
    seconds = parseFlagDuration(value);
  } catch (err) {
    if (err instanceof DurationSyntaxError) throw invalid(flag, value, err.why);
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

/** `invalid --flag "value": why` — the one line every bad input gets; unsafe characters show as escapes. */
export function invalid(flag: string, value: string, why: string): UsageError {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return new UsageError(`invalid ${flag} ${quoteValue(shown)}: ${why}`);
}

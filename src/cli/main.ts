// Entry point: commander wiring only. Commands are lazy-imported so that
// `--help` and `--version` load nothing but commander.
import { basename } from 'node:path';
import { Argument, Command, CommanderError, Option, type OutputConfiguration } from 'commander';
import type { Shell } from '../app/completion.js';
import { type Context, createLogger } from '../context.js';
import { formatAge } from '../domain/duration.js';
import { escapeUnsafe, sanitizeText } from '../domain/sanitize.js';
import { CliError, DeadlineError, ExitCode, InterruptedError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';
import { COMPLETE_COMMAND, Directive, formatCompletion, planCompletion } from './completion.js';
import {
  addGlobalOptions,
  type GlobalOptions,
  presetBareOptions,
  type RawAuditOptions,
  type RawEventsOptions,
  type RawGlobals,
  type RawPostOptions,
  type RawWaitOptions,
  resolveAuditOptions,
  resolveEventsOptions,
  resolveGlobals,
  resolvePostOptions,
  resolveWaitOptions,
} from './options.js';

const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** The name commands are shown under: `kubectl rds-migrate` when kubectl ran the plugin bin. */
export function programNameOf(invokedPath: string | undefined): string {
  // kubectl sets no marker for its plugins; it runs `kubectl-rds_migrate` from the PATH.
  return basename(invokedPath ?? '').startsWith('kubectl-') ? 'kubectl rds-migrate' : 'rds-migrate';
}

/** How long a command may take to wind down after Ctrl-C or SIGTERM before the process exits anyway. */
const INTERRUPT_GRACE_MS = 1000;

/** Runs the CLI as a process: wires streams, env, clock and signals, returns the exit code. */
export async function main(proc: NodeJS.Process): Promise<number> {
  const controller = new AbortController();
  let finished = false;
  let interruptReported = false;
  const reportInterrupt = (): void => {
    if (interruptReported) return;
    interruptReported = true;
    proc.stderr.write('error: interrupted\n');
  };
  // Ctrl-C and SIGTERM abort the command: requests, sleeps and reads watch the signal. Whatever
  // does not notice it (a library's synchronous loop, a write to a stalled terminal) cannot hold the
  // process: it exits 130 after a short grace. A document is written in one synchronous write (files,
  // pipes and terminals are synchronous on Linux), so an exit between two ticks never leaves half of one.
  const onSignal = (): void => {
    if (finished || controller.signal.aborted) {
      reportInterrupt();
      proc.exit(ExitCode.interrupted);
    }
    controller.abort(new InterruptedError());
    setTimeout(() => {
      reportInterrupt();
      proc.exit(ExitCode.interrupted);
    }, INTERRUPT_GRACE_MS).unref();
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  // A reader that stops early (`| head`) closes the pipe: stop writing quietly and keep the
  // command's own exit code (audit findings), instead of an EPIPE stack trace. Any other write
  // error (a full disk) is one line and its own exit code: scripts must not read it as findings.
  const outputClosed = new AbortController();
  proc.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      // No one reads what a live command (`wait`, `--watch`) would print next: it ends (runLive).
      outputClosed.abort();
      return;
    }
    proc.stderr.write(`error: cannot write the output: ${describeWriteError(err)}\n`);
    proc.exit(ExitCode.output);
  });
  proc.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') proc.exit(ExitCode.output);
  });
  // A bug that escaped every handler (say, thrown in a stream callback): one line and exit 70,
  // never Node's default report, which prints the throwing line of the minified bundle.
  const verbose = proc.argv.includes('-v') || proc.argv.includes('--verbose');
  const onUncaught = (err: unknown): void => {
    proc.exitCode = reportError(err, { stderr: proc.stderr, signal: controller.signal }, verbose);
    proc.exit();
  };
  proc.on('uncaughtException', onUncaught);
  proc.on('unhandledRejection', onUncaught);
  const ctx: Context = {
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: proc.stdin,
    env: proc.env,
    cwd: proc.cwd(),
    now: () => performance.timeOrigin + performance.now(),
    signal: controller.signal,
    outputClosed: outputClosed.signal,
    logger: createLogger(proc.stderr, false),
  };
  const code = await run(proc.argv.slice(2), ctx, programNameOf(proc.argv[1]));
  finished = true;
  if (code === ExitCode.interrupted) interruptReported = true;
  else if (controller.signal.aborted) {
    // A signal that came while the command was finishing still ends it as interrupted.
    reportInterrupt();
    return ExitCode.interrupted;
  }
  return code;
}

/** `no space left on device` from `ENOSPC: no space left on device, write`. */
function describeWriteError(err: NodeJS.ErrnoException): string {
  const match = /^[A-Z0-9]+: (.+?)(?:, \w+)?$/.exec(err.message);
  return sanitizeText(match?.[1] ?? err.code ?? err.message);
}

/** Parses argv, runs the command and maps every failure to an exit code. */
export async function run(argv: string[], ctx: Context, name = 'rds-migrate'): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const program = buildProgram(ctx, name, (code) => {
    exitCode = code;
  });
  if (argv[0] === COMPLETE_COMMAND) return complete(program, argv.slice(1), ctx);
  try {
    await program.parseAsync(presetBareOptions(argv, program), { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, ctx, verbose);
  }
}

function reportError(err: unknown, ctx: Pick<Context, 'stderr' | 'signal'>, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    // commander already printed its `error: …` line.
    return ExitCode.usage;
  }
  const interrupted = err instanceof InterruptedError || (ctx.signal.aborted && ctx.signal.reason instanceof InterruptedError);
  if (interrupted) {
    ctx.stderr.write('error: interrupted\n');
    return ExitCode.interrupted;
  }
  if (err instanceof CliError) {
    ctx.stderr.write(`error: ${sanitizeText(err.message)}\n`);
    if (err.hint) ctx.stderr.write(`hint: ${sanitizeText(err.hint)}\n`);
    // An expected failure (exit 2/3/4) is fully said by its line; stacks are for internal errors.
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`error: internal error: ${sanitizeText(message)}\n`);
  if (verbose && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  else ctx.stderr.write('hint: run again with --verbose for details, and report it\n');
  return ExitCode.internal;
}

type SetExit = (code: number) => void;

function buildProgram(ctx: Context, name: string, setExit: SetExit): Command {
  const program = new Command(name)
    .description('Post, inspect and audit KubeVirt live-migration events of the RDS CSI driver')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(commanderOutput(ctx))
    .addHelpText(
      'after',
      `
Examples:
  ${name} events vm-disk -n vms
  ${name} audit
  ${name} audit --from-file dump.json -o json
  ${name} post-started vm-disk -n vms --target node-b
  ${name} post-failed vm-disk -n vms --reason "manual abort"
  ${name} wait vm-disk -n vms --timeout 10m
${
  name === 'rds-migrate'
    ? '  source <(rds-migrate completion bash)\n'
    : '\nRun by kubectl as the plugin kubectl-rds_migrate; for shell completion see\n`kubectl rds-migrate completion --help`.\n'
}
Exit codes: 0 ok, 1 audit findings at/above --fail-on (wait: the migration
failed), 2 usage or input error, 3 not found, 4 cluster (or --pushgateway)
unreachable or request refused, 5 wait: --timeout passed, 70 internal error,
74 output not written, 130 interrupted.`,
    );

  const common = (cmd: Command): Command =>
    addGlobalOptions(cmd)
      .option('--volume-id <id>', "CSI volume ID (default: the bound PV's volumeHandle)")
      .option('--component <name>', 'source.component of the event (the driver uses rds-csi-node)', 'rds-migrate')
      .option('--dedupe', 'bump count of an identical existing event instead of creating one')
      .addOption(
        new Option('--dry-run [strategy]', 'client (bare --dry-run): print, send nothing; server: the API server validates, stores nothing')
          .choices(['none', 'client', 'server'])
          .preset('client'),
      )
      .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'name']))
      .option('--ignore-not-found', 'exit 0 with a warning when the PVC does not exist')
      .exitOverride();

  // The three post commands differ only in their own options; wiring, validation and run are shared.
  const post = (kind: 'started' | 'completed' | 'failed', description: string, example: string, own: (cmd: Command) => Command): void => {
    const cmd = own(new Command(`post-${kind}`).description(description).argument('<pvc>', 'PersistentVolumeClaim name'));
    program.addCommand(
      common(cmd)
        .addHelpText('after', `\nExample:\n  ${name} ${example}\n`)
        .action(async (pvc: string, raw: RawPostOptions, command: Command) => {
          const globals = resolveGlobals(command.opts<RawGlobals>(), ctx);
          const options = resolvePostOptions(kind, pvc, raw, globals);
          const { runPost } = await import('../app/post.js');
          setExit(await runConnected(`post-${kind}`, globals, ctx, (gateway, c) => runPost(options, gateway, c)));
        }),
    );
  };

  post(
    'started',
    'post MigrationStarted on a PVC, as the driver does when a migration target attaches',
    'post-started vm-disk -n vms --target node-b',
    (cmd) =>
      cmd
        .option('--target <node>', 'node the VM migrates to (required)')
        .option('--source <node>', 'node the VM migrates from (default: the node the volume is attached to)')
        .option('--timeout <dur>', "migration timeout (default: the volume's migrationTimeoutSeconds, else 5m)"),
  );
  post('completed', 'post MigrationCompleted on a PVC', 'post-completed vm-disk -n vms', (cmd) =>
    cmd
      .option('--source <node>', "source node (default: the PVC's latest open migration)")
      .option('--target <node>', "target node (default: the PVC's latest open migration)")
      .option('--duration <dur>', 'migration duration (default: now - start of the open migration)'),
  );
  post('failed', 'post MigrationFailed on a PVC', 'post-failed vm-disk -n vms --reason "manual abort"', (cmd) =>
    cmd
      .option('--reason <text>', 'why the migration failed, one line (required; the driver writes "timeout")')
      .option('--source <node>', "source node (default: the PVC's latest open migration)")
      .option('--target <node>', 'attempted target node (default: the open migration)')
      .option('--elapsed <dur>', 'time since the migration started (default: now - its start)'),
  );

  program.addCommand(
    addGlobalOptions(new Command('events'))
      .description("show a PVC's migration events, its migrations and its current attachment")
      .argument('<pvc>', 'PersistentVolumeClaim name')
      .option('--all', 'every event on the PVC, not only Migration*')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json', 'yaml']).default('table'))
      .option('--no-headers', 'omit table headers')
      .option('-w, --watch', 'then follow changes until Ctrl-C: new or changed events, migration states, the attachment')
      .addHelpText(
        'after',
        `\nExamples:\n  ${name} events vm-disk -n vms\n  ${name} events vm-disk -n vms --all -o wide\n  ${name} events vm-disk -n vms -w\n`,
      )
      .exitOverride()
      .action(async (pvc: string, raw: RawEventsOptions, cmd: Command) => {
        const globals = resolveGlobals(cmd.opts<RawGlobals>(), ctx);
        const options = resolveEventsOptions(pvc, raw, globals);
        if (options.watch) {
          const { runEventsWatch } = await import('../app/events-watch.js');
          setExit(await runLive('events --watch', globals, ctx, (gateway, c, started) => runEventsWatch(options, gateway, c, started)));
          return;
        }
        const { runEvents } = await import('../app/events.js');
        setExit(await runConnected('events', globals, ctx, (gateway, c) => runEvents(options, gateway, c)));
      }),
  );

  program.addCommand(
    addGlobalOptions(new Command('audit'), { namespace: 'audit only this namespace (default: all namespaces)' })
      .description('audit migrations and dual-attaches across the cluster or a saved dump')
      .option('-A, --all-namespaces', 'all namespaces (the default)')
      .option('--since <dur>', 'only migrations that started within this long before now')
      .option('--stuck-after <dur>', 'a dual-attach older than this is stuck (default: the volume timeout)')
      .addOption(
        new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level')
          .choices(['error', 'warning', 'never'])
          .default('error'),
      )
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json', 'yaml', 'prometheus']).default('table'),
      )
      .option('--from-file <path>', 'read a kubectl dump instead of the cluster (file, directory or -; repeatable)', collect, [])
      .option('--now <time>', 'RFC 3339 time to audit at (offline only; default: newest timestamp in the dump)')
      .option('--chunk-size <n>', 'items per list page', '500')
      .option('--event-ttl <dur>', "the API server's --event-ttl: how far back events reach", '1h')
      .option('--stale-after <dur>', 'how old an attachment (or its detach) must be before kubelet findings apply', '10m')
      .option('--exclude <code[=ns/pvc]>', 'leave out an acknowledged finding, everywhere or on one PVC (repeatable)', collect, [])
      .option(
        '--pushgateway <url>',
        "also push the metrics of -o prometheus to this Pushgateway (job rds-migrate, grouped by the context's cluster)",
      )
      .option('--cluster-name <name>', "the cluster label of --pushgateway's push (default: the context's cluster; in-cluster in a pod)")
      .option('--no-headers', 'omit table headers')
      .option(
        '-w, --watch',
        'then follow the cluster until Ctrl-C: redraw on a terminal, else one JSON line per finding opened or resolved',
      )
      .addHelpText(
        'after',
        `
Examples:
  ${name} audit
  ${name} audit -w                                # follow a drain
  ${name} audit -n vms --since 1h -o json
  kubectl get events,pv,volumeattachments,nodes,pods,vmi,vmim -A -o json > dump.json
  ${name} audit --from-file dump.json
  ${name} audit --from-file examples/cluster
  ${name} audit -o prometheus > /var/lib/node-exporter/rds-migrate.prom
  ${name} audit --fail-on never --pushgateway http://pushgateway:9091
`,
      )
      .exitOverride()
      .action(async (raw: RawAuditOptions, cmd: Command) => {
        const globals = resolveGlobals(cmd.opts<RawGlobals>(), ctx);
        const options = resolveAuditOptions(raw, globals, ctx);
        if (options.watch) {
          const { runAuditWatch } = await import('../app/audit-watch.js');
          setExit(await runLive('audit --watch', globals, ctx, (gateway, c, started) => runAuditWatch(options, gateway, c, started)));
          return;
        }
        const { runAudit } = await import('../app/audit.js');
        // An audit of dumps contacts no cluster (and reads no kubeconfig). It has no deadline: the
        // deadline bounds waiting on a cluster, and a large dump is read at the speed of the disk.
        const code =
          options.fromFiles.length > 0
            ? await runAudit(options, null, withLogger(ctx, globals))
            : await runConnected('audit', globals, ctx, (gateway, c) => runAudit(options, gateway, c));
        setExit(code);
      }),
  );

  program.addCommand(
    addGlobalOptions(new Command('wait'))
      .description("wait until a PVC's migration records an outcome, or until its volume is attached to one node")
      .argument('<pvc>', 'PersistentVolumeClaim name')
      .addOption(
        new Option('--for <condition>', 'outcome: the open (else the next) migration records an outcome; single-attach: at most one node')
          .choices(['outcome', 'single-attach'])
          .default('outcome'),
      )
      .option('--timeout <dur>', 'give up after this long (exit 5)', '15m')
      .addOption(new Option('-o, --output <format>', 'print the final migration (or attachment) as JSON').choices(['json']))
      .addHelpText(
        'after',
        `
Progress goes to stderr, one line per change; the final state to stdout.
Exit codes: 0 completed (or single-attach reached), 1 the migration failed or
became unresolved, 5 --timeout passed first; 2, 3, 4 and 130 as for every
command.

Examples:
  ${name} wait vm-disk -n vms --timeout 10m
  ${name} wait vm-disk -n vms --for single-attach
  ${name} wait vm-disk -n vms & kubectl drain node-a --ignore-daemonsets; wait $!
`,
      )
      .exitOverride()
      .action(async (pvc: string, raw: RawWaitOptions, cmd: Command) => {
        const globals = resolveGlobals(cmd.opts<RawGlobals>(), ctx);
        const options = resolveWaitOptions(pvc, raw, globals);
        const { runWait } = await import('../app/wait.js');
        setExit(await runLive('wait', globals, ctx, (gateway, c, started) => runWait(options, gateway, c, started)));
      }),
  );

  program.addCommand(
    new Command('completion')
      .description('print a shell completion script: commands, flags, their values, and PVCs, namespaces and contexts')
      .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
      .addHelpText(
        'after',
        `
Examples:
  source <(rds-migrate completion bash)      # bash (e.g. in ~/.bashrc)
  source <(rds-migrate completion zsh)       # zsh, after compinit
  rds-migrate completion fish | source       # fish

The script completes the rds-migrate command. \`kubectl rds-migrate\` is completed
by kubectl itself (1.26 and later), which runs kubectl_complete-rds_migrate from
the PATH: npm installs it next to kubectl-rds_migrate; after a krew install,
link it with
  ln -s ~/.krew/store/rds-migrate/v*/bin/kubectl_complete-rds_migrate \\
    ~/.krew/bin/
`,
      )
      .exitOverride()
      .action(async (shell: Shell) => {
        const { runCompletion } = await import('../app/completion.js');
        setExit(runCompletion(shell, ctx));
      }),
  );

  for (const cmd of program.commands) cmd.configureOutput(commanderOutput(ctx));
  return program;
}

/** Where commander writes: the context's streams, its errors made safe (formatCommanderError). */
function commanderOutput(ctx: Context): OutputConfiguration {
  return {
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
    outputError: (s, write) => write(formatCommanderError(s)),
  };
}

/**
 * commander's `error: …` text, which quotes the user's arguments raw, as one line with every
 * control, bidi or invisible character shown as an escape; its `(Did you mean …?)` becomes a hint.
 */
export function formatCommanderError(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const suggestion = /\n\((Did you mean [^\n]*)\)$/.exec(body);
  const message = suggestion === null ? body : body.slice(0, suggestion.index);
  const line = `${escapeUnsafe(message)}\n`;
  return suggestion?.[1] === undefined ? line : `${line}hint: ${escapeUnsafe(suggestion[1].replace(/^Did/, 'did'))}\n`;
}

/**
 * The hidden `__complete` command: completes the last of `words` from the program's own
 * definition, looking names up in the cluster or kubeconfig under a short deadline. It never
 * fails and never writes to stderr: a Tab that cannot be answered offers nothing.
 */
async function complete(program: Command, words: string[], ctx: Context): Promise<number> {
  const plan = planCompletion(program, words.length === 0 ? [''] : words);
  if (plan.kind === 'files') {
    ctx.stdout.write(formatCompletion([], Directive.default));
    return ExitCode.ok;
  }
  if (plan.kind === 'candidates') {
    ctx.stdout.write(formatCompletion(plan.candidates, Directive.noFileComp));
    return ExitCode.ok;
  }
  let names: string[] = [];
  try {
    const { lookupNames, LOOKUP_TIMEOUT_MS } = await import('../app/completion.js');
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)]);
    const silent = { ...ctx, signal, logger: { debug: () => {}, warn: () => {} } };
    names = await lookupNames(plan.lookup, silent);
  } catch {
    // Unreachable cluster, no kubeconfig, forbidden, too slow: nothing to offer.
  }
  const candidates = names.filter((n) => n.startsWith(plan.prefix)).map((value) => ({ value }));
  ctx.stdout.write(formatCompletion(candidates, Directive.noFileComp));
  return ExitCode.ok;
}

/** The context of one command: its logger shows --verbose diagnostics when asked for. */
function withLogger(ctx: Context, globals: GlobalOptions): Context {
  return { ...ctx, logger: createLogger(ctx.stderr, globals.verbose) };
}

/** Runs a command under its deadline with a gateway to the cluster, closed when the command ends. */
async function runConnected(
  command: string,
  globals: GlobalOptions,
  ctx: Context,
  body: (gateway: Gateway, ctx: Context) => Promise<number>,
): Promise<number> {
  return withDeadline(withLogger(ctx, globals), command, deadlineMs(globals), async (c) => {
    const { openGateway } = await import('../kube/gateway.js');
    const gateway = await openGateway(c, globals);
    try {
      return await body(gateway, c);
    } finally {
      gateway.close();
    }
  });
}

/** Connections a live command may hold: one per open watch (audit -w follows up to ~10 collections, plus pods per namespace), plus its requests. */
const LIVE_MAX_SOCKETS = 64;

/**
 * Runs a live command (`wait`, `--watch`) with a gateway to the cluster. The command's deadline
 * covers connecting and reading the current state, until the command calls `started`; the
 * watches that follow may then run for hours. Each request keeps its --request-timeout. When
 * stdout's reader goes away (`| head`), the command ends with exit 0, as a reader that stops a
 * one-shot command early does not make it fail.
 */
async function runLive(
  command: string,
  globals: GlobalOptions,
  ctx: Context,
  body: (gateway: Gateway, ctx: Context, started: () => void) => Promise<number>,
): Promise<number> {
  const ms = deadlineMs(globals);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineError(`reading the current state for ${command}`, formatAge(ms / 1000))), ms);
  const closed = ctx.outputClosed ?? new AbortController().signal;
  const signal = AbortSignal.any([ctx.signal, deadline.signal, closed]);
  const c = { ...withLogger(ctx, globals), signal };
  try {
    const { openGateway } = await import('../kube/gateway.js');
    const gateway = await openGateway(c, globals, { maxSockets: LIVE_MAX_SOCKETS });
    try {
      return await body(gateway, c, () => clearTimeout(timer));
    } finally {
      gateway.close();
    }
  } catch (err) {
    if (closed.aborted && !ctx.signal.aborted) return ExitCode.ok;
    if (signal.aborted && signal.reason instanceof CliError) throw signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The overall deadline of a command: four request timeouts (a few retries' worth), at least a minute. */
export function deadlineMs(globals: Pick<GlobalOptions, 'requestTimeoutSeconds'>): number {
  return Math.max(60_000, 4 * globals.requestTimeoutSeconds * 1000);
}

/**
 * Runs a command with a context whose signal also aborts when `ms` pass. Requests,
 * retries and backoff sleeps all watch that signal, so a command that keeps failing
 * ends at the deadline as a DeadlineError (exit 4) instead of retrying on.
 */
export async function withDeadline<T>(ctx: Context, command: string, ms: number, body: (ctx: Context) => Promise<T>): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineError(command, formatAge(ms / 1000))), ms);
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  try {
    return await body({ ...ctx, signal });
  } catch (err) {
    // Whatever a request made of the abort, report why it was aborted.
    if (signal.aborted && signal.reason instanceof CliError) throw signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

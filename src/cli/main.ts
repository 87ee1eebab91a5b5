// Entry point: commander wiring only. Commands are lazy-imported so that
// `--help` and `--version` load nothing but commander.
import { Command, CommanderError, Option } from 'commander';
import { type Context, createLogger } from '../context.js';
import { formatGoDuration } from '../domain/duration.js';
import { CliError, DeadlineError, ExitCode, InterruptedError } from '../errors.js';
import type { Gateway } from '../kube/gateway.js';
import { sanitizeText } from '../render/sanitize.js';
import {
  addGlobalOptions,
  type GlobalOptions,
  type RawAuditOptions,
  type RawEventsOptions,
  type RawGlobals,
  type RawPostOptions,
  resolveAuditOptions,
  resolveEventsOptions,
  resolveGlobals,
  resolvePostOptions,
} from './options.js';

const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Runs the CLI as a process: wires streams, env, clock and Ctrl-C, returns the exit code. */
export async function main(proc: NodeJS.Process): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) proc.exit(ExitCode.interrupted);
    controller.abort(new InterruptedError());
  };
  proc.on('SIGINT', onSigint);
  proc.on('SIGTERM', onSigint);
  // A reader that stops early (`| head`) closes the pipe: stop writing quietly and
  // keep the command's own exit code (audit findings), instead of an EPIPE stack trace.
  const onStreamError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err;
  };
  proc.stdout.on('error', onStreamError);
  proc.stderr.on('error', onStreamError);
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
    logger: createLogger(proc.stderr, false),
  };
  try {
    return await run(proc.argv.slice(2), ctx);
  } finally {
    proc.off('SIGINT', onSigint);
    proc.off('SIGTERM', onSigint);
  }
}

/** Parses argv, runs the command and maps every failure to an exit code (SPEC §5). */
export async function run(argv: string[], ctx: Context): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
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

function buildProgram(ctx: Context, setExit: SetExit): Command {
  const program = new Command('rds-migrate')
    .description('Post, inspect and audit KubeVirt live-migration events of the RDS CSI driver')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .addHelpText(
      'after',
      `
Examples:
  rds-migrate events vm-disk -n vms
  rds-migrate audit
  rds-migrate audit --from-file dump.json -o json
  rds-migrate post-started vm-disk -n vms --target node-b
  rds-migrate post-failed vm-disk -n vms --reason "manual abort"

Exit codes: 0 ok, 1 audit findings at/above --fail-on, 2 usage or input error,
3 not found, 4 cluster unreachable or request refused.`,
    );

  const common = (cmd: Command): Command =>
    addGlobalOptions(cmd)
      .option('--volume-id <id>', "CSI volume ID (default: the bound PV's volumeHandle)")
      .option('--component <name>', 'source.component of the event (the driver uses rds-csi-node)', 'rds-migrate')
      .option('--dedupe', 'bump count of an identical existing event instead of creating one')
      .option('--dry-run', 'print the Event that would be sent; write nothing')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'name']))
      .option('--ignore-not-found', 'exit 0 with a warning when the PVC does not exist')
      .exitOverride();

  // The three post commands differ only in their own options; wiring, validation and run are shared.
  const post = (kind: 'started' | 'completed' | 'failed', description: string, example: string, own: (cmd: Command) => Command): void => {
    const cmd = own(new Command(`post-${kind}`).description(description).argument('<pvc>', 'PersistentVolumeClaim name'));
    program.addCommand(
      common(cmd)
        .addHelpText('after', `\nExample:\n  ${example}\n`)
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
    'rds-migrate post-started vm-disk -n vms --target node-b',
    (cmd) =>
      cmd
        .option('--target <node>', 'node the VM migrates to (required)')
        .option('--source <node>', 'node the VM migrates from (default: the node the volume is attached to)')
        .option('--timeout <dur>', "migration timeout (default: the volume's migrationTimeoutSeconds, else 5m)"),
  );
  post('completed', 'post MigrationCompleted on a PVC', 'rds-migrate post-completed vm-disk -n vms', (cmd) =>
    cmd
      .option('--source <node>', "source node (default: the PVC's latest open migration)")
      .option('--target <node>', "target node (default: the PVC's latest open migration)")
      .option('--duration <dur>', 'migration duration (default: now - start of the open migration)'),
  );
  post('failed', 'post MigrationFailed on a PVC', 'rds-migrate post-failed vm-disk -n vms --reason "manual abort"', (cmd) =>
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
      .addHelpText('after', '\nExamples:\n  rds-migrate events vm-disk -n vms\n  rds-migrate events vm-disk -n vms --all -o wide\n')
      .exitOverride()
      .action(async (pvc: string, raw: RawEventsOptions, cmd: Command) => {
        const globals = resolveGlobals(cmd.opts<RawGlobals>(), ctx);
        const options = resolveEventsOptions(pvc, raw, globals);
        const { runEvents } = await import('../app/events.js');
        setExit(await runConnected('events', globals, ctx, (gateway, c) => runEvents(options, gateway, c)));
      }),
  );

  program.addCommand(
    addGlobalOptions(new Command('audit'))
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
      .option('--no-headers', 'omit table headers')
      .addHelpText(
        'after',
        '\nExamples:\n  rds-migrate audit\n  rds-migrate audit -n vms --since 1h -o json\n  rds-migrate audit --from-file examples/cluster-dump.yaml\n  rds-migrate audit -o prometheus > /var/lib/node-exporter/rds-migrate.prom\n',
      )
      .exitOverride()
      .action(async (raw: RawAuditOptions, cmd: Command) => {
        const globals = resolveGlobals(cmd.opts<RawGlobals>(), ctx);
        const options = resolveAuditOptions(raw, globals, ctx);
        const { runAudit } = await import('../app/audit.js');
        // An audit of dumps contacts no cluster (and reads no kubeconfig).
        const code =
          options.fromFiles.length > 0
            ? await withDeadline(withLogger(ctx, globals), 'audit', deadlineMs(globals), (c) => runAudit(options, null, c))
            : await runConnected('audit', globals, ctx, (gateway, c) => runAudit(options, gateway, c));
        setExit(code);
      }),
  );

  for (const cmd of program.commands) {
    cmd.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
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
  const timer = setTimeout(() => deadline.abort(new DeadlineError(command, formatGoDuration(ms / 1000))), ms);
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

// Shell completion. The scripts of `completion bash|zsh|fish` call back into the hidden
// `__complete` command with the words typed so far; it reads the commander program itself,
// so new commands, flags and flag choices complete without touching this file. Values that
// live in the cluster or the kubeconfig (PVCs, namespaces, nodes, contexts) are looked up
// under a short deadline. The output is cobra's `__complete` protocol (one candidate per line,
// `value<TAB>description`, then `:<directive>`), which kubectl's plugin completion also speaks.
import type { Command, Option } from 'commander';
import type { CompletionLookup, LookupKind } from '../app/completion.js';

/** The hidden command the completion scripts (and kubectl_complete-rds_migrate) call. */
export const COMPLETE_COMMAND = '__complete';

/** Cobra's ShellCompDirective bits. */
export const Directive = { default: 0, error: 1, noSpace: 2, noFileComp: 4 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

/** What the word under the cursor completes to. */
export type CompletionPlan =
  | { kind: 'candidates'; candidates: Candidate[] }
  /** Local paths: left to the shell's own file completion. */
  | { kind: 'files' }
  | { kind: 'lookup'; lookup: CompletionLookup; prefix: string };

/** Which values an option takes, by its attribute name (choices come from the option itself). */
const OPTION_VALUES: Readonly<Record<string, LookupKind | 'files'>> = {
  namespace: 'namespaces',
  context: 'contexts',
  source: 'nodes',
  target: 'nodes',
  kubeconfig: 'files',
  fromFile: 'files',
};

/** Which values a positional argument takes, by its name. */
const ARGUMENT_VALUES: Readonly<Record<string, LookupKind | 'commands'>> = {
  pvc: 'pvcs',
  command: 'commands',
};

/**
 * Plans the completion of the last word of `words` (the arguments after the program name, the
 * last one being the word under the cursor, possibly empty) from the program's definition.
 */
export function planCompletion(program: Command, words: readonly string[]): CompletionPlan {
  const current = words.at(-1) ?? '';
  const typed = words.slice(0, -1);
  const help = program.createHelp();

  // Up to the command name only the program's own flags (--help, --version) can come.
  const commandAt = typed.findIndex((w) => !w.startsWith('-'));
  if (commandAt < 0) {
    if (current.startsWith('-')) return candidates(flagCandidates(help.visibleOptions(program)), current);
    return candidates(commandCandidates(program), current);
  }
  const name = typed[commandAt]!;
  const command = help.visibleCommands(program).find((c) => c.name() === name || c.aliases().includes(name));
  if (!command) return { kind: 'candidates', candidates: [] };

  const options = help.visibleOptions(command);
  const state = readWords(options, typed.slice(commandAt + 1));
  const connection = { kubeconfig: state.values.kubeconfig, context: state.values.context, namespace: state.values.namespace };

  if (state.pendingOption) return valuesOf(state.pendingOption, current, connection);
  if (!state.afterDoubleDash && current.startsWith('--') && current.includes('=')) {
    // `--flag=value`: the value alone is completed (cobra's convention; the scripts put the flag back).
    const at = current.indexOf('=');
    const option = options.find((o) => o.long === current.slice(0, at));
    if (!option || !(option.required || option.optional)) return { kind: 'candidates', candidates: [] };
    return valuesOf(option, current.slice(at + 1), connection);
  }
  if (!state.afterDoubleDash && current.startsWith('-')) return candidates(flagCandidates(options), current);

  const argument = command.registeredArguments[Math.min(state.positionals, command.registeredArguments.length - 1)];
  if (!argument || (state.positionals >= command.registeredArguments.length && !argument.variadic)) {
    return { kind: 'candidates', candidates: [] };
  }
  if (argument.argChoices)
    return candidates(
      argument.argChoices.map((value) => ({ value })),
      current,
    );
  const source = ARGUMENT_VALUES[argument.name()];
  if (source === 'commands') return candidates(commandCandidates(program), current);
  if (source) return { kind: 'lookup', lookup: { kind: source, ...connection }, prefix: current };
  return { kind: 'candidates', candidates: [] };
}

interface WordsState {
  /** Values of the value-taking options seen, by attribute name (the last one wins). */
  values: Record<string, string>;
  positionals: number;
  /** The option whose value the current word is. */
  pendingOption: Option | undefined;
  afterDoubleDash: boolean;
}

/** Walks the words after the command name the way commander parses them. */
function readWords(options: readonly Option[], words: readonly string[]): WordsState {
  const state: WordsState = { values: {}, positionals: 0, pendingOption: undefined, afterDoubleDash: false };
  for (const word of words) {
    if (state.pendingOption) {
      state.values[state.pendingOption.attributeName()] = word;
      state.pendingOption = undefined;
    } else if (state.afterDoubleDash || word === '-' || !word.startsWith('-')) {
      state.positionals++;
    } else if (word === '--') {
      state.afterDoubleDash = true;
    } else if (word.startsWith('--')) {
      const at = word.indexOf('=');
      const option = options.find((o) => o.long === (at < 0 ? word : word.slice(0, at)));
      if (option && at >= 0) state.values[option.attributeName()] = word.slice(at + 1);
      // An optional value (`--dry-run[=strategy]`) is only ever given with `=`, as kubectl's flags are.
      else if (option?.required) state.pendingOption = option;
    } else {
      const option = options.find((o) => o.short === word.slice(0, 2));
      if (option?.required) {
        if (word.length > 2) state.values[option.attributeName()] = word.slice(2);
        else state.pendingOption = option;
      }
    }
  }
  return state;
}

function valuesOf(
  option: Option,
  prefix: string,
  connection: Pick<CompletionLookup, 'kubeconfig' | 'context' | 'namespace'>,
): CompletionPlan {
  if (option.argChoices)
    return candidates(
      option.argChoices.map((value) => ({ value })),
      prefix,
    );
  const source = OPTION_VALUES[option.attributeName()];
  if (source === 'files') return { kind: 'files' };
  if (source) return { kind: 'lookup', lookup: { kind: source, ...connection }, prefix };
  // A free value (a duration, a reason): nothing to offer, and not a file either.
  return { kind: 'candidates', candidates: [] };
}

function commandCandidates(program: Command): Candidate[] {
  return program
    .createHelp()
    .visibleCommands(program)
    .map((c) => ({ value: c.name(), description: c.summary() || firstLine(c.description()) }));
}

function flagCandidates(options: readonly Option[]): Candidate[] {
  const out: Candidate[] = [];
  for (const o of options) {
    const description = firstLine(o.description);
    if (o.long) out.push({ value: o.long, description });
    if (o.short) out.push({ value: o.short, description });
  }
  return out;
}

function candidates(all: Candidate[], prefix: string): CompletionPlan {
  return { kind: 'candidates', candidates: all.filter((c) => c.value.startsWith(prefix)) };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The `__complete` answer: candidates (with descriptions) and the directive line. */
export function formatCompletion(candidates: readonly Candidate[], directive: number): string {
  // A tab or newline inside a value would break the line protocol; such names cannot exist in Kubernetes.
  const lines = candidates
    .filter((c) => !/[\t\n]/.test(c.value))
    .map((c) => (c.description ? `${c.value}\t${c.description.replace(/[\t\n]/g, ' ')}` : c.value));
  return `${[...lines, `:${directive}`].join('\n')}\n`;
}

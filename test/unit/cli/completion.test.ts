// Shell completion plans come from the commander program itself: a command or flag added
// later completes without any change to the completion code.
import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatCompletion, planCompletion } from '../../../src/cli/completion.js';

/** A program shaped like rds-migrate's, with a `wait` command the completion code has never heard of. */
function program(): Command {
  const withGlobals = (cmd: Command): Command =>
    cmd
      .option('--kubeconfig <path>', 'kubeconfig file')
      .option('--context <name>', 'kubeconfig context')
      .option('-n, --namespace <ns>', 'namespace')
      .option('-v, --verbose', 'log requests');
  const root = new Command('rds-migrate').version('1.0.0', '--version');
  root.addCommand(
    withGlobals(new Command('post-started'))
      .description('post MigrationStarted\nsecond line')
      .argument('<pvc>')
      .option('--target <node>', 'target node')
      .option('--timeout <dur>', 'timeout')
      .addOption(new Option('--dry-run [strategy]').choices(['none', 'client', 'server']).preset('client'))
      .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'name'])),
  );
  root.addCommand(
    withGlobals(new Command('wait'))
      .description('wait for an outcome')
      .argument('<pvc>')
      .addOption(new Option('--for <condition>', 'what to wait for').choices(['outcome', 'single-attach'])),
  );
  root.addCommand(withGlobals(new Command('audit')).option('--from-file <path>', 'dump'));
  root.addCommand(new Command('completion').addArgument(new Argument('<shell>').choices(['bash', 'zsh', 'fish'])));
  root.addCommand(new Command('__secret'), { hidden: true });
  return root;
}

const values = (words: string[]) => {
  const plan = planCompletion(program(), words);
  return plan.kind === 'candidates' ? plan.candidates.map((c) => c.value) : plan;
};

describe('planCompletion', () => {
  it('offers the visible commands (with the first line of their description), never hidden ones', () => {
    const plan = planCompletion(program(), ['']);
    expect(plan).toEqual({
      kind: 'candidates',
      candidates: [
        { value: 'post-started', description: 'post MigrationStarted' },
        { value: 'wait', description: 'wait for an outcome' },
        { value: 'audit', description: '' },
        { value: 'completion', description: '' },
        { value: 'help', description: 'display help for command' },
      ],
    });
    expect(values(['po'])).toEqual(['post-started']);
    expect(values(['--'])).toEqual(['--version', '--help']);
  });

  it('offers the flags of the command, filtered by what is typed', () => {
    expect(values(['wait', 'vm-disk', '--'])).toEqual(['--kubeconfig', '--context', '--namespace', '--verbose', '--for', '--help']);
    expect(values(['post-started', '-'])).toContain('-o');
    expect(values(['post-started', '--d'])).toEqual(['--dry-run']);
  });

  it.each([
    [
      ['wait', 'vm-disk', '--for', ''],
      ['outcome', 'single-attach'],
    ],
    [['wait', '--for', 's'], ['single-attach']],
    [['wait', '--for=s'], ['single-attach']],
    [
      ['post-started', 'x', '-o', ''],
      ['json', 'yaml', 'name'],
    ],
    [
      ['post-started', 'x', '--dry-run='],
      ['none', 'client', 'server'],
    ],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['help', 'w'], ['wait']],
  ])('%j offers the choices %j', (words, expected) => {
    expect(values(words)).toEqual(expected);
  });

  it('looks PVCs up for a <pvc> argument, with the connection flags typed anywhere before', () => {
    expect(planCompletion(program(), ['wait', '--kubeconfig', '/k', '--context=lab', '-nvms', 'vm'])).toEqual({
      kind: 'lookup',
      lookup: { kind: 'pvcs', kubeconfig: '/k', context: 'lab', namespace: 'vms' },
      prefix: 'vm',
    });
    expect(planCompletion(program(), ['post-started', '-n', 'other', '--verbose', ''])).toMatchObject({
      lookup: { kind: 'pvcs', namespace: 'other' },
    });
  });

  it('looks up namespaces, nodes and contexts for the flags that take them; files are left to the shell', () => {
    expect(planCompletion(program(), ['wait', '-n', 'v'])).toMatchObject({ kind: 'lookup', lookup: { kind: 'namespaces' }, prefix: 'v' });
    expect(planCompletion(program(), ['post-started', '--target', ''])).toMatchObject({ lookup: { kind: 'nodes' } });
    expect(planCompletion(program(), ['audit', '--context=f'])).toMatchObject({ lookup: { kind: 'contexts' }, prefix: 'f' });
    expect(planCompletion(program(), ['audit', '--from-file', ''])).toEqual({ kind: 'files' });
  });

  it('a bare optional-value flag does not take the next word; a free value offers nothing', () => {
    expect(planCompletion(program(), ['post-started', '--dry-run', ''])).toMatchObject({ kind: 'lookup', lookup: { kind: 'pvcs' } });
    expect(values(['post-started', 'x', '--timeout', ''])).toEqual([]);
  });

  it('offers nothing past the last argument, for an unknown command, or a flag it does not know', () => {
    expect(values(['wait', 'vm-disk', ''])).toEqual([]);
    expect(values(['frobnicate', ''])).toEqual([]);
    expect(values(['wait', '--bogus=x'])).toEqual([]);
  });

  it('after -- every word is an argument', () => {
    expect(planCompletion(program(), ['wait', '--', '-'])).toMatchObject({ kind: 'lookup', lookup: { kind: 'pvcs' }, prefix: '-' });
  });
});

describe('formatCompletion', () => {
  it("speaks cobra's __complete protocol: value<TAB>description lines, then :directive", () => {
    expect(formatCompletion([{ value: 'a', description: 'the\ta' }, { value: 'b' }, { value: 'bad\tname' }], 4)).toBe('a\tthe a\nb\n:4\n');
    expect(formatCompletion([], 0)).toBe(':0\n');
  });
});

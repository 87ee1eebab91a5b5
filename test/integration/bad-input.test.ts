// Every command × every class of invalid input (issue #4, SPEC §3.1, §5): one table with the
// exit code and the error line expected. None of these may reach the API server at all, so
// nothing can have been written: the fake must see no request.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { namespace, pvc } from '../helpers/objects.js';
import { runCli } from '../helpers/run-cli.js';

type Command = 'post-started' | 'post-completed' | 'post-failed' | 'events' | 'audit';
type InvalidClass =
  | 'empty'
  | 'too long'
  | 'wrong charset'
  | 'negative'
  | 'unparseable'
  | 'conflicting flags'
  | 'unknown flag'
  | 'missing argument'
  | 'unreadable file'
  | 'malformed JSON/YAML'
  | 'unknown context'
  | 'missing kubeconfig';

/** Valid invocations; each case changes one thing. */
const BASE: Record<Command, string[]> = {
  'post-started': ['post-started', 'vm-disk', '--target', 'node-b'],
  'post-completed': ['post-completed', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--duration', '1m'],
  'post-failed': ['post-failed', 'vm-disk', '--reason', 'timeout', '--source', 'node-a', '--target', 'node-b', '--elapsed', '1m'],
  events: ['events', 'vm-disk'],
  audit: ['audit'],
};

const LONG = 'a'.repeat(254);
// Created when the file loads, so that the table (built at collection time) can name its files.
const dir = mkdtempSync(join(tmpdir(), 'rds-bad-input-'));
/** Paths filled in beforeAll; the table refers to them by name. */
const f = (name: string) => join(dir, name);

interface Case {
  command: Command;
  invalid: InvalidClass;
  args: string[];
  code: number;
  /** The first line of stderr. */
  error: RegExp;
}

const replace = (args: string[], flag: string, value: string) => {
  const out = [...args];
  out[out.indexOf(flag) + 1] = value;
  return out;
};
const withPvc = (cmd: Command, name: string) => [cmd, name, ...BASE[cmd].slice(2)];

/** The matrix. Events has no flag that can conflict with another: that cell is intentionally absent. */
function cases(): Case[] {
  const posts: Command[] = ['post-started', 'post-completed', 'post-failed'];
  const durationFlag: Record<string, string> = { 'post-started': '--timeout', 'post-completed': '--duration', 'post-failed': '--elapsed' };
  const table: Case[] = [];
  const add = (command: Command, invalid: InvalidClass, args: string[], code: number, error: RegExp) =>
    table.push({ command, invalid, args, code, error });

  for (const cmd of [...posts, 'events'] as Command[]) {
    add(cmd, 'empty', withPvc(cmd, ''), 2, /^error: invalid PVC name "": must not be empty$/);
    add(cmd, 'too long', withPvc(cmd, LONG), 2, /^error: invalid PVC name "a{77}\.\.\.": .*253/);
    add(cmd, 'wrong charset', withPvc(cmd, 'VM_Disk'), 2, /^error: invalid PVC name "VM_Disk": /);
    add(cmd, 'missing argument', [cmd], 2, /^error: missing required argument 'pvc'$/);
  }
  for (const cmd of posts) {
    const flag = durationFlag[cmd]!;
    const args = cmd === 'post-started' ? [...BASE[cmd], flag, '5m'] : BASE[cmd];
    add(cmd, 'negative', replace(args, flag, '-5m'), 2, new RegExp(`^error: invalid ${flag} "-5m": `));
    add(cmd, 'unparseable', replace(args, flag, 'five minutes'), 2, new RegExp(`^error: invalid ${flag} "five minutes": `));
    add(
      cmd,
      'conflicting flags',
      [...BASE[cmd].filter((a, i, all) => a !== '--source' && all[i - 1] !== '--source'), '--source', 'node-b'],
      2,
      /^error: invalid --target "node-b": must differ from --source$/,
    );
  }
  add('post-started', 'missing argument', ['post-started', 'vm-disk'], 2, /^error: post-started needs --target <node>/);
  add('post-failed', 'missing argument', ['post-failed', 'vm-disk'], 2, /^error: post-failed needs --reason <text>/);
  add('post-failed', 'too long', replace(BASE['post-failed'], '--reason', 'x'.repeat(2000)), 2, /^error: invalid --reason "x{77}\.\.\.": /);
  add(
    'post-failed',
    'wrong charset',
    replace(BASE['post-failed'], '--reason', 'line one\nline two'),
    2,
    /^error: invalid --reason "line one\\nline two": must be one line of printable text/,
  );
  add('post-started', 'wrong charset', replace(BASE['post-started'], '--target', 'Node_B'), 2, /^error: invalid --target "Node_B": /);
  add('events', 'negative', [...BASE.events, '--request-timeout', '-1s'], 2, /^error: invalid --request-timeout "-1s": /);
  add('events', 'unparseable', [...BASE.events, '--request-timeout', 'soon'], 2, /^error: invalid --request-timeout "soon": /);
  add('events', 'wrong charset', [...BASE.events, '-n', 'Bad_NS'], 2, /^error: invalid --namespace "Bad_NS": /);

  add('audit', 'empty', ['audit', '--from-file', ''], 2, /^error: invalid --from-file "": must not be empty$/);
  add(
    'audit',
    'too long',
    ['audit', '--chunk-size', '1000000'],
    2,
    /^error: invalid --chunk-size "1000000": must be a whole number from 1 to 100000$/,
  );
  add('audit', 'wrong charset', ['audit', '-n', 'Bad_NS'], 2, /^error: invalid --namespace "Bad_NS": /);
  add('audit', 'negative', ['audit', '--since', '-1h'], 2, /^error: invalid --since "-1h": /);
  add('audit', 'unparseable', ['audit', '--stuck-after', 'a while'], 2, /^error: invalid --stuck-after "a while": /);
  add(
    'audit',
    'unparseable',
    ['audit', '--from-file', f('dump.json'), '--now', 'yesterday'],
    2,
    /^error: invalid --now "yesterday": must be an RFC 3339 time/,
  );
  add('audit', 'conflicting flags', ['audit', '-n', 'vms', '-A'], 2, /^error: --namespace and --all-namespaces cannot be used together$/);
  add('audit', 'conflicting flags', ['audit', '--now', '2025-01-01T00:00:00Z'], 2, /^error: --now applies only to --from-file audits/);
  add('audit', 'missing argument', ['audit', '--since'], 2, /^error: option '--since <dur>' argument missing$/);
  add(
    'audit',
    'unreadable file',
    ['audit', '--from-file', f('missing.json')],
    2,
    /^error: cannot read --from-file ".*missing\.json": no such file or directory$/,
  );
  add(
    'audit',
    'unreadable file',
    ['audit', '--from-file', f('empty-dir')],
    2,
    /^error: --from-file ".*empty-dir" is a directory with no \.json, \.yaml or \.yml files$/,
  );
  add('audit', 'malformed JSON/YAML', ['audit', '--from-file', f('bad.json')], 2, /^error: --from-file ".*bad\.json" is not valid JSON: /);
  add('audit', 'malformed JSON/YAML', ['audit', '--from-file', f('bad.yaml')], 2, /^error: --from-file ".*bad\.yaml" is not valid YAML: /);
  // Dumps that never end, or cost without bound (SECURITY.md: the caps on --from-file).
  add(
    'audit',
    'unreadable file',
    ['audit', '--from-file', '/dev/zero'],
    2,
    /^error: cannot read --from-file "\/dev\/zero": not a regular file, FIFO or pipe \(a device or socket never ends\)$/,
  );
  add(
    'audit',
    'too long',
    ['audit', '--from-file', f('huge.json')],
    2,
    /^error: cannot read --from-file ".*huge\.json": it is 1073741825 bytes, over the 1 GiB limit$/,
  );
  add(
    'audit',
    'malformed JSON/YAML',
    ['audit', '--from-file', f('binary.json')],
    2,
    /^error: --from-file ".*binary\.json" holds NUL bytes: /,
  );
  add(
    'audit',
    'malformed JSON/YAML',
    ['audit', '--from-file', f('deep.json')],
    2,
    /^error: --from-file ".*deep\.json" nests arrays and objects deeper than 100 levels /,
  );
  add(
    'audit',
    'malformed JSON/YAML',
    ['audit', '--from-file', f('bomb.yaml')],
    2,
    /^error: --from-file ".*bomb\.yaml" uses YAML aliases too heavily /,
  );
  add(
    'audit',
    'conflicting flags',
    ['audit', '--from-file', '-', '--from-file', '-'],
    2,
    /^error: --from-file - \(stdin\) can be given only once$/,
  );

  for (const cmd of Object.keys(BASE) as Command[]) {
    add(cmd, 'unknown flag', [...BASE[cmd], '--bogus'], 2, /^error: unknown option '--bogus'$/);
    add(cmd, 'unknown context', [...BASE[cmd], '--context', 'nope'], 3, /^error: context "nope" not found in kubeconfig$/);
    add(
      cmd,
      'missing kubeconfig',
      [...BASE[cmd], '--kubeconfig', f('no-such-kubeconfig')],
      2,
      /^error: --kubeconfig ".*no-such-kubeconfig": no such file$/,
    );
    if (cmd !== 'audit') {
      add(cmd, 'unreadable file', [...BASE[cmd], '--kubeconfig', dir], 2, /^error: kubeconfig ".*" is a directory, not a file$/);
      add(
        cmd,
        'malformed JSON/YAML',
        [...BASE[cmd], '--kubeconfig', f('bad-kubeconfig')],
        2,
        /^error: kubeconfig ".*bad-kubeconfig" is not valid YAML: /,
      );
    }
    add(
      cmd,
      'unreadable file',
      [...BASE[cmd], '--kubeconfig', f('tokenfile-kubeconfig')],
      2,
      /^error: cannot read tokenFile file ".*missing-token" named in the kubeconfig: ENOENT$/,
    );
  }
  return table;
}

let server: FakeServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeServer({ objects: [namespace('vms'), pvc({ namespace: 'vms', name: 'vm-disk', volumeName: 'pvc-x' })] });
  kubeconfig = server.writeKubeconfig(dir, { namespace: 'vms' });
  mkdirSync(f('empty-dir'));
  writeFileSync(f('dump.json'), '{"kind":"List","items":[]}');
  writeFileSync(f('bad.json'), '{"kind":"List","items":[');
  writeFileSync(f('bad.yaml'), 'kind: List\nitems:\n  - a: [1, 2\n');
  writeFileSync(f('huge.json'), '');
  truncateSync(f('huge.json'), 1024 * 1024 * 1024 + 1);
  writeFileSync(f('binary.json'), Buffer.alloc(64));
  writeFileSync(f('deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  writeFileSync(
    f('bomb.yaml'),
    `kind: Event\nanchors:\n${Array.from({ length: 5000 }, (_, i) => `- &a${i} x`).join('\n')}\nb: [${Array.from({ length: 5000 }, (_, i) => `*a${i}`).join(', ')}]\n`,
  );
  writeFileSync(f('bad-kubeconfig'), 'clusters:\n  - name: x\n    cluster: {server: "https://a\n');
  writeFileSync(
    f('tokenfile-kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server.url}\nusers:\n- name: u\n  user:\n    tokenFile: missing-token\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
  );
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad input: exit code, one clear line, nothing sent', () => {
  const table = cases();
  it('covers every command × every class (events has no conflicting flags)', () => {
    const classes = new Set(table.map((c) => `${c.command} × ${c.invalid}`));
    expect(classes.size).toBe(5 * 12 - 1);
  });

  it.concurrent.each(table.map((c) => [`${c.command} × ${c.invalid}: ${c.args.slice(1).join(' ').slice(0, 70)}`, c] as const))(
    '%s',
    async (_title, c) => {
      const res = await runCli(c.args, { kubeconfig });
      expect(res.stdout).toBe('');
      expect(res.code).toBe(c.code);
      expect(res.stderr.split('\n')[0]).toMatch(c.error);
      expect(res.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('no request reached the API server, so nothing was written', async () => {
    // The concurrent cases above all finished before this sequential one starts.
    expect(server.writes()).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});

describe('no configuration at all', () => {
  it('is exit 4 with a hint to set --kubeconfig or KUBECONFIG', async () => {
    const res = await runCli(['events', 'vm-disk']);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe(
      'error: no cluster configuration found: no kubeconfig file and not running inside a cluster\nhint: set --kubeconfig or KUBECONFIG, or create ~/.kube/config\n',
    );
  });
});

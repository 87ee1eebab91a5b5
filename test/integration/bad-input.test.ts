// Every command × every class of invalid input: one table with the
// exit code and the error line expected. None of these may reach the API server at all, so
// nothing can have been written: the fake must see no request.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

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
  // Bidi controls and invisible characters are rejected, and the error line shows them as escapes.
  for (const [shown, value] of <[string, string][]>[
    ['a\\u202eb', 'a\u202eb'],
    ['a\\u200fb', 'a\u200fb'],
    ['a\\u061cb', 'a\u061cb'],
    ['zero\\u200bwidth', 'zero\u200bwidth'],
    ['tag\\u{e0041}', 'tag\u{e0041}'],
  ]) {
    add(
      'post-failed',
      'wrong charset',
      replace(BASE['post-failed'], '--reason', value),
      2,
      new RegExp(`^${escapeRegExp(`error: invalid --reason "${shown}": must be one line of printable text`)}`),
    );
  }
  // commander's own errors quote the argument: control characters show as escapes, never raw.
  add(
    'audit',
    'wrong charset',
    ['audit', '-o', 'json\u001b]0;PWNED\u0007'],
    2,
    /^error: option '-o, --output <format>' argument 'json\\u001b]0;PWNED\\u0007' is invalid\. Allowed choices are /,
  );
  add(
    'events',
    'unknown flag',
    [...BASE.events, '--bogus\u001b]52;c;aGk=\u0007'],
    2,
    /^error: unknown option '--bogus\\u001b]52;c;aGk=\\u0007'$/,
  );
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
  add(
    'audit',
    'unparseable',
    ['audit', '--from-file', f('dump.json'), '--now', '9999-12-31T23:59:59-23:59'],
    2,
    /^error: invalid --now "9999-12-31T23:59:59-23:59": must be an RFC 3339 time/,
  );
  add(
    'audit',
    'unparseable',
    ['audit', '--since', '2w'],
    2,
    /^error: invalid --since "2w": unknown unit "w" \(use ns, us, ms, s, m, h or d\)$/,
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
      /^error: cannot read --kubeconfig ".*no-such-kubeconfig": no such file or directory$/,
    );
    if (cmd !== 'audit') {
      add(cmd, 'unreadable file', [...BASE[cmd], '--kubeconfig', dir], 2, /^error: cannot read --kubeconfig ".*": is a directory$/);
      add(
        cmd,
        'malformed JSON/YAML',
        [...BASE[cmd], '--kubeconfig', f('bad-kubeconfig')],
        2,
        /^error: kubeconfig ".*bad-kubeconfig" is not valid YAML \(line \d+, column \d+\): /,
      );
    }
    add(
      cmd,
      'unreadable file',
      [...BASE[cmd], '--kubeconfig', f('tokenfile-kubeconfig')],
      2,
      /^error: cannot read the tokenFile ".*missing-token" of user "u" \(kubeconfig ".*tokenfile-kubeconfig"\): no such file or directory$/,
    );
    // A device never ends: refused at once, not read (it grew to gigabytes).
    add(
      cmd,
      'unreadable file',
      [...BASE[cmd], '--kubeconfig', '/dev/zero'],
      2,
      /^error: cannot read --kubeconfig "\/dev\/zero": not a regular file/,
    );
    // An unquoted number: kubectl refuses the file; the request must not go out without the token.
    add(
      cmd,
      'malformed JSON/YAML',
      [...BASE[cmd], '--kubeconfig', f('numeric-token')],
      2,
      /^error: kubeconfig ".*numeric-token", line \d+: users\[0\]\.user\.token \(user "u"\) must be a string, not a number$/,
    );
    // A line break in a token would inject a header.
    add(
      cmd,
      'wrong charset',
      [...BASE[cmd], '--kubeconfig', f('token-newline')],
      2,
      /^error: the token of user "u" \(kubeconfig ".*token-newline"\) contains a line break or another character that cannot go into an HTTP header$/,
    );
  }
  const kubeconfigCases: [string, RegExp][] = [
    ['as-newline', /^error: the as \(impersonated user\) of user "u" .* contains a line break/],
    ['server-secret', /^error: kubeconfig ".*server-secret": cluster "c": its server is not a valid URL$/],
    ['server-file', /^error: kubeconfig ".*server-file": cluster "c": its server must be an https:\/\/ or http:\/\/ URL$/],
    ['exec-env-null', /^error: kubeconfig ".*exec-env-null": user "u": an exec env entry has no name$/],
    [
      'exec-args-string',
      /^error: kubeconfig ".*exec-args-string", line \d+: users\[0\]\.user\.exec\.args \(user "u"\) must be a list, not a string$/,
    ],
    [
      'exec-args-number',
      /^error: kubeconfig ".*exec-args-number", line \d+: users\[0\]\.user\.exec\.args\[0\] \(user "u"\) must be a string, not a number$/,
    ],
    ['cert-garbage', /^error: the client-certificate-data of user "u" .* is not a PEM certificate$/],
    ['key-garbage', /^error: the client-key-data of user "u" .* is not a PEM private key$/],
    ['key-encrypted', /^error: the client-key of user "u" .* is encrypted$/],
    ['cert-both', /^error: kubeconfig ".*cert-both": user "u" sets both client-certificate and client-certificate-data$/],
  ];
  for (const [name, error] of kubeconfigCases) {
    const invalid: InvalidClass = name.includes('newline')
      ? 'wrong charset'
      : name.startsWith('exec') || name.startsWith('server')
        ? 'malformed JSON/YAML'
        : 'unreadable file';
    add('events', invalid, [...BASE.events, '--kubeconfig', f(name)], 2, error);
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
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const tls = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
  const certPem = readFileSync(join(tls, 'other-server.crt'), 'utf8');
  const keyPem = readFileSync(join(tls, 'other-server.key'), 'utf8');
  execFileSync('openssl', ['pkey', '-in', join(tls, 'other-server.key'), '-aes256', '-passout', 'pass:secret', '-out', f('encrypted.key')]);
  const kubeconfigWith = (name: string, user: string, server_ = server.url) =>
    writeFileSync(
      f(name),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "${server_}"\n    certificate-authority-data: ${b64(server.caPem)}\nusers:\n- name: u\n  user:\n${user}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: vms}\ncurrent-context: x\n`,
    );
  kubeconfigWith('numeric-token', '    token: 123456789');
  kubeconfigWith('token-newline', `    token: "${server.token}\\r\\nX-Injected: yes"`);
  kubeconfigWith('as-newline', `    token: ${server.token}\n    as: "admin\\nX-Injected: yes"`);
  kubeconfigWith('server-secret', `    token: ${server.token}`, 'https://admin:pa/SECRET@host');
  kubeconfigWith('server-file', `    token: ${server.token}`, 'file:///etc/passwd');
  const exec = (extra: string) =>
    `    exec: {command: /bin/true, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, ${extra}}`;
  kubeconfigWith('exec-env-null', exec('env: [null]'));
  kubeconfigWith('exec-args-string', exec('args: "a b"'));
  kubeconfigWith('exec-args-number', exec('args: [1]'));
  kubeconfigWith('cert-garbage', `    client-certificate-data: ${b64('not a certificate')}\n    client-key-data: ${b64(keyPem)}`);
  kubeconfigWith('key-garbage', `    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64('not a key')}`);
  kubeconfigWith('key-encrypted', `    client-certificate-data: ${b64(certPem)}\n    client-key: ${f('encrypted.key')}`);
  kubeconfigWith(
    'cert-both',
    `    client-certificate: ${join(tls, 'other-server.crt')}\n    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64(keyPem)}`,
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
      // One error line, at most one hint, and nothing of the argument that could act on the terminal.
      expect(res.stderr).toMatch(/^error: [^\n]*\n(hint: [^\n]*\n)?$/);
      expect(res.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u{e0000}-\u{e007f}]/u);
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

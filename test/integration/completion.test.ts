// Shell completion through the built binary: the hidden __complete command against the fake API
// server, and the generated bash, zsh and fish scripts run in their real shells.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { namespace, node, pvc } from '../helpers/objects.js';
import { cliPath, kubectlAvailable, repoRoot, runCli, runKubectl } from '../helpers/run-cli.js';

let server: FakeServer;
let dir: string;
let kubeconfig: string;
/** A directory holding `rds-migrate` (a link to the built CLI), put first on the PATH of the shells. */
let binDir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  server = await startFakeServer({
    objects: [
      namespace('vms'),
      namespace('other'),
      pvc({ namespace: 'vms', name: 'vm-disk' }),
      pvc({ namespace: 'vms', name: 'web-disk' }),
      pvc({ namespace: 'other', name: 'other-disk' }),
      node('node-a'),
      node('node-b'),
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'rds-completion-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: 'vms' });
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  symlinkSync(cliPath, join(binDir, 'rds-migrate'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const res = await runCli(['completion', shell]);
    expect(res.code).toBe(0);
    scripts[shell] = join(dir, `completion.${shell}`);
    writeFileSync(scripts[shell], res.stdout);
  }
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const complete = (words: string[], env: Record<string, string> = {}) => runCli(['__complete', ...words], { kubeconfig, env });
/**
 * The values of a look-up in the cluster. A look-up that misses its 450 ms (this machine is shared
 * by parallel test files) answers nothing, as it should; a second or third try shows it can answer.
 */
const lookUp = async (words: string[]): Promise<(string | undefined)[]> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { values } = answer((await complete(words)).stdout);
    if (values.length > 0) return values;
  }
  return [];
};
/** The candidate values of a __complete answer (descriptions dropped), and its directive. */
const answer = (stdout: string) => {
  const lines = stdout.trimEnd().split('\n');
  return { values: lines.slice(0, -1).map((l) => l.split('\t')[0]), directive: lines.at(-1) };
};

interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell script with the CLI first on the PATH and the fake's kubeconfig. */
function shell(command: string, args: string[], env: Record<string, string> = {}): Promise<ShellResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: { PATH: `${binDir}:${process.env.PATH}`, HOME: dir, KUBECONFIG: kubeconfig, ...env },
        cwd: dir,
        timeout: 20_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('__complete (the hidden helper the scripts call)', () => {
  it('offers the commands, and hides itself', async () => {
    const res = await complete(['']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const { values, directive } = answer(res.stdout);
    expect(values).toEqual(['post-started', 'post-completed', 'post-failed', 'events', 'audit', 'wait', 'completion', 'help']);
    expect(directive).toBe(':4');
    expect(res.stdout).toContain('events\tshow a PVC');
  });

  it.each([
    [
      ['events', 'vm-disk', '-o', ''],
      ['table', 'wide', 'json', 'yaml'],
    ],
    [
      ['audit', '--fail-on', ''],
      ['error', 'warning', 'never'],
    ],
    [['audit', '--fail-on=w'], ['warning']],
    [
      ['wait', 'vm-disk', '--for', ''],
      ['outcome', 'single-attach'],
    ],
    [
      ['post-started', 'vm-disk', '--dry-run='],
      ['none', 'client', 'server'],
    ],
    [
      ['post-failed', 'vm-disk', '--dr'],
      ['--driver', '--dry-run'],
    ],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
  ])('%j offers %j without asking the cluster', async (words, expected) => {
    const res = await complete(words);
    expect(answer(res.stdout)).toEqual({ values: expected, directive: ':4' });
    expect(server.requests).toEqual([]);
  });

  it("offers the PVCs of -n's namespace, else of the context's", async () => {
    expect(await lookUp(['events', ''])).toEqual(['vm-disk', 'web-disk']);
    expect(await lookUp(['events', 'w'])).toEqual(['web-disk']);
    for (const ns of [['-n', 'other'], ['--namespace=other'], ['-nother']]) {
      expect(await lookUp(['post-started', ...ns, ''])).toEqual(['other-disk']);
    }
    expect(server.requests.map((r) => r.path)).toContain('/api/v1/namespaces/other/persistentvolumeclaims');
  });

  it('offers namespaces, nodes, and the contexts of every kubeconfig file', async () => {
    expect(await lookUp(['audit', '-n', ''])).toEqual(['other', 'vms']);
    expect(await lookUp(['post-started', 'vm-disk', '--target', 'node-'])).toEqual(['node-a', 'node-b']);
    const second = server.writeKubeconfig(dir, { fileName: 'second', contextName: 'lab' });
    const contexts = await runCli(['__complete', 'events', '--context', ''], { env: { KUBECONFIG: `${kubeconfig}:${second}` } });
    expect(answer(contexts.stdout).values).toEqual(['fake', 'lab']);
  });

  it('leaves --kubeconfig and --from-file to the shell: directive 0, file completion', async () => {
    expect((await complete(['audit', '--from-file', ''])).stdout).toBe(':0\n');
    expect((await complete(['events', '--kubeconfig', ''])).stdout).toBe(':0\n');
  });

  it('answers nothing, silently, when the cluster cannot be asked', async () => {
    const closed = server.writeKubeconfig(dir, { fileName: 'closed', server: 'https://127.0.0.1:1', namespace: 'vms' });
    const cases = [
      await runCli(['__complete', 'events', ''], { kubeconfig: closed }),
      await runCli(['__complete', 'events', '']),
      await runCli(['__complete', 'events', '--kubeconfig', '/nonexistent', '']),
      await runCli(['__complete', 'events', '--context', 'nope', ''], { kubeconfig }),
    ];
    server.deny({ verb: 'list', resource: 'persistentvolumeclaims' });
    cases.push(await complete(['events', '']));
    for (const res of cases) expect(res).toEqual({ code: 0, stdout: ':4\n', stderr: '' });
  });

  it('gives up on a slow cluster at once, instead of after the request timeout', async () => {
    server.fault({ path: /persistentvolumeclaims/, delayMs: 10_000 });
    const started = Date.now();
    const res = await complete(['events', '']);
    expect(res).toEqual({ code: 0, stdout: ':4\n', stderr: '' });
    // The look-up is cut after ~0.5 s; 5 s leaves room for a loaded machine, far below the 30 s request timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the bash script, sourced and called as bash calls it', () => {
  /** Sources the script, sets COMP_WORDS/COMP_CWORD (and COMP_LINE when given), calls the function, prints COMPREPLY. */
  const bash = (words: string[], line?: string) =>
    shell('bash', [
      '-c',
      `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); ${
        line === undefined ? '' : `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}; `
      }_rds_migrate; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      scripts.bash!,
      ...words,
    ]);

  it("offers the PVCs of -n's namespace", async () => {
    const res = await bash(['rds-migrate', 'events', '-n', 'other', '']);
    expect(res).toEqual({ code: 0, stdout: 'other-disk\n', stderr: '' });
    expect((await bash(['rds-migrate', 'post-started', 'w'])).stdout).toBe('web-disk\n');
  });

  it('offers commands, flags and flag values', async () => {
    expect((await bash(['rds-migrate', 'po'])).stdout).toBe('post-started\npost-completed\npost-failed\n');
    expect((await bash(['rds-migrate', 'audit', '--fail-on', ''])).stdout).toBe('error\nwarning\nnever\n');
    expect((await bash(['rds-migrate', 'events', 'vm-disk', '-o', 'w'])).stdout).toBe('wide\n');
  });

  it("completes --flag=value, which bash splits at '=', with the value alone", async () => {
    expect((await bash(['rds-migrate', 'audit', '--fail-on', '=', 'w'])).stdout).toBe('warning\n');
    expect((await bash(['rds-migrate', 'audit', '--fail-on', '='], 'rds-migrate audit --fail-on=')).stdout).toBe('error\nwarning\nnever\n');
    // With a space after the flag, '=' is a value of its own and matches nothing.
    expect((await bash(['rds-migrate', 'audit', '--fail-on', '='], 'rds-migrate audit --fail-on =')).stdout).toBe('\n');
  });

  it('falls back to file names for --from-file', async () => {
    expect((await bash(['rds-migrate', 'audit', '--from-file', join(dir, 'completion.b')])).stdout).toBe(`${scripts.bash}\n`);
  });

  it('prints nothing when the cluster cannot be asked', async () => {
    const res = await bash(['rds-migrate', 'events', '--kubeconfig', '/nonexistent', '']);
    expect(res).toEqual({ code: 0, stdout: '\n', stderr: '' });
  });
});

describe('the zsh script', () => {
  it('loads after compinit and registers its function for rds-migrate', async () => {
    const res = await shell('zsh', [
      '-f',
      '-c',
      'autoload -U compinit && compinit -u -D && source "$1" && print -r -- "$_comps[rds-migrate]"',
      'zsh',
      scripts.zsh!,
    ]);
    expect(res).toEqual({ code: 0, stdout: '_rds_migrate\n', stderr: '' });
  });

  it('hands the words to __complete and its answer to _describe', async () => {
    // Outside a completion widget, _describe and _files are stubs that print what they were given.
    const res = await shell('zsh', [
      '-f',
      '-c',
      `autoload -U compinit && compinit -u -D && source "$1"
_describe() { print -r -- "describe $*"; print -rl -- "\${(@P)4}" }
_files() { print -r -- files }
words=(rds-migrate events -n other ''); CURRENT=5; _rds_migrate
words=(rds-migrate audit --fail-on=w); CURRENT=3; _rds_migrate
words=(rds-migrate audit --from-file ''); CURRENT=4; _rds_migrate`,
      'zsh',
      scripts.zsh!,
    ]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(
      [
        'describe -t values rds-migrate candidates',
        'other-disk',
        'describe -t values rds-migrate candidates -P --fail-on=',
        'warning',
        'files',
        '',
      ].join('\n'),
    );
  });
});

describe('the fish script', () => {
  it('loads, and fish completes commands, flag values and PVCs through it', async () => {
    const res = await shell('fish', [
      '--no-config',
      '-c',
      `source $argv[1]
complete -C 'rds-migrate events -n other '
complete -C 'rds-migrate audit --fail-on=w'
complete -C 'rds-migrate post-c'`,
      scripts.fish!,
    ]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('other-disk\n--fail-on=warning\npost-completed\tpost MigrationCompleted on a PVC\n');
  });
});

describe.skipIf(!kubectlAvailable)('kubectl completes `kubectl rds-migrate` through kubectl_complete-rds_migrate', () => {
  it('kubectl __complete rds-migrate … reaches the helper next to the plugin', async () => {
    const env = { PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}`, KUBECONFIG: kubeconfig };
    const pvcs = await runKubectl(['__complete', 'rds-migrate', 'events', '-n', 'other', ''], { env });
    expect(pvcs.code).toBe(0);
    expect(pvcs.stdout).toBe('other-disk\n:4\n');
    const values = await runKubectl(['__complete', 'rds-migrate', 'audit', '--fail-on', ''], { env });
    expect(values.stdout).toBe('error\nwarning\nnever\n:4\n');
  });
});

// Process-level behaviour of the built binary: help, version, and a reader that closes the pipe early.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli.js';

/** Runs the CLI with its stdout pipe closed before it writes anything (like `| head -0`). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the rds-migrate process', () => {
  it('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('--help lists every command with examples and the exit codes', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    for (const command of ['post-started', 'post-completed', 'post-failed', 'events', 'audit']) expect(res.stdout).toContain(command);
    expect(res.stdout).toContain('Examples:');
    expect(res.stdout).toContain('Exit codes: 0 ok, 1 audit findings');
  });

  it("each command's help says what -n defaults to, and its examples name files that exist", async () => {
    const audit = await runCli(['audit', '--help']);
    expect(audit.stdout).toMatch(/^ {2}-n, --namespace <ns> +audit only this namespace \(default: all namespaces\)$/m);
    const files = [...audit.stdout.matchAll(/--from-file (examples\/\S+)/g)].map((m) => m[1]!);
    expect(files).toEqual(['examples/cluster']);
    for (const file of files) expect(existsSync(join(repoRoot, file)), file).toBe(true);
    for (const command of ['events', 'post-started', 'post-completed', 'post-failed']) {
      const help = await runCli([command, '--help']);
      expect(help.stdout).toMatch(/^ {2}-n, --namespace <ns> +namespace of the PVC \(default: the context's\s+namespace, else default\)$/m);
    }
  });

  it('a closed stdout pipe is not an error: no stack trace, the exit code is the command’s own', async () => {
    const help = await runWithClosedStdout(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    const audit = await runWithClosedStdout(['audit', '--from-file', 'examples/cluster', '-o', 'wide']);
    expect(audit.stderr).toBe('');
    expect(audit.code).toBe(1);
  });
});

// The V8 code cache bin/rds-migrate.cjs compiles dist/main.cjs with: the build writes one this
// Node accepts, and a cache that does not belong to the main.cjs beside it (another build's, one
// V8 refuses, none) leaves the CLI working as it would without one.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
let copy: string | undefined;

afterEach(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

/** bin/ and dist/ copied to a temporary folder, to be changed there. */
function copyOfBuild(): string {
  copy = mkdtempSync(join(tmpdir(), 'rds-code-cache-'));
  for (const dir of ['bin', 'dist']) cpSync(join(repoRoot, dir), join(copy, dir), { recursive: true });
  return copy;
}

/** What the loader made of the cache (used, rejected, stale, absent), and `--version` run from `root`. */
async function loadFrom(root: string): Promise<{ cache: string; version: string }> {
  const bin = join(root, 'bin', 'rds-migrate.cjs');
  const probe = await run(process.execPath, ['-e', `console.log(require(${JSON.stringify(bin)}).loadMain().cache)`]);
  const version = await run(process.execPath, [bin, '--version']);
  return { cache: probe.stdout.trim(), version: version.stdout.trim() };
}

describe('the code cache of dist/main.cjs', () => {
  it('is written by the build and used by this Node', async () => {
    expect(await loadFrom(repoRoot)).toEqual({ cache: 'used', version: pkg.version });
  });

  it("is not used for another build's main.cjs, even one of the same length (V8 would take it)", async () => {
    const root = copyOfBuild();
    const main = join(root, 'dist', 'main.cjs');
    const source = readFileSync(main, 'utf8');
    const other = pkg.version.replace(/\d/g, '9');
    expect(other).toHaveLength(pkg.version.length);
    const changed = source.replace(JSON.stringify(pkg.version), JSON.stringify(other));
    expect(changed).not.toBe(source);
    writeFileSync(main, changed);
    expect(await loadFrom(root)).toEqual({ cache: 'stale', version: other });
  });

  it('that V8 refuses is compiled without, as is a missing one', async () => {
    const root = copyOfBuild();
    const cache = join(root, 'dist', 'main.cjs.cache');
    const bytes = readFileSync(cache);
    // The SHA-256 of main.cjs stays, so the loader hands V8 data that is not V8's.
    bytes.fill(0x5a, 32);
    writeFileSync(cache, bytes);
    expect(await loadFrom(root)).toEqual({ cache: 'rejected', version: pkg.version });
    rmSync(cache);
    expect(await loadFrom(root)).toEqual({ cache: 'absent', version: pkg.version });
  });

  it('is not needed by the kubectl plugin bins, which run the same loader', async () => {
    const root = copyOfBuild();
    rmSync(join(root, 'dist', 'main.cjs.cache'));
    const plugin = await run(process.execPath, [join(root, 'bin', 'kubectl-rds_migrate'), '--version']);
    expect(plugin.stdout).toBe(`${pkg.version}\n`);
    const complete = await run(process.execPath, [join(root, 'bin', 'kubectl_complete-rds_migrate'), 'aud']);
    expect(complete.stdout.split(/[\t\n]/)[0]).toBe('audit');
  });
});

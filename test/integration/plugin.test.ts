// rds-migrate as a kubectl plugin: the kubectl-rds_migrate bin run by the real kubectl, and the
// krew manifest checked against the archive it describes, installed the way krew installs it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kubectlAvailable, repoRoot, runCli, runKubectl } from '../helpers/run-cli.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const manifestPath = join(repoRoot, 'krew', 'rds-migrate.yaml');
const withRepoBin = { PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}` };

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rds-plugin-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!kubectlAvailable)('kubectl rds-migrate, with the repository bin on the PATH', () => {
  it('audits the example dump: exit 1 and the same report as rds-migrate', async () => {
    const args = ['audit', '--from-file', join(repoRoot, 'examples', 'cluster')];
    const plugin = await runKubectl(['rds-migrate', ...args], { env: withRepoBin });
    const direct = await runCli(args);
    expect(plugin.stderr).toBe('');
    expect(plugin.code).toBe(1);
    expect(plugin.stdout).toContain('StuckDualAttach');
    expect(plugin.stdout).toBe(direct.stdout);
  });

  it('its help says kubectl rds-migrate; run as rds-migrate it says rds-migrate', async () => {
    const help = await runKubectl(['rds-migrate', '--help'], { env: withRepoBin });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: kubectl rds-migrate [options] [command]');
    expect(help.stdout).toContain('\n  kubectl rds-migrate events vm-disk -n vms\n');
    expect(help.stdout).not.toMatch(/^ {2}rds-migrate /m);
    const post = await runKubectl(['rds-migrate', 'post-started', '--help'], { env: withRepoBin });
    expect(post.stdout.split('\n')[0]).toBe('Usage: kubectl rds-migrate post-started [options] <pvc>');
    expect(post.stdout).toContain('Example:\n  kubectl rds-migrate post-started vm-disk -n vms --target node-b\n');
    const plain = await runCli(['--help']);
    expect(plain.stdout.split('\n')[0]).toBe('Usage: rds-migrate [options] [command]');
  });

  it('passes exit codes and errors through kubectl', async () => {
    const res = await runKubectl(['rds-migrate', 'post-started'], { env: withRepoBin });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("error: missing required argument 'pvc'\n");
  });
});

describe('the krew manifest (krew/rds-migrate.yaml)', () => {
  let archive: string;
  const manifestText = readFileSync(manifestPath, 'utf8');
  const manifest = parseYaml(manifestText);
  const platform = () => manifest.spec.platforms[0];

  beforeAll(async () => {
    // The archive `npm run krew-manifest` publishes: npm pack of the built package (dist is built for the suite).
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot });
    archive = join(dir, JSON.parse(stdout)[0].filename);
  }, 60_000);

  it('is a manifest krew accepts, for the version of package.json', () => {
    // krew's own structural checks (pkg/index/validation).
    expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.metadata.name).toBe(basename(manifestPath, '.yaml'));
    expect(manifest.spec.shortDescription).toMatch(/\S/);
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
    expect(manifest.spec.platforms.length).toBeGreaterThan(0);
    for (const p of manifest.spec.platforms) {
      const keys = [...Object.keys(p.selector.matchLabels ?? {}), ...(p.selector.matchExpressions ?? []).map((e: any) => e.key)];
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(['os', 'arch']).toContain(key);
      expect(p.sha256).toMatch(/^[a-f0-9]{64}$/);
      expect(p.uri).toMatch(
        new RegExp(`^https://\\S+/v${pkg.version.replaceAll('.', '\\.')}/${basename(archive).replaceAll('.', '\\.')}$`),
      );
      expect(p.bin).toBe('bin/kubectl-rds_migrate');
      expect(p.files.length).toBeGreaterThan(0);
      // krew refuses a `to` that is not a clean path.
      for (const f of p.files) expect(f.to).toMatch(/^(\.|[a-z]+)$/);
    }
  });

  it("names the archive's sha256, written by `npm run krew-manifest` and otherwise as committed", async () => {
    const rendered = join(dir, 'rendered.yaml');
    await run(process.execPath, [join(repoRoot, 'scripts', 'krew-manifest.mjs'), archive, '--out', rendered]);
    const text = readFileSync(rendered, 'utf8');
    const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
    expect(parseYaml(text).spec.platforms[0].sha256).toBe(sha256);
    // Everything but the sha256 of the build at hand is the committed manifest, comments included.
    const withoutSha = (t: string) => t.replace(/sha256: "[a-f0-9]{64}"/g, 'sha256: <sha256>');
    expect(withoutSha(text)).toBe(withoutSha(manifestText));
  });

  it.skipIf(!kubectlAvailable)('installs as krew lays a plugin out, and kubectl runs it from there', async () => {
    const extracted = join(dir, 'extracted');
    mkdirSync(extracted);
    await run('tar', ['-xzf', archive, '-C', extracted]);
    // krew: each file operation moves a path of the archive (or the matches of a glob) under the
    // version's directory of the store, then links ~/.krew/bin/kubectl-<name with _> to `bin`.
    const krewRoot = join(dir, 'krew');
    const installed = join(krewRoot, 'store', manifest.metadata.name, manifest.spec.version);
    for (const { from, to } of platform().files) {
      const source = join(extracted, from);
      expect(existsSync(source), `no file in the archive matches ${from}`).toBe(true);
      const target = join(installed, to === '.' ? basename(from) : to);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(source, target, { recursive: true });
    }
    const bin = join(installed, platform().bin);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    mkdirSync(join(krewRoot, 'bin'));
    symlinkSync(bin, join(krewRoot, 'bin', `kubectl-${manifest.metadata.name.replaceAll('-', '_')}`));
    // The completion helper the caveats tell to link is in the store too.
    expect(readdirSync(join(installed, 'bin'))).toContain('kubectl_complete-rds_migrate');

    const env = { PATH: `${join(krewRoot, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin` };
    const version = await runKubectl(['rds-migrate', '--version'], { env });
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const help = await runKubectl(['rds-migrate', 'audit', '--help'], { env });
    expect(help.stdout.split('\n')[0]).toBe('Usage: kubectl rds-migrate audit [options]');
  });
});

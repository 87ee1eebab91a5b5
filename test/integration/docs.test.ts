// The user documents (docs/, examples/README.md, README.md) against the product: every finding
// code and its severity in docs/findings.md, every key and series the built binary prints in
// docs/output.md, links that resolve, and no references to material outside the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY } from '../../src/domain/findings.js';
import { historySchema, type Schema } from '../helpers/read-side.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

const DOCS = ['README.md', 'docs/findings.md', 'docs/output.md', 'examples/README.md'];
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const EXAMPLES = join(repoRoot, 'examples', 'cluster');
/** A reference to a document users do not have (the project's own notes), in pieces so that this line does not match itself. */
const OUTSIDE = new RegExp(
  ['SPEC(?: revision| §)', 'KUBERNETES-' + 'FACTS', 'KUBEVIRT-' + 'FACTS', '\\.\\./' + 'shared/', 'issue ' + '#\\d', '/' + 'work/'].join(
    '|',
  ),
);

/** Every key name in a JSON document, at any depth. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      into.add(key);
      keysOf(v, into);
    }
  }
  return into;
}

function schemaKeys(schema: Schema, into = new Set<string>()): Set<string> {
  if (typeof schema === 'string' || 'literal' in schema || 'oneOf' in schema) return into;
  if ('nullable' in schema) return schemaKeys(schema.nullable, into);
  if ('arrayOf' in schema) return schemaKeys(schema.arrayOf, into);
  for (const [key, sub] of Object.entries(schema.object)) {
    into.add(key);
    schemaKeys(sub, into);
  }
  return into;
}

describe('docs/findings.md', () => {
  const text = read('docs/findings.md');

  it.each(Object.entries(FINDING_SEVERITY))('explains %s with its severity', (code, severity) => {
    const section = text.split(`\n## ${code}\n`)[1]?.split('\n## ')[0];
    expect(section, `no "## ${code}" section`).toBeDefined();
    expect(section!.trimStart().startsWith(`**${severity}.**`)).toBe(true);
    for (const part of ['**Detected:**', '**Next:**']) expect(section).toContain(part);
    expect(text).toMatch(new RegExp(`\\| \\[\`${code}\`\\]\\(#${code.toLowerCase()}\\) +\\| ${severity} `));
  });
});

describe('docs/output.md', () => {
  const text = read('docs/output.md');
  // A key counts as named when it is code (`key`, `parent.key`, `key.child`, `key: …` in a block)
  // or a member of a shape written as {a, b, c}.
  const documented = (key: string) => new RegExp(`\`(\\w+\\.)?${key}(\\.\\w+)?[\`:]|^ *${key}:|[{ ]${key}[,}]`, 'm').test(text);

  it('names every key of the audit report the example gives', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLES, '-o', 'json']);
    const missing = [...keysOf(JSON.parse(res.stdout))].filter((k) => !documented(k));
    expect(missing).toEqual([]);
  });

  it('names every key of the events document', () => {
    expect([...schemaKeys(historySchema)].filter((k) => !documented(k))).toEqual([]);
  });

  it('names every Prometheus series the audit prints', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLES, '-o', 'prometheus']);
    const series = new Set([...res.stdout.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    expect(series.size).toBeGreaterThan(0);
    expect([...series].filter((s) => !text.includes(`\`${s}\``))).toEqual([]);
  });

  it('lists every exit code', () => {
    for (const code of [0, 1, 2, 3, 4, 5, 70, 130]) expect(text).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
  });
});

describe('the user documents', () => {
  it.each(DOCS)('%s: relative links resolve, and nothing refers to material outside the repository', (file) => {
    const text = read(file);
    for (const [, target] of text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      expect(existsSync(join(repoRoot, dirname(file), target!)), `${file} links to ${target}`).toBe(true);
    }
    expect(text).not.toMatch(OUTSIDE);
    expect(text).not.toContain('§');
  });
});

describe('the repository', () => {
  it('refers to no document outside it: every tracked file', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const found = files
      .filter((file) => existsSync(join(repoRoot, file)))
      .flatMap((file) => {
        const text = read(file);
        if (!OUTSIDE.test(text)) return [];
        return text.split('\n').flatMap((line, i) => (OUTSIDE.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
      });
    expect(found).toEqual([]);
  });
});

// Hostile cluster data: the committed corpus under test/fixtures/hostile/
// (escape sequences, control and bidi characters, a 100 kB message, invalid UTF-8, wrong JSON
// types, missing and far-future timestamps) runs through `events` and `audit`, online against the
// fake API server and offline with --from-file, in every output format. Tables and the Prometheus
// text must hold no control, escape or bidi character; JSON and YAML must parse and carry the
// data as it is; nothing may crash or print a stack trace.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { type RunResult, runCli } from '../helpers/run-cli.js';

const corpusDir = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const corpus = (file: string): { items: object[] } => JSON.parse(readFileSync(join(corpusDir, file), 'utf8'));

/**
 * C0 but newline, DEL, C1, ALM, LRM/RLM, line/paragraph separators, bidi embeddings/overrides/isolates,
 * and invisible characters: soft hyphen, zero-width space/joiners, word joiner, invisible operators, BOM,
 * interlinear annotation, tag characters.
 */
const UNSAFE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeServer();
  for (const item of [...corpus('cluster.json').items, ...corpus('invalid-utf8.json').items]) server.add(item);
  dir = mkdtempSync(join(tmpdir(), 'rds-hostile-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: 'vms' });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectNoCrash(res: RunResult): void {
  expect(res.code, res.stderr).toBe(0);
  expect(res.stderr).not.toMatch(/^\s+at |internal error/m);
  for (const line of res.stderr.split('\n').filter((l) => l !== '')) expect(line).toMatch(/^warning: /);
}

function expectClean(out: string): void {
  const bad = UNSAFE.exec(out);
  expect(
    bad && { char: bad[0].codePointAt(0)!.toString(16), near: JSON.stringify(out.slice(Math.max(0, bad.index - 40), bad.index + 10)) },
  ).toBeNull();
}

function parseYaml(out: string): any {
  const docs = parseAllDocuments(out);
  expect(Array.isArray(docs) ? docs.length : 1).toBe(1);
  const doc = Array.isArray(docs) ? docs[0]! : docs;
  expect(doc.errors).toEqual([]);
  return doc.toJS();
}

const EVENTS = ['events', 'vm-disk', '--all'];
const AUDIT_ONLINE = ['audit', '--fail-on', 'never'];
const AUDIT_OFFLINE = ['audit', '--fail-on', 'never', '--from-file', corpusDir];
const AUDIT_OFFLINE_NOW = [...AUDIT_OFFLINE, '--now', '2025-06-01T12:00:00Z'];

describe.each([
  ['events online', EVENTS, ['table', 'wide']],
  ['audit online', AUDIT_ONLINE, ['table', 'wide', 'prometheus']],
  ['audit offline', AUDIT_OFFLINE, ['table', 'wide', 'prometheus']],
  ['audit offline --now', AUDIT_OFFLINE_NOW, ['table', 'wide', 'prometheus']],
])('%s', (_name, args, textFormats) => {
  it.each(textFormats)('-o %s: no control, escape or bidi character reaches the terminal', async (format) => {
    const res = await runCli([...args, '-o', format], { kubeconfig });
    expectNoCrash(res);
    expect(res.stdout.length).toBeGreaterThan(100);
    expectClean(res.stdout);
    expectClean(res.stderr.replaceAll('\n', ''));
  });

  it('-o json and -o yaml are valid documents carrying the data as it is', async () => {
    const [json, yaml] = await Promise.all([
      runCli([...args, '-o', 'json'], { kubeconfig }),
      runCli([...args, '-o', 'yaml'], { kubeconfig }),
    ]);
    expectNoCrash(json);
    expectNoCrash(yaml);
    const fromJson = JSON.parse(json.stdout);
    const fromYaml = parseYaml(yaml.stdout);
    // Online runs read the clock, so only the offline documents can match whole.
    if (args.includes('--from-file')) expect(fromYaml).toEqual(fromJson);
    else expect(fromYaml.migrations).toEqual(fromJson.migrations);
    // The raw data survives, correctly escaped: an escape sequence in a failure reason is still there,
    // and so are its invisible characters.
    expect(json.stdout).toContain('\\u001b]0;pwned');
    expect(JSON.stringify(fromJson)).toContain('end\u200B\u00AD\u2060\uFEFF\u{E0041}\uFFF9');
    if (fromJson.kind === 'PvcMigrationHistory') {
      const names: string[] = fromJson.events.map((e: { name: string }) => e.name);
      expect(names).toContain('vm-disk.\u001b[31mred\u001b[0m');
      const huge = fromJson.events.find((e: { name: string }) => e.name === 'vm-disk.hostile04');
      expect(huge.message.length).toBeGreaterThan(100 * 1024);
      expect(huge.parsed).toBeNull();
      // count "3" is a wrong type: treated as absent (1), not as three occurrences.
      expect(fromJson.events.find((e: { name: string }) => e.name === 'vm-disk.hostile05').count).toBe(1);
    } else {
      const unparsed = fromJson.findings.filter((f: { code: string }) => f.code === 'UnparsedEvent');
      expect(unparsed.length).toBeGreaterThanOrEqual(1);
      // Online, the fake gives the timestamp-less event a creationTimestamp, which then times it.
      if (args.includes('--from-file')) expect(fromJson.summary.untimedOccurrences).toBe(1);
    }
  });
});

describe('what happens to the unreadable ones', () => {
  it('online: an event without involvedObject is skipped with a warning', async () => {
    const res = await runCli([...AUDIT_ONLINE, '-o', 'json'], { kubeconfig });
    expect(res.stderr).toBe('warning: skipped 1 event(s) without a readable involvedObject\n');
  });

  it('offline: the same event is skipped and said so in the report', async () => {
    const res = await runCli([...AUDIT_OFFLINE, '-o', 'json'], { kubeconfig });
    expect(JSON.parse(res.stdout).warnings).toContain('1 object(s) in the dump could not be read and were skipped');
  });

  it('offline: a far-future timestamp does not become now; the report says so', async () => {
    const res = await runCli([...AUDIT_OFFLINE, '-o', 'json'], { kubeconfig });
    const doc = JSON.parse(res.stdout);
    expect(doc.now).not.toMatch(/^9999-/);
    expect(Date.parse(doc.now)).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    expect(doc.warnings.join('\n')).toContain('timestamps more than a day in the future (up to 9999-');
  });

  it('offline: invalid UTF-8 bytes are read leniently (U+FFFD), not fatal', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '--from-file', join(corpusDir, 'invalid-utf8.json'), '-o', 'wide']);
    expectNoCrash(res);
    expectClean(res.stdout);
    expect(res.stdout).toContain('UnparsedEvent');
  });
});

describe('hostile dumps: refused quickly with exit 2 and one line, never a crash or a stall', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  // 20 000 anchors and an alias of each: the yaml library resolves every alias by walking the whole
  // document, so the reader that parsed the whole text spent minutes of CPU on these 0.4 MB.
  const anchors = Array.from({ length: 20_000 }, (_, i) => `- &a${i} x`).join('\n');
  const aliases = Array.from({ length: 20_000 }, (_, i) => `*a${i}`).join(', ');
  it.concurrent.each([
    [
      'a YAML alias bomb (one alias per anchor, 20 000 of them)',
      'bomb.yaml',
      `kind: List\nitems:\n- kind: Event\n  anchors:\n${anchors.replaceAll('- &', '  - &')}\n  b: &b [${aliases}]\n  c: *b\n`,
      /^error: --from-file ".*bomb\.yaml" uses YAML aliases too heavily \(20001 in the piece from line 3\): refused as a resource-exhaustion attack\nhint: kubectl never writes YAML aliases; expand them before reading the dump\n$/,
    ],
    [
      'a billion laughs',
      'laughs.yaml',
      `kind: Event\na0: &a0 lol\n${Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}\n`,
      /^error: --from-file ".*laughs\.yaml" is not valid YAML: Excessive alias count indicates a resource exhaustion attack at line 1\n$/,
    ],
    [
      '100 000 nested JSON arrays (a stack overflow, exit 70, before)',
      'deep.json',
      deep(100_000),
      /^error: --from-file ".*deep\.json" nests arrays and objects deeper than 100 levels \(at line 1, column 101\)\n$/,
    ],
    [
      '100 000 nested YAML flow sequences',
      'deep.yaml',
      `kind: Event\nspec: ${deep(100_000)}\n`,
      /^error: --from-file ".*deep\.yaml" nests mappings and sequences deeper than 100 levels \(at line 2\)\n$/,
    ],
    [
      '100 000 nested YAML block sequences',
      'block.yaml',
      `- ${'- '.repeat(100_000)}x\n`,
      /^error: --from-file ".*block\.yaml" nests mappings and sequences deeper than 100 levels \(at line 1\)\n$/,
    ],
    [
      'a cyclic YAML alias (a stack overflow, exit 70, before)',
      'cycle.yaml',
      'kind: List\nitems: &x [*x]\n',
      /^error: --from-file ".*cycle\.yaml" is not valid YAML: an alias refers to a node that contains it \(a cycle\) at line 1\n$/,
    ],
    [
      'binary data',
      'binary.json',
      Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x00]),
      /^error: --from-file ".*binary\.json" holds NUL bytes: it is binary data, not a JSON or YAML dump\n$/,
    ],
  ])('%s', async (_name, file, content, message) => {
    const path = join(dir, file);
    writeFileSync(path, content);
    const res = await runCli(['audit', '--from-file', path, '-o', 'json'], { timeoutMs: 20_000 });
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.code).toBe(2);
  });
});

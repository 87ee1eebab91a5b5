// The streaming reader of --from-file dumps (src/app/dump-input.ts and its JSON and YAML readers)
// against the reader it replaced — parse the whole text, then flatten Lists — on every shape of
// dump, cut into chunks at every kind of boundary; and its limits and error lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { DUMP_LIMITS, forEachDumpObject } from '../../../src/app/dump-input.js';
import { UsageError } from '../../../src/errors.js';

/** Objects read from `chunks` given as stdin, with their sources. */
async function readChunks(chunks: (string | Buffer)[], signal = new AbortController().signal): Promise<object[]> {
  const objects: object[] = [];
  const stdin = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  await forEachDumpObject(['-'], { cwd: '/', stdin, signal }, (object, source) => {
    expect(source).toBe('stdin');
    objects.push(object);
  });
  return objects;
}

/** The error line (and hint) reading `text` gives. */
async function readError(text: string | Buffer): Promise<string> {
  try {
    await readChunks([text]);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error('read without an error');
}

/** The reader this replaced (whole text, JSON.parse or parseAllDocuments, then flattening). */
function referenceObjects(text: string): object[] {
  const trimmed = text.replace(/^\ufeff/, '').trimStart();
  const documents: unknown[] =
    trimmed.startsWith('{') || trimmed.startsWith('[')
      ? [JSON.parse(trimmed)]
      : parseAllDocuments(text.replace(/^\ufeff/, '')).map((d) => {
          if (d.errors[0]) throw d.errors[0];
          return d.toJS({ maxAliasCount: 100 });
        });
  const objects: object[] = [];
  const visit = (value: unknown, itemKind?: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, itemKind);
      return;
    }
    if (typeof value !== 'object') throw new Error('not objects');
    const items = (value as { items?: unknown }).items;
    const kind = (value as { kind?: unknown }).kind ?? itemKind;
    if (Array.isArray(items) && (typeof kind !== 'string' || kind.endsWith('List'))) {
      const inner = typeof kind === 'string' && kind !== 'List' ? kind.slice(0, -'List'.length) : undefined;
      for (const v of items) visit(v, inner);
    } else if (typeof kind === 'string') objects.push(kind === (value as { kind?: unknown }).kind ? value : { ...value, kind });
    else throw new Error('without a kind');
  };
  for (const d of documents) visit(d);
  return objects;
}

/** `text` as UTF-8 bytes cut at the given offsets (so multi-byte characters are cut too). */
function cut(text: string, offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const at = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const o of [...at, bytes.length]) {
    if (o > from) pieces.push(bytes.subarray(from, o));
    from = Math.max(from, o);
  }
  return pieces;
}

const event = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'vms' },
  involvedObject: { kind: 'PersistentVolumeClaim', name: 'disk', namespace: 'vms' },
  reason: 'MigrationStarted',
  message: `[pvc-1]: "quoted" \\ back-slashed, {braces} [brackets] ünïcødé 🚀 # not a comment\nsecond line`,
  count: 1,
  ...extra,
});
/** An Event as API-server lists hold it (no kind); a new object each time, so that YAML has no aliases. */
const kindless = (name: string) => {
  const { kind: _k, apiVersion: _a, ...rest } = event(name);
  return rest;
};

describe('every shape of dump, in chunks cut anywhere, reads as the whole text did', () => {
  const kubectlList = { apiVersion: 'v1', items: [event('a'), event('b')], kind: 'List', metadata: { resourceVersion: '' } };
  const apiList = { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [kindless('k1'), kindless('k2')] };
  const sortedApiList = { apiVersion: 'v1', items: [kindless('s1'), kindless('s2')], kind: 'EventList', metadata: {} };
  const SHAPES: [string, string][] = [
    ['kubectl -o json (items before kind)', JSON.stringify(kubectlList, null, 4)],
    ['an API-server list (kind first, items without kind)', JSON.stringify(apiList)],
    ['jq -S of an API-server list (items without kind before the kind)', JSON.stringify(sortedApiList, null, 2)],
    ['a single object', JSON.stringify(event('single'))],
    ['a top-level array of objects and lists', JSON.stringify([event('x'), apiList, [event('y')], null])],
    [
      'a List of Lists',
      JSON.stringify({ kind: 'List', items: [apiList, { kind: 'PersistentVolumeList', items: [{ metadata: { name: 'pv' } }] }] }),
    ],
    ['an object whose items are not an array', JSON.stringify({ kind: 'List', items: null, metadata: {} })],
    ['a non-List kind before its items', JSON.stringify({ kind: 'Event', items: [1, 2], metadata: { name: 'odd' } })],
    ['a member named __proto__', '{"kind":"Event","__proto__":{"x":1},"metadata":{"name":"p"}}'],
    ['with a byte order mark', `\ufeff${JSON.stringify(kubectlList)}`],
    ['empty Lists and objects', '{"kind":"List","items":[],"metadata":{}}\n'],
    ['numbers, booleans, nulls and escapes', '{"kind":"Event","n":-1.5e3,"t":true,"f":false,"z":null,"s":"\\"\\\\\\u00e9\\n","a":[[],{}]}'],
    ['kubectl -o yaml (items before kind)', stringify(kubectlList, { indentSeq: false })],
    ['YAML with indented sequences', stringify(kubectlList, { indentSeq: true })],
    ['a YAML API-server list', stringify(apiList)],
    ['YAML with items without kind before the kind', stringify(sortedApiList)],
    ['multi-document YAML', [event('d1'), apiList, kubectlList, event('d2')].map((o) => stringify(o)).join('---\n')],
    ['YAML with --- at the start and ... at the end', `---\n${stringify(kubectlList)}...\n---\n${stringify(event('z'))}`],
    ['YAML with directives', `%YAML 1.2\n---\n${stringify(kubectlList, { indentSeq: false })}`],
    [
      'YAML with comments around the items',
      `# dump\nkind: List\n# the items\nitems:\n\n# first\n- kind: Event\n  metadata: {name: c1}\n# between\n- kind: Event\n  metadata:\n    name: c2\n# after\nmetadata: {}\n`,
    ],
    [
      'YAML with items written in flow style',
      'kind: List\nitems: [{kind: Event, metadata: {name: f1}}, {kind: Event, metadata: {name: f2}}]\n',
    ],
    ['YAML with items: null', 'kind: List\nitems:\nmetadata: {}\n'],
    [
      'YAML with a block scalar and CRLF line ends',
      'kind: List\r\nitems:\r\n- kind: Event\r\n  message: |\r\n    line one\r\n    items:\r\n  count: 2\r\n',
    ],
    ['a top-level YAML sequence', '- kind: Event\n  metadata: {name: s1}\n- kind: Event\n  metadata: {name: s2}\n'],
    ['YAML with content on the --- line', '--- {kind: Event, metadata: {name: flow}}\n'],
    ['a YAML document of another shape', '!!map\nkind: Event\nmetadata: {name: tagged}\n'],
    ['a YAML document with only comments', '# nothing here\n'],
    ['leading blank lines', `\n\n   \n${JSON.stringify(event('lead'))}`],
    ['concatenated JSON values', `${JSON.stringify(event('c1'))}\n${JSON.stringify(event('c2'))}`],
  ];

  it.each(SHAPES)('%s', async (_name, text) => {
    const expected = _name === 'concatenated JSON values' ? [event('c1'), event('c2')] : referenceObjects(text);
    expect(await readChunks([text])).toEqual(expected);
    // Every single cut point of a short dump, and a few random multi-cuts.
    const bytes = Buffer.byteLength(text);
    for (let at = 1; at < Math.min(bytes, 400); at++) expect(await readChunks(cut(text, [at]))).toEqual(expected);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 30 }), async (offsets) => {
        expect(await readChunks(cut(text, offsets))).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('holds random Kubernetes-like objects the same way, in JSON and YAML of any layout', async () => {
    const scalar = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('any'), { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('any'), { maxKeys: 3 }),
      ),
    })).any;
    const object = fc.record({
      kind: fc.constantFrom('Event', 'PersistentVolume', 'VolumeAttachment', 'Pod'),
      metadata: fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }) }),
      spec: value,
    });
    const list = fc.record({
      kind: fc.constantFrom('List', 'EventList'),
      first: fc.boolean(),
      items: fc.array(object, { maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        list,
        fc.constantFrom('json', 'json-pretty', 'yaml', 'yaml-indented'),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (l, format, offsets) => {
          const body = l.first ? { kind: l.kind, items: l.items } : { items: l.items, kind: l.kind };
          const text =
            format === 'json'
              ? JSON.stringify(body)
              : format === 'json-pretty'
                ? JSON.stringify(body, null, 4)
                : stringify(body, { indentSeq: format === 'yaml-indented' });
          expect(await readChunks(cut(text, offsets))).toEqual(referenceObjects(text));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('any text at all', () => {
  it('is read, or refused with a UsageError (exit 2): never another error (exit 70)', async () => {
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      "'",
      ':',
      ',',
      '-',
      ' ',
      '\n',
      '\t',
      '#',
      '&a',
      '*a',
      '!!',
      '|',
      '>',
      '---',
      '...',
      'items',
      'kind',
      'List',
      'Event',
      '%YAML 1.2',
      '\\',
      '\u00e9',
      'null',
      '1',
      '?',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((p) => p.join('')),
        ),
        fc.array(fc.nat(), { maxLength: 5 }),
        async (text, offsets) => {
          try {
            await readChunks(cut(text, offsets));
          } catch (err) {
            if (!(err instanceof UsageError)) throw err;
            expect(err.message).toMatch(/^--from-file "stdin" /);
            expect(err.message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('what the reader refuses, with one line saying where', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  it.each([
    ['an empty input', '', /^--from-file "stdin" is empty$/],
    ['white space only', ' \n\t\n', /^--from-file "stdin" is empty$/],
    [
      'NUL bytes (/dev/zero through a pipe)',
      Buffer.alloc(1000),
      /^--from-file "stdin" holds NUL bytes: it is binary data, not a JSON or YAML dump$/,
    ],
    ['a scalar', '42\n', /does not hold Kubernetes objects$/],
    ['an object without a kind', '{"metadata":{}}', /holds an object without a kind$/],
    ['a List item without a kind in a plain List', '{"kind":"List","items":[{"metadata":{}}]}', /holds an object without a kind$/],
    [
      'truncated JSON',
      '{"kind": "List", "items": [\n  {"kind": "Event"',
      /is not valid JSON: unexpected end of input in an unclosed array or object at line 2, column 3$/,
    ],
    [
      'an unterminated string',
      '{"kind": "Ev',
      /is not valid JSON: unexpected end of input in an unterminated string at line 1, column 10$/,
    ],
    ['a missing comma', '{"kind":"List",\n "items":[]\n "x":1}', /is not valid JSON: expected ',' or '}', found '"' at line 3, column 2$/],
    [
      'a bad value inside an item',
      '{"kind":"List","items":[\n{"kind":"Event","count":01}]}',
      /is not valid JSON: .* at line 2, column \d+$/,
    ],
    ['text after the JSON', '{"kind":"Event"} x', /is not valid JSON: expected a value, found 'x' at line 1, column 18$/],
    ['100 000 nested JSON arrays', deep(100_000), /nests arrays and objects deeper than 100 levels \(at line 1, column 101\)$/],
    ['deep nesting inside a List item', `{"kind":"List","items":[${deep(200)}]}`, /nests arrays and objects deeper than 100 levels/],
    [
      '100 000 nested YAML flow sequences',
      `kind: Event\nx: ${deep(100_000)}`,
      /nests mappings and sequences deeper than 100 levels \(at line 2\)$/,
    ],
    [
      '100 000 nested YAML block sequences',
      `kind: Event\nx:\n${'- '.repeat(100_000)}x\n`,
      /nests mappings and sequences deeper than 100 levels \(at line 3\)$/,
    ],
    [
      'malformed YAML in the third item',
      'kind: List\nitems:\n- kind: Event\n- kind: Event\n- kind: [Event\n',
      /is not valid YAML: .* at line 5$/,
    ],
    ['a duplicate key', 'kind: Event\nmetadata: {}\nkind: Pod\n', /is not valid YAML: Map keys must be unique \("kind"\) at line 3$/],
    [
      'a second items key',
      'kind: List\nitems:\n- kind: Event\nitems:\n- kind: Event\n',
      /is not valid YAML: Map keys must be unique \("items"\) at line 4$/,
    ],
    [
      'a top-level sequence followed by a key',
      '- kind: Event\nkind: List\n',
      /is not valid YAML: a top-level sequence cannot be followed by other content at line 2$/,
    ],
    ['stdin named twice', null, /^--from-file - \(stdin\) can be given only once$/],
  ])('%s', async (_name, text, message) => {
    if (text === null) {
      const twice = forEachDumpObject(
        ['-', '-'],
        { cwd: '/', stdin: Readable.from([Buffer.from('{"kind":"List","items":[]}')]), signal: new AbortController().signal },
        () => {},
      );
      await expect(twice).rejects.toThrow(message);
      return;
    }
    expect(await readError(text)).toMatch(message);
  });

  it('a YAML alias bomb (aliases resolved per alias over the whole document) is refused before it is resolved', async () => {
    const anchors = Array.from({ length: 5000 }, (_, i) => `- &a${i} x`).join('\n');
    const aliases = Array.from({ length: 5000 }, (_, i) => `*a${i}`).join(', ');
    expect(await readError(`kind: Event\nanchors:\n${anchors}\nb: &b [${aliases}]\nc: *b\n`)).toMatch(
      /uses YAML aliases too heavily \(5001 in the piece from line 1\): refused as a resource-exhaustion attack$/,
    );
  });

  it('a billion laughs is refused by the alias count', async () => {
    let text = 'kind: List\nitems:\n- kind: Event\n  a0: &a0 "lol"\n';
    for (let i = 1; i < 10; i++)
      text += `  a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    expect(await readError(text)).toMatch(/is not valid YAML: Excessive alias count indicates a resource exhaustion attack at line 3$/);
  });

  it.each([['a: &x [*x]'], ['kind: List\nitems: &x [*x]'], ['kind: Event\na: &x {b: {c: *x}}']])(
    'a cyclic alias (%j), which nothing could walk, is refused',
    async (text) => {
      expect(await readError(text)).toMatch(/is not valid YAML: an alias refers to a node that contains it \(a cycle\) at line 1$/);
    },
  );

  it('a few aliases inside one object are fine', async () => {
    expect(await readChunks(['kind: Event\nmetadata: &m {name: e}\ncopy: *m\n'])).toEqual([
      { kind: 'Event', metadata: { name: 'e' }, copy: { name: 'e' } },
    ]);
  });

  it('an object over the size limit, in JSON and in YAML', async () => {
    const big = 'x'.repeat(DUMP_LIMITS.maxObjectBytes);
    expect(await readError(`{"kind":"List","items":[\n{"kind":"Event","message":"${big}"}]}`)).toMatch(
      /holds an object larger than 8 MiB \(from line 2, column 1\)$/,
    );
    expect(await readError(`kind: List\nitems:\n- kind: Event\n  message: ${big}\n`)).toMatch(
      /holds an object larger than 8 MiB \(from line 3\)$/,
    );
    const half = 'x'.repeat(DUMP_LIMITS.maxObjectBytes / 2);
    expect(await readError(`{"kind":"Event","a":"${half}","b":"${half}"}`)).toMatch(
      /holds an object larger than 8 MiB \(outside its items\)$/,
    );
  });

  it('a YAML object of too many tokens', async () => {
    const keys = Array.from({ length: 130_000 }, (_, i) => `k${i}: 1`).join('\n');
    expect(await readError(`kind: Event\n${keys}\n`)).toMatch(
      /holds an object too large to read as YAML \(over 250000 tokens, from line 1\)$/,
    );
  });

  it('List items without a kind held for a kind that comes after them, up to a limit', async () => {
    const item = JSON.stringify({ metadata: { name: 'x'.repeat(1000) } });
    const count = Math.ceil(DUMP_LIMITS.maxHeldBytes / item.length) + 1;
    const chunks = ['{"items":[', ...Array.from({ length: count }, (_, i) => (i === 0 ? item : `,${item}`)), '],"kind":"EventList"}'];
    await expect(readChunks(chunks)).rejects.toThrow(/holds more than 64 MiB of List items without a kind before the List's kind$/);
  });

  describe('the caps on all inputs together (here made small)', () => {
    const small = { ...DUMP_LIMITS, maxInputBytes: 300, maxYamlBytes: 200, maxObjects: 3 };
    const read = async (files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), 'rds-dump-caps-'));
      try {
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        const names = Object.keys(files).map((name) => join(dir, name));
        const objects: object[] = [];
        await forEachDumpObject(
          names,
          { cwd: dir, stdin: Readable.from([]), signal: new AbortController().signal },
          (o) => objects.push(o),
          small,
        );
        return objects.length;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const events = (n: number, pad = 0) =>
      JSON.stringify({ kind: 'List', items: Array.from({ length: n }, () => ({ kind: 'Event', p: 'x'.repeat(pad) })) });

    it('bytes: each input may be under the cap, all together not', async () => {
      expect(await read({ 'a.json': events(1, 100), 'b.json': events(1, 100) })).toBe(2);
      await expect(read({ 'a.json': events(1, 100), 'b.json': events(1, 100), 'c.json': events(1, 100) })).rejects.toThrow(
        /^--from-file inputs together are over the 300 bytes limit \(at ".*c\.json"\)$/,
      );
    });

    it('objects: counted over all inputs', async () => {
      expect(await read({ 'a.json': events(2), 'b.json': events(1) })).toBe(3);
      await expect(read({ 'a.json': events(2), 'b.json': events(2) })).rejects.toThrow(
        /^--from-file inputs hold more than 3 objects \(at ".*b\.json"\)$/,
      );
    });

    it('YAML has a cap of its own, JSON of the same size does not', async () => {
      const list = { kind: 'List', items: [{ kind: 'Event', p: 'x'.repeat(200) }] };
      expect(await read({ 'a.json': JSON.stringify(list) })).toBe(1);
      await expect(read({ 'a.yaml': stringify(list) })).rejects.toThrow(/^--from-file ".*a\.yaml" is over the 200 bytes limit for YAML$/);
    });
  });

  it('an abort while reading rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const stdin = new Readable({ read() {} });
    stdin.push('{"kind":"List","items":[');
    const reading = forEachDumpObject(['-'], { cwd: '/', stdin, signal: controller.signal }, () => {});
    setTimeout(() => controller.abort(reason), 20);
    await expect(reading).rejects.toBe(reason);
    expect(stdin.destroyed).toBe(true);
  });
});

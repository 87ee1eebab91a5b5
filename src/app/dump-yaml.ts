// A streaming reader of YAML dumps. The yaml library builds a syntax tree, a document model and
// then the values of a whole document — about 55 times the text in memory, for a kubectl List of
// a large cluster gigabytes — so this reader cuts the text, line by line, into the pieces of a
// kubectl dump and parses each on its own: the documents (`---`), and in a document that is a
// mapping the entries of its top-level `items:` sequence, one at a time, and the other keys around
// them. (Block structure makes that cut safe: a line at column 0 is a top-level key, a sequence
// entry, a comment or a document marker; an entry's own lines are indented below it.) A document
// of any other shape is parsed whole. Each piece is bounded in size, nesting depth and aliases,
// and parsed in steps that let Ctrl-C through.
import { Composer, type CST, type Document, isAlias, isMap, isPair, isScalar, isSeq, Lexer, type Node, Parser } from 'yaml';
import { UsageError } from '../errors.js';
import { formatBytes } from '../read-input.js';
import { type DumpValueSink, OBJECT_HINT } from './dump-objects.js';

export interface YamlLimits {
  /** The largest text of one piece: a List item, a document that is not a List, the keys around `items`. */
  maxObjectBytes: number;
  /** The deepest nesting of mappings and sequences. */
  maxDepth: number;
  /** The most aliases (`*name`) in one piece. */
  maxAliases: number;
  /**
   * The most lexical tokens in one piece: the library composes a piece in one go, at a few
   * microseconds a token, and a signal waits for that.
   */
  maxYamlTokens: number;
}

/** A piece of text parsed on its own. */
interface Unit {
  /** value: handed on whole; members: keys around `items`; item: one `items` entry; begin/end: the object around them. */
  role: 'value' | 'members' | 'item' | 'begin' | 'end';
  lines: string[];
  size: number;
  /** The line of the input where the piece begins. */
  firstLine: number;
  /** `%` directives and `---` put before the piece so it parses as in its document. */
  header: string;
}

/** Parsing yields to the event loop (so a signal is handled) once it has run this long. */
const STEP_MS = 50;
/** Aliases times nodes: what resolving aliases costs the yaml library (it walks the document per alias). */
const MAX_ALIAS_WORK = 10_000_000;

/** Reads one YAML input, chunk by chunk, into `sink`; `pause` yields to the event loop and throws when aborted. */
export class YamlDumpSplitter {
  private partial = '';
  private lineNo: number;
  private readonly queue: Unit[] = [];
  // The document being read.
  private shape: 'none' | 'map' | 'seq' | 'whole' = 'none';
  private started = false;
  private directives: string[] = [];
  private header = '';
  private unit: Unit | null = null;
  // A top-level mapping: where its `items:` is.
  private items: 'before' | 'key' | 'in' | 'after' = 'before';
  private itemsKey: { line: string; lineNo: number; held: string[] } | null = null;
  private seqIndent = 0;
  // While the queue is delivered: whether the open object's items are streamed, else collected.
  private streaming: boolean | null = null;
  private collected: unknown[] = [];
  private collectedSize = 0;
  /** When parsing last yielded to the event loop. */
  private lastBreak = performance.now();

  constructor(
    private readonly source: string,
    private readonly sink: DumpValueSink,
    private readonly limits: YamlLimits,
    private readonly pause: () => Promise<void>,
    firstLine = 1,
  ) {
    this.lineNo = firstLine - 1;
  }

  /** Reads the next chunk of text. */
  async write(text: string): Promise<void> {
    const all = this.partial === '' ? text : this.partial + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', start)) {
      this.onLine(all.slice(start, nl));
      start = nl + 1;
    }
    this.partial = all.slice(start);
    if (this.partial.length > this.limits.maxObjectBytes) throw this.tooLarge(this.lineNo + 1);
    await this.drain();
  }

  /** The input ended. */
  async end(): Promise<void> {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
    this.endDocument();
    await this.drain();
  }

  private onLine(raw: string): void {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('---') && (line.length === 3 || isSpace(line.charCodeAt(3)))) {
      // Directives before `---` belong to the document it starts.
      const directives = this.shape === 'none' && !this.started ? this.directives : [];
      this.endDocument();
      this.directives = directives;
      this.startDocument(line);
      return;
    }
    if (line.startsWith('...') && (line.length === 3 || isSpace(line.charCodeAt(3)))) {
      this.endDocument();
      return;
    }
    switch (this.shape) {
      case 'none':
        this.firstContent(line);
        return;
      case 'whole':
        this.add(line);
        return;
      case 'seq':
        this.seqLine(line);
        return;
      default:
        this.mapLine(line);
    }
  }

  private startDocument(marker: string): void {
    this.started = true;
    const rest = marker.slice(3).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      // Content on the `---` line: not a shape this reader cuts.
      this.shape = 'whole';
      this.startUnit('value', marker, this.directives.length > 0 ? `${this.directives.join('\n')}\n` : '');
      return;
    }
    this.header = this.directives.length > 0 ? `${this.directives.join('\n')}\n---\n` : '';
  }

  private firstContent(line: string): void {
    if (isBlankOrComment(line)) return;
    if (!this.started && line.startsWith('%')) {
      this.directives.push(line);
      return;
    }
    if (this.directives.length > 0 && !this.started) {
      // Directives without `---`: the library says what is wrong with that.
      this.shape = 'whole';
      this.startUnit('value', line, `${this.directives.join('\n')}\n`);
      return;
    }
    if (isEntry(line, 0)) {
      this.shape = 'seq';
      this.startUnit('value', line);
    } else if (startsPlainOrQuotedKey(line)) {
      this.shape = 'map';
      this.items = 'before';
      if (isItemsKey(line)) this.itemsKeyFound(line, false);
      else this.startUnit('value', line);
    } else {
      this.shape = 'whole';
      this.startUnit('value', line);
    }
  }

  private seqLine(line: string): void {
    if (!isBlankOrComment(line) && !isSpace(line.charCodeAt(0))) {
      if (!isEntry(line, 0)) throw this.invalidAt('a top-level sequence cannot be followed by other content', this.lineNo);
      this.flushUnit();
      this.startUnit('value', line);
      return;
    }
    this.add(line);
  }

  private mapLine(line: string): void {
    const content = !isBlankOrComment(line);
    const indent = content ? leadingSpaces(line) : -1;
    switch (this.items) {
      case 'before':
        if (content && indent === 0 && isItemsKey(line)) this.itemsKeyFound(line, true);
        else this.add(line);
        return;
      case 'key': {
        const key = this.itemsKey!;
        if (!content) {
          key.held.push(line);
          return;
        }
        if (isEntry(line, indent)) {
          this.items = 'in';
          this.seqIndent = indent;
          this.startUnit('item', line);
          return;
        }
        // `items` is not a block sequence (null, a mapping, flow style): it is read with the keys after it.
        this.items = 'after';
        this.startUnit('members', key.line, this.header, key.lineNo);
        for (const held of key.held) this.add(held);
        this.add(line);
        return;
      }
      case 'in':
        if (content && (indent < this.seqIndent || (indent === this.seqIndent && !isEntry(line, indent)))) {
          this.flushUnit();
          this.items = 'after';
          this.mapLine(line);
          return;
        }
        if (content && indent === this.seqIndent) {
          this.flushUnit();
          this.startUnit('item', line);
          return;
        }
        this.add(line);
        return;
      default:
        if (content && indent === 0 && isItemsKey(line)) throw this.invalidAt('Map keys must be unique ("items")', this.lineNo);
        if (this.unit === null) this.startUnit('members', line);
        else this.add(line);
    }
  }

  /** `items:` at column 0 of a top-level mapping: what came before are the object's first members. */
  private itemsKeyFound(line: string, afterOthers: boolean): void {
    this.queue.push(marker('begin'));
    if (afterOthers && this.unit !== null) {
      this.unit.role = 'members';
      this.flushUnit();
    }
    this.items = 'key';
    this.itemsKey = { line, lineNo: this.lineNo, held: [] };
  }

  private endDocument(): void {
    if (this.shape === 'map' && this.items !== 'before') {
      if (this.items === 'key') {
        const key = this.itemsKey!;
        this.startUnit('members', key.line, this.header, key.lineNo);
      }
      this.flushUnit();
      this.queue.push(marker('end'));
    } else this.flushUnit();
    this.shape = 'none';
    this.started = false;
    this.directives = [];
    this.header = '';
    this.items = 'before';
    this.itemsKey = null;
  }

  private startUnit(role: Unit['role'], line: string, header = this.header, firstLine = this.lineNo): void {
    this.flushUnit();
    this.unit = { role, lines: [line], size: line.length + 1, firstLine, header };
    if (this.unit.size > this.limits.maxObjectBytes) throw this.tooLarge(firstLine);
  }

  private add(line: string): void {
    const unit = this.unit!;
    unit.lines.push(line);
    unit.size += line.length + 1;
    if (unit.size > this.limits.maxObjectBytes) throw this.tooLarge(unit.firstLine);
  }

  private flushUnit(): void {
    if (this.unit !== null) this.queue.push(this.unit);
    this.unit = null;
  }

  /** Parses the pieces cut so far and hands them on, in order. */
  private async drain(): Promise<void> {
    for (let i = 0; i < this.queue.length; i++) {
      await this.deliver(this.queue[i]!);
      await this.breathe();
    }
    this.queue.length = 0;
  }

  private async deliver(unit: Unit): Promise<void> {
    switch (unit.role) {
      case 'begin':
        this.sink.beginObject();
        this.streaming = null;
        return;
      case 'end':
        if (this.collected.length > 0) this.sink.members({ items: this.collected }, this.collectedSize);
        this.collected = [];
        this.collectedSize = 0;
        this.sink.endObject();
        return;
      case 'members': {
        const value = await this.parse(unit);
        if (value === null || value === undefined) return;
        if (typeof value !== 'object' || Array.isArray(value)) throw this.invalidAt('expected a mapping', unit.firstLine);
        this.sink.members(value as Record<string, unknown>, unit.size);
        return;
      }
      case 'item': {
        const value = await this.parse(unit);
        // The piece is one sequence entry, so it parses to a sequence of one.
        const item = Array.isArray(value) ? value[0] : value;
        this.streaming ??= this.sink.beginItems();
        if (this.streaming) {
          this.sink.item(item, unit.size);
          return;
        }
        // Not a List after all: its items are one of its members, and count towards its size.
        this.collectedSize += unit.size;
        if (this.collectedSize > this.limits.maxObjectBytes) throw this.tooLarge(unit.firstLine);
        this.collected.push(item);
        return;
      }
      default:
        this.sink.value(await this.parse(unit));
    }
  }

  /** Parses one piece: lexed and parsed step by step (depth checked as it goes), composed, checked, converted. */
  private async parse(unit: Unit): Promise<unknown> {
    const text = unit.header + unit.lines.join('\n');
    unit.lines = [];
    const at = (offset: number): number =>
      unit.firstLine + countBreaks(text, Math.max(offset, unit.header.length)) - countBreaks(unit.header, unit.header.length);
    const parser = new Parser();
    const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
    const docs: Document.Parsed[] = [];
    const take = (tokens: Generator<CST.Token>): void => {
      for (const token of tokens) for (const doc of composer.next(token)) docs.push(doc);
    };
    let steps = 0;
    for (const lexeme of new Lexer().lex(text)) {
      take(parser.next(lexeme));
      // The parser's stack grows with the nesting: stop a deep one before it costs anything.
      if (parser.stack.length > this.limits.maxDepth + 2) throw this.tooDeep(at(parser.offset));
      if (++steps > this.limits.maxYamlTokens) {
        throw new UsageError(
          `--from-file "${this.source}" holds an object too large to read as YAML (over ${this.limits.maxYamlTokens} tokens, from line ${unit.firstLine})`,
          'save it as JSON (kubectl get ... -o json): a JSON object is read up to the size limit',
        );
      }
      if ((steps & 1023) === 0) await this.breathe();
    }
    take(parser.end());
    for (const doc of composer.end()) docs.push(doc);
    const doc = docs[0];
    if (doc === undefined) return null;
    const error = doc.errors[0] ?? (docs.length > 1 ? { code: '', message: 'several documents in one', pos: [0, 0] } : undefined);
    if (error !== undefined) {
      if (error.code === 'RESOURCE_EXHAUSTION') throw this.tooDeep(at(error.pos[0]));
      throw this.invalidAt(error.message.split('\n')[0]!, at(error.pos[0]));
    }
    const shape = inspect(doc.contents as Node | null);
    if (shape.depth > this.limits.maxDepth) throw this.tooDeep(at(shape.depthOffset));
    if (shape.duplicate !== null) throw this.invalidAt(`Map keys must be unique ("${shape.duplicate.key}")`, at(shape.duplicate.offset));
    if (shape.aliases > this.limits.maxAliases || shape.aliases * shape.nodes > MAX_ALIAS_WORK) {
      throw new UsageError(
        `--from-file "${this.source}" uses YAML aliases too heavily (${shape.aliases} in the piece from line ${unit.firstLine}): refused as a resource-exhaustion attack`,
        'kubectl never writes YAML aliases; expand them before reading the dump',
      );
    }
    await this.breathe();
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: this.limits.maxAliases });
    } catch (err) {
      throw this.invalidAt((err as Error).message.split('\n')[0]!, unit.firstLine);
    }
    if (!detachStrings(value)) throw this.invalidAt('an alias refers to a node that contains it (a cycle)', unit.firstLine);
    return value;
  }

  /** Yields to the event loop (where a signal is handled) when parsing has run STEP_MS without a break. */
  private async breathe(): Promise<void> {
    if (performance.now() - this.lastBreak < STEP_MS) return;
    await this.pause();
    this.lastBreak = performance.now();
  }

  private invalidAt(detail: string, line: number): UsageError {
    return new UsageError(`--from-file "${this.source}" is not valid YAML: ${detail} at line ${line}`);
  }

  private tooDeep(line: number): UsageError {
    return new UsageError(
      `--from-file "${this.source}" nests mappings and sequences deeper than ${this.limits.maxDepth} levels (at line ${line})`,
    );
  }

  private tooLarge(line: number): UsageError {
    return new UsageError(
      `--from-file "${this.source}" holds an object larger than ${formatBytes(this.limits.maxObjectBytes)} (from line ${line})`,
      OBJECT_HINT,
    );
  }
}

/**
 * Replaces every string in a value from the yaml library by a copy of its own. The library's
 * strings are slices of the piece's text, so one kept string (an event's name) kept the whole
 * piece alive: for a large dump, as much memory again as the dump. Returns false when the value
 * is cyclic (`&a [*a]`), which nothing downstream could walk.
 */
function detachStrings(root: unknown): boolean {
  const inProgress = new Set<object>();
  const done = new Set<object>();
  const stack: { node: object; exit: boolean }[] = [];
  const plain = (v: unknown): v is Record<string, unknown> | unknown[] =>
    v !== null &&
    typeof v === 'object' &&
    (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  if (plain(root)) stack.push({ node: root, exit: false });
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    if (exit) {
      inProgress.delete(node);
      done.add(node);
      continue;
    }
    if (done.has(node)) continue;
    inProgress.add(node);
    stack.push({ node, exit: true });
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      // (' ' + s).slice(1) flattens into a new string the length of s (V8 has no plainer way).
      if (typeof v === 'string') record[key] = ` ${v}`.slice(1);
      else if (plain(v)) {
        if (inProgress.has(v)) return false;
        if (!done.has(v)) stack.push({ node: v, exit: false });
      }
    }
  }
  return true;
}

function marker(role: 'begin' | 'end'): Unit {
  return { role, lines: [], size: 0, firstLine: 0, header: '' };
}

/** Depth, node count, alias count and the first duplicate key of a document, walked without recursion. */
function inspect(root: Node | null): {
  depth: number;
  depthOffset: number;
  nodes: number;
  aliases: number;
  duplicate: { key: string; offset: number } | null;
} {
  let depth = 0;
  let depthOffset = 0;
  let nodes = 0;
  let aliases = 0;
  let duplicate: { key: string; offset: number } | null = null;
  const stack: [unknown, number][] = root === null ? [] : [[root, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    nodes++;
    if (isAlias(node)) aliases++;
    else if (isMap(node) || isSeq(node)) {
      if (level > depth) {
        depth = level;
        depthOffset = node.range?.[0] ?? 0;
      }
      const keys = isMap(node) ? new Set<unknown>() : null;
      for (const item of node.items) {
        if (isPair(item)) {
          if (keys !== null && duplicate === null && isScalar(item.key)) {
            const key = item.key.value;
            if (keys.has(key)) duplicate = { key: String(key), offset: item.key.range?.[0] ?? 0 };
            keys.add(key);
          }
          if (item.key !== null && item.key !== undefined) stack.push([item.key, level + 1]);
          if (item.value !== null && item.value !== undefined) stack.push([item.value, level + 1]);
        } else stack.push([item, level + 1]);
      }
    }
  }
  return { depth, depthOffset, nodes, aliases, duplicate };
}

function countBreaks(text: string, upto: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < upto; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 0x20) i++;
  return i;
}

function isBlankOrComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x23) return true;
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** A block sequence entry (`- x` or `-`) at column `indent`. */
function isEntry(line: string, indent: number): boolean {
  return line.charCodeAt(indent) === 0x2d && (line.length === indent + 1 || isSpace(line.charCodeAt(indent + 1)));
}

/** Whether a line at column 0 may begin a mapping key: a plain scalar or a quoted one. */
function startsPlainOrQuotedKey(line: string): boolean {
  return /^[^\s\-?:,[\]{}#&*!|>%@`]/.test(line) || /^-[^\s]/.test(line);
}

/** `items:` with nothing after it (but a comment): the key of a List's items. */
function isItemsKey(line: string): boolean {
  return /^(?:items|"items"|'items')[ \t]*:[ \t]*(?:#.*)?$/.test(line);
}

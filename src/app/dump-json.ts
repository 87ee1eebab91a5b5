// A streaming reader of JSON dumps. A kubectl List of a large cluster is hundreds of megabytes, and
// JSON.parse of the whole text would hold the text and every object at once; this scanner walks
// the top level itself — the top-level value(s), top-level arrays, and the members of a top-level
// object — and hands each List item to JSON.parse on its own, so memory holds one item at a time.
// It also bounds what one item may cost: its size and its nesting depth.
import { UsageError } from '../errors.js';
import { formatBytes } from '../read-input.js';
import { type DumpValueSink, OBJECT_HINT } from './dump-objects.js';

export interface JsonLimits {
  /** The largest text of one value handed to JSON.parse (a List item, a member). */
  maxObjectBytes: number;
  /** The deepest nesting of arrays and objects, counted from the top. */
  maxDepth: number;
}

// Frames of the walked structure.
const ARRAY = 0; // a top-level array (or an array in one): its elements are walked too
const ITEMS = 1; // the `items` of a top-level object: each element is parsed whole
const OBJECT = 2; // a top-level object: each member value is parsed whole, `items` streamed

// Where a frame is.
const FIRST = 0; // after `[` or `{`
const NEXT = 1; // after an element or member: `,` or the close
const VALUE = 2; // after `,` in an array or `:` in an object
const KEY = 3; // after `,` in an object
const COLON = 4; // after a key

// What is being captured for JSON.parse.
const STRING = 0;
const CONTAINER = 1;
const SCALAR = 2;

// What a captured value is for.
const FOR_VALUE = 0;
const FOR_ITEM = 1;
const FOR_MEMBER = 2;
const FOR_KEY = 3;

const STRING_STOP = /["\\]/g;
const CONTAINER_STOP = /["{}[\]]/g;
const SCALAR_END = /[ \t\n\r,\]}]/g;
const VALUE_START = /["{[\-0-9tfn]/;

interface Frame {
  type: number;
  state: number;
}

interface Capture {
  type: number;
  target: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** Text of earlier chunks; the capture continues in the current one from `from`. */
  pieces: string[];
  size: number;
  from: number;
  /** Where it began, for error positions: the chunk, the index in it, and the chunk's start. */
  startText: string;
  startIndex: number;
  startLine: number;
  startColumn: number;
}

/** Reads one JSON input (a value, or several separated by whitespace), chunk by chunk, into `sink`. */
export class JsonDumpScanner {
  private readonly frames: Frame[] = [];
  private capture: Capture | null = null;
  private key = '';
  private text = '';
  /** Line and column (1-based) where the current chunk begins. */
  private line: number;
  private column = 1;

  constructor(
    private readonly source: string,
    private readonly sink: DumpValueSink,
    private readonly limits: JsonLimits,
    firstLine = 1,
  ) {
    this.line = firstLine;
  }

  /** Reads the next chunk of text. */
  write(text: string): void {
    this.text = text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.capture !== null) {
        i = this.continueCapture(i);
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else i = this.structural(c, i);
    }
    const capture = this.capture;
    if (capture !== null) {
      const piece = text.slice(capture.from);
      capture.size += piece.length;
      if (capture.size > this.limits.maxObjectBytes) throw this.tooLarge(capture);
      capture.pieces.push(piece);
      capture.from = 0;
    }
    const end = advance(text, text.length, this.line, this.column);
    this.line = end.line;
    this.column = end.column;
    this.text = '';
  }

  /** The input ended: whatever is still open is an error. */
  end(): void {
    const capture = this.capture;
    if (capture !== null) {
      if (capture.type !== SCALAR) {
        const what = capture.type === STRING || capture.inString ? 'an unterminated string' : 'an unclosed array or object';
        throw this.invalid(`unexpected end of input in ${what}`, this.startOf(capture));
      }
      this.capture = null;
      this.deliver(capture, capture.pieces.join(''));
    }
    const open = this.frames[this.frames.length - 1];
    if (open !== undefined) {
      throw this.invalid(
        `unexpected end of input in an unclosed ${open.type === OBJECT ? 'object' : 'array'}`,
        advance('', 0, this.line, this.column),
      );
    }
  }

  private structural(c: number, i: number): number {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return this.startValue(c, i, undefined);
    const close = frame.type === OBJECT ? 0x7d : 0x5d;
    switch (frame.state) {
      case FIRST:
        if (c === close) return this.closeFrame(i);
        if (frame.type !== OBJECT) return this.startValue(c, i, frame);
        return this.startKey(c, i, frame);
      case NEXT:
        if (c === 0x2c) {
          frame.state = frame.type === OBJECT ? KEY : VALUE;
          return i + 1;
        }
        if (c === close) return this.closeFrame(i);
        throw this.unexpected(i, frame.type === OBJECT ? "',' or '}'" : "',' or ']'");
      case KEY:
        return this.startKey(c, i, frame);
      case COLON:
        if (c !== 0x3a) throw this.unexpected(i, "':'");
        frame.state = VALUE;
        return i + 1;
      default:
        return this.startValue(c, i, frame);
    }
  }

  private startKey(c: number, i: number, frame: Frame): number {
    if (c !== 0x22) throw this.unexpected(i, frame.state === FIRST ? "a key or '}'" : 'a key');
    return this.startCapture(STRING, FOR_KEY, i);
  }

  private startValue(c: number, i: number, frame: Frame | undefined): number {
    if (frame?.type === ITEMS) return this.startRaw(c, i, FOR_ITEM);
    if (frame?.type === OBJECT) {
      if (c === 0x5b && this.key === 'items' && this.sink.beginItems()) return this.openFrame(ITEMS, i);
      return this.startRaw(c, i, FOR_MEMBER);
    }
    // At the top, or in a top-level array.
    if (c === 0x7b) {
      this.sink.beginObject();
      return this.openFrame(OBJECT, i);
    }
    if (c === 0x5b) return this.openFrame(ARRAY, i);
    return this.startRaw(c, i, FOR_VALUE);
  }

  private startRaw(c: number, i: number, target: number): number {
    if (!VALUE_START.test(String.fromCharCode(c))) throw this.unexpected(i, 'a value');
    const type = c === 0x22 ? STRING : c === 0x7b || c === 0x5b ? CONTAINER : SCALAR;
    return this.startCapture(type, target, i);
  }

  private startCapture(type: number, target: number, i: number): number {
    this.capture = {
      type,
      target,
      depth: 0,
      inString: false,
      escaped: false,
      pieces: [],
      size: 0,
      from: i,
      startText: this.text,
      startIndex: i,
      startLine: this.line,
      startColumn: this.column,
    };
    if (type === CONTAINER) return this.continueCapture(i);
    return type === STRING ? this.continueCapture(i + 1) : i;
  }

  private openFrame(type: number, i: number): number {
    if (this.frames.length + 1 > this.limits.maxDepth) throw this.tooDeep(advance(this.text, i, this.line, this.column));
    this.frames.push({ type, state: FIRST });
    return i + 1;
  }

  private closeFrame(i: number): number {
    const frame = this.frames.pop();
    if (frame?.type === OBJECT) this.sink.endObject();
    const parent = this.frames[this.frames.length - 1];
    if (parent !== undefined) parent.state = NEXT;
    return i + 1;
  }

  /** Scans the capture on from `i`; returns where it ended, or the end of the chunk. */
  private continueCapture(i: number): number {
    const capture = this.capture!;
    const text = this.text;
    const n = text.length;
    if (capture.type === SCALAR) {
      SCALAR_END.lastIndex = i;
      const m = SCALAR_END.exec(text);
      return m === null ? n : this.complete(m.index);
    }
    let j = i;
    if (capture.type === STRING) capture.inString = true;
    for (;;) {
      if (capture.inString) {
        if (capture.escaped) {
          capture.escaped = false;
          j++;
        }
        STRING_STOP.lastIndex = j;
        const m = STRING_STOP.exec(text);
        if (m === null) return n;
        j = m.index;
        if (text.charCodeAt(j) === 0x5c) {
          if (j + 1 >= n) {
            capture.escaped = true;
            return n;
          }
          j += 2;
          continue;
        }
        j++;
        capture.inString = false;
        if (capture.type === STRING) return this.complete(j);
        continue;
      }
      CONTAINER_STOP.lastIndex = j;
      const m = CONTAINER_STOP.exec(text);
      if (m === null) return n;
      j = m.index;
      const c = text.charCodeAt(j);
      j++;
      if (c === 0x22) capture.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        capture.depth++;
        if (this.frames.length + capture.depth > this.limits.maxDepth) {
          throw this.tooDeep(advance(text, j - 1, this.line, this.column));
        }
      } else {
        capture.depth--;
        if (capture.depth === 0) return this.complete(j);
      }
    }
  }

  /** The capture ends at `end` in the current chunk: parse it and hand it on. */
  private complete(end: number): number {
    const capture = this.capture!;
    this.capture = null;
    let raw: string;
    if (capture.pieces.length === 0) raw = this.text.slice(capture.from, end);
    else {
      capture.pieces.push(this.text.slice(0, end));
      raw = capture.pieces.join('');
    }
    if (raw.length > this.limits.maxObjectBytes) throw this.tooLarge(capture);
    this.deliver(capture, raw);
    return end;
  }

  private deliver(capture: Capture, raw: string): void {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      const { detail, offset } = describeJsonError(err);
      const start = this.startOf(capture);
      throw this.invalid(detail, offset === null ? start : advance(raw, offset, start.line, start.column));
    }
    const frame = this.frames[this.frames.length - 1];
    switch (capture.target) {
      case FOR_KEY:
        this.key = value as string;
        frame!.state = COLON;
        return;
      case FOR_MEMBER:
        this.sink.members({ [this.key]: value }, raw.length);
        break;
      case FOR_ITEM:
        this.sink.item(value, raw.length);
        break;
      default:
        this.sink.value(value);
    }
    if (frame !== undefined) frame.state = NEXT;
  }

  private startOf(capture: Capture): Position {
    return advance(capture.startText, capture.startIndex, capture.startLine, capture.startColumn);
  }

  private unexpected(i: number, expected: string): UsageError {
    const c = this.text[i] ?? '';
    const shown = /[\x21-\x7e]/.test(c) ? `'${c}'` : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return this.invalid(`expected ${expected}, found ${shown}`, advance(this.text, i, this.line, this.column));
  }

  private invalid(detail: string, at: Position): UsageError {
    return new UsageError(`--from-file "${this.source}" is not valid JSON: ${detail} at line ${at.line}, column ${at.column}`);
  }

  private tooDeep(at: Position): UsageError {
    return new UsageError(
      `--from-file "${this.source}" nests arrays and objects deeper than ${this.limits.maxDepth} levels (at line ${at.line}, column ${at.column})`,
    );
  }

  private tooLarge(capture: Capture): UsageError {
    const at = this.startOf(capture);
    return new UsageError(
      `--from-file "${this.source}" holds an object larger than ${formatBytes(this.limits.maxObjectBytes)} (from line ${at.line}, column ${at.column})`,
      OBJECT_HINT,
    );
  }
}

interface Position {
  line: number;
  column: number;
}

/** The position `upto` characters into `text`, which begins at (line, column). */
function advance(text: string, upto: number, line: number, column: number): Position {
  let lines = 0;
  let lastBreak = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < upto; i = text.indexOf('\n', i + 1)) {
    lines++;
    lastBreak = i;
  }
  return lines === 0 ? { line, column: column + upto } : { line: line + lines, column: upto - lastBreak };
}

/** JSON.parse's message without its own position (which is relative to the parsed piece), and that position. */
function describeJsonError(err: unknown): { detail: string; offset: number | null } {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  const at = /\s*in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(message);
  if (at) return { detail: message.slice(0, at.index) + message.slice(at.index + at[0].length), offset: Number(at[1]) };
  // `Unexpected token 'x', "<a piece of the text>" is not valid JSON`: the piece says nothing the position does not.
  const token = /^(Unexpected token .+?), ".*" is not valid JSON$/.exec(message);
  if (token) return { detail: token[1]!, offset: null };
  return { detail: message, offset: null };
}

// A reader for the plain block YAML that kubectl and cloud CLIs write into kubeconfig files,
// so that most runs need not load the `yaml` library (≈ 30 ms of start-up: its import plus
// its first, cold, parse; issue #5). It reads a strict subset — block mappings and
// sequences, simple keys, plain and simply quoted scalars — and answers `undefined` for
// anything else (anchors, tags, flow collections, block scalars, escapes, numbers, comments
// after values, tabs, non-ASCII...), which the caller then hands to `yaml`. Wherever it does
// answer, it must give exactly what `yaml.parse` gives: the differential test holds it to that.

interface Line {
  indent: number;
  content: string;
}

/** Thrown inside the reader when the text leaves the subset; never escapes `readPlainYaml`. */
class OutsideSubset extends Error {}

const outside = (): never => {
  throw new OutsideSubset();
};

/** The value of `text` when it is a block mapping or sequence in the subset, else undefined. */
export function readPlainYaml(text: string): unknown {
  // Printable ASCII and newlines only: no tabs, CRs, BOM or Unicode line separators.
  if (!/^[\x20-\x7e\n]*$/.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const content = line.trimStart();
    // Comment lines are ignored at any indentation; a directive or document marker is not ours.
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('%') || content.startsWith('---') || content.startsWith('...')) return undefined;
    lines.push({ indent: line.length - content.length, content });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  try {
    const [value, next] = readNode(lines, 0, 0);
    return next === lines.length ? value : undefined;
  } catch (err) {
    if (err instanceof OutsideSubset) return undefined;
    throw err;
  }
}

function isEntry(line: Line): boolean {
  return line.content === '-' || line.content.startsWith('- ');
}

function readNode(lines: Line[], i: number, indent: number): [unknown, number] {
  return isEntry(lines[i]!) ? readSequence(lines, i, indent) : readMapping(lines, i, indent);
}

const KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: +(.*))?$/;

function readMapping(lines: Line[], start: number, indent: number): [Record<string, unknown>, number] {
  const map: Record<string, unknown> = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const match = KEY.exec(lines[i]!.content);
    if (match === null) outside();
    const key = match![1]!;
    // A key that would resolve to null/bool, or that JavaScript treats specially, and repeated keys.
    if (typeof plainScalar(key) !== 'string' || key === '__proto__' || Object.hasOwn(map, key)) outside();
    const rest = match![2];
    i++;
    if (rest === undefined || rest === '') {
      const next = lines[i];
      if (next !== undefined && next.indent > indent) [map[key], i] = readNode(lines, i, next.indent);
      // kubectl's style: a sequence under a key at the key's own indentation.
      else if (next !== undefined && next.indent === indent && isEntry(next)) [map[key], i] = readSequence(lines, i, indent);
      else map[key] = null;
    } else {
      map[key] = scalar(rest);
      // A deeper line after a scalar would continue it over several lines.
      if (i < lines.length && lines[i]!.indent > indent) outside();
    }
  }
  return [map, i];
}

function readSequence(lines: Line[], start: number, indent: number): [unknown[], number] {
  const list: unknown[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && isEntry(lines[i]!)) {
    const after = lines[i]!.content.slice(2);
    const item = after.trimStart();
    if (item === '' || isEntry({ indent: 0, content: item })) outside();
    if (KEY.test(item)) {
      // `- key: value` opens a mapping whose keys line up with this first one.
      const column = indent + 2 + (after.length - item.length);
      lines[i] = { indent: column, content: item };
      let value: Record<string, unknown>;
      [value, i] = readMapping(lines, i, column);
      list.push(value);
    } else {
      list.push(scalar(item));
      i++;
      if (i < lines.length && lines[i]!.indent > indent) outside();
    }
  }
  return [list, i];
}

/** A value written on the key's or the entry's line. */
function scalar(text: string): unknown {
  if (text === '{}') return {};
  if (text === '[]') return [];
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const inner = text.slice(1, -1);
    // Only quotes with nothing to unescape: no backslash, no quote inside.
    if (text.length < 2 || text[text.length - 1] !== quote || inner.includes(quote) || (quote === '"' && inner.includes('\\'))) outside();
    return inner;
  }
  return plainScalar(text);
}

/**
 * A plain scalar with the YAML 1.2 core schema of `yaml.parse`: null and booleans are read,
 * anything that might be a number is left to `yaml`, the rest is a string.
 */
function plainScalar(text: string): unknown {
  // Indicators that start something else (an option such as `--region` may start with `-`).
  if (/^[?:,[\]{}#&*!|>'"%@`]/.test(text) || (text[0] === '-' && !/^-[A-Za-z-]/.test(text))) outside();
  // `: ` would make a nested mapping, ` #` a comment.
  if (text.includes(': ') || text.endsWith(':') || text.includes(' #')) outside();
  if (/^[-+]?[.0-9]/.test(text)) outside();
  if (text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  return text;
}

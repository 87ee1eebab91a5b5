// Text from the cluster (event messages, names, reasons) is untrusted: anyone who
// can create an Event could otherwise drive or disguise the operator's terminal
// (CVE-2021-25743). Everything shown in a table passes through here.
//
// A single forward scan, no regular expressions: linear in the input length even
// for adversarial input (unterminated OSC strings are remembered, not rescanned).

const ESC = 0x1b;
const BEL = 0x07;
const ST8 = 0x9c; // 8-bit String Terminator
/** High surrogate of the tag characters U+E0000–U+E007F (their low surrogates are U+DC00–U+DC7F). */
const TAG_HIGH = 0xdb40;

/** True for code units that are dropped or replaced by sanitizeText (U+DB40 only as part of a tag character). */
function isSpecial(c: number): boolean {
  return (
    c < 0x20 || // C0, including ESC, \t, \n, \r
    (c >= 0x7f && c <= 0x9f) || // DEL and C1
    c === 0x00ad || // SOFT HYPHEN
    c === 0x061c || // ARABIC LETTER MARK
    c === 0x180e || // MONGOLIAN VOWEL SEPARATOR
    (c >= 0x200b && c <= 0x200d) || // zero-width space, non-joiner, joiner
    c === 0x200e || // LEFT-TO-RIGHT MARK
    c === 0x200f || // RIGHT-TO-LEFT MARK
    c === 0x2028 || // LINE SEPARATOR
    c === 0x2029 || // PARAGRAPH SEPARATOR
    (c >= 0x202a && c <= 0x202e) || // bidi embeddings and overrides
    (c >= 0x2060 && c <= 0x2064) || // word joiner, invisible operators
    (c >= 0x2066 && c <= 0x2069) || // bidi isolates
    (c >= 0x206a && c <= 0x206f) || // deprecated format characters
    c === 0xfeff || // BOM / zero-width no-break space
    (c >= 0xfff9 && c <= 0xfffb) || // interlinear annotation
    c === TAG_HIGH // tag characters U+E0000–U+E007F (checked with the next code unit)
  );
}

/** Code units of a special character at `i` (2 for a tag character), or 0 when the text there is ordinary. */
function specialLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!isSpecial(c)) return 0;
  if (c !== TAG_HIGH) return 1;
  const low = s.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdc7f ? 2 : 0;
}

/** Control characters that separate words; they become one space instead of vanishing. */
function isLineBreakOrTab(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x2028 || c === 0x2029;
}

/**
 * Removes control characters, terminal escape sequences, bidi controls and invisible characters
 * (zero-width, BOM, tags, soft hyphen, ...); tabs and line breaks become one space per run.
 */
export function sanitizeText(s: string): string {
  const n = s.length;
  let out = '';
  let changed = false;
  let keepFrom = 0; // start of the pending run of ordinary text
  let lastWasSpace = false; // the last thing emitted was a space standing for a control run
  // Scanning for a string terminator from any index ≥ this one is known to fail.
  let noTerminatorFrom = n + 1;

  /** Index after a CSI sequence whose parameters start at k (malformed: what was consumed). */
  const skipCsi = (k: number): number => {
    while (k < n) {
      const c = s.charCodeAt(k);
      if (c < 0x30 || c > 0x3f) break; // parameter bytes
      k++;
    }
    while (k < n) {
      const c = s.charCodeAt(k);
      if (c < 0x20 || c > 0x2f) break; // intermediate bytes
      k++;
    }
    if (k < n) {
      const c = s.charCodeAt(k);
      if (c >= 0x40 && c <= 0x7e) return k + 1; // final byte
    }
    return k;
  };

  /** Index after the terminator (BEL, ESC \, ST) of a control string starting at k, or -1. */
  const skipControlString = (k: number): number => {
    if (k >= noTerminatorFrom) return -1;
    for (let m = k; m < n; m++) {
      const c = s.charCodeAt(m);
      if (c === BEL || c === ST8) return m + 1;
      if (c === ESC && s.charCodeAt(m + 1) === 0x5c) return m + 2;
    }
    noTerminatorFrom = k;
    return -1;
  };

  /** Index after an escape sequence whose ESC was at k - 1. */
  const skipEscape = (k: number): number => {
    if (k >= n) return k;
    const c = s.charCodeAt(k);
    if (c === 0x5b) return skipCsi(k + 1); // ESC [  CSI
    // ESC ] OSC, ESC P DCS, ESC X SOS, ESC ^ PM, ESC _ APC: strings ended by ST or BEL.
    if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) {
      const end = skipControlString(k + 1);
      return end < 0 ? k + 1 : end; // unterminated: drop the introducer, keep the (now inert) text
    }
    if (c >= 0x20 && c <= 0x2f) {
      // nF sequences such as ESC ( B: intermediates then one final byte.
      let m = k;
      while (m < n && s.charCodeAt(m) >= 0x20 && s.charCodeAt(m) <= 0x2f) m++;
      if (m < n && s.charCodeAt(m) >= 0x30 && s.charCodeAt(m) <= 0x7e) m++;
      return m;
    }
    if (c >= 0x30 && c <= 0x7e) return k + 1; // ESC 7, ESC c, ESC =, ...
    return k; // a lone ESC
  };

  let i = 0;
  while (i < n) {
    const length = specialLength(s, i);
    if (length === 0) {
      lastWasSpace = false;
      i++;
      continue;
    }
    const c = s.charCodeAt(i);
    changed = true;
    if (i > keepFrom) out += s.slice(keepFrom, i);
    let next: number;
    if (c === ESC) {
      next = skipEscape(i + 1);
    } else if (c === 0x9b) {
      next = skipCsi(i + 1); // 8-bit CSI
    } else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
      const end = skipControlString(i + 1); // 8-bit OSC, DCS, SOS, PM, APC
      next = end < 0 ? i + 1 : end;
    } else {
      if (isLineBreakOrTab(c) && !lastWasSpace) {
        out += ' ';
        lastWasSpace = true;
      }
      next = i + length;
    }
    keepFrom = next;
    i = next;
  }
  if (!changed) return s;
  if (keepFrom < n) out += s.slice(keepFrom);
  return out;
}

/**
 * Makes every character sanitizeText would act on visible as an escape (`\u001b`, `\u202e`,
 * `\u{e0041}`), keeping the rest: for showing a rejected value, where removing it would hide what was wrong.
 */
export function escapeUnsafe(s: string): string {
  let out = '';
  let keepFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const length = specialLength(s, i);
    if (length === 0) continue;
    const cp = s.codePointAt(i) ?? 0;
    out += `${s.slice(keepFrom, i)}${cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`}`;
    i += length - 1;
    keepFrom = i + 1;
  }
  return keepFrom === 0 ? s : out + s.slice(keepFrom);
}

/** A value quoted for an error line: JSON-style double quotes, everything unsafe escaped (`"a\u202eb"`). */
export function quoteValue(value: string): string {
  return escapeUnsafe(JSON.stringify(value));
}

/** Zero-width code points: combining marks, ZWJ, variation selectors. */
function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    cp === 0x200b ||
    cp === 0x200c ||
    cp === 0x200d ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** East Asian wide/fullwidth and emoji code points (an approximation of wcwidth = 2). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns one code point takes: 0, 1 or 2. */
function codePointWidth(cp: number): number {
  return isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
}

/** Display width of one grapheme cluster: the widest of its code points. */
function graphemeWidth(g: string): number {
  let w = 0;
  for (const ch of g) {
    const cw = codePointWidth(ch.codePointAt(0) ?? 0);
    if (cw > w) w = cw;
  }
  return w;
}

/** Terminal columns a sanitized string takes, ignoring SGR colour codes (ESC [ … m). */
export function displayWidth(s: string): number {
  let w = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x7f) {
      if (c === ESC && s.charCodeAt(i + 1) === 0x5b) {
        // Skip a colour code: parameters, then its final byte.
        let k = i + 2;
        while (k < n && s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x3f) k++;
        i = k; // at the final byte (or past the end); the loop's i++ steps over it
        continue;
      }
      if (c >= 0x20) w++;
      continue;
    }
    const cp = s.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    w += codePointWidth(cp);
  }
  return w;
}

let segmenter: Intl.Segmenter | undefined;

/** Shortens already-sanitized text to at most `max` terminal columns, ending it with `…` when cut. */
export function truncateText(s: string, max: number): string {
  if (max <= 0) return '';
  // Every code unit is at most two columns wide: short strings need no measuring.
  if (s.length * 2 <= max) return s;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes: { text: string; width: number }[] = [];
  let total = 0;
  for (const { segment } of segmenter.segment(s)) {
    const width = graphemeWidth(segment);
    total += width;
    graphemes.push({ text: segment, width });
    if (total > max + 2) break; // certainly cut: no need to measure the rest
  }
  if (total <= max) return s;
  let out = '';
  let used = 0;
  for (const g of graphemes) {
    if (used + g.width > max - 1) break;
    out += g.text;
    used += g.width;
  }
  return `${out}…`;
}

/** The longest run of whole graphemes of `s` at most `max` columns wide (at least one), and the rest. */
function splitAtWidth(s: string, max: number): [string, string] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let used = 0;
  let end = 0;
  for (const { segment, index } of segmenter.segment(s)) {
    const width = graphemeWidth(segment);
    if (index > 0 && used + width > max) break;
    used += width;
    end = index + segment.length;
  }
  return [s.slice(0, end), s.slice(end)];
}

/**
 * Word-wraps sanitized text to lines of at most `width` columns, each ending in a newline: `first`
 * starts the first line, `indent` the others. A word wider than a line (a long name) is broken.
 */
export function wrapText(text: string, width: number, first = '', indent = ''): string {
  const indentWidth = displayWidth(indent);
  const lines: string[] = [];
  let line = first;
  let used = displayWidth(first);
  let empty = true;
  for (const word of text.split(' ')) {
    if (word === '') continue;
    let rest = word;
    let restWidth = displayWidth(rest);
    if (!empty && used + 1 + restWidth <= width) {
      line += ` ${rest}`;
      used += 1 + restWidth;
      continue;
    }
    if (!empty) {
      lines.push(line);
      line = indent;
      used = indentWidth;
    }
    // Only plain words are broken: a coloured one (STUCK:) is short.
    while (used + restWidth > width && width - used >= 1 && !rest.includes('\u001b')) {
      const [head, tail] = splitAtWidth(rest, width - used);
      if (tail === '') break;
      lines.push(line + head);
      line = indent;
      used = indentWidth;
      rest = tail;
      restWidth = displayWidth(rest);
    }
    line += rest;
    used += restWidth;
    empty = false;
  }
  lines.push(line);
  let out = '';
  for (const l of lines) out += `${l.trimEnd()}\n`;
  return out;
}

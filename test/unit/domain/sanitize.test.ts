import { describe, expect, it } from 'vitest';
import { displayWidth, escapeUnsafe, quoteValue, sanitizeText, truncateText, wrapText } from '../../../src/domain/sanitize.js';
import { printableLineProblem } from '../../../src/domain/validation.js';

describe('sanitizeText', () => {
  it.each([
    ['plain ASCII is unchanged', 'vm-disk worker-1 -> worker-2', 'vm-disk worker-1 -> worker-2'],
    ['SGR colour (CSI … m)', 'a\u001b[31mred\u001b[0mb', 'aredb'],
    ['CSI with private parameters and intermediates', 'x\u001b[?1049hy\u001b[2 qz', 'xyz'],
    ['clear screen and cursor moves', '\u001b[2J\u001b[H\u001b[10;20Hok', 'ok'],
    ['OSC title ended by BEL', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['OSC 8 hyperlink ended by ESC \\', '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['DCS string', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['unterminated OSC drops only the introducer', 'a\u001b]0;title', 'a0;title'],
    ['two-character escapes', 'a\u001bcb\u001b7c\u001b(Bd', 'abcd'],
    ['lone ESC at the end', 'abc\u001b', 'abc'],
    ['BEL and other C0', 'a\u0007b\u0000c\u0008d', 'abcd'],
    ['DEL', 'a\u007fb', 'ab'],
    ['8-bit CSI (U+009B) with its parameters', 'a\u009b31mred', 'ared'],
    ['8-bit OSC ended by ST (U+009C)', 'a\u009d0;t\u009cb', 'ab'],
    ['other C1', 'a\u0085b\u0090c\u009fd', 'abcd'],
    ['bidi override U+202E', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['bidi embeddings and isolates', '\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069', 'abcdefg'],
    ['LRM, RLM, ALM', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['newline becomes a space', 'line one\nline two', 'line one line two'],
    ['a run of CR LF and tabs becomes one space', 'a\r\n\tb', 'a b'],
    ['line and paragraph separators become a space', 'a\u2028b\u2029c', 'a b c'],
    ['emoji and CJK are kept', 'disk 💾 ディスク 磁盘 é', 'disk 💾 ディスク 磁盘 é'],
    ['zero-width space, non-joiner and joiner', 'vm\u200B-disk\u200C-a\u200Db', 'vm-disk-ab'],
    ['a joined emoji sequence loses its joiners too', '👨\u200D👩\u200D👧', '👨👩👧'],
    ['BOM / zero-width no-break space', '\uFEFFvm-disk\uFEFF', 'vm-disk'],
    ['soft hyphen', 'vm\u00ADdisk', 'vmdisk'],
    ['word joiner and invisible operators', 'a\u2060b\u2061c\u2062d\u2063e\u2064f', 'abcdef'],
    ['interlinear annotation characters', 'a\uFFF9b\uFFFAc\uFFFBd', 'abcd'],
    ['Mongolian vowel separator and deprecated format characters', 'a\u180Eb\u206Ac\u206Fd', 'abcd'],
    ['tag characters (U+E0000–U+E007F)', 'vm-disk\u{E0001}\u{E0041}\u{E007F}', 'vm-disk'],
    ['a variation selector beyond the tags is kept', 'x\u{E0100}', 'x\u{E0100}'],
    ['a lone high surrogate of the tag block is kept as it is', 'a\uDB40b', 'a\uDB40b'],
    ['empty string', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it('removes exactly what --reason rejects (one set of unsafe characters)', () => {
    const codePoints = [...Array.from({ length: 0x10000 }, (_, i) => i), ...Array.from({ length: 0x200 }, (_, i) => 0xe0000 + i)];
    for (const cp of codePoints) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const text = `a${String.fromCodePoint(cp)}b`;
      const removed = sanitizeText(text) !== text;
      const rejected = printableLineProblem(text, 1024) !== null;
      if (removed !== rejected) expect({ cp: cp.toString(16), removed }).toEqual({ cp: cp.toString(16), removed: rejected });
    }
  });

  it('returns the same string when nothing needs removing', () => {
    const s = 'nothing to see here';
    expect(sanitizeText(s)).toBe(s);
  });

  it('leaves no escape, control or bidi character in hostile input', () => {
    const hostile = '\u001b[31m\u001b]0;x\u0007\u009b2J\u202e\u2066\u0000\u007f\u0085\r\n\u001b';
    expect(sanitizeText(hostile.repeat(50))).toMatch(/^ *$/);
  });

  it.each([
    ['100 kB of plain text', 'a'.repeat(100_000)],
    ['100 kB of unterminated OSC introducers', '\u001b]'.repeat(50_000)],
    ['100 kB of unterminated CSI parameters', `\u001b[${'1;'.repeat(50_000)}`],
    ['100 kB of ESC', '\u001b'.repeat(100_000)],
    ['100 kB of mixed controls', 'a\u001b[31mb\u202ec\n'.repeat(10_000)],
  ])('cleans %s (its linear time is measured by bench/linear.mjs, not asserted here)', (_name, input) => {
    const out = sanitizeText(input);
    expect(out).not.toMatch(/[\u001b\u202e]/);
    expect(out.length).toBeLessThanOrEqual(input.length);
  });
});

describe('displayWidth', () => {
  it.each([
    ['worker-1', 8],
    ['\u001b[31mfailed\u001b[39m', 6],
    ['磁盘', 4],
    ['💾', 2],
    ['é', 1],
    ['e\u0301', 1],
  ])('%j is %i columns', (s, width) => {
    expect(displayWidth(s)).toBe(width);
  });
});

describe('truncateText', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly ten', 11, 'exactly ten'],
    ['one too long', 11, 'one too lo…'],
    ['abc', 1, '…'],
    ['abc', 0, ''],
    ['磁盘磁盘磁盘', 7, '磁盘磁…'],
    ['💾💾💾💾', 5, '💾💾…'],
    ['e\u0301e\u0301e\u0301e\u0301', 3, 'e\u0301e\u0301…'],
  ])('%j to %i columns is %j', (s, max, expected) => {
    expect(truncateText(s, max)).toBe(expected);
  });

  it('never exceeds the limit', () => {
    const s = 'rpc error: code = FailedPrecondition desc = 磁盘 💾 volume is attached elsewhere';
    for (let max = 1; max < 90; max++) expect(displayWidth(truncateText(s, max))).toBeLessThanOrEqual(max);
  });
});

describe('escapeUnsafe / quoteValue', () => {
  it.each([
    ['plain text is unchanged', 'json', 'json'],
    ['an OSC title: every control shown, the rest inert', 'json\u001b]0;PWNED\u0007', 'json\\u001b]0;PWNED\\u0007'],
    ['bidi override', 'a\u202eb', 'a\\u202eb'],
    ['zero-width space and BOM', '\ufeffa\u200bb', '\\ufeffa\\u200bb'],
    ['a tag character as one escape', 'a\u{e0041}', 'a\\u{e0041}'],
    ['a newline', 'a\nb', 'a\\u000ab'],
  ])('%s', (_name, input, expected) => {
    expect(escapeUnsafe(input)).toBe(expected);
  });

  it('quotes like JSON and escapes what JSON leaves raw', () => {
    expect(quoteValue('a\u202eb')).toBe('"a\\u202eb"');
    expect(quoteValue('a"b\u001b')).toBe('"a\\"b\\u001b"');
    expect(quoteValue('x\u0085\u200d')).toBe('"x\\u0085\\u200d"');
  });
});

describe('wrapText', () => {
  it('wraps at word boundaries with a first-line prefix and a hanging indent', () => {
    expect(wrapText('one two three four five six', 15, 'Key: ', '     ')).toBe('Key: one two\n     three four\n     five six\n');
  });

  it('breaks a word wider than a line (a long name) and never exceeds the width', () => {
    const name = `csi-${'e50e962d'.repeat(8)}`;
    const out = wrapText(`Inspect VolumeAttachment ${name} on worker-1`, 30, '    Next: ', '    ');
    for (const line of out.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(out.replace(/\n {4}/g, '')).toContain(name);
  });

  it('measures wide characters and ignores colour codes', () => {
    expect(wrapText('磁盘磁盘 \u001b[31mSTUCK\u001b[39m ok', 9)).toBe('磁盘磁盘\n\u001b[31mSTUCK\u001b[39m ok\n');
  });

  it('an empty text is the prefix alone', () => {
    expect(wrapText('', 20, 'Nodes:   ')).toBe('Nodes:\n');
  });
});

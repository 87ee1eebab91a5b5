import { describe, expect, it } from 'vitest';
import { displayWidth, sanitizeText, truncateText } from '../../../src/domain/sanitize.js';

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
    ['emoji and CJK are kept', 'disk 💾 ディスク 磁盘 👨‍👩‍👧 é', 'disk 💾 ディスク 磁盘 👨‍👩‍👧 é'],
    ['empty string', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
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

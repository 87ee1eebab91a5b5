import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeRawUnsafe, RAW_UNSAFE } from '../../../src/render/document.js';

/** The escaping by its definition: every such character as a \uXXXX escape, nothing else touched. */
const byDefinition = (text: string): string =>
  [...text].map((c) => (RAW_UNSAFE.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');

describe('escapeRawUnsafe', () => {
  it.each([
    ['plain ASCII', 'vms/pg-01 {"a": 1}', 'vms/pg-01 {"a": 1}'],
    ['DEL, the one ASCII character it escapes', 'a\u007fb', 'a\\u007fb'],
    ['C1 CSI', 'x\u009b31my', 'x\\u009b31my'],
    ['bidi and line separators', '\u202e\u2028\u2029', '\\u202e\\u2028\\u2029'],
    ['other non-ASCII, kept', 'Zürich ✓ 日本', 'Zürich ✓ 日本'],
  ])('%s', (_, text, escaped) => {
    expect(escapeRawUnsafe(text)).toBe(escaped);
  });

  it('escapes exactly the characters RAW_UNSAFE names, in any text (ASCII or not)', () => {
    const unsafe = fc.constantFrom('\u007f', '\u0085', '\u009b', '\u061c', '\u200e', '\u2028', '\u202e', '\u2066', '\ufeff');
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' }), unsafe))
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(escapeRawUnsafe(t)).toBe(byDefinition(t));
      }),
      { numRuns: 5000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../../src/domain/time.js';

describe('parseTimestamp', () => {
  it.each([
    ['2025-01-02T03:04:05Z', Date.UTC(2025, 0, 2, 3, 4, 5)],
    ['2025-01-02T03:04:05.123Z', Date.UTC(2025, 0, 2, 3, 4, 5, 123)],
    ['2025-01-02T03:04:05.123456Z', Date.UTC(2025, 0, 2, 3, 4, 5, 123)], // MicroTime: sub-ms truncated
    ['2025-01-02T03:04:05.5Z', Date.UTC(2025, 0, 2, 3, 4, 5, 500)],
    ['2025-01-02T05:04:05+02:00', Date.UTC(2025, 0, 2, 3, 4, 5)],
    ['2025-01-02T00:04:05-03:00', Date.UTC(2025, 0, 2, 3, 4, 5)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['9999-12-31T23:59:59.999Z', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ['9999-12-31T23:59:59+23:59', Date.UTC(9999, 11, 31, 0, 0, 59)],
    ['1970-01-01T00:00:00-00:01', 60_000],
  ])('%s → epoch ms', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    [''],
    ['2025-01-02'],
    ['2025-01-02T03:04:05'], // no zone
    ['2025-01-02 03:04:05Z'],
    ['2025-13-02T03:04:05Z'],
    ['2025-02-29T03:04:05Z'], // not a leap year
    ['2025-01-02T24:00:00Z'],
    ['2025-01-02T03:60:00Z'],
    ['2025-01-02T03:04:60Z'],
    ['2025-01-02T03:04:05.Z'],
    ['1969-12-31T23:59:59Z'],
    ['0001-01-01T00:00:00Z'], // Go's zero time
    ['+10000-01-01T00:00:00Z'],
    // Valid fields, but an instant after 9999-12-31T23:59:59Z or before 1970 once the offset is applied.
    ['9999-12-31T23:59:59-23:59'],
    ['9999-12-31T23:00:00-01:00'],
    ['1970-01-01T00:00:00+00:01'],
    ['1970-01-01T00:59:59.999+01:00'],
    [' 2025-01-02T03:04:05Z'],
    ['yesterday'],
  ])('rejects %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it.each([[null], [undefined], [1735787045000], [{}], [[]], [true], [new Date(Number.NaN)]])(
    'non-strings and invalid Dates give null: %j',
    (value) => {
      expect(parseTimestamp(value)).toBeNull();
    },
  );

  it('accepts a valid Date (client-node deserializes metav1.Time to Date)', () => {
    expect(parseTimestamp(new Date(Date.UTC(2025, 0, 2)))).toBe(Date.UTC(2025, 0, 2));
  });

  it('whatever it accepts is written back as four-digit-year RFC 3339 that parses to the same instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1960, max: 10000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom('Z', '+23:59', '-23:59', '+05:30', '-00:01'),
        (year, month, day, hour, zone) => {
          const pad = (n: number): string => String(n).padStart(2, '0');
          const ms = parseTimestamp(`${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}T${pad(hour)}:00:00${zone}`);
          if (ms === null) return;
          const text = formatTimestamp(ms);
          expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
          expect(parseTimestamp(text)).toBe(ms);
        },
      ),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseTimestamp(s);
        expect(r === null || Number.isFinite(r)).toBe(true);
      }),
    );
  });
});

describe('formatTimestamp', () => {
  it.each([
    [Date.UTC(2025, 0, 2, 3, 4, 5), '2025-01-02T03:04:05Z'],
    [Date.UTC(2025, 0, 2, 3, 4, 5, 123), '2025-01-02T03:04:05.123Z'],
    [Date.UTC(2025, 0, 2, 3, 4, 5, 100), '2025-01-02T03:04:05.100Z'],
    [0, '1970-01-01T00:00:00Z'],
  ])('%d → %s', (ms, text) => {
    expect(formatTimestamp(ms)).toBe(text);
  });

  it.each([[-1e16], [1e16], [Number.NEGATIVE_INFINITY], [Number.NaN]])('never throws, even for %d', (ms) => {
    expect(typeof formatTimestamp(ms)).toBe('string');
  });

  it('writes what Date#toISOString writes (without a .000 fraction), over the whole Date range', () => {
    const iso = (ms: number): string => {
      const text = new Date(ms).toISOString();
      return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
    };
    const MAX = 8.64e15;
    const edges = [-MAX, MAX, -62167219200000, -62167219200001, 253402300799999, 253402300800000, -1, 0, 951782400000, 951868800000];
    for (const ms of edges) expect(formatTimestamp(ms)).toBe(iso(ms));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -MAX, max: MAX }),
          fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
          fc.double({ min: -MAX, max: MAX, noNaN: true }),
        ),
        (ms) => {
          expect(formatTimestamp(ms)).toBe(iso(Math.floor(ms)));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('round-trips through parseTimestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, formatGoDuration, parseDuration, roundToSeconds } from '../../../src/domain/duration.js';
import { formatMigrationMessage, parseMigrationMessage } from '../../../src/domain/messages.js';
import type { MigrationMessageInput } from '../../../src/domain/types.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/);
/** DNS-1123 subdomains: what node names look like. */
const nodeName = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));

const printableAscii = fc.mapToConstant({ num: 95, build: (v) => String.fromCharCode(0x20 + v) });
const printableUnit = fc.oneof(
  { weight: 8, arbitrary: printableAscii },
  { weight: 1, arbitrary: fc.constantFrom('é', '→', 'µ', '日', '\u00a0') },
);

/** The driver's pvc-<uuid>, DNS-ish names, or any printable text without `]` around no spaces. */
const volumeId = fc.oneof(
  fc.uuid().map((uuid) => `pvc-${uuid}`),
  nodeName,
  fc
    .string({ unit: printableUnit, minLength: 1, maxLength: 40 })
    .map((s) => s.replaceAll(']', '').trim())
    .filter((s) => s !== ''),
);

/** Single-line printable reasons, with a bias toward the separators the parser cares about. */
const failureReason = fc
  .array(
    fc.oneof(
      fc.string({ unit: printableUnit, maxLength: 20 }),
      fc.constantFrom(', elapsed: 5s', ', elapsed: ', ', ', 'elapsed', ' -> ', '→', '(', ')', ': ', 'timeout'),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const seconds = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });

describe('duration properties', () => {
  it('parseDuration inverts formatGoDuration on whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
        expect(parseDuration(formatGoDuration(n))).toBe(n);
      }),
    );
  });

  it('parseDuration(formatGoDuration(x)) === roundToSeconds(x) for x >= 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDuration(formatGoDuration(x))).toBe(roundToSeconds(x));
      }),
    );
  });

  it('round-trips negative values with allowNegative', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 0, noNaN: true }), (x) => {
        expect(parseDuration(formatGoDuration(x), { allowNegative: true })).toBe(roundToSeconds(x));
      }),
    );
  });

  it('sums h/m/s pairs in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (h, m, s) => {
        const expected = h * 3600 + m * 60 + s;
        expect(parseDuration(`${h}h${m}m${s}s`)).toBe(expected);
        expect(parseDuration(`${s}s${h}h${m}m`)).toBe(expected);
      }),
    );
  });

  it('rounding is symmetric around zero and within half a second', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
        const r = roundToSeconds(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
        expect(roundToSeconds(-x)).toBe(r === 0 ? 0 : -r);
      }),
    );
  });

  it('parseDuration throws only DurationSyntaxError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.+-hmsnuµμ x'.split('')), maxLength: 24 }), (text) => {
        try {
          const value = parseDuration(text, { allowNegative: true });
          expect(Number.isFinite(value)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DurationSyntaxError);
        }
      }),
    );
  });
});

describe('message properties', () => {
  it('parseMigrationMessage inverts formatMigrationMessage', () => {
    const input: fc.Arbitrary<MigrationMessageInput> = fc.oneof(
      fc.record({
        reason: fc.constant('MigrationStarted' as const),
        volumeId,
        sourceNode: nodeName,
        targetNode: nodeName,
        timeoutSeconds: seconds,
      }),
      fc.record({
        reason: fc.constant('MigrationCompleted' as const),
        volumeId,
        sourceNode: nodeName,
        targetNode: nodeName,
        durationSeconds: seconds,
      }),
      fc.record({
        reason: fc.constant('MigrationFailed' as const),
        volumeId,
        sourceNode: nodeName,
        targetNode: nodeName,
        failureReason,
        elapsedSeconds: seconds,
      }),
    );
    fc.assert(
      fc.property(input, fc.boolean(), (message, combined) => {
        const text = (combined ? '(combined from similar events): ' : '') + formatMigrationMessage(message);
        const parsed = parseMigrationMessage(message.reason, text);
        expect(parsed).toEqual({
          volumeId: message.volumeId,
          sourceNode: message.sourceNode,
          targetNode: message.targetNode,
          timeoutSeconds: message.reason === 'MigrationStarted' ? roundToSeconds(message.timeoutSeconds) : null,
          durationSeconds:
            message.reason === 'MigrationCompleted'
              ? roundToSeconds(message.durationSeconds)
              : message.reason === 'MigrationFailed'
                ? roundToSeconds(message.elapsedSeconds)
                : null,
          // Surrounding whitespace of the free text is not recoverable from the message.
          failureReason: message.reason === 'MigrationFailed' ? message.failureReason.trim() : null,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('parseMigrationMessage never throws', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('MigrationStarted', 'MigrationCompleted', 'MigrationFailed', 'Other'),
        fc.string({ unit: printableUnit, maxLength: 200 }),
        (reason, message) => {
          parseMigrationMessage(reason, message);
        },
      ),
    );
  });
});

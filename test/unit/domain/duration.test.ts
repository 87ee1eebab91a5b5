import { describe, expect, it } from 'vitest';
import {
  DurationSyntaxError,
  formatAge,
  formatGoDuration,
  parseDuration,
  parseFlagDuration,
  roundToSeconds,
} from '../../../src/domain/duration.js';

// Expected values follow Go's time package (Duration.String, Round, ParseDuration)
// and kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration); the Go oracle test
// (test/integration/go-duration.test.ts) checks the Go half against Go itself.

describe('roundToSeconds', () => {
  it.each([
    [2.5, 3],
    [-1.5, -2],
    [2.4999, 2],
    [0.5, 1],
    [0.499, 0],
    [1.5, 2],
    [-2.5, -3],
    [-0.4, 0],
    [0.49999999999999994, 0],
    [135.456, 135],
    [135.5, 136],
    [7, 7],
  ])('rounds %s to %s, halfway away from zero', (input, expected) => {
    expect(roundToSeconds(input)).toBe(expected);
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [-0, '0s'],
    [0.4, '0s'],
    [0.499, '0s'],
    [0.49999999999999994, '0s'],
    [0.5, '1s'],
    [0.999, '1s'],
    [1, '1s'],
    [1.4999, '1s'],
    [1.5, '2s'],
    [2.5, '3s'],
    [45, '45s'],
    [59, '59s'],
    [59.4, '59s'],
    [59.5, '1m0s'],
    [60, '1m0s'],
    [61, '1m1s'],
    [90, '1m30s'],
    [135.456, '2m15s'],
    [135.5, '2m16s'],
    [300, '5m0s'],
    [3599, '59m59s'],
    [3599.5, '1h0m0s'],
    [3600, '1h0m0s'],
    [3601, '1h0m1s'],
    [3660, '1h1m0s'],
    [3661, '1h1m1s'],
    [3723, '1h2m3s'],
    [5400, '1h30m0s'],
    [7200, '2h0m0s'],
    [86400, '24h0m0s'],
    [93600, '26h0m0s'],
    [93784, '26h3m4s'],
    [360000, '100h0m0s'],
    [1.08e9, '300000h0m0s'],
    [9223372036, '2562047h47m16s'],
    [9223372036.4, '2562047h47m16s'],
    // Go's Round saturates at the largest Duration instead of overflowing.
    [9223372036.5, '2562047h47m16.854775807s'],
    [1e12, '2562047h47m16.854775807s'],
    [Infinity, '2562047h47m16.854775807s'],
    [-0.4, '0s'],
    [-0.5, '-1s'],
    [-1.5, '-2s'],
    [-2.5, '-3s'],
    [-5, '-5s'],
    [-59.5, '-1m0s'],
    [-135.456, '-2m15s'],
    [-3661, '-1h1m1s'],
    [-1e12, '-2562047h47m16.854775808s'],
  ])('formats %s s as %s', (seconds, expected) => {
    expect(formatGoDuration(seconds)).toBe(expected);
  });

  it('rejects NaN, which has no Go equivalent', () => {
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['00', 0],
    ['0s', 0],
    ['-0s', 0],
    ['0.0h', 0],
    ['1ns', 1e-9],
    ['100ns', 1e-7],
    ['1us', 1e-6],
    ['1\u00b5s', 1e-6],
    ['1\u03bcs', 1e-6],
    ['1.5\u00b5s', 1.5e-6],
    ['1ms', 0.001],
    ['1.5ms', 0.0015],
    ['300ms', 0.3],
    ['999ms', 0.999],
    ['1s', 1],
    ['+5s', 5],
    ['1.5s', 1.5],
    ['.5s', 0.5],
    ['5.s', 5],
    ['90s', 90],
    ['5m', 300],
    ['5m0s', 300],
    ['1h', 3600],
    ['1h0m0s', 3600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['0.1h', 360],
    ['1.1h', 3960],
    ['2h45m', 9900],
    ['1m1m', 120],
    ['30s1m', 90],
    ['2m15.456s', 135.456],
    ['2m15.5s', 135.5],
    ['26h3m4s', 93784],
    ['1h1m1s1ms1us1ns', 3661.001001001],
    ['0.000000001s', 1e-9],
    // Digits below a nanosecond are dropped, as Go does.
    ['1.0000000001s', 1],
    ['0.3333333333h', 1199.99999988],
    ['300000h', 1.08e9],
    ['300', 300],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+300', 300],
  ])('parses %j as %s s', (text, expected) => {
    expect(parseDuration(text)).toBeCloseTo(expected, 9);
  });

  it('returns exactly 0, not -0, for "-0"', () => {
    expect(Object.is(parseDuration('-0'), 0)).toBe(true);
  });

  it.each([['2562047h47m16.854775807s'], ['9223372036854775807ns']])('accepts the largest Go Duration %j', (text) => {
    expect(parseDuration(text)).toBeCloseTo(9223372036.854776, 5);
  });

  it.each([
    ['-5s', -5],
    ['-1.5h', -5400],
    ['-0.5s', -0.5],
    ['-2m15.5s', -135.5],
    ['-300', -300],
    ['-9223372036854775808ns', -9223372036.854776],
  ])('accepts negative %j as %s s with allowNegative', (text, expected) => {
    expect(parseDuration(text, { allowNegative: true })).toBeCloseTo(expected, 5);
  });

  it.each([
    ['', /^invalid duration "": empty$/],
    [' 5s', /whitespace/],
    ['5s ', /whitespace/],
    ['5 s', /whitespace/],
    ['\t5s', /whitespace/],
    ['1h 30m', /whitespace/],
    ['.', /at least one digit/],
    ['.s', /at least one digit/],
    ['-.s', /at least one digit/],
    ['5x', /^invalid duration "5x": unknown unit "x"/],
    ['1d', /unknown unit "d"/],
    ['5sec', /unknown unit "sec"/],
    ['1H', /unknown unit "H"/],
    ['1S', /unknown unit "S"/],
    ['5M', /unknown unit "M"/],
    ['1e5', /unknown unit "e"/],
    ['5s!', /unknown unit "s!"/],
    ['constructor', /expected a number/],
    ['1constructor', /unknown unit "constructor"/],
    ['s', /unit "s" has no number/],
    ['h', /unit "h" has no number/],
    ['ms', /unit "ms" has no number/],
    ['1hm', /unknown unit "hm"/],
    ['abc', /expected a number at "abc"/],
    ['--5s', /expected a number/],
    ['1m30', /missing unit after "30"/],
    ['1.5.5s', /unexpected "\."/],
    ['+', /no number after the sign/],
    ['-', /no number after the sign/],
    ['-5s', /^invalid duration "-5s": must not be negative$/],
    ['-300', /must not be negative/],
    ['3000000h', /out of range/],
    ['2562048h', /out of range/],
    ['2562047h47m16.854775808s', /out of range/],
    ['9223372036854775808ns', /out of range/],
    ['99999999999999999999s', /out of range/],
    ['106751d', /unknown unit "d"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationSyntaxError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('rejects a value below the smallest Go Duration even with allowNegative', () => {
    expect(() => parseDuration('-9223372036854775809ns', { allowNegative: true })).toThrow(/out of range/);
  });

  it('keeps the error one line for hostile input', () => {
    const hostile = `1x\n${'y'.repeat(1000)}`;
    try {
      parseDuration(hostile);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DurationSyntaxError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message.length).toBeLessThan(200);
      expect((error as DurationSyntaxError).value).toBe(hostile);
    }
  });
});

describe('parseFlagDuration (the command line)', () => {
  it.each([
    ['2d', 172_800],
    ['1d12h', 129_600],
    ['1.5d', 129_600],
    ['1d30m', 88_200],
    ['7d', 604_800],
    ['90s', 90],
    ['1h30m', 5400],
    ['300', 300],
  ])('parses %j as %s s (days of 24 hours, Go syntax, bare seconds)', (text, expected) => {
    expect(parseFlagDuration(text)).toBeCloseTo(expected, 9);
  });

  it.each([
    ['2x', /unknown unit "x" \(use ns, us, ms, s, m, h or d\)/],
    ['d', /unit "d" has no number/],
    ['-2d', /must not be negative/],
    ['106752d', /out of range/],
  ])('rejects %j', (text, message) => {
    expect(() => parseFlagDuration(text)).toThrow(message);
  });

  it.each(['2d', '1d12h', '1.5d'])('the driver-message parser keeps Go syntax: %j is rejected', (text) => {
    expect(() => parseDuration(text)).toThrow(/unknown unit "d" \(use ns, us, ms, s, m or h\)/);
  });
});

describe('formatAge (kubectl HumanDuration)', () => {
  const day = 86400;
  it.each([
    // seconds < -1
    [-5, '<invalid>'],
    [-2, '<invalid>'],
    [-Infinity, '<invalid>'],
    [Number.NaN, '<invalid>'],
    // -1 <= seconds < 0 (truncation makes -1.9 give -1)
    [-1.9, '0s'],
    [-1, '0s'],
    [-0.5, '0s'],
    // seconds < 120
    [0, '0s'],
    [0.9, '0s'],
    [45, '45s'],
    [45.99, '45s'],
    [119, '119s'],
    [119.9, '119s'],
    // minutes < 10
    [120, '2m'],
    [300, '5m'],
    [330, '5m30s'],
    [599, '9m59s'],
    // minutes < 180
    [600, '10m'],
    [659, '10m'],
    [179 * 60 + 59, '179m'],
    // hours < 8
    [3 * 3600, '3h'],
    [3 * 3600 + 5 * 60, '3h5m'],
    [3 * 3600 + 5 * 60 + 59, '3h5m'],
    [7 * 3600 + 59 * 60, '7h59m'],
    // hours < 48
    [8 * 3600, '8h'],
    [8 * 3600 + 59 * 60, '8h'],
    [47 * 3600, '47h'],
    [48 * 3600 - 1, '47h'],
    // hours < 192
    [2 * day, '2d'],
    [2 * day + 5 * 3600, '2d5h'],
    [7 * day + 23 * 3600, '7d23h'],
    [8 * day - 1, '7d23h'],
    // hours < 17520
    [8 * day, '8d'],
    [729 * day, '729d'],
    [730 * day - 1, '729d'],
    // hours < 8 years
    [730 * day, '2y'],
    [(3 * 365 + 10) * day, '3y10d'],
    [(8 * 365 - 1) * day, '7y364d'],
    // otherwise
    [8 * 365 * day, '8y'],
    [10 * 365 * day + 100 * day, '10y'],
  ])('prints %s s as %s', (seconds, expected) => {
    expect(formatAge(seconds)).toBe(expected);
  });
});

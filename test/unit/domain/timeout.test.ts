import { describe, expect, it } from 'vitest';
import { volumeTimeoutSeconds } from '../../../src/domain/timeout.js';

describe('volumeTimeoutSeconds', () => {
  it.each([
    [null, 300, 'missing'],
    ['', 300, 'empty'],
    ['abc', 300, 'not a number'],
    ['1.5', 300, 'not whole seconds'],
    ['5m', 300, 'a Go duration, not seconds'],
    [' 600', 300, 'whitespace'],
    ['0', 300, 'zero'],
    ['-5', 300, 'negative'],
    ['15', 30, 'clamped up to 30'],
    ['30', 30, 'lower bound'],
    ['600', 600, 'in range'],
    ['+600', 600, 'explicit sign as strconv.Atoi accepts'],
    ['3600', 3600, 'upper bound'],
    ['7200', 3600, 'clamped down to 3600'],
    ['9'.repeat(400), 3600, 'absurdly large'],
  ])('%j → %d (%s)', (attribute, expected, _why) => {
    expect(volumeTimeoutSeconds(attribute)).toBe(expected);
  });
});

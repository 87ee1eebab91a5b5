import { describe, expect, it } from 'vitest';
import { durationStats, percentileNearestRank } from '../../../src/domain/stats.js';

const TWENTY = Array.from({ length: 20 }, (_, i) => i + 1);

describe('percentileNearestRank', () => {
  it.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 95, 7],
    [[1, 2], 50, 1], // rank ⌈1⌉ = 1
    [[1, 2, 3], 50, 2], // rank ⌈1.5⌉ = 2
    [[1, 2, 3, 4], 50, 2],
    [TWENTY, 95, 19], // rank exactly 19, not 20 via 0.95 × 20 rounding
    [TWENTY, 96, 20],
    [TWENTY, 100, 20],
    [TWENTY, 0, 1],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95, 100],
  ])('%j p%d → %j', (values, p, expected) => {
    expect(percentileNearestRank(values, p)).toBe(expected);
  });
});

describe('durationStats', () => {
  it('summarizes unsorted values', () => {
    expect(durationStats([45, 12, 300, 90])).toEqual({ count: 4, min: 12, p50: 45, p95: 300, max: 300 });
  });

  it('is all null for no values', () => {
    expect(durationStats([])).toEqual({ count: 0, min: null, p50: null, p95: null, max: null });
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    durationStats(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { binsFromCounts, domainOf, formatTick, histogram, linearScale, logCountAxis, median, niceTicks } from '../../../../../renderer/src/components/charts/scale.ts';

describe('chart scales', () => {
  it('maps a domain linearly, also onto a reversed (upward) range', () => {
    const y = linearScale({ min: 0, max: 1 }, 200, 0);
    expect([y(0), y(0.25), y(1)]).toEqual([200, 150, 0]);
  });

  it('widens an empty or single-valued domain, and ignores non-finite values', () => {
    expect([domainOf([]), domainOf([Number.NaN]), domainOf([3]), domainOf([0, 0]), domainOf([2, Number.POSITIVE_INFINITY, -1])]).toEqual([
      null,
      null,
      { min: 2.7, max: 3.3 },
      { min: -1, max: 1 },
      { min: -1, max: 2 },
    ]);
  });

  it('chooses 1-2-5 steps, grows the domain to whole steps and prints ticks without float noise', () => {
    expect(niceTicks({ min: 0.13, max: 0.87 }, 4)).toEqual({ domain: { min: 0, max: 1 }, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceTicks({ min: 1, max: 37 }, 5)).toEqual({ domain: { min: 0, max: 40 }, ticks: [0, 10, 20, 30, 40] });
    expect(niceTicks({ min: 0.1, max: 0.3 }, 2).ticks).toEqual([0.1, 0.2, 0.3]);
    expect([formatTick(0.2, 0.2), formatTick(250_000, 50_000), formatTick(3_500_000, 500_000), formatTick(12, 2)]).toEqual(['0.2', '250k', '3.5M', '12']);
  });

  it('bins values into equal-width bins (Sturges by default), the maximum in the last bin', () => {
    expect(histogram([1, 2, 2, 3, 4, 5, 5, 5], 4)).toEqual([
      { from: 1, to: 2, count: 1 },
      { from: 2, to: 3, count: 2 },
      { from: 3, to: 4, count: 1 },
      { from: 4, to: 5, count: 4 },
    ]);
    expect(histogram(Array.from({ length: 16 }, (_, index) => index)).length).toBe(5);
    expect(histogram([7, 7, 7])).toEqual([{ from: 6.5, to: 7.5, count: 3 }]);
    expect(histogram([])).toEqual([]);
  });

  it('turns stored counts over [low, high] into bins, the last ending exactly at high; a zero-width range gives one bin', () => {
    expect({
      bins: binsFromCounts(-10, 30, [1, 0, 5, 2]),
      lastEdge: binsFromCounts(0.1, 0.3, [1, 1, 1]).at(-1)?.to,
      zeroWidth: binsFromCounts(7, 7, [50]),
      none: binsFromCounts(0, 1, []),
    }).toEqual({
      bins: [
        { from: -10, to: 0, count: 1 },
        { from: 0, to: 10, count: 0 },
        { from: 10, to: 20, count: 5 },
        { from: 20, to: 30, count: 2 },
      ],
      lastEdge: 0.3,
      zeroWidth: [{ from: 6.5, to: 7.5, count: 50 }],
      none: [],
    });
  });

  it('takes the median of odd and even counts', () => {
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, null]);
  });

  it('a log count axis: ticks at powers of ten up to the next one above the largest count, zero at zero', () => {
    const axis = logCountAxis(23_456);
    expect(axis.ticks).toEqual([1, 10, 100, 1000, 10_000, 100_000]);
    expect(axis.domain.min).toBe(0);
    expect(axis.position(0)).toBe(0);
    expect(axis.position(99)).toBe(2);
    expect(axis.position(23_456)).toBeLessThan(axis.domain.max);
    expect(logCountAxis(0).ticks).toEqual([1, 10]);
  });
});

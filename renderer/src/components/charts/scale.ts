/**
 * The arithmetic behind the SVG charts: linear scales, "nice" axis ticks (1, 2, 5 x 10^n steps) and
 * histogram bins. Plain functions of numbers, no DOM, so they are tested on their own.
 */

export interface Domain {
  min: number;
  max: number;
}

/** The smallest and largest finite value; a zero-width domain is widened so that a scale can divide by it. */
export function domainOf(values: readonly number[], include: readonly number[] = []): Domain | null {
  const finite = [...values, ...include].filter(Number.isFinite);
  if (finite.length === 0) return null;
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/** Maps [domain.min, domain.max] linearly onto [from, to] (to < from for a y axis that grows upwards). */
export function linearScale(domain: Domain, from: number, to: number): (value: number) => number {
  const factor = (to - from) / (domain.max - domain.min);
  return (value) => from + (value - domain.min) * factor;
}

/** A step of 1, 2 or 5 times a power of ten giving about `count` intervals over the domain. */
export function niceStep(domain: Domain, count: number): number {
  const raw = (domain.max - domain.min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** The domain grown outwards to whole steps, and the tick values on it (ends included). */
export function niceTicks(domain: Domain, count = 5): { domain: Domain; ticks: number[] } {
  const step = niceStep(domain, count);
  const min = Math.floor(domain.min / step) * step;
  const max = Math.ceil(domain.max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's decimals so that 0.1 + 0.2 prints as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let index = 0; min + index * step <= max + step * 1e-9; index += 1) ticks.push(Number((min + index * step).toFixed(decimals)));
  return { domain: { min, max }, ticks };
}

/** A tick's label: short, without float noise (1e-3 steps print 3 decimals, large numbers with k/M). */
export function formatTick(value: number, step: number): string {
  if (Math.abs(value) >= 1e6) return `${Number((value / 1e6).toFixed(2))}M`;
  if (Math.abs(value) >= 1e4) return `${Number((value / 1e3).toFixed(1))}k`;
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step))));
  return value.toFixed(decimals);
}

export interface Bin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge (inclusive for the last bin). */
  to: number;
  count: number;
}

/**
 * Equal-width bins over the values' range. All-equal values give one bin around them. The bin count
 * defaults to Sturges' rule (log2(n) + 1), at most `maxBins`.
 */
export function histogram(values: readonly number[], binCount?: number, maxBins = 20): Bin[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (min === max) return [{ from: min - 0.5, to: max + 0.5, count: finite.length }];
  const count = Math.max(1, Math.min(maxBins, binCount ?? Math.ceil(Math.log2(finite.length) + 1)));
  const width = (max - min) / count;
  const bins: Bin[] = Array.from({ length: count }, (_, index) => ({ from: min + index * width, to: index === count - 1 ? max : min + (index + 1) * width, count: 0 }));
  for (const value of finite) bins[Math.min(count - 1, Math.floor((value - min) / width))]!.count += 1;
  return bins;
}

/** Median of finite values (mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Bins from counts already made elsewhere over equal widths of [low, high] (e.g. the fingerprint's
 * stored intensity histogram). One count over a zero-width range gives one bin around it, as `histogram` does.
 */
export function binsFromCounts(low: number, high: number, counts: readonly number[]): Bin[] {
  if (counts.length === 0) return [];
  if (!(high > low)) return [{ from: low - 0.5, to: high + 0.5, count: counts.reduce((sum, count) => sum + count, 0) }];
  const width = (high - low) / counts.length;
  return counts.map((count, index) => ({ from: low + index * width, to: index === counts.length - 1 ? high : low + (index + 1) * width, count }));
}

/**
 * A log count axis for histograms whose counts span decades (an intensity histogram: most voxels in
 * a few bins): position = log10(1 + count) over [0, the next power of ten above the largest count],
 * ticks at 1, 10, 100, ... up to it.
 */
export function logCountAxis(maxCount: number): { domain: Domain; position: (count: number) => number; ticks: number[] } {
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(1, maxCount) + 1)));
  const ticks = Array.from({ length: decades + 1 }, (_, power) => 10 ** power);
  return { domain: { min: 0, max: Math.log10(1 + 10 ** decades) }, position: (count) => Math.log10(1 + Math.max(0, count)), ticks };
}

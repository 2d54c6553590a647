import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatasetJson } from '../../../engine/api/dataset.ts';
import { migrateFingerprintJson, type FingerprintJson } from '../../../engine/api/fingerprint.ts';
import { aggregateFingerprint, computeFingerprint, measureCase, percentile, type CaseMeasurement } from '../../../engine/data/fingerprint.ts';
import { checkDataset } from '../../../engine/data/dataset-check.ts';
import { planExperiment } from '../../../engine/data/plan.ts';
import { volume } from '../../support/dataset-fixtures.ts';

/** Rounds every number to `digits` significant digits, so computed and reference decimals compare exactly. */
function roundedTo(digits: number, value: unknown): unknown {
  if (typeof value === 'number') return Number(value.toPrecision(digits));
  if (Array.isArray(value)) return value.map((item) => roundedTo(digits, item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, roundedTo(digits, item)]));
  return value;
}
const rounded = (value: unknown) => roundedTo(12, value);

const LABELS = { 0: 'background', 1: 'one', 2: 'two' };

/** 64 histogram counts, zero except at the given bins. */
const countsAt = (bins: Record<number, number>) => Array.from({ length: 64 }, (_, bin) => bins[bin] ?? 0);

/** A case measured elsewhere: only its foreground samples of one channel matter to the intensity. */
const measured = (id: string, values: number[]): CaseMeasurement => ({
  id,
  spacing: [1, 1, 1],
  dims: [values.length, 1, 1],
  nonzeroDims: [values.length, 1, 1],
  classVoxels: new Map([[1, values.length]]),
  foregroundVoxels: [values.length],
  foregroundSamples: [Float64Array.from(values)],
});

// numpy's np.histogram(np.clip(x, p0.5, p99.5), bins=64, range=(p0.5, p99.5)) of the foreground voxels (label > 0).
const SAMPLE_HISTOGRAM = [26929, 1, 0, 2, 1, 2, 4, 2, 1, 6, 3, 6, 10, 5, 3, 9, 15, 4, 25, 21, 19, 57, 58, 58, 110, 67, 94, 163, 158, 135, 259, 194, 178, 377, 180, 214, 322, 213, 177, 391, 213, 169, 276, 185, 159, 287, 116, 104, 151, 88, 141, 117, 80, 67, 85, 55, 85, 59, 31, 36, 30, 17, 44, 195];
const HIPPOCAMPUS_HISTOGRAM = [520441, 3, 1, 3, 4, 6, 12, 8, 13, 11, 23, 24, 34, 56, 53, 81, 124, 166, 232, 315, 433, 533, 655, 859, 903, 1534, 1515, 1627, 2169, 2003, 2622, 2597, 2668, 2548, 2838, 3150, 2422, 3404, 2481, 3139, 2521, 2178, 2888, 2105, 2074, 2206, 1527, 1842, 1682, 1279, 1213, 1376, 1091, 874, 1013, 761, 837, 643, 666, 573, 521, 443, 383, 3407];

describe('dataset fingerprint', () => {
  it('measures geometry, foreground intensities per channel and class fractions (hand-computed)', () => {
    // Case a: two channel files (nnU-Net style); foreground (label > 0) at voxels 1, 2, 3, 6.
    const labelA = volume([2, 2, 2], Uint8Array.from([0, 1, 1, 2, 0, 0, 2, 0]));
    const a0 = volume([2, 2, 2], Float32Array.from([10, 1, 2, 3, 20, 30, 4, 40]));
    const a1 = volume([2, 2, 2], Int16Array.from([0, 10, 20, 30, 0, 0, 40, 0]));
    // Case b: one file holding both channels (MSD 4D style), 4 mm slices; foreground at voxel 0 only.
    const labelB = volume([2, 2, 1], Uint8Array.from([1, 0, 0, 0]), { spacing: [1, 1, 4] });
    const b = volume([2, 2, 1], Float32Array.from([8, 0, 0, 0, -5, 7, 7, 7]), { spacing: [1, 1, 4], channels: 2 });
    const fingerprint = computeFingerprint(
      [
        { id: 'a', images: [a0, a1], label: labelA },
        { id: 'b', images: [b], label: labelB },
      ],
      { channels: ['T2', 'ADC'], labels: LABELS, createdAt: 'now' },
    );
    expect(rounded(fingerprint)).toEqual({
      schemaVersion: 1,
      createdAt: 'now',
      caseCount: 2,
      excludedCases: [],
      cases: [
        { id: 'a', spacing: [1, 1, 1], dims: [2, 2, 2], nonzeroDims: [2, 2, 2], classVoxels: { 0: 4, 1: 2, 2: 2 } },
        { id: 'b', spacing: [1, 1, 4], dims: [2, 2, 1], nonzeroDims: [2, 2, 1], classVoxels: { 0: 3, 1: 1 } },
      ],
      medianSpacing: [1, 1, 2.5],
      medianDims: [2, 2, 1.5],
      anisotropy: { ratio: 2.5, anisotropic: false, coarsestAxis: 2 },
      intensity: [
        // 1, 2, 3, 4, 8: mean 3.6, variance 29.2 / 5, percentiles interpolated at 0.02 and 3.98 of the sorted positions.
        // Histogram bin = floor((value - 1.02) x 64 / 6.9): 2 -> 9.09, 3 -> 18.4, 4 -> 27.6; 1 and 8 lie outside, in the end bins.
        { channel: 0, name: 'T2', foregroundVoxels: 5, sampledVoxels: 5, statistics: { mean: 3.6, std: Number(Math.sqrt(5.84).toPrecision(12)), median: 3, percentile00_5: 1.02, percentile99_5: 7.92, min: 1, max: 8 }, histogram: { low: 1.02, high: 7.92, counts: countsAt({ 0: 1, 9: 1, 18: 1, 27: 1, 63: 1 }) } },
        // -5, 10, 20, 30, 40: mean 19, variance 1220 / 5; bin = floor((value + 4.7) x 64 / 44.5): 10 -> 21.1, 20 -> 35.5, 30 -> 49.9.
        { channel: 1, name: 'ADC', foregroundVoxels: 5, sampledVoxels: 5, statistics: { mean: 19, std: Number(Math.sqrt(244).toPrecision(12)), median: 20, percentile00_5: -4.7, percentile99_5: 39.8, min: -5, max: 40 }, histogram: { low: -4.7, high: 39.8, counts: countsAt({ 0: 1, 21: 1, 35: 1, 49: 1, 63: 1 }) } },
      ],
      classes: [
        { value: 0, name: 'background', voxelFraction: Number((7 / 12).toPrecision(12)), casesPresent: 2, presenceFraction: 1 },
        { value: 1, name: 'one', voxelFraction: 0.25, casesPresent: 2, presenceFraction: 1 },
        { value: 2, name: 'two', voxelFraction: Number((2 / 12).toPrecision(12)), casesPresent: 1, presenceFraction: 0.5 },
      ],
    });
  });

  it('calls 4 mm slices under 1 mm pixels anisotropic (ratio > 3), and survives no foreground and no case', () => {
    const thick = (id: string) => measureCase(id, [volume([3, 3, 2], new Float32Array(18))], volume([3, 3, 2], new Uint8Array(18), { spacing: [0.8, 0.8, 4] }));
    const some = aggregateFingerprint([thick('x'), thick('y')], { channels: ['CT'], labels: { 0: 'background', 1: 'organ' }, createdAt: 'now' });
    const none = aggregateFingerprint([], { channels: ['CT'], labels: { 0: 'background' }, excludedCases: ['z'], createdAt: 'now' });
    expect(rounded({ anisotropy: some.anisotropy, intensity: some.intensity, classes: some.classes, none })).toEqual({
      anisotropy: { ratio: 5, anisotropic: true, coarsestAxis: 2 },
      intensity: [{ channel: 0, name: 'CT', foregroundVoxels: 0, sampledVoxels: 0, statistics: null, histogram: null }],
      classes: [
        { value: 0, name: 'background', voxelFraction: 1, casesPresent: 2, presenceFraction: 1 },
        { value: 1, name: 'organ', voxelFraction: 0, casesPresent: 0, presenceFraction: 0 },
      ],
      none: { schemaVersion: 1, createdAt: 'now', caseCount: 0, excludedCases: ['z'], cases: [], medianSpacing: null, medianDims: null, anisotropy: null, intensity: [{ channel: 0, name: 'CT', foregroundVoxels: 0, sampledVoxels: 0, statistics: null, histogram: null }], classes: [{ value: 0, name: 'background', voxelFraction: 0, casesPresent: 0, presenceFraction: 0 }] },
    });
  });

  it('samples large foregrounds with a seed: deterministic, without repeats, independent of other cases', () => {
    const size = 40 * 40 * 10;
    const label = volume([40, 40, 10], Uint8Array.from({ length: size }, (_, index) => (index % 2 === 0 ? 1 : 0)));
    const image = volume([40, 40, 10], Float32Array.from({ length: size }, (_, index) => index));
    const sample = (id: string, seed?: number) => measureCase(id, [image], label, { maxSamples: 500, ...(seed === undefined ? {} : { seed }) });
    const first = sample('case');
    const values = [...first.foregroundSamples[0]!];
    expect({
      counts: [first.foregroundVoxels[0], values.length, new Set(values).size],
      allForeground: values.every((value) => value % 2 === 0),
      same: [...sample('case').foregroundSamples[0]!],
      otherCase: [...sample('other').foregroundSamples[0]!].join() === values.join(),
      otherSeed: [...sample('case', 7).foregroundSamples[0]!].join() === values.join(),
    }).toEqual({ counts: [size / 2, 500, 500], allForeground: true, same: values, otherCase: false, otherSeed: false });
  });

  it('histograms the joined samples between the 0.5 and 99.5 percentiles, outside values in the end bins, counts summing to the samples', () => {
    // 0..12800 split over two cases in any order: p0.5 = 64, p99.5 = 12736, bins of 12672 / 64 = 198 values.
    // The first bin adds the 64 values below (0..63), the last its closing edge 12736 and the 64 values above.
    const values = Array.from({ length: 12801 }, (_, index) => index);
    const uniform = aggregateFingerprint([measured('a', values.filter((value) => value % 3 === 0).reverse()), measured('b', values.filter((value) => value % 3 !== 0))], { channels: ['CT'], labels: {}, createdAt: 'now' }).intensity[0]!;
    // A seeded sample of 500 of 2000 foreground voxels: the histogram counts the sample.
    const size = 20 * 20 * 10;
    const sampledCase = measureCase('s', [volume([20, 20, 10], Float32Array.from({ length: size }, (_, index) => index))], volume([20, 20, 10], Uint8Array.from({ length: size }, (_, index) => index % 2)), { maxSamples: 500 });
    const sampled = aggregateFingerprint([sampledCase], { channels: ['CT'], labels: {}, createdAt: 'now' }).intensity[0]!;
    const total = (counts: number[] | undefined) => counts?.reduce((sum, count) => sum + count, 0);
    expect({
      uniform: uniform.histogram,
      uniformTotal: [total(uniform.histogram?.counts), uniform.sampledVoxels],
      sampled: [total(sampled.histogram?.counts), sampled.sampledVoxels, sampled.foregroundVoxels, sampled.histogram?.counts.length],
    }).toEqual({
      uniform: { low: 64, high: 12736, counts: [262, ...Array<number>(62).fill(198), 263] },
      uniformTotal: [12801, 12801],
      sampled: [500, 500, 2000, 64],
    });
  });

  it('gives one bin when the percentiles meet: constant intensities, or a few outliers among equal values', () => {
    const histogramOf = (values: number[]) => aggregateFingerprint([measured('c', values)], { channels: ['T1'], labels: {}, createdAt: 'now' }).intensity[0]!.histogram;
    expect([histogramOf(Array<number>(50).fill(7)), histogramOf([...Array<number>(999).fill(7), 1000])]).toEqual([
      { low: 7, high: 7, counts: [50] },
      { low: 7, high: 7, counts: [1000] },
    ]);
  });

  it('reads fingerprints written before the histogram: they validate and plan as before; a malformed histogram is refused', async () => {
    const { fingerprint } = await checkDataset('resources/sample', { createdAt: 'now' });
    const old = JSON.parse(JSON.stringify({ ...fingerprint, intensity: fingerprint.intensity.map(({ histogram: _histogram, ...channel }) => channel) })) as FingerprintJson;
    const dataset = { schemaVersion: 1, name: 'Sample', description: '', channels: ['MRI'], labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' }, source: { folder: '/x', layout: 'msd' }, importedAt: 'now', cases: [] } satisfies DatasetJson;
    const read = migrateFingerprintJson(old);
    const broken = migrateFingerprintJson({ ...old, intensity: [{ ...old.intensity[0], histogram: { low: 0, high: 1 } }] });
    expect({
      read: read.ok && read.value,
      plans: read.ok && planExperiment(read.value, dataset, { device: 'gpu', createdAt: 'now' }),
      broken,
    }).toEqual({
      read: old,
      plans: planExperiment(fingerprint, dataset, { device: 'gpu', createdAt: 'now' }),
      broken: { ok: false, errors: ['intensity[0].histogram: expected { low, high, counts: [numbers] } or null'] },
    });
  });

  it('percentiles interpolate linearly like numpy', () => {
    expect([0, 25, 50, 90, 100].map((at) => percentile([1, 2, 4, 8], at))).toEqual([1, 1.75, 3, 6.800000000000001, 8]);
  });

  it('fingerprints the embedded sample: shapes and label counts as in cases.tsv, intensities as numpy computes them', async () => {
    const rows = readFileSync('resources/sample/cases.tsv', 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const { fingerprint } = await checkDataset('resources/sample', { createdAt: 'now' });
    expect(fingerprint.cases.map(({ id, dims, spacing, classVoxels }) => ({ id, dims: dims.join('x'), spacing, label1: classVoxels['1'], label2: classVoxels['2'] }))).toEqual(
      rows.map(([id, , shape, , , , label1, label2]) => ({ id, dims: shape, spacing: [1, 1, 1], label1: Number(label1), label2: Number(label2) })),
    );
    // Reference: numpy 1.x on the same files (foreground = label > 0; np.std, np.median, np.percentile); the
    // histogram numpy 2.4's np.histogram(np.clip(x, p0.5, p99.5), bins=64, range=(p0.5, p99.5)).
    expect(roundedTo(8, { medianSpacing: fingerprint.medianSpacing, medianDims: fingerprint.medianDims, anisotropy: fingerprint.anisotropy, intensity: fingerprint.intensity, fractions: fingerprint.classes.map((entry) => entry.voxelFraction) })).toEqual(
      roundedTo(8, {
        medianSpacing: [1, 1, 1],
        medianDims: [36, 49.5, 38],
        anisotropy: { ratio: 1, anisotropic: false, coarsestAxis: 0 },
        intensity: [{ channel: 0, name: 'MRI', foregroundVoxels: 33263, sampledVoxels: 33263, statistics: { mean: 27964.746054547486, std: 59570.66522707478, median: 383.4418640136719, percentile00_5: 33, percentile99_5: 234418.734375, min: 12, max: 314371.4375 }, histogram: { low: 33, high: 234418.734375, counts: SAMPLE_HISTOGRAM } }],
        fractions: [0.9477583341971435, 0.02860782077981637, 0.02363384502304017],
      }),
    );
  });

  it('fingerprints the 182 shared hippocampus cases with the foreground statistics and histogram numpy gives', async () => {
    const { fingerprint } = await checkDataset('../shared/data/hippocampus');
    expect(roundedTo(8, fingerprint.intensity)).toEqual(
      roundedTo(8, [{ channel: 0, name: 'MRI', foregroundVoxels: 595813, sampledVoxels: 595813, statistics: { mean: 22722.887611965572, std: 61733.99656464926, median: 362.68377685546875, percentile00_5: 28, percentile99_5: 281488.15625, min: 0, max: 486420.21875 }, histogram: { low: 28, high: 281488.15625, counts: HIPPOCAMPUS_HISTOGRAM } }]),
    );
  });
});

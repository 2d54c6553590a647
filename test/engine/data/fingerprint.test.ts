import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aggregateFingerprint, computeFingerprint, measureCase, percentile } from '../../../engine/data/fingerprint.ts';
import { checkDataset } from '../../../engine/data/dataset-check.ts';
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
        { channel: 0, name: 'T2', foregroundVoxels: 5, sampledVoxels: 5, statistics: { mean: 3.6, std: Number(Math.sqrt(5.84).toPrecision(12)), median: 3, percentile00_5: 1.02, percentile99_5: 7.92, min: 1, max: 8 } },
        // -5, 10, 20, 30, 40: mean 19, variance 1220 / 5.
        { channel: 1, name: 'ADC', foregroundVoxels: 5, sampledVoxels: 5, statistics: { mean: 19, std: Number(Math.sqrt(244).toPrecision(12)), median: 20, percentile00_5: -4.7, percentile99_5: 39.8, min: -5, max: 40 } },
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
      intensity: [{ channel: 0, name: 'CT', foregroundVoxels: 0, sampledVoxels: 0, statistics: null }],
      classes: [
        { value: 0, name: 'background', voxelFraction: 1, casesPresent: 2, presenceFraction: 1 },
        { value: 1, name: 'organ', voxelFraction: 0, casesPresent: 0, presenceFraction: 0 },
      ],
      none: { schemaVersion: 1, createdAt: 'now', caseCount: 0, excludedCases: ['z'], cases: [], medianSpacing: null, medianDims: null, anisotropy: null, intensity: [{ channel: 0, name: 'CT', foregroundVoxels: 0, sampledVoxels: 0, statistics: null }], classes: [{ value: 0, name: 'background', voxelFraction: 0, casesPresent: 0, presenceFraction: 0 }] },
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

  it('percentiles interpolate linearly like numpy', () => {
    expect([0, 25, 50, 90, 100].map((at) => percentile([1, 2, 4, 8], at))).toEqual([1, 1.75, 3, 6.800000000000001, 8]);
  });

  it('fingerprints the embedded sample: shapes and label counts as in cases.tsv, intensities as numpy computes them', async () => {
    const rows = readFileSync('resources/sample/cases.tsv', 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const { fingerprint } = await checkDataset('resources/sample', { createdAt: 'now' });
    expect(fingerprint.cases.map(({ id, dims, spacing, classVoxels }) => ({ id, dims: dims.join('x'), spacing, label1: classVoxels['1'], label2: classVoxels['2'] }))).toEqual(
      rows.map(([id, , shape, , , , label1, label2]) => ({ id, dims: shape, spacing: [1, 1, 1], label1: Number(label1), label2: Number(label2) })),
    );
    // Reference: numpy 1.x on the same files (foreground = label > 0; np.std, np.median, np.percentile).
    expect(roundedTo(8, { medianSpacing: fingerprint.medianSpacing, medianDims: fingerprint.medianDims, anisotropy: fingerprint.anisotropy, intensity: fingerprint.intensity, fractions: fingerprint.classes.map((entry) => entry.voxelFraction) })).toEqual(
      roundedTo(8, {
        medianSpacing: [1, 1, 1],
        medianDims: [36, 49.5, 38],
        anisotropy: { ratio: 1, anisotropic: false, coarsestAxis: 0 },
        intensity: [{ channel: 0, name: 'MRI', foregroundVoxels: 33263, sampledVoxels: 33263, statistics: { mean: 27964.746054547486, std: 59570.66522707478, median: 383.4418640136719, percentile00_5: 33, percentile99_5: 234418.734375, min: 12, max: 314371.4375 } }],
        fractions: [0.9477583341971435, 0.02860782077981637, 0.02363384502304017],
      }),
    );
  });

  it('fingerprints the 182 shared hippocampus cases with the foreground statistics numpy gives', async () => {
    const { fingerprint } = await checkDataset('../shared/data/hippocampus');
    expect(roundedTo(8, fingerprint.intensity)).toEqual(
      roundedTo(8, [{ channel: 0, name: 'MRI', foregroundVoxels: 595813, sampledVoxels: 595813, statistics: { mean: 22722.887611965572, std: 61733.99656464926, median: 362.68377685546875, percentile00_5: 28, percentile99_5: 281488.15625, min: 0, max: 486420.21875 } }]),
    );
  });
});

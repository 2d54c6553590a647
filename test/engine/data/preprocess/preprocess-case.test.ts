import { describe, expect, it } from 'vitest';
import type { PreprocessingPlan, Triple } from '../../../../engine/api/plans.ts';
import { encodeCase } from '../../../../engine/data/preprocess/case-file.ts';
import { filledNonzeroMask, nonzeroBox } from '../../../../engine/data/preprocess/crop.ts';
import { normalizeChannel } from '../../../../engine/data/preprocess/normalize.ts';
import { preprocessVolumes, type CaseSettings } from '../../../../engine/data/preprocess/preprocess-case.ts';
import { restoreToSource } from '../../../../engine/data/preprocess/restore.ts';
import { volume } from '../../../support/dataset-fixtures.ts';

const PLAN: PreprocessingPlan = {
  cropToNonzero: true,
  imageInterpolation: 'cubic',
  labelInterpolation: 'one-hot-linear',
  separateAxisRatio: 3,
  normalization: [{ channel: 0, name: 'MRI', scheme: 'z-score', insideNonzeroMask: false }],
  classLocationSamples: 10_000,
  seed: 1,
};

const fill = (dims: Triple, value: (i: number, j: number, k: number) => number) => {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, at = 0; k < dims[2]; k += 1) for (let j = 0; j < dims[1]; j += 1) for (let i = 0; i < dims[0]; i += 1, at += 1) data[at] = value(i, j, k);
  return data;
};

describe('preprocessing one case', () => {
  it('normalizes as planned: per-case z-score (optionally inside the mask), CT clip + global z-score', () => {
    const zscore = Float32Array.from([1, 2, 3, 4]);
    const masked = Float32Array.from([0, 2, 4, 0]);
    const ct = Float32Array.from([-5, 3, 20]);
    const applied = [
      normalizeChannel(zscore, { channel: 0, name: 'MRI', scheme: 'z-score', insideNonzeroMask: false }, null),
      normalizeChannel(masked, { channel: 0, name: 'MRI', scheme: 'z-score', insideNonzeroMask: true }, Uint8Array.from([0, 1, 1, 0])),
      normalizeChannel(ct, { channel: 0, name: 'CT', scheme: 'ct', clip: [0, 10], mean: 5, std: 2 }, null),
    ];
    const s = Math.sqrt(1.25);
    expect({ values: [[...zscore], [...masked], [...ct]], applied }).toEqual({
      values: [[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map(Math.fround), [0, -1, 1, 0], [-2.5, -1, 2.5]],
      applied: [
        { channel: 0, scheme: 'z-score', mean: 2.5, std: s, voxels: 4 },
        { channel: 0, scheme: 'z-score', mean: 3, std: 1, voxels: 2 },
        { channel: 0, scheme: 'ct', mean: 5, std: 2, voxels: 3 },
      ],
    });
  });

  it('finds the nonzero box over all channels and fills holes in the nonzero mask', () => {
    const dims: Triple = [5, 5, 5];
    const shell = fill(dims, (i, j, k) => (Math.max(Math.abs(i - 2), Math.abs(j - 2), Math.abs(k - 2)) === 1 ? 1 : 0));
    const mask = filledNonzeroMask([shell], dims);
    const otherChannel = fill(dims, (i, j, k) => (i === 4 && j === 0 && k === 2 ? NaN : i === 0 && j === 3 && k === 4 ? 2 : 0));
    expect({
      filled: mask.reduce((sum, value) => sum + value, 0),
      centre: mask[2 + 5 * (2 + 5 * 2)],
      box: nonzeroBox([shell, otherChannel], dims),
      empty: nonzeroBox([new Float32Array(125)], dims),
    }).toEqual({ filled: 27, centre: 1, box: { start: [0, 1, 1], end: [4, 4, 5] }, empty: { start: [0, 0, 0], end: [5, 5, 5] } });
  });

  it('crops, resamples and restores: recorded geometry by hand, the label map back in the same voxels', () => {
    const dims: Triple = [10, 8, 6];
    const inside = (i: number, j: number, k: number) => i >= 2 && i < 8 && j >= 1 && j < 7 && k >= 1 && k < 5;
    const image = volume(dims, fill(dims, (i, j, k) => (inside(i, j, k) ? 100 + i + 2 * j + 3 * k : 0)), { spacing: [1, 1, 2], origin: [10, 20, 30] });
    const blob = (i: number, j: number, k: number) => ((i - 4.5) / 2.6) ** 2 + ((j - 3.5) / 2.6) ** 2 + ((k - 2.5) / 1.6) ** 2 <= 1;
    const labelValues = fill(dims, (i, j, k) => (blob(i, j, k) ? (i < 5 ? 1 : 2) : i === 0 && j === 0 && k === 0 ? 1 : 0));
    const label = volume(dims, Uint8Array.from(labelValues), { spacing: [1, 1, 2], origin: [10, 20, 30] });
    const settings: CaseSettings = { dataId: 'd', targetSpacing: [0.5, 0.5, 1], preprocessing: PLAN, labelValues: [0, 1, 2] };
    const result = preprocessVolumes('case', [image], label, settings);
    // Crop box [2, 8) x [1, 7) x [1, 5): 6 x 6 x 4 voxels -> 12 x 12 x 8 at half the spacing. Voxel 0 of
    // the new grid sits at source index start - 0.25 = (1.75, 0.75, 0.75): (11.75, 20.75, 30 + 2 x 0.75).
    expect({ crop: result.record.crop, grid: result.record.grid, separateAxis: result.record.separateAxis, outside: result.record.labelVoxelsOutsideCrop }).toEqual({
      crop: { start: [2, 1, 1], end: [8, 7, 5] },
      grid: { dims: [12, 12, 8], spacing: [0.5, 0.5, 1], origin: [11.75, 20.75, 31.5], direction: image.direction },
      separateAxis: null,
      outside: 1,
    });
    const restored = restoreToSource({ labels: result.label! }, result.record);
    const expected = Uint8Array.from(labelValues.map((value, at) => (at === 0 ? 0 : value)));
    const oneHot = new Float32Array(3 * result.label!.length);
    result.label!.forEach((value, at) => (oneHot[value * result.label!.length + at] = 1));
    const fromProbabilities = restoreToSource({ probabilities: oneHot }, result.record);
    expect({ geometry: [restored.dims, restored.spacing, restored.origin, restored.direction], same: [...restored.data].join() === [...expected].join(), sameFromProbabilities: [...fromProbabilities.data].join() === [...expected].join() }).toEqual({
      geometry: [dims, [1, 1, 2], [10, 20, 30], image.direction],
      same: true,
      sameFromProbabilities: true,
    });
  });

  it('stores a seeded sample of foreground coordinates per class: at most N, at least 1 %, the same on every run', () => {
    const dims: Triple = [40, 40, 10];
    const image = volume(dims, fill(dims, () => 1));
    const label = volume(dims, Uint8Array.from(fill(dims, (i, j) => (i < 20 ? 1 : j < 5 ? 2 : 0))));
    const settings: CaseSettings = { dataId: 'd', targetSpacing: [1, 1, 1], preprocessing: { ...PLAN, classLocationSamples: 50 }, labelValues: [0, 1, 2] };
    const first = preprocessVolumes('case', [image], label, settings);
    const again = encodeCase(preprocessVolumes('case', [image], label, settings), []);
    const coordinates = first.locations.map((entry) => [...entry.coordinates]);
    expect({
      counts: first.locations.map((entry) => [entry.classIndex, entry.voxels, entry.coordinates.length / 3]),
      inClass: coordinates.every((flat, index) => flat.every((_, at) => at % 3 !== 0 || (index === 0 ? flat[at]! < 20 : flat[at]! >= 20 && flat[at + 1]! < 5))),
      same: again.record.sha256 === encodeCase(first, []).record.sha256,
    }).toEqual({ counts: [[1, 8000, 80], [2, 1000, 50]], inClass: true, same: true });
  });
});

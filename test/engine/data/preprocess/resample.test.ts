import { describe, expect, it } from 'vitest';
import type { Triple } from '../../../../engine/api/plans.ts';
import { axisInterpolations, axisTable, resampleGrid, resampleLabels, resampleProbabilities } from '../../../../engine/data/preprocess/resample.ts';
import { separateAxisFor } from '../../../../engine/data/preprocess/preprocess-case.ts';

const grid = (dims: Triple, value: (i: number, j: number, k: number) => number) => {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, at = 0; k < dims[2]; k += 1) for (let j = 0; j < dims[1]; j += 1) for (let i = 0; i < dims[0]; i += 1, at += 1) data[at] = value(i, j, k);
  return data;
};
/** Input coordinate sampled by output voxel o (half-voxel convention): (o + 0.5) n_in / n_out - 0.5. */
const sampled = (o: number, inSize: number, outSize: number) => ((o + 0.5) * inSize) / outSize - 0.5;

describe('resampling', () => {
  it('linear, cubic and nearest on hand-computed 1D cases (centres aligned, edges repeated)', () => {
    const along = (values: number[], outSize: number, mode: 'nearest' | 'linear' | 'cubic') => [...resampleGrid(Float32Array.from(values), [values.length, 1, 1], [outSize, 1, 1], [mode, mode, mode])];
    expect({
      // 4 -> 2: samples at 0.5 and 2.5.
      down: along([1, 2, 3, 4], 2, 'linear'),
      // 2 -> 4: samples at -0.25 (edge), 0.25, 0.75, 1.25 (edge).
      up: along([10, 20], 4, 'linear'),
      // 3 -> 4: voxel centres at 0.5 * 3/4 ... pick input floor((o + 0.5) * 3 / 4) = 0, 1, 1, 2.
      nearest: along([5, 6, 7], 4, 'nearest'),
      // Catmull-Rom (-a + 9b + 9c - d) / 16 is exact for cubics at midpoints: (x - 1)^3 on 0..7, 8 -> 4
      // samples at 0.5, 2.5, 4.5, 6.5: 1.5^3 and 3.5^3 inside; the edge samples repeat the end voxels.
      cubic: along([-1, 0, 1, 8, 27, 64, 125, 216], 4, 'cubic'),
      table: axisTable(3, 2, 'linear'),
    }).toEqual({
      down: [1.5, 3.5],
      up: [10, 12.5, 17.5, 20],
      nearest: [5, 6, 6, 7],
      cubic: [(1 - 9 + 0 - 1) / 16, 3.375, 42.875, (-64 + 9 * 125 + 9 * 216 - 216) / 16],
      table: { inSize: 3, outSize: 2, taps: 2, index: Int32Array.from([0, 1, 1, 2]), weight: Float64Array.from([0.75, 0.25, 0.25, 0.75]) },
    });
  });

  it('keeps a linear ramp a linear ramp in 3D (linear everywhere inside the samples; cubic away from the edges)', () => {
    const dims: Triple = [9, 7, 5];
    const out: Triple = [14, 4, 8];
    const ramp = (i: number, j: number, k: number) => 2 * i - 3 * j + 0.5 * k + 7;
    const source = grid(dims, ramp);
    const worst = { linear: 0, cubic: 0 };
    for (const mode of ['linear', 'cubic'] as const) {
      const result = resampleGrid(source, dims, out, [mode, mode, mode]);
      const margin = mode === 'linear' ? 0 : 1;
      for (let k = 0, at = 0; k < out[2]; k += 1) {
        for (let j = 0; j < out[1]; j += 1) {
          for (let i = 0; i < out[0]; i += 1, at += 1) {
            const x = [sampled(i, dims[0], out[0]), sampled(j, dims[1], out[1]), sampled(k, dims[2], out[2])];
            if (x.some((value, axis) => value < margin || value > dims[axis]! - 1 - margin)) continue;
            worst[mode] = Math.max(worst[mode], Math.abs(result[at]! - ramp(x[0]!, x[1]!, x[2]!)));
          }
        }
      }
    }
    expect(worst.linear).toBeLessThan(1e-5);
    expect(worst.cubic).toBeLessThan(1e-5);
  });

  it('one-hot linear label resampling: hand-computed in 1D (ties go to the lower class), and equal to argmax of dense one-hot interpolation in 3D', () => {
    const labels1d = (values: number[], outSize: number) => [...resampleLabels(Uint8Array.from(values), [values.length, 1, 1], [outSize, 1, 1], 3, ['linear', 'linear', 'linear'])];
    // 4 -> 8, samples at -0.25, 0.25, ..., 3.25: o = 5 samples 2.25 = 0.75 x class 1 + 0.25 x class 2 -> 1.
    // 4 -> 2, samples at 0.5 and 2.5: 0.5 background + 0.5 class 1 -> background; 0.5/0.5 classes 1 and 2 -> 1.
    expect({ up: labels1d([0, 1, 1, 2], 8), down: labels1d([0, 1, 1, 2], 2) }).toEqual({ up: [0, 0, 1, 1, 1, 1, 2, 2], down: [0, 1] });

    // Dyadic scale factors keep every weight exact, so the bounding-box shortcut must agree bit for bit.
    const dims: Triple = [8, 6, 4];
    const out: Triple = [4, 12, 8];
    const classes = 4;
    let seed = 7;
    const labels = Uint8Array.from({ length: 8 * 6 * 4 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 7 < 3 ? 0 : seed % classes));
    const oneHot = new Float32Array(classes * labels.length);
    labels.forEach((value, at) => (oneHot[value * labels.length + at] = 1));
    const interpolation = axisInterpolations('linear', null);
    expect([...resampleLabels(labels, dims, out, classes, interpolation)]).toEqual([...resampleProbabilities(oneHot, dims, out, classes, interpolation)]);
    // Nearest on a separately handled axis: k is picked, never blended.
    expect(axisInterpolations('cubic', 2)).toEqual(['cubic', 'cubic', 'nearest']);
  });

  it("handles the coarse axis separately when the case's or the target's spacing is anisotropic (nnU-Net's rule)", () => {
    expect([
      separateAxisFor([0.7, 0.7, 5], [0.7, 0.7, 3]),
      separateAxisFor([1, 1, 2], [1, 1, 4]),
      separateAxisFor([1, 4, 1], [1, 1, 1]),
      separateAxisFor([1, 1, 1], [1, 1, 1]),
      separateAxisFor([5, 5, 1], [5, 5, 1]),
    ]).toEqual([2, 2, 1, null, null]);
  });
});

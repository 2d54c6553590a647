import { describe, expect, it } from 'vitest';
import { largestComponent } from '../../../engine/evaluate/components.ts';
import { applyPostprocessing, decidePostprocessing, keepLargestComponent } from '../../../engine/evaluate/postprocess.ts';
import type { Vec3 } from '../../../engine/io/volume.ts';
import { indexOf } from './brute-force.ts';

const dims: Vec3 = [12, 10, 9];

/** Paints `value` into the boxes lo..hi (inclusive) of a copy of `data` (or of an empty map). */
function paint(boxes: [Vec3, Vec3, number][], data: Uint8Array = new Uint8Array(dims[0] * dims[1] * dims[2])): Uint8Array {
  const result = data.slice();
  for (const [lo, hi, value] of boxes) {
    for (let k = lo[2]; k <= hi[2]; k += 1) for (let j = lo[1]; j <= hi[1]; j += 1) for (let i = lo[0]; i <= hi[0]; i += 1) result[indexOf(dims, i, j, k)] = value;
  }
  return result;
}
const count = (data: ArrayLike<number>, value: number) => Array.from(data).filter((item) => item === value).length;

describe('largest connected component', () => {
  // A 3x3x3 blob at 1..3, a voxel touching its corner (4,4,4), a 2-voxel bar touching an edge
  // (4,0,1..2)... and a separate 5-voxel bar far away. Connected with: 26 -> 27+1+2, 18 -> 27+2, 6 -> 27.
  const blob = paint([
    [[1, 1, 1], [3, 3, 3], 1],
    [[4, 4, 4], [4, 4, 4], 1],
    [[4, 0, 2], [4, 0, 3], 1],
    [[7, 8, 0], [11, 8, 0], 1],
  ]);

  it('depends on the connectivity (26 by default, as nnU-Net v2)', () => {
    const isOne = (value: number) => value === 1;
    expect([26, 18, 6].map((connectivity) => count(largestComponent(blob, dims, isOne, connectivity as 6 | 18 | 26), 1))).toEqual([30, 29, 27]);
    expect(count(largestComponent(blob, dims, isOne), 1)).toBe(30);
    expect(count(largestComponent(new Uint8Array(blob.length), dims, isOne), 1)).toBe(0);
  });

  it('keeps every component tied for the largest; edits a copy of the same type, other labels untouched', () => {
    const twins = new Float32Array(
      paint([
        [[0, 0, 0], [1, 1, 1], 2],
        [[5, 5, 5], [6, 6, 6], 2],
        [[9, 0, 0], [9, 0, 0], 2],
        [[9, 9, 8], [11, 9, 8], 1],
      ]),
    );
    const result = keepLargestComponent(twins, dims, [2]);
    expect({ type: result.constructor.name, two: count(result, 2), one: count(result, 1), inputTwo: count(twins, 2) }).toEqual({ type: 'Float32Array', two: 16, one: 3, inputTwo: 17 });
  });
});

describe('choosing the postprocessing on cross-validation results', () => {
  // Reference: label 1 a box; label 2 a box touching it and a separate one (a true second component).
  const reference = paint([
    [[1, 1, 1], [4, 4, 4], 1],
    [[5, 1, 1], [7, 3, 3], 2],
    [[6, 6, 6], [7, 7, 7], 2],
  ]);
  // Prediction: exact, plus a spurious 2x2x1 blob of label 1 far from everything.
  const prediction = paint([[[10, 8, 0], [11, 9, 0], 1]], reference);
  const cases = [
    { reference, prediction, dims },
    { reference, prediction: reference.slice(), dims },
  ];

  it('keeps the per-label step that helps (label 1) and rejects the ones that cost a true component', () => {
    const decision = decidePostprocessing(cases, [2, 1]);
    const spurious = (2 * 64) / (64 + 68);
    const withoutSecond = (2 * 27) / (35 + 27);
    expect(decision).toEqual({
      plan: { connectivity: 26, largestOfForeground: [], largestPerLabel: [1] },
      steps: [
        // Foreground step: removes the spurious blob (label 1 gains) but also label 2's second box (drops).
        { step: 'foreground', meanDiceBefore: { 1: (spurious + 1) / 2, 2: 1 }, meanDiceAfter: { 1: 1, 2: withoutSecond }, applied: false },
        { step: 1, meanDiceBefore: { 1: (spurious + 1) / 2, 2: 1 }, meanDiceAfter: { 1: 1, 2: 1 }, applied: true },
        { step: 2, meanDiceBefore: { 1: 1, 2: 1 }, meanDiceAfter: { 1: 1, 2: withoutSecond }, applied: false },
      ],
    });
    expect(applyPostprocessing(prediction, dims, decision.plan)).toEqual(reference);
  });

  it('applies nothing without a strict gain, and everything when forced', () => {
    const clean = [{ reference, prediction: reference.slice(), dims }];
    expect(decidePostprocessing(clean, [1, 2]).plan).toEqual({ connectivity: 26, largestOfForeground: [], largestPerLabel: [] });
    expect(decidePostprocessing(cases, [2, 1], { force: true, connectivity: 6 })).toEqual({ plan: { connectivity: 6, largestOfForeground: [], largestPerLabel: [1, 2] }, steps: [] });
    const single = decidePostprocessing([{ reference: paint([[[1, 1, 1], [4, 4, 4], 1]]), prediction, dims }], [1]);
    expect(single.plan.largestOfForeground).toEqual([1]);
    expect(single.steps.map((step) => step.step)).toEqual(['foreground']);
  });
});

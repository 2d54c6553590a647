import { describe, expect, it } from 'vitest';
import { deepSupervisionWeights, oneHotTarget } from '../../../engine/train/train-step.ts';

describe('training targets', () => {
  it('one-hot targets at full and half resolution (nearest: every second voxel)', () => {
    // One sample, 2x2x4 patch; labels 0..2.
    const label = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 0, 1, 1, 1, 1, 0, 2, 0, 2]);
    const full = oneHotTarget(label, [1, 2, 2, 4], 3, 1);
    expect(full.shape).toEqual([1, 2, 2, 4, 3]);
    expect(Array.from(full.data.subarray(0, 12))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    const half = oneHotTarget(label, [1, 2, 2, 4], 3, 2);
    expect({ shape: half.shape, data: Array.from(half.data) }).toEqual({ shape: [1, 1, 1, 2, 3], data: [1, 0, 0, 0, 0, 1] });
    expect(() => oneHotTarget(Uint8Array.from([3]), [1, 1, 1, 1], 3, 1)).toThrow('label value 3 but the network has 3 classes');
  });

  it('deep-supervision weights halve per head and sum to 1', () => {
    expect(deepSupervisionWeights(1)).toEqual([1]);
    expect(deepSupervisionWeights(3).map((weight) => Math.round(weight * 1e6) / 1e6)).toEqual([0.571429, 0.285714, 0.142857]);
  });
});

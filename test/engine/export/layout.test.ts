import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelToOnnx, ncdhwToNdhwc, ndhwcToNcdhw, type Shape5 } from '../../../engine/export/layout.ts';
import { samePads } from '../../../engine/export/padding.ts';
import { seededNormal, useCpuBackend } from './support/reference-forward.ts';

describe('layout conversions', () => {
  beforeAll(useCpuBackend);

  it('NDHWC <-> NCDHW and kernel permutation agree with tf.transpose, and round-trip', () => {
    const shape: Shape5 = [2, 3, 4, 5, 6];
    const data = Float32Array.from({ length: 720 }, seededNormal(2));
    const viaTf = (permutation: number[]) => tf.transpose(tf.tensor5d(data, shape), permutation).dataSync() as Float32Array;
    const toNcdhw = ndhwcToNcdhw(data, shape);
    expect(toNcdhw).toEqual(viaTf([0, 4, 1, 2, 3]));
    expect(ncdhwToNdhwc(data, shape)).toEqual(viaTf([0, 2, 3, 4, 1]));
    expect(kernelToOnnx(data, shape)).toEqual(viaTf([4, 3, 0, 1, 2]));
    expect(ncdhwToNdhwc(toNcdhw, [2, 6, 3, 4, 5])).toEqual(data);
    expect(() => ndhwcToNcdhw(data, [2, 3, 4, 5, 7])).toThrow('transpose5: 720 values do not fill shape [2, 3, 4, 5, 7]');
  });

  it("writes TensorFlow's 'same' padding as explicit pads, the extra voxel at the end", () => {
    expect({
      conv3: samePads([3, 3, 3], 1, 1),
      conv2d5: samePads([1, 5, 5], 1, 1),
      dil5: samePads([5, 5, 5], 2, 1),
      even: samePads([2, 4, 6], 1, 1),
      evenDilated: samePads([2, 4, 6], 2, 1),
      down2: samePads([2, 2, 2], 1, 2),
      down3: samePads([3, 3, 3], 1, 2),
      down4: samePads([4, 1, 5], 1, 2),
    }).toEqual({
      conv3: [1, 1, 1, 1, 1, 1],
      conv2d5: [0, 2, 2, 0, 2, 2],
      dil5: [4, 4, 4, 4, 4, 4],
      even: [0, 1, 2, 1, 2, 3],
      evenDilated: [1, 3, 5, 1, 3, 5],
      down2: [0, 0, 0, 0, 0, 0],
      down3: [0, 0, 0, 1, 1, 1],
      down4: [1, 0, 1, 1, 0, 2],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { sameAxis, transposedAxis } from '../../../engine/backend/conv-geometry.ts';

describe('TensorFlow "same" geometry', () => {
  it('puts the odd pad at the end and never pads negatively', () => {
    const pads = (inSize: number, kernel: number, stride: number, dilation = 1) => {
      const g = sameAxis(inSize, kernel, stride, dilation);
      return [g.outSize, g.padBefore, g.padAfter];
    };
    expect(pads(6, 2, 2)).toEqual([3, 0, 0]);
    expect(pads(5, 2, 2)).toEqual([3, 0, 1]);
    expect(pads(6, 3, 2)).toEqual([3, 0, 1]);
    expect(pads(7, 3, 2)).toEqual([4, 1, 1]);
    // (out - 1) * 2 + 1 - 4 = -1: TensorFlow clamps to 0; tfjs 4.22's 3D ops do not.
    expect(pads(4, 1, 2)).toEqual([2, 0, 0]);
    expect(pads(9, 3, 1, 2)).toEqual([9, 2, 2]);
    expect(pads(8, 5, 1, 2)).toEqual([8, 4, 4]);
  });

  it('gives input-gradient convolutions non-negative pads that restore the input size', () => {
    for (let inSize = 1; inSize <= 9; inSize++)
      for (const kernel of [1, 2, 3, 5])
        for (const [stride, dilation] of [[1, 1], [1, 2], [2, 1]] as const) {
          const forward = sameAxis(inSize, kernel, stride, dilation);
          const t = transposedAxis(forward);
          expect(t.padBefore).toBeGreaterThanOrEqual(0);
          expect(t.padAfter).toBeGreaterThanOrEqual(0);
          // Stride-1 convolution over the zero-inserted gradient returns inSize elements.
          expect(t.dilatedSize + t.padBefore + t.padAfter - (kernel - 1) * dilation).toBe(inSize);
        }
  });
});

import { describe, expect, it } from 'vitest';
import { argmaxChannels, predictVolume, type BlockShape, type PredictBlock } from '../../../engine/evaluate/sliding-window.ts';
import { gaussianImportance, mirrorCombinations, roundHalfEven, windowStarts, type Size3 } from '../../../engine/evaluate/tiling.ts';

const count = (size: Size3) => size[0] * size[1] * size[2];

/** Three channels holding each voxel's own z, y and x index: a predictor can see where a block lies. */
function coordinateVolume(size: Size3): Float32Array {
  const data = new Float32Array(3 * count(size));
  for (let z = 0, index = 0; z < size[0]; z += 1) {
    for (let y = 0; y < size[1]; y += 1) {
      for (let x = 0; x < size[2]; x += 1, index += 1) {
        data[index] = z;
        data[count(size) + index] = y;
        data[2 * count(size) + index] = x;
      }
    }
  }
  return data;
}

/** A voxel-wise fake network: two outputs that are functions of the absolute position. */
const pointwise: PredictBlock = async (block, shape) => {
  const n = count(shape.size);
  const out = new Float32Array(2 * n);
  for (let index = 0; index < n; index += 1) {
    const [z, y, x] = [block[index]!, block[n + index]!, block[2 * n + index]!];
    out[index] = Math.sin(z) + 2 * y + (x * x) / 10;
    out[n + index] = z * y - x;
  }
  return out;
};

/** A 3x3x3 sum of channel 0 (zeros outside the block): not voxel-wise, but flip-equivariant; exact on integers. */
const boxBlur: PredictBlock = async (block, shape) => {
  const [d, h, w] = shape.size;
  const out = new Float32Array(count(shape.size));
  for (let z = 0; z < d; z += 1) {
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        let sum = 0;
        for (let dz = -1; dz <= 1; dz += 1) for (let dy = -1; dy <= 1; dy += 1) for (let dx = -1; dx <= 1; dx += 1) {
          const [a, b, c] = [z + dz, y + dy, x + dx];
          if (a >= 0 && b >= 0 && c >= 0 && a < d && b < h && c < w) sum += block[(a * h + b) * w + c]!;
        }
        out[(z * h + y) * w + x] = sum;
      }
    }
  }
  return out;
};

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0);

describe('tiling geometry', () => {
  it('window starts, rounding and mirror combinations follow nnU-Net', () => {
    expect([windowStarts(100, 64, 0.5), windowStarts(64, 64, 0.5), windowStarts(65, 64, 0.5), windowStarts(200, 96, 0.5), windowStarts(13, 8, 0.5)]).toEqual([[0, 18, 36], [0], [0, 1], [0, 35, 69, 104], [0, 2, 5]]);
    expect([roundHalfEven(2.5), roundHalfEven(3.5), roundHalfEven(-0.5), roundHalfEven(1.4999)]).toEqual([2, 4, 0, 1]);
    expect(mirrorCombinations([2, 0, 1])).toEqual([[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]);
    expect(() => windowStarts(10, 12, 0.5)).toThrow(/pad it first/);
  });

  it('the Gaussian map peaks at 1 at floor(size / 2) and is positive everywhere', () => {
    const weights = gaussianImportance([5, 8, 3], 1 / 8);
    const peak = weights.indexOf(Math.max(...weights));
    expect({ peak, value: weights[peak], positive: weights.every((weight) => weight > 0), corner: weights[0]! < 1e-6 }).toEqual({ peak: (2 * 8 + 4) * 3 + 1, value: 1, positive: true, corner: true });
  });
});

describe('predictVolume', () => {
  const size: Size3 = [13, 21, 6];
  const volume = coordinateVolume(size);
  const shape: BlockShape = { channels: 3, size };

  it('sliding windows (with padding of a small axis) reproduce the whole-volume prediction', async () => {
    const whole = await predictVolume(volume, shape, pointwise, { patchSize: size, classes: 2, wholeVolume: true });
    const calls: Size3[] = [];
    const tiled = await predictVolume(volume, shape, (block, blockShape) => (calls.push(blockShape.size), pointwise(block, blockShape)), { patchSize: [8, 8, 8], classes: 2 });
    expect(maxDifference(tiled, whole)).toBeLessThan(1e-4); // values up to ~260: float32 rounding of the weighted mean
    // D: 13 -> starts 0, 2, 5; H: 21 -> 0, 3, 6, 10, 13; W: 6 padded to 8 -> 0.
    expect({ windows: calls.length, sizes: new Set(calls.map((call) => call.join('x'))) }).toEqual({ windows: 15, sizes: new Set(['8x8x8']) });
    const direct = await pointwise(volume, shape);
    expect(maxDifference(whole, direct)).toBe(0);
  });

  it('weights normalize to exactly 1: a constant predictor gives a constant output', async () => {
    const ones: PredictBlock = async (_block, blockShape) => new Float32Array(count(blockShape.size)).fill(1);
    const result = await predictVolume(volume, shape, ones, { patchSize: [5, 7, 4], classes: 1, stepFraction: 0.35 });
    expect(result.every((value) => value === 1)).toBe(true);
  });

  it('whole-volume mode pads to the size divisor, once, and crops back', async () => {
    const seen: Size3[] = [];
    const result = await predictVolume(volume, shape, (block, blockShape) => (seen.push(blockShape.size), pointwise(block, blockShape)), { patchSize: [8, 8, 8], classes: 2, wholeVolume: true, sizeDivisor: [4, 8, 4] });
    expect(seen).toEqual([[16, 24, 8]]);
    expect(maxDifference(result, await pointwise(volume, shape))).toBe(0);
  });

  it('mirroring with a flip-equivariant predictor changes nothing (bit for bit); with a shift it averages both directions', async () => {
    const input = volume.subarray(0, count(size)).map((z, index) => z * 7 + (index % 5));
    const single: BlockShape = { channels: 1, size };
    let calls = 0;
    const counted: PredictBlock = (block, blockShape) => ((calls += 1), boxBlur(block, blockShape));
    const plain = await predictVolume(input, single, boxBlur, { patchSize: [8, 8, 6], classes: 1 });
    const mirrored = await predictVolume(input, single, counted, { patchSize: [8, 8, 6], classes: 1, mirrorAxes: [0, 1, 2] });
    expect({ calls, difference: maxDifference(plain, mirrored) }).toEqual({ calls: 15 * 8, difference: 0 });

    // out[x] = in[x - 1] (0 at x = 0): mirrored along W, the flipped pass sees in[x + 1] instead.
    const shiftW: PredictBlock = async (block, blockShape) => block.map((_, index) => (index % blockShape.size[2] === 0 ? 0 : block[index - 1]!));
    const line: BlockShape = { channels: 1, size: [1, 1, 6] };
    const values = Float32Array.from([1, 2, 4, 8, 16, 32]);
    const averaged = await predictVolume(values, line, shiftW, { patchSize: [1, 1, 6], classes: 1, wholeVolume: true, mirrorAxes: [2] });
    expect([...averaged]).toEqual([1, 2.5, 5, 10, 20, 8]);
  });

  it('reports progress, stops when aborted, and names a predictor that returns the wrong size', async () => {
    const progress: string[] = [];
    await predictVolume(volume, shape, pointwise, { patchSize: [13, 21, 6], classes: 2, onProgress: (done, total) => progress.push(`${done}/${total}`) });
    expect(progress).toEqual(['1/1']);
    const controller = new AbortController();
    controller.abort();
    await expect(predictVolume(volume, shape, pointwise, { patchSize: [8, 8, 8], classes: 2, signal: controller.signal })).rejects.toThrow(/abort/i);
    await expect(predictVolume(volume, shape, pointwise, { patchSize: [8, 8, 8], classes: 3 })).rejects.toThrow('the predictor returned 1024 values for a 8x8x8 block; expected 3 classes x 512 voxels = 1536');
    expect(() => argmaxChannels(new Float32Array(5), 2)).toThrow(/cannot split/);
    expect([...argmaxChannels(Float32Array.from([0.2, 0.5, 0.1, 0.7, 0.5, 0.2, 0.1, 0.0, 0.7]), 3)]).toEqual([1, 0, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { baselineGenome } from '../../../engine/network/baseline.ts';
import { validateGenome } from '../../../engine/network/genome.ts';

describe('baseline U-Net genome', () => {
  it("is nnU-Net's topology in our vocabulary: two conv3 cells per level, widths doubling to a cap, concat skips, deep supervision", () => {
    const genome = baselineGenome({ levels: 6, baseWidth: 32, maxWidth: 320, deepSupervision: true });
    const pair = ['conv3', 'conv3'];
    expect(genome).toEqual({
      schemaVersion: 1,
      widths: [32, 64, 128, 256, 320, 320],
      encoder: [pair, pair, pair, pair, pair, pair],
      decoder: [pair, pair, pair, pair, pair],
      skip: 'concat',
      down: 'strided-conv',
      up: 'transposed-conv',
      deepSupervision: 4,
      leakyReluAlpha: 0.01,
      normEpsilon: 1e-5,
    });
    const small = baselineGenome({ levels: 2, baseWidth: 8, maxWidth: 80, deepSupervision: true });
    expect({ valid: [genome, small].map((entry) => validateGenome(entry).ok), small: [small.widths, small.deepSupervision] }).toEqual({ valid: [true, true], small: [[8, 16], 0] });
    expect(() => baselineGenome({ levels: 8, baseWidth: 8, maxWidth: 80, deepSupervision: false })).toThrow('levels must be 2 to 7, got 8');
  });
});

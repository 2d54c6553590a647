import type { Genome } from '../api/genome.ts';

export interface BaselineOptions {
  /** Resolution levels, 2 to 7 (the genome's limit); pooling steps = levels - 1. */
  levels: number;
  /** Channels of the finest level (nnU-Net: 32). */
  baseWidth: number;
  /** Widths double per level up to this (nnU-Net: 320). */
  maxWidth: number;
  /** Segmentation heads on every decoder level except the coarsest (nnU-Net's deep supervision). */
  deepSupervision: boolean;
}

/**
 * The fixed nnU-Net-style U-Net in the genome vocabulary, the baseline every search result is
 * compared with: two 3x3x3 conv cells (conv, instance norm eps 1e-5, LeakyReLU 0.01) per level in
 * the encoder and the decoder, widths doubling from `baseWidth` up to `maxWidth`, concatenated skips,
 * 2x2x2 stride-2 transposed convolutions up.
 *
 * Down: 'strided-conv', as nnU-Net downsamples with learned strided convolutions rather than pooling.
 * It also avoids max-pooling, which the wasm backend gets wrong when a window is all negative
 * (toolchain notes); a strided convolution runs on the verified conv2d path. The genome's strided
 * convolution is its own 2x2x2 conv block before the level's two cells, where nnU-Net strides the
 * first 3x3x3 conv of the level: one more conv block per level, otherwise the same topology.
 *
 * Deep supervision: heads on decoder levels 1 .. levels - 2 (nnU-Net gives the coarsest decoder
 * output zero weight, so it has no head here).
 */
export function baselineGenome(options: BaselineOptions): Genome {
  const { levels, baseWidth, maxWidth } = options;
  if (!Number.isInteger(levels) || levels < 2 || levels > 7) throw new RangeError(`baseline U-Net: levels must be 2 to 7, got ${levels}`);
  if (!Number.isInteger(baseWidth) || baseWidth < 1 || !Number.isInteger(maxWidth) || maxWidth < baseWidth) throw new RangeError(`baseline U-Net: need integers 1 <= baseWidth <= maxWidth, got ${baseWidth}, ${maxWidth}`);
  const widths = Array.from({ length: levels }, (_, level) => Math.min(baseWidth * 2 ** level, maxWidth));
  return {
    schemaVersion: 1,
    widths,
    encoder: widths.map(() => ['conv3', 'conv3']),
    decoder: widths.slice(1).map(() => ['conv3', 'conv3']),
    skip: 'concat',
    down: 'strided-conv',
    up: 'transposed-conv',
    deepSupervision: options.deepSupervision ? levels - 2 : 0,
    leakyReluAlpha: 0.01,
    normEpsilon: 1e-5,
  };
}

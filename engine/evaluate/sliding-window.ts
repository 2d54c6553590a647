import { copyBlock, flip, gaussianImportance, mirrorCombinations, paddingTo, windowStarts, type Size3 } from './tiling.ts';

/**
 * Network-independent inference over a whole volume.
 *
 * Arrays are C-order [C][D][H][W] Float32Arrays (W fastest; D = k, H = j, W = i of a Volume).
 * - Whole-volume mode (the caller decided that the volume, padded to a multiple of the network's
 *   size divisor, fits in memory): one prediction of the whole padded volume, as RONASMIS does.
 * - Otherwise sliding windows as nnU-Net: a volume smaller than the patch is padded up to it;
 *   windows step by at most half a patch (`stepFraction` 0.5); each window's prediction is
 *   weighted by a Gaussian importance map (σ = 1/8 of the patch per axis) and the weighted sum
 *   is divided by the summed weights, so overlapping windows blend smoothly.
 * - Mirroring (test-time augmentation): for every non-empty subset of `mirrorAxes`, the patch is
 *   flipped, predicted and flipped back; the 2^n predictions are averaged (nnU-Net).
 * Padding is symmetric (the odd voxel after) with `padValue` and is cropped from the result.
 * Outputs are averaged as the predictor returns them: logits or probabilities (nnU-Net averages logits).
 */
export interface BlockShape {
  channels: number;
  /** [D, H, W] */
  size: Size3;
}

/**
 * Predicts one block: `block` is a batch of one, [1][C][d][h][w] flattened; returns [1][K][d][h][w]
 * flattened (K = `classes`). Called once per window and mirror, never concurrently.
 */
export type PredictBlock = (block: Float32Array, shape: BlockShape) => Promise<Float32Array>;

export interface InferenceOptions {
  /** Window size [D, H, W] of the sliding mode. */
  patchSize: Size3;
  /** Number of output channels K. */
  classes: number;
  /** One pass over the whole volume (the caller checked that it fits). */
  wholeVolume?: boolean;
  /** Whole-volume mode pads each axis up to a multiple of this (the network's total downsampling); default [1, 1, 1]. */
  sizeDivisor?: Size3;
  /** Window step as a fraction of the patch; default 0.5. */
  stepFraction?: number;
  /** Gaussian σ as a fraction of the patch size; default 1/8. */
  sigmaFraction?: number;
  /** Axes to mirror (0 = D, 1 = H, 2 = W); default none. */
  mirrorAxes?: readonly number[];
  /** Input value of padded voxels; default 0 (the mean of z-score normalized images). */
  padValue?: number;
  /** Called after each window with the windows done and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_STEP_FRACTION = 0.5;
export const DEFAULT_SIGMA_FRACTION = 1 / 8;

const voxels = (size: Size3) => size[0] * size[1] * size[2];

function checkInputs(volume: Float32Array, shape: BlockShape, options: InferenceOptions): void {
  const positive = (values: readonly number[]) => values.length === 3 && values.every((value) => Number.isInteger(value) && value > 0);
  if (!Number.isInteger(shape.channels) || shape.channels < 1 || !positive(shape.size)) throw new RangeError(`bad volume shape ${JSON.stringify(shape)}`);
  if (volume.length !== shape.channels * voxels(shape.size)) throw new RangeError(`volume has ${volume.length} values, shape ${shape.channels}x${shape.size.join('x')} needs ${shape.channels * voxels(shape.size)}`);
  if (!positive(options.patchSize) || !positive(options.sizeDivisor ?? [1, 1, 1])) throw new RangeError('patchSize and sizeDivisor take three positive integers');
  if (!Number.isInteger(options.classes) || options.classes < 1) throw new RangeError(`classes must be a positive integer, got ${options.classes}`);
  const step = options.stepFraction ?? DEFAULT_STEP_FRACTION;
  if (!(step > 0 && step <= 1)) throw new RangeError(`stepFraction must be in (0, 1], got ${step}`);
  if ((options.mirrorAxes ?? []).some((axis) => axis !== 0 && axis !== 1 && axis !== 2)) throw new RangeError('mirrorAxes take 0 (D), 1 (H) and 2 (W)');
}

/** Predicts with every mirror combination and averages (see the module comment). */
async function predictMirrored(block: Float32Array, shape: BlockShape, classes: number, predict: PredictBlock, combinations: number[][]): Promise<Float32Array> {
  const expected = classes * voxels(shape.size);
  const checked = (output: Float32Array) => {
    if (output.length !== expected) throw new Error(`the predictor returned ${output.length} values for a ${shape.size.join('x')} block; expected ${classes} classes x ${voxels(shape.size)} voxels = ${expected}`);
    return output;
  };
  const sum = checked(await predict(block, shape)).slice();
  if (combinations.length === 0) return sum;
  for (const axes of combinations) {
    const output = checked(await predict(flip(block, shape.channels, shape.size, axes), shape));
    const restored = flip(output, classes, shape.size, axes);
    for (let index = 0; index < sum.length; index += 1) sum[index]! += restored[index]!;
  }
  const scale = 1 / (combinations.length + 1);
  for (let index = 0; index < sum.length; index += 1) sum[index]! *= scale;
  return sum;
}

/** Every window start [z, y, x] over a padded volume. */
function windows(size: Size3, window: Size3, stepFraction: number): Size3[] {
  const [zs, ys, xs] = [0, 1, 2].map((axis) => windowStarts(size[axis]!, window[axis]!, stepFraction)) as [number[], number[], number[]];
  return zs.flatMap((z) => ys.flatMap((y) => xs.map((x) => [z, y, x] as Size3)));
}

/** Predicts a [C][D][H][W] volume; returns [K][D][H][W] (see the module comment). */
export async function predictVolume(volume: Float32Array, shape: BlockShape, predict: PredictBlock, options: InferenceOptions): Promise<Float32Array> {
  checkInputs(volume, shape, options);
  const { size, channels } = shape;
  const { classes } = options;
  const whole = options.wholeVolume === true;
  const divisor = options.sizeDivisor ?? [1, 1, 1];
  const target = size.map((length, axis) => (whole ? Math.ceil(length / divisor[axis]!) * divisor[axis]! : Math.max(length, options.patchSize[axis]!))) as Size3;
  const padding = paddingTo(size, target);
  const before = padding.map(([low]) => low) as Size3;
  let padded = volume;
  if (voxels(target) !== voxels(size)) {
    padded = new Float32Array(channels * voxels(target)).fill(options.padValue ?? 0);
    copyBlock(volume, size, [0, 0, 0], padded, target, before, size, channels);
  }
  const window = whole ? target : options.patchSize;
  const starts = whole ? [[0, 0, 0] as Size3] : windows(target, window, options.stepFraction ?? DEFAULT_STEP_FRACTION);
  const weights = whole ? null : gaussianImportance(window, options.sigmaFraction ?? DEFAULT_SIGMA_FRACTION);
  const combinations = mirrorCombinations(options.mirrorAxes ?? []);
  const sums = new Float32Array(classes * voxels(target));
  const weightSums = new Float32Array(voxels(target));
  const block = new Float32Array(channels * voxels(window));
  for (const [done, start] of starts.entries()) {
    options.signal?.throwIfAborted();
    copyBlock(padded, target, start, block, window, [0, 0, 0], window, channels);
    const prediction = await predictMirrored(block, { channels, size: window }, classes, predict, combinations);
    accumulate(prediction, weights, window, sums, weightSums, target, start, classes);
    options.onProgress?.(done + 1, starts.length);
  }
  // Divide by the summed weights and crop the padding away.
  const result = new Float32Array(classes * voxels(size));
  copyBlock(sums, target, before, result, size, [0, 0, 0], size, classes);
  const weightCrop = new Float32Array(voxels(size));
  copyBlock(weightSums, target, before, weightCrop, size, [0, 0, 0], size, 1);
  const perClass = voxels(size);
  for (let index = 0; index < result.length; index += 1) result[index]! /= weightCrop[index % perClass]!;
  return result;
}

/** Adds weight × prediction of one window into the sums, and the weights into their sum (weights null = 1). */
function accumulate(prediction: Float32Array, weights: Float32Array | null, window: Size3, sums: Float32Array, weightSums: Float32Array, target: Size3, start: Size3, classes: number): void {
  const [depth, height, width] = window;
  for (let z = 0; z < depth; z += 1) {
    for (let y = 0; y < height; y += 1) {
      const local = (z * height + y) * width;
      const global = ((start[0] + z) * target[1] + start[1] + y) * target[2] + start[2];
      for (let x = 0; x < width; x += 1) weightSums[global + x]! += weights === null ? 1 : weights[local + x]!;
      for (let channel = 0; channel < classes; channel += 1) {
        const read = channel * depth * height * width + local;
        const write = channel * voxels(target) + global;
        if (weights === null) for (let x = 0; x < width; x += 1) sums[write + x]! += prediction[read + x]!;
        else for (let x = 0; x < width; x += 1) sums[write + x]! += weights[local + x]! * prediction[read + x]!;
      }
    }
  }
}

/** The index of the largest channel at each voxel of a [K][D][H][W] array (ties: the lowest index). */
export function argmaxChannels(scores: Float32Array, classes: number): Uint8Array {
  const count = scores.length / classes;
  if (!Number.isInteger(count) || classes > 256) throw new RangeError(`cannot split ${scores.length} values into ${classes} channels of a Uint8 label map`);
  const labels = new Uint8Array(count);
  for (let voxel = 0; voxel < count; voxel += 1) {
    let best = scores[voxel]!;
    for (let channel = 1; channel < classes; channel += 1) {
      const value = scores[channel * count + voxel]!;
      if (value > best) {
        best = value;
        labels[voxel] = channel;
      }
    }
  }
  return labels;
}

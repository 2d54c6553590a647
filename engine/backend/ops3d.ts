import * as tf from '@tensorflow/tfjs';
import {
  conv3dPortable,
  conv3dTransposePortable,
  instanceNormPortable,
  leakyReluPortable,
  maxPool3dPortable,
  upsampleTrilinearPortable,
} from './portable-ops.ts';
import { activeBackend } from './select-backend.ts';
import { conv3dWasm } from './wasm/conv3d-wasm.ts';
import {
  conv3dTransposeWasm,
  instanceNormWasm,
  leakyReluWasm,
  maxPool3dWasm,
  upsampleTrilinearWasm,
} from './wasm/ops-wasm.ts';

/**
 * The 3D operations networks are built from, with correct values and gradients on every backend.
 * Tensors are NDHWC float32: [batch, depth, height, width, channels]. Padding is TensorFlow's
 * 'same' (for stride 2 the extra element goes at the end). No default hides a numeric choice:
 * epsilon and the LeakyReLU slope are arguments.
 *
 * On wasm every op runs a decomposed implementation (2D convolutions and heap kernels, see
 * docs/decisions/0008-tfjs-3d-ops.md); on cpu and tensorflow, standard tfjs ops.
 */

export type Tensor5D = tf.Tensor5D;

export interface Conv3dOptions {
  /** Same stride on the three axes. */
  stride?: 1 | 2;
  /** Same dilation on the three axes; stride and dilation cannot both be 2. */
  dilation?: 1 | 2;
  /** Per output channel, [cout]. */
  bias?: tf.Tensor1D;
}

function onWasm(): boolean {
  return activeBackend() === 'wasm';
}

function requireRank5(name: string, what: string, t: tf.Tensor): void {
  if (t.rank !== 5) throw new Error(`${name}: ${what} must be rank 5, got shape [${t.shape.join(', ')}]`);
}

/** filter [kd, kh, kw, cin, cout] -> [n, ceil(d / s), ceil(h / s), ceil(w / s), cout]. */
export function conv3d(x: Tensor5D, filter: Tensor5D, options: Conv3dOptions = {}): Tensor5D {
  const stride = options.stride ?? 1;
  const dilation = options.dilation ?? 1;
  requireRank5('conv3d', 'x', x);
  requireRank5('conv3d', 'filter', filter);
  if (filter.shape[3] !== x.shape[4]) {
    throw new Error(`conv3d: filter expects ${filter.shape[3]} input channels, x has ${x.shape[4]}`);
  }
  if (![1, 2].includes(stride) || ![1, 2].includes(dilation) || (stride > 1 && dilation > 1)) {
    throw new Error(`conv3d: stride ${stride} with dilation ${dilation} is not supported (1 or 2, not both 2)`);
  }
  const y = onWasm() ? conv3dWasm(x, filter, stride, dilation) : conv3dPortable(x, filter, stride, dilation);
  if (options.bias === undefined) return y;
  const cout = filter.shape[4];
  if (options.bias.rank !== 1 || options.bias.shape[0] !== cout) {
    throw new Error(`conv3d: bias must have shape [${cout}], got [${options.bias.shape.join(', ')}]`);
  }
  // Added on a rank-2 view: the gradient is then a rank-2 sum, fast on every backend.
  return tf.reshape(tf.add(tf.reshape<tf.Rank.R2>(y, [-1, cout]), options.bias), y.shape);
}

/**
 * The U-Net up-convolution: 2x2x2 kernel, stride 2, filter [2, 2, 2, cout, cin] (tfjs'
 * conv3dTranspose layout) -> [n, 2d, 2h, 2w, cout].
 */
export function conv3dTranspose(x: Tensor5D, filter: Tensor5D): Tensor5D {
  requireRank5('conv3dTranspose', 'x', x);
  requireRank5('conv3dTranspose', 'filter', filter);
  const [kd, kh, kw, , cin] = filter.shape;
  if (kd !== 2 || kh !== 2 || kw !== 2 || cin !== x.shape[4]) {
    throw new Error(
      `conv3dTranspose: filter must be [2, 2, 2, cout, ${x.shape[4]}], got [${filter.shape.join(', ')}]`,
    );
  }
  return onWasm() ? conv3dTransposeWasm(x, filter) : conv3dTransposePortable(x, filter);
}

/** 2x2x2 max pooling, stride 2; depth, height and width must be even. */
export function maxPool3d(x: Tensor5D): Tensor5D {
  requireRank5('maxPool3d', 'x', x);
  if (x.shape.slice(1, 4).some((size) => size % 2 !== 0)) {
    throw new Error(`maxPool3d: spatial sizes must be even, got [${x.shape.join(', ')}]`);
  }
  return onWasm() ? maxPool3dWasm(x) : maxPool3dPortable(x);
}

function checkNorm(x: Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): void {
  requireRank5('instanceNorm', 'x', x);
  const c = x.shape[4];
  if (gamma.rank !== 1 || gamma.shape[0] !== c || beta.rank !== 1 || beta.shape[0] !== c) {
    throw new Error(`instanceNorm: gamma and beta must have shape [${c}]`);
  }
  if (!(epsilon > 0)) throw new Error(`instanceNorm: epsilon must be > 0, got ${epsilon}`);
}

function checkAlpha(alpha: number): void {
  if (!Number.isFinite(alpha)) throw new Error(`leakyRelu: alpha must be a finite number, got ${alpha}`);
}

/**
 * Instance normalization: per sample and channel over depth, height and width, biased variance,
 * y = (x - mean) / sqrt(var + epsilon) * gamma + beta (PyTorch InstanceNorm3d(affine=True)).
 */
export function instanceNorm(x: Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): Tensor5D {
  checkNorm(x, gamma, beta, epsilon);
  return onWasm() ? instanceNormWasm(x, gamma, beta, epsilon, Number.NaN) : instanceNormPortable(x, gamma, beta, epsilon);
}

/** leakyRelu(instanceNorm(x, gamma, beta, epsilon), alpha), fused into one pass on wasm. */
export function instanceNormLeakyRelu(
  x: Tensor5D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  alpha: number,
): Tensor5D {
  checkNorm(x, gamma, beta, epsilon);
  checkAlpha(alpha);
  if (onWasm()) return instanceNormWasm(x, gamma, beta, epsilon, alpha);
  return leakyReluPortable(instanceNormPortable(x, gamma, beta, epsilon), alpha);
}

/** x > 0 ? x : alpha * x; the gradient at 0 is alpha. */
export function leakyRelu<T extends tf.Tensor>(x: T, alpha: number): T {
  checkAlpha(alpha);
  return onWasm() ? leakyReluWasm(x, alpha) : leakyReluPortable(x, alpha);
}

/**
 * 2x trilinear upsampling, half-pixel centres (PyTorch align_corners=False, ONNX Resize linear
 * with coordinate_transformation_mode half_pixel): [n, d, h, w, c] -> [n, 2d, 2h, 2w, c].
 */
/**
 * Channel concatenation of two NDHWC tensors, as rows of a 2D matrix: the gradient of a 5D concat
 * is a 5D slice along the last axis, which tfjs's wasm backend runs ~40x slower than the same slice
 * of a 2D view (measured: 1 s vs 25 ms for 2x40x56x40x16 floats; it made a concat-skip U-Net's
 * training step 4x slower than the same network with added skips).
 */
export function concatChannels(a: Tensor5D, b: Tensor5D): Tensor5D {
  const [n, d, h, w] = a.shape;
  const rows = n * d * h * w;
  const joined = tf.concat([tf.reshape(a, [rows, a.shape[4]]), tf.reshape(b, [rows, b.shape[4]])], 1);
  return tf.reshape(joined, [n, d, h, w, a.shape[4] + b.shape[4]]);
}

export function upsampleTrilinear(x: Tensor5D): Tensor5D {
  requireRank5('upsampleTrilinear', 'x', x);
  return onWasm() ? upsampleTrilinearWasm(x) : upsampleTrilinearPortable(x);
}

/** Softmax over the channel axis (the last). Computed on a rank-2 view on every backend. */
export function softmaxChannels(logits: Tensor5D): Tensor5D {
  requireRank5('softmaxChannels', 'logits', logits);
  const c = logits.shape[4];
  return tf.reshape(tf.softmax(tf.reshape<tf.Rank.R2>(logits, [-1, c])), logits.shape);
}

import * as tf from '@tensorflow/tfjs';
import { conv3dGeometry } from './conv-geometry.ts';

/**
 * Implementations made of standard tfjs ops whose kernels and gradients are right on the cpu and
 * tensorflow backends (and are the references the wasm implementations are tested against).
 * Contracts are those of ops3d.ts. Two tfjs 4.22 defects are avoided here:
 * - 3D 'same' padding is computed without clamping at zero (negative pads, wrong results for
 *   stride 2 with a kernel extent of 1 on even sizes), so the input is padded explicitly and the
 *   convolution runs 'valid';
 * - conv3d has no gradient for dilation > 1, so the kernel is spread with zeros instead.
 */

type Tensor5D = tf.Tensor5D;

/** [k, ...] along `axis` -> [(k - 1) * dilation + 1, ...] with dilation - 1 zeros between taps. */
function spreadAxis(filter: Tensor5D, axis: number, dilation: number): Tensor5D {
  const size = filter.shape[axis]!;
  if (size === 1) return filter;
  const expanded = tf.expandDims(filter, axis + 1);
  const padding = expanded.shape.map((_, i): [number, number] => (i === axis + 1 ? [0, dilation - 1] : [0, 0]));
  const padded = tf.pad(expanded, padding);
  const shape = filter.shape.slice() as number[];
  shape[axis] = size * dilation;
  const begin = filter.shape.map(() => 0);
  const extent = filter.shape.slice() as number[];
  extent[axis] = (size - 1) * dilation + 1;
  return tf.slice(tf.reshape(padded, shape), begin, extent) as Tensor5D;
}

export function conv3dPortable(x: Tensor5D, filter: Tensor5D, stride: number, dilation: number): Tensor5D {
  const { depth, height, width } = conv3dGeometry(x.shape, filter.shape, stride, dilation);
  const pads: [number, number][] = [
    [0, 0],
    [depth.padBefore, depth.padAfter],
    [height.padBefore, height.padAfter],
    [width.padBefore, width.padAfter],
    [0, 0],
  ];
  const padded = pads.some(([a, b]) => a > 0 || b > 0) ? tf.pad(x, pads) : x;
  let kernel = filter;
  if (dilation > 1) for (const axis of [0, 1, 2]) kernel = spreadAxis(kernel, axis, dilation);
  return tf.conv3d(padded, kernel, stride, 'valid');
}

/** 2x2x2 stride-2 transposed convolution as a matmul and a rank-6 transpose (filter [2,2,2,cout,cin]). */
export function conv3dTransposePortable(x: Tensor5D, filter: Tensor5D): Tensor5D {
  const [n, d, h, w, cin] = x.shape;
  const cout = filter.shape[3];
  const mixing = tf.reshape<tf.Rank.R2>(tf.transpose(filter, [4, 0, 1, 2, 3]), [cin, 8 * cout]);
  const blocks = tf.matMul(tf.reshape<tf.Rank.R2>(x, [n * d * h * w, cin]), mixing);
  // [(n, d), h, w, i, j, (k, c)] -> [(n, d), i, h, j, w, (k, c)]
  const volume = tf.transpose(tf.reshape(blocks, [n * d, h, w, 2, 2, 2 * cout]), [0, 3, 1, 4, 2, 5]);
  return tf.reshape(volume, [n, 2 * d, 2 * h, 2 * w, cout]);
}

export function maxPool3dPortable(x: Tensor5D): Tensor5D {
  return tf.maxPool3d(x, 2, 2, 'valid');
}

/** Statistics over [n, voxels, c]: per sample and channel, biased variance. */
export function instanceNormPortable(x: Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): Tensor5D {
  const [n, d, h, w, c] = x.shape;
  const rows = tf.reshape<tf.Rank.R3>(x, [n, d * h * w, c]);
  const { mean, variance } = tf.moments(rows, 1, true);
  const normalized = tf.mul(tf.sub(rows, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return tf.reshape(tf.add(tf.mul(normalized, gamma), beta), x.shape);
}

export function leakyReluPortable<T extends tf.Tensor>(x: T, alpha: number): T {
  return tf.leakyRelu(x, alpha);
}

/** One axis of the 2x half-pixel linear upsampling (see resample-kernels.ts for the formula). */
function upsampleAxisPortable(x: Tensor5D, axis: number): Tensor5D {
  const size = x.shape[axis]!;
  const take = (begin: number, length: number): Tensor5D => {
    const start = x.shape.map((_, i) => (i === axis ? begin : 0));
    const extent = x.shape.map((s, i) => (i === axis ? length : s));
    return tf.slice(x, start, extent) as Tensor5D;
  };
  const before = size === 1 ? x : tf.concat([take(0, 1), take(0, size - 1)], axis);
  const after = size === 1 ? x : tf.concat([take(1, size - 1), take(size - 1, 1)], axis);
  const centre = tf.mul(x, 0.75);
  const even = tf.add(centre, tf.mul(before, 0.25));
  const odd = tf.add(centre, tf.mul(after, 0.25));
  const shape = x.shape.slice() as number[];
  shape[axis] = 2 * size;
  return tf.reshape<tf.Rank.R5>(tf.stack([even, odd], axis + 1), shape as [number, number, number, number, number]);
}

export function upsampleTrilinearPortable(x: Tensor5D): Tensor5D {
  return upsampleAxisPortable(upsampleAxisPortable(upsampleAxisPortable(x, 1), 2), 3);
}

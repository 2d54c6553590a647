import * as tf from '@tensorflow/tfjs';
import { single } from './heap-kernel.ts';
import { instanceNormBackward, instanceNormForward, leakyReluForward } from './norm-kernels.ts';
import { depthToSpace3d, maxPool3dForward, spaceToDepth3d, upsampleForward } from './resample-kernels.ts';

/**
 * The wasm implementations of the non-convolution ops: heap kernels, with registered gradients or
 * wrapped in tf.customGrad. Contracts are those of ops3d.ts; arguments are validated there.
 */

type Tensor5D = tf.Tensor5D;

/** alpha = NaN: plain instance norm; otherwise fused with LeakyReLU(alpha). */
export function instanceNormWasm(x: Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, alpha: number): Tensor5D {
  const op = tf.customGrad((...args) => {
    const [input, scale, offset, save] = args as [Tensor5D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, rstd] = instanceNormForward([input, scale, offset], { epsilon, alpha }) as [Tensor5D, tf.Tensor, tf.Tensor];
    save([input, mean, rstd, scale, offset]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        instanceNormBackward([dy as tf.Tensor, ...saved], { epsilon, alpha }),
    };
  });
  return op(x, gamma, beta) as Tensor5D;
}

export function leakyReluWasm<T extends tf.Tensor>(x: T, alpha: number): T {
  return single(leakyReluForward([x], { alpha })) as T;
}

/** Heap kernels with registered gradients (resample-kernels.ts). */
export function maxPool3dWasm(x: Tensor5D): Tensor5D {
  return single(maxPool3dForward([x], {})) as Tensor5D;
}

export function upsampleTrilinearWasm(x: Tensor5D): Tensor5D {
  return single(upsampleForward([x], {})) as Tensor5D;
}

/**
 * 2x2x2 stride-2 transposed convolution as one matmul and a rearrangement. filter is
 * [2, 2, 2, cout, cin]. Every matmul is in the orientation [m, k] x [k, n] without transposes:
 * tfjs 4.22's wasm BatchMatMul is ~10x slower when asked to transpose an operand.
 */
export function conv3dTransposeWasm(x: Tensor5D, filter: Tensor5D): Tensor5D {
  const [n, d, h, w, cin] = x.shape;
  const cout = filter.shape[3];
  const voxels = n * d * h * w;
  const grid = [n, d, h, w];
  const op = tf.customGrad((...args) => {
    const [input, weights, save] = args as [Tensor5D, Tensor5D, tf.GradSaveFunc];
    save([input, weights]);
    const rows = tf.reshape<tf.Rank.R2>(input, [voxels, cin]);
    // [2, 2, 2, cout, cin] as [8 * cout, cin], transposed: rank-2 views (rank-5 wasm transposes are slow).
    const mixing = tf.transpose(tf.reshape<tf.Rank.R2>(weights, [8 * cout, cin]));
    return {
      value: single(depthToSpace3d([tf.matMul(rows, mixing)], { grid })),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedInput, savedFilter] = saved as [Tensor5D, Tensor5D];
        const blocks = single(spaceToDepth3d([dy as tf.Tensor], { grid })) as tf.Tensor2D;
        const dx = tf.matMul(blocks, tf.reshape<tf.Rank.R2>(savedFilter, [8 * cout, cin]));
        const columns = tf.transpose(tf.reshape<tf.Rank.R2>(savedInput, [voxels, cin]));
        const dMixing = tf.matMul(columns, blocks);
        const dFilter = tf.reshape(tf.transpose(dMixing), [2, 2, 2, cout, cin]);
        return [tf.reshape(dx, savedInput.shape), dFilter];
      },
    };
  });
  return op(x, filter) as Tensor5D;
}

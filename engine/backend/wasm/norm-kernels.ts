import { defineHeapKernel, single } from './heap-kernel.ts';

/**
 * Instance normalization over [n, voxels, c] (any NDHWC tensor read that way), optionally fused
 * with LeakyReLU. One kernel pass replaces the chain of 5D reductions and broadcasts that is slow
 * on wasm. Statistics are accumulated in float64.
 *
 * forward inputs: x, gamma [c], beta [c]; outputs: y, mean [n, c], rstd [n, c] with
 *   y = act((x - mean) * rstd * gamma + beta), rstd = 1 / sqrt(biased variance + epsilon),
 *   act(z) = z > 0 ? z : alpha * z, derivative alpha at z = 0 (as tfjs' and PyTorch's LeakyReLU)
 * backward inputs: dy, x, mean, rstd, gamma, beta; outputs: dx, dgamma [c], dbeta [c]. The three
 * come from one pass, so ops-wasm.ts wraps this pair in tf.customGrad (all gradients at once).
 *
 * Speed (V8): loops run channel by channel with stride c (faster than voxel-major loops with a
 * short inner channel loop); attributes are read into locals once; the activation is branch-free
 * (z * (p + alpha * (1 - p)) with p = +(z > 0), exact for both signs): with a branch, the
 * random signs of normalized values cost a misprediction every other voxel (3-4x slower).
 */
export interface NormAttrs {
  epsilon: number;
  /** LeakyReLU slope applied after the affine step; NaN for no activation. */
  alpha: number;
}

function dims(shape: number[]): { n: number; voxels: number; c: number } {
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  const total = shape.reduce((a, b) => a * b, 1);
  return { n, voxels: total / (n * c), c };
}

export const instanceNormForward = defineHeapKernel<NormAttrs>({
  name: 'VoxNAS.InstanceNormForward',
  outputCount: 3,
  outputShapes: ([shape]) => {
    const { n, c } = dims(shape!);
    return [shape!, [n, c], [n, c]];
  },
  compute: ([x, gamma, beta], [y, meanOut, rstdOut], [shape], attrs) => {
    const { n, voxels, c } = dims(shape!);
    const input = x!;
    const output = y!;
    const epsilon = attrs.epsilon;
    // Without activation the slope is 1: the same loop, no branch on a flag.
    const slope = Number.isNaN(attrs.alpha) ? 1 : attrs.alpha;
    for (let b = 0; b < n; b++) {
      const base = b * voxels * c;
      const end = base + voxels * c;
      for (let k = 0; k < c; k++) {
        let sum = 0;
        let sumSquares = 0;
        for (let i = base + k; i < end; i += c) {
          const v = input[i]!;
          sum += v;
          sumSquares += v * v;
        }
        const mean = sum / voxels;
        const variance = Math.max(sumSquares / voxels - mean * mean, 0);
        const rstd = 1 / Math.sqrt(variance + epsilon);
        meanOut![b * c + k] = mean;
        rstdOut![b * c + k] = rstd;
        const scale = rstd * gamma![k]!;
        const shift = beta![k]! - mean * scale;
        for (let i = base + k; i < end; i += c) {
          const z = input[i]! * scale + shift;
          const positive = +(z > 0);
          output[i] = z * (positive + slope * (1 - positive));
        }
      }
    }
  },
});

export const instanceNormBackward = defineHeapKernel<NormAttrs>({
  name: 'VoxNAS.InstanceNormBackward',
  outputShapes: ([shape]) => {
    const { c } = dims(shape!);
    return [shape!, [c], [c]];
  },
  compute: ([dy, x, meanIn, rstdIn, gamma, beta], [dx, dgamma, dbeta], [shape], attrs) => {
    const { n, voxels, c } = dims(shape!);
    const grad = dy!;
    const input = x!;
    const output = dx!;
    const slope = Number.isNaN(attrs.alpha) ? 1 : attrs.alpha;
    for (let k = 0; k < c; k++) {
      const g = gamma![k]!;
      const o = beta![k]!;
      let totalG = 0;
      let totalGX = 0;
      for (let b = 0; b < n; b++) {
        const base = b * voxels * c;
        const end = base + voxels * c;
        const mean = meanIn![b * c + k]!;
        const rstd = rstdIn![b * c + k]!;
        let sumG = 0;
        let sumGX = 0;
        for (let i = base + k; i < end; i += c) {
          const xhat = (input[i]! - mean) * rstd;
          const positive = +(xhat * g + o > 0);
          const d = grad[i]! * (positive + slope * (1 - positive));
          sumG += d;
          sumGX += d * xhat;
        }
        totalG += sumG;
        totalGX += sumGX;
        // dx = rstd * gamma * (d - mean(d) - xhat * mean(d * xhat))
        const coef = rstd * g;
        const meanG = sumG / voxels;
        const meanGX = sumGX / voxels;
        for (let i = base + k; i < end; i += c) {
          const xhat = (input[i]! - mean) * rstd;
          const positive = +(xhat * g + o > 0);
          const d = grad[i]! * (positive + slope * (1 - positive));
          output[i] = coef * (d - meanG - xhat * meanGX);
        }
      }
      dgamma![k] = totalGX;
      dbeta![k] = totalG;
    }
  },
});

export interface LeakyAttrs {
  alpha: number;
}

export const leakyReluForward = defineHeapKernel<LeakyAttrs>({
  name: 'VoxNAS.LeakyRelu',
  gradient: {
    inputsToSave: [0],
    gradients: ([dy], [x], attrs) => [() => single(leakyReluBackward([dy!, x!], attrs))],
  },
  outputShapes: ([shape]) => [shape!],
  compute: ([x], [y], _shapes, attrs) => {
    const input = x!;
    const output = y!;
    const alpha = attrs.alpha;
    for (let i = 0; i < input.length; i++) {
      const v = input[i]!;
      const positive = +(v > 0);
      output[i] = v * (positive + alpha * (1 - positive));
    }
  },
});

/** dx = dy where x > 0, alpha * dy elsewhere (x = 0 takes alpha, as tfjs and PyTorch do). */
export const leakyReluBackward = defineHeapKernel<LeakyAttrs>({
  name: 'VoxNAS.LeakyReluGrad',
  outputShapes: ([shape]) => [shape!],
  compute: ([dy, x], [dx], _shapes, attrs) => {
    const grad = dy!;
    const input = x!;
    const output = dx!;
    const alpha = attrs.alpha;
    for (let i = 0; i < input.length; i++) {
      const positive = +(input[i]! > 0);
      output[i] = grad[i]! * (positive + alpha * (1 - positive));
    }
  },
});

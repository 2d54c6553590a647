import type * as tf from '@tensorflow/tfjs';
import { defineHeapKernel, single } from './heap-kernel.ts';

/**
 * Soft Dice + cross-entropy on logits and one-hot targets viewed as [n, voxels, c], fused: one
 * pass for the value (which also keeps the probabilities), one for the gradient, instead of ~20
 * tfjs kernels (broadcasting binary ops are slow on wasm). Same definition as loss.ts (and the
 * benchmark reference):
 *   p = softmax(z) per voxel; I, P, T = sums over voxels of p * t, p, t per (sample, class);
 *   r = (2I + s) / (P + T + s); dice = 1 - mean(r); ce = -mean over voxels of sum_c t log p.
 * Gradient: with B = P + T + s, d dice / d p = -(2t - r) / (B * n * c), and through softmax
 * dz = p * (g - sum_c p g) + (p * sum_c t - t) / (n * voxels). The target's gradient,
 * dt = -(2p - r) / (B * n * c) - log p / (n * voxels), is computed only when something asks
 * for it (a registered gradient, not customGrad): never in training, where the target is data.
 */
export interface DiceCeAttrs {
  smooth: number;
}

function dims(shape: number[]): { n: number; voxels: number; c: number } {
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  return { n, voxels: shape.reduce((a, b) => a * b, 1) / (n * c), c };
}

/** Per (sample, class) sums of p * t, p and t, in float64. */
function overlaps(p: Float32Array, t: Float32Array, shape: number[]) {
  const { n, voxels, c } = dims(shape);
  const inter = new Float64Array(n * c);
  const pred = new Float64Array(n * c);
  const truth = new Float64Array(n * c);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < c; k++) {
      let i = 0;
      let sp = 0;
      let st = 0;
      for (let at = b * voxels * c + k, end = (b + 1) * voxels * c; at < end; at += c) {
        const pk = p[at]!;
        const tk = t[at]!;
        i += pk * tk;
        sp += pk;
        st += tk;
      }
      inter[b * c + k] = i;
      pred[b * c + k] = sp;
      truth[b * c + k] = st;
    }
  }
  return { n, voxels, c, inter, pred, truth };
}

/** inputs: logits, target; outputs: loss (scalar), probabilities (shape of logits). */
const forward = defineHeapKernel<DiceCeAttrs>({
  name: 'VoxNAS.DiceCrossEntropy',
  outputCount: 2,
  gradient: {
    inputsToSave: [0, 1],
    outputsToSave: [1],
    gradients: ([dLoss], [logits, target, probabilities], attrs) => [
      () => single(backward([dLoss!, probabilities!, target!], attrs)),
      () => single(targetBackward([dLoss!, logits!, probabilities!, target!], attrs)),
    ],
  },
  outputShapes: ([shape]) => [[], shape!],
  compute: ([z, t], [loss, p], [shape], attrs) => {
    const { n, voxels, c } = dims(shape!);
    const logits = z!;
    const target = t!;
    const probabilities = p!;
    let ce = 0;
    for (let at = 0, end = n * voxels * c; at < end; at += c) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, logits[at + k]!);
      let total = 0;
      for (let k = 0; k < c; k++) {
        const e = Math.exp(logits[at + k]! - max);
        probabilities[at + k] = e;
        total += e;
      }
      const logNormalizer = max + Math.log(total);
      for (let k = 0; k < c; k++) {
        probabilities[at + k] = probabilities[at + k]! / total;
        ce -= target[at + k]! * (logits[at + k]! - logNormalizer);
      }
    }
    const s = overlaps(probabilities, target, shape!);
    let ratios = 0;
    for (let i = 0; i < n * c; i++) {
      ratios += (2 * s.inter[i]! + attrs.smooth) / (s.pred[i]! + s.truth[i]! + attrs.smooth);
    }
    loss![0] = 1 - ratios / (n * c) + ce / (n * voxels);
  },
});

/** inputs: dLoss (scalar), probabilities, target; output: dLogits. */
const backward = defineHeapKernel<DiceCeAttrs>({
  name: 'VoxNAS.DiceCrossEntropyGrad',
  outputShapes: ([, shape]) => [shape!],
  compute: ([dLoss, p, t], [dz], [, shape], attrs) => {
    const probabilities = p!;
    const target = t!;
    const out = dz!;
    const { n, voxels, c, inter, pred, truth } = overlaps(probabilities, target, shape!);
    const upstream = dLoss![0]!;
    const ratio = new Float64Array(n * c);
    const diceScale = new Float64Array(n * c);
    for (let i = 0; i < n * c; i++) {
      const denominator = pred[i]! + truth[i]! + attrs.smooth;
      ratio[i] = (2 * inter[i]! + attrs.smooth) / denominator;
      diceScale[i] = -1 / (denominator * n * c);
    }
    const ceScale = 1 / (n * voxels);
    const g = new Float64Array(c);
    for (let b = 0; b < n; b++) {
      for (let at = b * voxels * c, end = (b + 1) * voxels * c; at < end; at += c) {
        let weighted = 0;
        let targetSum = 0;
        for (let k = 0; k < c; k++) {
          const tk = target[at + k]!;
          g[k] = diceScale[b * c + k]! * (2 * tk - ratio[b * c + k]!);
          weighted += probabilities[at + k]! * g[k]!;
          targetSum += tk;
        }
        for (let k = 0; k < c; k++) {
          const pk = probabilities[at + k]!;
          out[at + k] = upstream * (pk * (g[k]! - weighted) + (pk * targetSum - target[at + k]!) * ceScale);
        }
      }
    }
  },
});

/** inputs: dLoss (scalar), logits, probabilities, target; output: dTarget. */
const targetBackward = defineHeapKernel<DiceCeAttrs>({
  name: 'VoxNAS.DiceCrossEntropyTargetGrad',
  outputShapes: ([, shape]) => [shape!],
  compute: ([dLoss, z, p, t], [dt], [, shape], attrs) => {
    const logits = z!;
    const probabilities = p!;
    const out = dt!;
    const { n, voxels, c, inter, pred, truth } = overlaps(probabilities, t!, shape!);
    const upstream = dLoss![0]!;
    for (let b = 0; b < n; b++) {
      for (let at = b * voxels * c, end = (b + 1) * voxels * c; at < end; at += c) {
        let max = -Infinity;
        for (let k = 0; k < c; k++) max = Math.max(max, logits[at + k]!);
        let total = 0;
        for (let k = 0; k < c; k++) total += Math.exp(logits[at + k]! - max);
        const logNormalizer = max + Math.log(total);
        for (let k = 0; k < c; k++) {
          const i = b * c + k;
          const denominator = pred[i]! + truth[i]! + attrs.smooth;
          const ratio = (2 * inter[i]! + attrs.smooth) / denominator;
          const dice = -(2 * probabilities[at + k]! - ratio) / (denominator * n * c);
          const ce = -(logits[at + k]! - logNormalizer) / (n * voxels);
          out[at + k] = upstream * (dice + ce);
        }
      }
    }
  },
});

/** Contract as loss.ts diceCrossEntropyLoss; shapes already checked. */
export function diceCrossEntropyWasm(logits: tf.Tensor, target: tf.Tensor, smooth: number): tf.Scalar {
  return forward([logits, target], { smooth })[0] as tf.Scalar;
}

import * as tf from '@tensorflow/tfjs';
import { activeBackend } from './select-backend.ts';
import { diceCrossEntropyWasm } from './wasm/loss-kernels.ts';

/**
 * Segmentation losses on logits [n, d, h, w, classes] and one-hot targets of the same shape,
 * computed on [n, voxels, classes] views (rank 3: fast and correct on every backend). They match
 * the benchmark reference (shared/bench/torch_unet_reference.py) term by term.
 */

export interface DiceOptions {
  /** Added to numerator and denominator of every per-sample, per-class Dice ratio. */
  smooth: number;
}

function rows(t: tf.Tensor5D): tf.Tensor3D {
  const [n, d, h, w, c] = t.shape;
  return tf.reshape(t, [n, d * h * w, c]);
}

function checkPair(logits: tf.Tensor5D, target: tf.Tensor5D): void {
  if (logits.rank !== 5 || !tf.util.arraysEqual(logits.shape, target.shape)) {
    throw new Error(
      `loss: logits and one-hot target must have the same rank-5 shape, got [${logits.shape.join(', ')}] and [${target.shape.join(', ')}]`,
    );
  }
}

/** 1 - mean over samples and classes (background included) of (2|P∩T| + smooth) / (|P| + |T| + smooth). */
export function softDiceLoss(logits: tf.Tensor5D, target: tf.Tensor5D, options: DiceOptions): tf.Scalar {
  checkPair(logits, target);
  return tf.tidy(() => {
    const probabilities = tf.softmax(rows(logits));
    const onehot = rows(target);
    const intersection = tf.sum(tf.mul(probabilities, onehot), 1);
    const denominator = tf.add(tf.sum(probabilities, 1), tf.sum(onehot, 1));
    const ratio = tf.div(tf.add(tf.mul(intersection, 2), options.smooth), tf.add(denominator, options.smooth));
    return tf.sub(1, tf.mean(ratio));
  });
}

/** Mean over voxels (and samples) of -sum_c target_c * log softmax(logits)_c. */
export function crossEntropyLoss(logits: tf.Tensor5D, target: tf.Tensor5D): tf.Scalar {
  checkPair(logits, target);
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(rows(target), tf.logSoftmax(rows(logits))), 2))));
}

/**
 * softDiceLoss + crossEntropyLoss, the benchmark's and nnU-Net's default training loss. On wasm
 * one fused kernel computes it and its gradients (wasm/loss-kernels.ts).
 */
export function diceCrossEntropyLoss(logits: tf.Tensor5D, target: tf.Tensor5D, options: DiceOptions): tf.Scalar {
  checkPair(logits, target);
  if (activeBackend() === 'wasm') return diceCrossEntropyWasm(logits, target, options.smooth);
  return tf.tidy(() => tf.add(softDiceLoss(logits, target, options), crossEntropyLoss(logits, target)));
}

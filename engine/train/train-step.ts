import * as tf from '@tensorflow/tfjs';
import { diceCrossEntropyLoss } from '../backend/loss.ts';
import { forward, gradientsByParameter, type ForwardOptions, type NetworkWeights } from '../network/executor.ts';
import type { NetworkSpec } from '../network/spec.ts';
import type { Optimizer } from './optimizers.ts';
import type { BatchArrays } from './training-case.ts';

/** Soft-Dice smoothing of the training loss (as the benchmark reference). */
export const DICE_SMOOTH = 1e-5;

/** nnU-Net's deep-supervision weights: 1, 1/2, 1/4, ... for the heads from fine to coarse, normalized to sum 1. */
export function deepSupervisionWeights(heads: number): number[] {
  const raw = Array.from({ length: heads }, (_unused, index) => 1 / 2 ** index);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((weight) => weight / total);
}

/**
 * One-hot NDHWC float32 targets from uint8 labels [N][D][H][W], downsampled by `factor` (nearest:
 * every factor-th voxel, as nnU-Net downsamples segmentations for its deep-supervision targets).
 */
export function oneHotTarget(label: Uint8Array, shape: readonly [number, number, number, number], classes: number, factor: number): { data: Float32Array; shape: [number, number, number, number, number] } {
  const [n, d, h, w] = shape;
  const [td, th, tw] = [d / factor, h / factor, w / factor];
  if (![td, th, tw].every(Number.isInteger)) throw new Error(`oneHotTarget: patch ${d}x${h}x${w} is not divisible by ${factor}`);
  const data = new Float32Array(n * td * th * tw * classes);
  let out = 0;
  for (let sample = 0; sample < n; sample += 1) {
    for (let z = 0; z < td; z += 1) {
      for (let y = 0; y < th; y += 1) {
        const row = ((sample * d + z * factor) * h + y * factor) * w;
        for (let x = 0; x < tw; x += 1) {
          const value = label[row + x * factor]!;
          if (value >= classes) throw new Error(`oneHotTarget: label value ${value} but the network has ${classes} classes`);
          data[out + value] = 1;
          out += classes;
        }
      }
    }
  }
  return { data, shape: [n, td, th, tw, classes] };
}

/** The one-hot targets of every head of `spec` for a batch (the caller disposes them). */
export function headTargets(spec: NetworkSpec, batch: BatchArrays): tf.Tensor5D[] {
  const [n, d, h, w] = batch.shape;
  return spec.outputs.map((id) => {
    const target = oneHotTarget(batch.label, [n, d, h, w], spec.classes, spec.scale[id]!);
    return tf.tensor5d(target.data, target.shape);
  });
}

/** The training loss: Dice + cross-entropy per head, weighted as nnU-Net's deep supervision. */
export function supervisedLoss(outputs: readonly tf.Tensor5D[], targets: readonly tf.Tensor5D[]): tf.Scalar {
  const headWeights = deepSupervisionWeights(outputs.length);
  return tf.addN(outputs.map((output, index) => tf.mul(diceCrossEntropyLoss(output, targets[index]!, { smooth: DICE_SMOOTH }), headWeights[index]!))) as tf.Scalar;
}

/**
 * One optimisation step on one batch: forward every head, Dice + cross-entropy per head weighted
 * as nnU-Net, gradients, optimizer update. Returns the loss before the update.
 */
export async function trainStep(
  spec: NetworkSpec,
  weights: NetworkWeights,
  optimizer: Optimizer,
  batch: BatchArrays,
  learningRate: number,
  options: ForwardOptions = {},
): Promise<number> {
  const targets = headTargets(spec, batch);
  const input = tf.tensor5d(batch.image, batch.shape);
  const trainable = [...weights.values()];
  const { value, grads } = tf.variableGrads(() => supervisedLoss(forward(spec, weights, input, { ...options, training: true }), targets), trainable);
  const loss = (await value.data())[0]!;
  optimizer.apply(weights, gradientsByParameter(weights, grads), learningRate);
  tf.dispose([value, input, ...targets, ...Object.values(grads)]);
  return loss;
}

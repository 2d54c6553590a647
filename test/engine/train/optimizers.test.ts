/** The optimizers' update: PyTorch's Adam on a known gradient, and no tfjs tensor left behind per step (assign keeps the new tensor's data). */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Optimizer, REFERENCE_ADAM } from '../../../engine/train/optimizers.ts';

describe('optimizers', () => {
  it('Adam moves each weight by lr against the gradient sign on the first step, and a hundred steps leak no tensor', () => {
    const weights = new Map([['w', tf.variable(tf.tensor1d([1, -2, 3]), true, 'optimizer-test:w')]]);
    const optimizer = new Optimizer(REFERENCE_ADAM);
    const gradient = tf.tensor1d([0.5, -4, 0]);
    optimizer.apply(weights, { w: gradient }, 0.1);
    expect(Array.from(weights.get('w')!.dataSync()).map((value) => Math.round(value * 1e5) / 1e5)).toEqual([0.9, -1.9, 3]);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 100; step += 1) optimizer.apply(weights, { w: gradient }, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([gradient, ...weights.values()]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { diceCrossEntropyLoss } from '../../../engine/backend/loss.ts';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { createWeights, forward, initialWeightValues } from '../../../engine/network/executor.ts';
import { specParams } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { Optimizer, REFERENCE_ADAM } from '../../../engine/train/optimizers.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';

const SIDE = 12;
const SHAPE: [number, number, number, number, number] = [2, SIDE, SIDE, SIDE, 1];

/** 20 Adam steps of the reference network on a fixed random batch; returns the losses. */
async function train(): Promise<number[]> {
  const spec = decodeGenome(REFERENCE_GENOME, { inputChannels: 1, classes: 3 });
  const weights = createWeights(spec, initialWeightValues(specParams(spec), createRandom('training-parity')));
  const random = createRandom('batch');
  const input = tf.tensor5d(Float32Array.from({ length: 2 * SIDE ** 3 }, () => random.normal()), SHAPE);
  const labels = tf.tensor1d(Int32Array.from({ length: 2 * SIDE ** 3 }, () => random.integer(0, 3)), 'int32');
  const target = tf.reshape(tf.cast(tf.oneHot(labels, 3), 'float32'), [2, SIDE, SIDE, SIDE, 3]) as tf.Tensor5D;
  const optimizer = new Optimizer(REFERENCE_ADAM);
  const losses: number[] = [];
  for (let step = 0; step < 20; step += 1) {
    const { value, grads } = tf.variableGrads(() => diceCrossEntropyLoss(forward(spec, weights, input)[0]!, target, { smooth: 1e-5 }), [...weights.values()]);
    losses.push((await value.data())[0]!);
    optimizer.apply(weights, grads, REFERENCE_ADAM.learningRate);
    tf.dispose([value, ...Object.values(grads)]);
  }
  optimizer.dispose();
  tf.dispose([input, labels, target, ...weights.values()]);
  return losses;
}

afterAll(async () => {
  await selectBackend({ force: 'cpu' });
});

describe('training the reference network', () => {
  it('20 Adam steps give the same losses on wasm and cpu (to 1e-3), and the loss falls', async () => {
    await selectBackend({ force: 'cpu' });
    const cpu = await train();
    await selectBackend({ force: 'wasm' });
    const wasm = await train();
    expect(Math.max(...cpu.map((loss, step) => Math.abs(loss - wasm[step]!)))).toBeLessThan(1e-3);
    expect(cpu[19]!).toBeLessThan(cpu[0]! - 0.05);
  }, 240_000);
});

import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { createWeights, initialWeightValues } from '../../../engine/network/executor.ts';
import { specParams } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { Optimizer, REFERENCE_ADAM } from '../../../engine/train/optimizers.ts';
import { trainStep } from '../../../engine/train/train-step.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';

const SIDE = 12;

/** 20 Adam steps of the reference network on a fixed random batch; returns the losses. */
async function train(): Promise<number[]> {
  const spec = decodeGenome(REFERENCE_GENOME, { inputChannels: 1, classes: 3 });
  const weights = createWeights(spec, initialWeightValues(specParams(spec), createRandom('training-parity')));
  const random = createRandom('batch');
  const voxels = 2 * SIDE ** 3;
  const batch = {
    shape: [2, SIDE, SIDE, SIDE, 1] as [number, number, number, number, number],
    image: Float32Array.from({ length: voxels }, () => random.normal()),
    label: Uint8Array.from({ length: voxels }, () => random.integer(0, 3)),
  };
  const optimizer = new Optimizer(REFERENCE_ADAM);
  const losses: number[] = [];
  for (let step = 0; step < 20; step += 1) losses.push(await trainStep(spec, weights, optimizer, batch, REFERENCE_ADAM.learningRate));
  optimizer.dispose();
  for (const weight of weights.values()) weight.dispose();
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

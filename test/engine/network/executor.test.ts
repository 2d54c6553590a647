import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { ndhwcToNcdhw, exportOnnx, verifyOnnxParity } from '../../../engine/export/index.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { createWeights, forward, gradientsByParameter, initialWeightValues, type ForwardOptions } from '../../../engine/network/executor.ts';
import { allNodes, specParams, type NetworkSpec } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { TEST_GENOMES } from '../../support/test-genomes.ts';

const SHAPE: [number, number, number, number, number] = [2, 8, 8, 12, 1];

function randomArray(length: number, seed: string): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => random.normal());
}

/** Forward outputs and the gradient of a fixed random projection of them, on the current backend. */
async function runOnce(spec: NetworkSpec, values: Map<string, Float32Array>, options: (mix: Record<string, tf.Tensor1D>) => ForwardOptions) {
  const weights = createWeights(spec, values);
  const input = tf.tensor5d(randomArray(SHAPE.reduce((a, b) => a * b), 'input'), SHAPE);
  const mixWeights: Record<string, tf.Tensor1D> = {};
  for (const node of allNodes(spec.nodes)) {
    if (node.op === 'choice') mixWeights[node.id] = tf.softmax(tf.tensor1d(randomArray(node.options.length, node.id)));
  }
  const outputs = forward(spec, weights, input, options(mixWeights));
  const projections = outputs.map((output, index) => tf.tensor(randomArray(output.size, `projection${index}`), output.shape));
  const lossOf = () => tf.addN(forward(spec, weights, input, options(mixWeights)).map((output, index) => tf.sum(tf.mul(output, projections[index]!)))) as tf.Scalar;
  const { grads } = tf.variableGrads(lossOf, [...weights.values()]);
  const result = {
    outputs: await Promise.all(outputs.map(async (output) => Array.from(await output.data()))),
    grads: Object.fromEntries(await Promise.all(Object.entries(gradientsByParameter(weights, grads)).map(async ([name, grad]) => [name, Array.from(await grad.data())] as const))),
  };
  tf.dispose([...outputs, ...projections, ...Object.values(grads), ...Object.values(mixWeights), input, ...weights.values()]);
  return result;
}

const maxRelativeDifference = (a: number[], b: number[]) => {
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  return Math.max(0, ...a.map((value, index) => Math.abs(value - b[index]!) / scale));
};

afterAll(async () => {
  await selectBackend({ force: 'cpu' });
});

describe('tfjs executor: wasm agrees with cpu, forward and every gradient', () => {
  for (const [name, genome] of Object.entries(TEST_GENOMES)) {
    it(name, async () => {
      const spec = decodeGenome(genome, { inputChannels: 1, classes: 3 });
      const values = initialWeightValues(specParams(spec), createRandom(`weights:${name}`));
      const options = (mix: Record<string, tf.Tensor1D>): ForwardOptions => ({ mix });
      await selectBackend({ force: 'cpu' });
      const cpu = await runOnce(spec, values, options);
      await selectBackend({ force: 'wasm' });
      const wasm = await runOnce(spec, values, options);
      const differences = {
        outputs: Math.max(...cpu.outputs.map((output, index) => maxRelativeDifference(wasm.outputs[index]!, output))),
        grads: Math.max(...Object.keys(cpu.grads).map((key) => maxRelativeDifference(wasm.grads[key]!, cpu.grads[key]!))),
      };
      expect(Object.keys(wasm.grads).sort()).toEqual(specParams(spec).map((param) => param.name).sort());
      expect(differences.outputs).toBeLessThan(1e-4);
      expect(differences.grads).toBeLessThan(1e-4);
    }, 120_000);
  }
});

describe('ONNX export of the executor: onnxruntime-node gives the same probabilities', () => {
  for (const [name, genome] of Object.entries(TEST_GENOMES)) {
    it(name, async () => {
      await selectBackend({ force: 'wasm' });
      const spec = decodeGenome(genome, { inputChannels: 1, classes: 3 });
      const values = initialWeightValues(specParams(spec), createRandom(`weights:${name}`));
      const path = Object.fromEntries(allNodes(spec.nodes).filter((node) => node.op === 'choice').map((node) => [node.id, 1]));
      const weights = createWeights(spec, values);
      const input = tf.tensor5d(randomArray(SHAPE.reduce((a, b) => a * b), 'input'), SHAPE);
      const probabilities = tf.softmax(forward(spec, weights, input, { path })[0]!);
      const model = exportOnnx(spec, values, {
        genome,
        channelNames: ['MRI'],
        labelNames: ['background', 'anterior', 'posterior'],
        labelValues: [0, 1, 2],
        targetSpacing: [1, 1, 1],
        normalization: [{ scheme: 'z-score' }],
        patchSize: [8, 8, 12],
      }, { path });
      const result = await verifyOnnxParity(
        model,
        { data: ndhwcToNcdhw(await input.data() as Float32Array, SHAPE), shape: [SHAPE[0], SHAPE[4], SHAPE[1], SHAPE[2], SHAPE[3]] },
        ndhwcToNcdhw(await probabilities.data() as Float32Array, [SHAPE[0], SHAPE[1], SHAPE[2], SHAPE[3], 3]),
      );
      tf.dispose([input, probabilities, ...weights.values()]);
      expect(result.passed).toBe(true);
      expect(result.maxAbsDifference).toBeLessThan(1e-4);
    }, 60_000);
  }
});

describe('tfjs executor: weights', () => {
  it('disposing the weights frees every tensor they made (no initial tensor left behind)', () => {
    const spec = decodeGenome(TEST_GENOMES.reference!, { inputChannels: 1, classes: 3 });
    const before = tf.memory().numTensors;
    const weights = createWeights(spec, initialWeightValues(specParams(spec), createRandom(4)));
    expect(tf.memory().numTensors - before).toBe(weights.size);
    for (const variable of weights.values()) variable.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

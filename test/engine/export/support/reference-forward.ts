/**
 * An independent forward pass of a NetworkSpec for the exporter's parity tests: tfjs's own ops on
 * the `cpu` backend (correct, slow), NDHWC, written from the spec's documented semantics and not from
 * the exporter. Trilinear x2 upsampling is written by hand (tfjs has no 3D resize) as half-pixel
 * linear interpolation with the source index clamped to the volume, one axis after the other.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChoicePath } from '../../../../engine/network/cost-model.ts';
import { specParams, type LayerNode, type NetworkSpec } from '../../../../engine/network/spec.ts';
import { seededRandom } from '../../../../engine/data/seeded-sample.ts';

export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
}


/** Normal samples (Box-Muller) from a seeded generator. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Every parameter of the spec (all options of a supernet), seeded: kernels He-normal, and gamma,
 * beta and bias away from their 1 / 0 initial values so that a misplaced vector shows.
 */
export function randomWeights(spec: NetworkSpec, seed: number): Map<string, Float32Array> {
  const normal = seededNormal(seed);
  const weights = new Map<string, Float32Array>();
  for (const param of specParams(spec)) {
    const size = param.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (param.shape.length === 5) {
      const fanIn = param.shape[0]! * param.shape[1]! * param.shape[2]! * (param.name.endsWith('convt/kernel') ? param.shape[4]! : param.shape[3]!);
      for (let index = 0; index < size; index += 1) values[index] = normal() * Math.sqrt(2 / fanIn);
    } else {
      const center = param.name.endsWith('/gamma') ? 1 : 0;
      for (let index = 0; index < size; index += 1) values[index] = center + 0.3 * normal();
    }
    weights.set(param.name, values);
  }
  return weights;
}

/** x2 along one axis of an NDHWC tensor: out[o] = lerp(in[i0], in[i1], w), source (o + 0.5) / 2 - 0.5 clamped to [0, n - 1]. */
function upsampleAxis(x: tf.Tensor5D, axis: 1 | 2 | 3): tf.Tensor5D {
  const n = x.shape[axis];
  const low: number[] = [];
  const high: number[] = [];
  const weight: number[] = [];
  for (let out = 0; out < 2 * n; out += 1) {
    const source = Math.min(Math.max((out + 0.5) / 2 - 0.5, 0), n - 1);
    const below = Math.floor(source);
    low.push(below);
    high.push(Math.min(below + 1, n - 1));
    weight.push(source - below);
  }
  const weightShape = [1, 1, 1, 1, 1];
  weightShape[axis] = 2 * n;
  const a = tf.gather(x, tf.tensor1d(low, 'int32'), axis);
  const b = tf.gather(x, tf.tensor1d(high, 'int32'), axis);
  return tf.add(a, tf.mul(tf.sub(b, a), tf.tensor(weight, weightShape))) as tf.Tensor5D;
}

export function trilinearX2(x: tf.Tensor5D): tf.Tensor5D {
  return upsampleAxis(upsampleAxis(upsampleAxis(x, 1), 2), 3);
}

function run(node: LayerNode, values: Map<string, tf.Tensor5D>, weights: ReadonlyMap<string, Float32Array>, path: ChoicePath): void {
  const get = (id: string) => values.get(id)!;
  const param = (name: string, shape: number[]) => tf.tensor(weights.get(`${node.id}/${name}`)!, shape);
  switch (node.op) {
    case 'input':
      return;
    case 'choice': {
      const option = node.options[path[node.id]!]!;
      option.nodes.forEach((inner) => run(inner, values, weights, path));
      values.set(node.id, get(option.output));
      return;
    }
    case 'conv': {
      const kernel = param('kernel', [...node.kernel, node.inChannels, node.outChannels]) as tf.Tensor5D;
      const dilation = node.dilation;
      let y = tf.conv3d(get(node.input), kernel, node.stride, 'same', 'NDHWC', [dilation, dilation, dilation]);
      if (node.bias) y = tf.add(y, param('bias', [node.outChannels]));
      values.set(node.id, y);
      return;
    }
    case 'conv-transpose': {
      const x = get(node.input);
      const [batch, depth, height, width] = x.shape;
      const kernel = param('kernel', [...node.kernel, node.outChannels, node.inChannels]) as tf.Tensor5D;
      values.set(node.id, tf.conv3dTranspose(x, kernel, [batch, 2 * depth, 2 * height, 2 * width, node.outChannels], 2, 'same'));
      return;
    }
    case 'instance-norm': {
      const x = get(node.input);
      const { mean, variance } = tf.moments(x, [1, 2, 3], true);
      const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, node.epsilon)));
      values.set(node.id, tf.add(tf.mul(normalized, param('gamma', [node.channels])), param('beta', [node.channels])));
      return;
    }
    case 'leaky-relu':
      values.set(node.id, tf.leakyRelu(get(node.input), node.alpha));
      return;
    case 'max-pool':
      values.set(node.id, tf.maxPool3d(get(node.input), 2, 2, 'valid'));
      return;
    case 'upsample-trilinear':
      values.set(node.id, trilinearX2(get(node.input)));
      return;
    case 'add':
      values.set(node.id, tf.add(get(node.inputs[0]), get(node.inputs[1])));
      return;
    case 'concat':
      values.set(node.id, tf.concat([get(node.inputs[0]), get(node.inputs[1])], 4));
  }
}

/** Softmax probabilities of the main head, NDHWC [N, D, H, W, classes], for an NDHWC input. */
export function referenceProbabilities(spec: NetworkSpec, weights: ReadonlyMap<string, Float32Array>, input: Float32Array, shape: [number, number, number, number, number], path: ChoicePath = {}): Float32Array {
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor5D>([['input', tf.tensor5d(input, shape)]]);
    spec.nodes.forEach((node) => run(node, values, weights, path));
    return tf.softmax(values.get(spec.outputs[0]!)!, -1).dataSync() as Float32Array;
  });
}

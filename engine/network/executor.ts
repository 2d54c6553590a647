import * as tf from '@tensorflow/tfjs';
import { concatChannels, conv3d, conv3dTranspose, instanceNorm, instanceNormLeakyRelu, leakyRelu, maxPool3d, upsampleTrilinear } from '../backend/ops3d.ts';
import type { ChoicePath } from './cost-model.ts';
import { allNodes, specParams, viewOffset, type LayerNode, type NetworkSpec, type ParamSpec, type Triple } from './spec.ts';

/**
 * The tfjs executor: runs a NetworkSpec on NDHWC float32 tensors with the backend-neutral ops of
 * engine/backend (correct values and gradients on cpu, wasm and tensorflow). Weights are tf.Variables
 * keyed by the spec's parameter names, so a supernet and its children share them.
 */
export type NetworkWeights = Map<string, tf.Variable>;

export interface ForwardOptions {
  /** Option index per choice id: run one path (ENAS, one-shot). */
  path?: ChoicePath;
  /** Mixing weights per choice id, one per option: run the weighted sum of all options (DARTS, Gumbel). */
  mix?: Record<string, tf.Tensor1D>;
  /** Whether a training step uses this pass (affects nothing today; kept explicit for dropout-like ops). */
  training?: boolean;
}

/** A source of standard normal numbers (seeded by the caller, so initialisation is reproducible). */
export interface NormalSource {
  normal(): number;
}

/** Initial values: He-normal kernels (std sqrt(2 / fan_in)), zero biases and betas, unit gammas. */
export function initialWeightValues(params: readonly ParamSpec[], random: NormalSource): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const param of params) {
    const size = param.shape.reduce((a, b) => a * b, 1);
    const array = new Float32Array(size);
    if (param.init === 'ones') array.fill(1);
    else if (param.init === 'he-normal') {
      const std = Math.sqrt(2 / (param.fanIn ?? 1));
      for (let index = 0; index < size; index += 1) array[index] = random.normal() * std;
    }
    values.set(param.name, array);
  }
  return values;
}

let weightSets = 0;

/**
 * tf.Variables for every parameter of the spec (every option of a supernet), from given values.
 * Map keys are the spec's parameter names; the variables' own names get a per-set prefix, because
 * tfjs variable names are global and two networks (a supernet and a child) may live side by side.
 */
export function createWeights(spec: NetworkSpec, values: Map<string, Float32Array>): NetworkWeights {
  const prefix = `weights${(weightSets += 1)}:`;
  const weights: NetworkWeights = new Map();
  for (const param of specParams(spec)) {
    const value = values.get(param.name);
    if (!value) throw new Error(`no value for parameter ${param.name}`);
    // tidy: without it the initial tensor keeps a reference to the data after the variable is disposed.
    weights.set(param.name, tf.tidy(() => tf.variable(tf.tensor(value, param.shape), true, `${prefix}${param.name}`)));
  }
  return weights;
}

/**
 * Gradients from tf.variableGrads (keyed by variable name) re-keyed by parameter name; parameters
 * the pass did not use (other options of a supernet) have none.
 */
export function gradientsByParameter(weights: NetworkWeights, grads: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const byParameter: Record<string, tf.Tensor> = {};
  for (const [name, variable] of weights) {
    const gradient = grads[variable.name];
    if (gradient) byParameter[name] = gradient;
  }
  return byParameter;
}

/** Reads the current values of the weights (for checkpoints and export). */
export async function weightValues(weights: NetworkWeights): Promise<Map<string, Float32Array>> {
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of weights) values.set(name, (await variable.data()) as Float32Array);
  return values;
}

const selections = new Map<string, Float32Array>();

/** 0/1 matrix [taps of kernel, taps of superKernel] that picks the centred block (cached per shape pair). */
function selectionMatrix(kernel: Triple, superKernel: Triple): Float32Array {
  const key = `${kernel.join('x')}/${superKernel.join('x')}`;
  let matrix = selections.get(key);
  if (!matrix) {
    const [od, oh, ow] = viewOffset(kernel, superKernel);
    const [, sh, sw] = superKernel;
    const superTaps = superKernel[0] * sh * sw;
    matrix = new Float32Array(kernel[0] * kernel[1] * kernel[2] * superTaps);
    let row = 0;
    for (let z = 0; z < kernel[0]; z += 1) {
      for (let y = 0; y < kernel[1]; y += 1) {
        for (let x = 0; x < kernel[2]; x += 1) {
          matrix[row * superTaps + ((z + od) * sh + (y + oh)) * sw + (x + ow)] = 1;
          row += 1;
        }
      }
    }
    selections.set(key, matrix);
  }
  return matrix;
}

/**
 * A kernel view's values from its superkernel, as a matrix product over a 2D view of the weights
 * (the selection's gradient is its transpose product): 5D slices are the slow ops of tfjs's wasm backend.
 */
function kernelView(superKernel: tf.Variable, kernel: Triple, superShape: Triple): tf.Tensor5D {
  if (kernel.every((size, axis) => size === superShape[axis])) return superKernel as tf.Tensor5D;
  const [cin, cout] = superKernel.shape.slice(3) as [number, number];
  const taps = kernel[0] * kernel[1] * kernel[2];
  const superTaps = superShape[0] * superShape[1] * superShape[2];
  const picked = tf.matMul(tf.tensor2d(selectionMatrix(kernel, superShape), [taps, superTaps]), tf.reshape(superKernel, [superTaps, cin * cout]));
  return tf.reshape(picked, [...kernel, cin, cout]);
}

/** How many nodes read each node's output (to fuse norm + activation only when nothing else reads the norm). */
function consumers(nodes: readonly LayerNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const node of allNodes(nodes)) {
    if ('input' in node) count(node.input);
    if ('inputs' in node) node.inputs.forEach(count);
  }
  return counts;
}

/**
 * Runs the spec; returns the output logits in spec.outputs order (full resolution first). Call it
 * inside tf.tidy or a gradient function: intermediate tensors are not disposed here.
 */
export function forward(spec: NetworkSpec, weights: NetworkWeights, input: tf.Tensor5D, options: ForwardOptions = {}): tf.Tensor5D[] {
  const readers = consumers(spec.nodes);
  const values = new Map<string, tf.Tensor5D>();
  const weight = (name: string) => {
    const variable = weights.get(name);
    if (!variable) throw new Error(`missing weight ${name}`);
    return variable;
  };
  const run = (nodes: readonly LayerNode[]) => {
    for (let index = 0; index < nodes.length; index += 1) {
      const node = nodes[index]!;
      const read = (id: string) => {
        const value = values.get(id);
        if (!value) throw new Error(`node ${node.id} reads ${id} before it is computed`);
        return value;
      };
      switch (node.op) {
        case 'input':
          values.set(node.id, input);
          break;
        case 'conv':
          values.set(node.id, conv3d(read(node.input), node.kernelOf ? kernelView(weight(node.kernelOf.param), node.kernel, node.kernelOf.superKernel) : (weight(`${node.id}/kernel`) as tf.Tensor5D), { stride: node.stride, dilation: node.dilation, ...(node.bias ? { bias: weight(`${node.id}/bias`) as tf.Tensor1D } : {}) }));
          break;
        case 'conv-transpose':
          values.set(node.id, conv3dTranspose(read(node.input), weight(`${node.id}/kernel`) as tf.Tensor5D));
          break;
        case 'instance-norm': {
          const gamma = weight(`${node.id}/gamma`) as tf.Tensor1D;
          const beta = weight(`${node.id}/beta`) as tf.Tensor1D;
          const next = nodes[index + 1];
          if (next?.op === 'leaky-relu' && next.input === node.id && readers.get(node.id) === 1) {
            values.set(next.id, instanceNormLeakyRelu(read(node.input), gamma, beta, node.epsilon, next.alpha));
            index += 1;
          } else {
            values.set(node.id, instanceNorm(read(node.input), gamma, beta, node.epsilon));
          }
          break;
        }
        case 'leaky-relu':
          values.set(node.id, leakyRelu(read(node.input), node.alpha));
          break;
        case 'max-pool':
          values.set(node.id, maxPool3d(read(node.input)));
          break;
        case 'upsample-trilinear':
          values.set(node.id, upsampleTrilinear(read(node.input)));
          break;
        case 'add':
          values.set(node.id, tf.add(read(node.inputs[0]), read(node.inputs[1])));
          break;
        case 'concat':
          values.set(node.id, concatChannels(read(node.inputs[0]), read(node.inputs[1])));
          break;
        case 'choice': {
          const chosen = options.path?.[node.id];
          const mix = options.mix?.[node.id];
          if (chosen !== undefined) {
            const option = node.options[chosen];
            if (!option) throw new Error(`choice ${node.id} has no option ${chosen}`);
            run(option.nodes);
            values.set(node.id, read(option.output));
          } else if (mix !== undefined) {
            if (mix.shape[0] !== node.options.length) throw new Error(`choice ${node.id}: ${node.options.length} options but ${mix.shape[0]} mixing weights`);
            const outputs = node.options.map((option) => {
              run(option.nodes);
              return read(option.output);
            });
            const parts = tf.unstack(mix).map((w, i) => tf.mul(outputs[i]!, w));
            values.set(node.id, tf.addN(parts) as tf.Tensor5D);
          } else {
            throw new Error(`choice ${node.id} needs a path or mixing weights`);
          }
          break;
        }
      }
    }
  };
  run(spec.nodes);
  return spec.outputs.map((id) => {
    const value = values.get(id);
    if (!value) throw new Error(`output ${id} was not computed`);
    return value;
  });
}

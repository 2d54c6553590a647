import * as tf from '@tensorflow/tfjs';
import { conv3d, conv3dTranspose, instanceNormLeakyRelu, maxPool3d } from './ops3d.ts';
import { seededRandom } from '../data/seeded-sample.ts';

/**
 * The benchmark reference 3D U-Net (shared/bench/README.md, torch_unet_reference.py) built
 * directly on ops3d: 3 levels with 8/16/32 filters, two [3x3x3 conv (no bias) -> instance norm
 * (affine, eps 1e-5) -> LeakyReLU(0.01)] per level, 2x2x2 max pooling down, 2x2x2 stride-2
 * transposed convolution up (no bias), skips ADDED, 1x1x1 head with bias.
 * 76,531 parameters with 1 input channel and 3 classes.
 */

export const REFERENCE_EPSILON = 1e-5;
export const REFERENCE_ALPHA = 0.01;

export interface ReferenceUNetOptions {
  inChannels: number;
  classes: number;
  /** Filters per level, coarsest last; the reference is [8, 16, 32]. */
  filters: readonly [number, number, number];
  /** Seed of the deterministic initialization (the same values on every backend). */
  seed: number;
}

export const REFERENCE_UNET: ReferenceUNetOptions = { inChannels: 1, classes: 3, filters: [8, 16, 32], seed: 1 };

interface Block {
  conv1: tf.Variable;
  gamma1: tf.Variable;
  beta1: tf.Variable;
  conv2: tf.Variable;
  gamma2: tf.Variable;
  beta2: tf.Variable;
}

export interface ReferenceUNet {
  /** Every trainable variable, in a fixed order (name -> variable). */
  parameters: Map<string, tf.Variable>;
  forward(x: tf.Tensor5D): tf.Tensor5D;
  dispose(): void;
}

/** A seeded uniform generator in [0, 1) (the engine's shared mulberry32). */
export const seededUniform = seededRandom;

export function createReferenceUNet(options: ReferenceUNetOptions = REFERENCE_UNET): ReferenceUNet {
  const random = seededUniform(options.seed);
  const parameters = new Map<string, tf.Variable>();
  const add = (name: string, shape: number[], values: Float32Array): tf.Variable => {
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape)));
    parameters.set(name, variable);
    return variable;
  };
  // PyTorch's default for convolutions: uniform in +-1/sqrt(fan_in).
  const weights = (name: string, shape: number[], fanIn: number): tf.Variable => {
    const bound = 1 / Math.sqrt(fanIn);
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * bound;
    return add(name, shape, values);
  };
  const filled = (name: string, size: number, value: number): tf.Variable => add(name, [size], new Float32Array(size).fill(value));
  const block = (name: string, cin: number, cout: number): Block => ({
    conv1: weights(`${name}.conv1`, [3, 3, 3, cin, cout], 27 * cin),
    gamma1: filled(`${name}.gamma1`, cout, 1),
    beta1: filled(`${name}.beta1`, cout, 0),
    conv2: weights(`${name}.conv2`, [3, 3, 3, cout, cout], 27 * cout),
    gamma2: filled(`${name}.gamma2`, cout, 1),
    beta2: filled(`${name}.beta2`, cout, 0),
  });
  const [f0, f1, f2] = options.filters;
  const enc0 = block('enc0', options.inChannels, f0);
  const enc1 = block('enc1', f0, f1);
  const bottom = block('bottom', f1, f2);
  // conv3dTranspose filters are [2, 2, 2, cout, cin]; PyTorch's fan_in for them is cout * 8.
  const up1 = weights('up1', [2, 2, 2, f1, f2], 8 * f1);
  const dec1 = block('dec1', f1, f1);
  const up0 = weights('up0', [2, 2, 2, f0, f1], 8 * f0);
  const dec0 = block('dec0', f0, f0);
  const head = weights('head', [1, 1, 1, f0, options.classes], f0);
  const headBias = weights('head.bias', [options.classes], f0);

  const run = (x: tf.Tensor5D, b: Block): tf.Tensor5D => {
    const a = instanceNormLeakyRelu(
      conv3d(x, b.conv1 as tf.Tensor5D),
      b.gamma1 as tf.Tensor1D,
      b.beta1 as tf.Tensor1D,
      REFERENCE_EPSILON,
      REFERENCE_ALPHA,
    );
    return instanceNormLeakyRelu(
      conv3d(a, b.conv2 as tf.Tensor5D),
      b.gamma2 as tf.Tensor1D,
      b.beta2 as tf.Tensor1D,
      REFERENCE_EPSILON,
      REFERENCE_ALPHA,
    );
  };

  return {
    parameters,
    forward: (x) =>
      tf.tidy(() => {
        const s0 = run(x, enc0);
        const s1 = run(maxPool3d(s0), enc1);
        const b = run(maxPool3d(s1), bottom);
        const d1 = run(tf.add(conv3dTranspose(b, up1 as tf.Tensor5D), s1), dec1);
        const d0 = run(tf.add(conv3dTranspose(d1, up0 as tf.Tensor5D), s0), dec0);
        return conv3d(d0, head as tf.Tensor5D, { bias: headBias as tf.Tensor1D });
      }),
    dispose: () => {
      for (const variable of parameters.values()) variable.dispose();
    },
  };
}

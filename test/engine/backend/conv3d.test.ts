import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv3d } from '../../../engine/backend/ops3d.ts';
import { compareBackends, relativeDifference, seeded, startBackends } from './backend-harness.ts';
import { naiveConv3d, naiveConv3dGradients } from './naive-reference.ts';

/**
 * conv3d on wasm (2D convolutions + heap gathers) against cpu (tfjs conv3d, explicit padding,
 * zero-spread kernels for dilation), and both against direct loops: forward values and the
 * gradients with respect to input and filter, for every kernel, dilation and stride used.
 */

const KERNELS: [number, number, number][] = [
  [1, 1, 1],
  [3, 3, 3],
  [5, 5, 5],
  [3, 3, 1],
  [1, 1, 3],
  [5, 5, 1],
  [1, 1, 5],
];

interface Case {
  kernel: number[];
  stride: 1 | 2;
  dilation: 1 | 2;
}

const CASES: Case[] = [
  ...KERNELS.flatMap((kernel) => [
    { kernel, stride: 1 as const, dilation: 1 as const },
    { kernel, stride: 1 as const, dilation: 2 as const },
    { kernel, stride: 2 as const, dilation: 1 as const },
  ]),
  { kernel: [2, 2, 2], stride: 2, dilation: 1 },
];

// Mixed parities: stride 2 pads differently on even and odd sizes (extra element at the end).
const X_SHAPE = [2, 6, 5, 7, 3];
const COUT = 4;
const TOLERANCE = 1e-4;

beforeAll(startBackends);

describe('conv3d: wasm against cpu against direct loops', () => {
  it.each(CASES)('kernel $kernel stride $stride dilation $dilation', async ({ kernel, stride, dilation }) => {
    const wShape = [...kernel, X_SHAPE[4]!, COUT];
    const inputs = [{ shape: X_SHAPE }, { shape: wShape, scale: 0.5 }];
    const run = (x: tf.Tensor, w: tf.Tensor) => conv3d(x as tf.Tensor5D, w as tf.Tensor5D, { stride, dilation });
    const { differences, cpu } = await compareBackends(inputs, run, 7);
    expect(differences.every((d) => d < TOLERANCE), `wasm vs cpu: ${differences}`).toBe(true);

    const x = seeded(X_SHAPE, 7);
    const w = seeded(wShape, 8, 0.5);
    const expected = naiveConv3d(x, X_SHAPE, w, wShape, stride, dilation);
    const dy = seeded(expected.shape, 7 + 101);
    const { dx, dw } = naiveConv3dGradients(x, X_SHAPE, w, wShape, dy, stride, dilation);
    expect(cpu[0]!.length).toBe(expected.values.length);
    const naive = [expected.values, dx, dw].map((reference, i) => relativeDifference(cpu[i]!, reference));
    expect(naive.every((d) => d < 1e-5), `cpu vs loops: ${naive}`).toBe(true);
  });

  it('adds a per-channel bias, with its gradient, on both backends', async () => {
    const inputs = [{ shape: [1, 4, 4, 4, 8] }, { shape: [1, 1, 1, 8, 3] }, { shape: [3] }];
    const run = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => conv3d(x as tf.Tensor5D, w as tf.Tensor5D, { bias: b as tf.Tensor1D });
    const { differences, cpu } = await compareBackends(inputs, run, 3);
    expect(differences.every((d) => d < TOLERANCE), `${differences}`).toBe(true);
    const weights = seeded([1, 4, 4, 4, 3], 3 + 101);
    const biasGradient = [0, 1, 2].map((k) => weights.filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0));
    expect(relativeDifference(cpu[3]!, biasGradient)).toBeLessThan(1e-5);
  });

  it('rejects what it does not implement, with the shapes in the message', async () => {
    await startBackends();
    const x = tf.zeros([1, 4, 4, 4, 2]) as tf.Tensor5D;
    expect(() => conv3d(x, tf.zeros([3, 3, 3, 3, 4]) as tf.Tensor5D)).toThrow('filter expects 3 input channels, x has 2');
    expect(() => conv3d(x, tf.zeros([3, 3, 3, 2, 4]) as tf.Tensor5D, { stride: 2, dilation: 2 })).toThrow('not both 2');
    expect(() => conv3d(tf.zeros([4, 4, 4, 2]) as unknown as tf.Tensor5D, tf.zeros([3, 3, 3, 2, 4]) as tf.Tensor5D)).toThrow('rank 5');
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyLoss, diceCrossEntropyLoss, softDiceLoss } from '../../../engine/backend/loss.ts';
import {
  conv3dTranspose,
  instanceNorm,
  instanceNormLeakyRelu,
  leakyRelu,
  maxPool3d,
  softmaxChannels,
  upsampleTrilinear,
} from '../../../engine/backend/ops3d.ts';
import { compareBackends, onBackend, relativeDifference, seeded, startBackends } from './backend-harness.ts';
import { naiveConv3dTranspose, naiveDiceCrossEntropy, naiveInstanceNorm, naiveMaxPool3d, naiveUpsample } from './naive-reference.ts';

/**
 * Every op other than conv3d: wasm against cpu (value and gradients with respect to every input,
 * through a random scalar loss), and cpu against a direct loop or a hand-computed example.
 */

const TOLERANCE = 1e-4;
const T5 = (t: tf.Tensor) => t as tf.Tensor5D;
const T1 = (t: tf.Tensor) => t as tf.Tensor1D;

beforeAll(startBackends);

function expectAgreement(differences: number[]): void {
  expect(differences.every((d) => d < TOLERANCE), `wasm vs cpu relative differences: ${differences}`).toBe(true);
}

describe('conv3dTranspose (2x2x2, stride 2)', () => {
  it('agrees wasm vs cpu, with tfjs conv3dTranspose on cpu, and with a direct loop', async () => {
    const xShape = [2, 3, 4, 2, 5];
    const wShape = [2, 2, 2, 3, 5];
    const { differences, cpu } = await compareBackends([{ shape: xShape }, { shape: wShape }], (x, w) => conv3dTranspose(T5(x), T5(w)), 11);
    expectAgreement(differences);
    const naive = naiveConv3dTranspose(seeded(xShape, 11), xShape, seeded(wShape, 12), 3);
    expect(relativeDifference(cpu[0]!, naive.values)).toBeLessThan(1e-5);
    const [tfjs] = await onBackend('cpu', () => [
      tf.conv3dTranspose(tf.tensor5d(seeded(xShape, 11), xShape as never), tf.tensor5d(seeded(wShape, 12), wShape as never), [2, 6, 8, 4, 3], 2, 'same'),
    ]);
    expect(relativeDifference(cpu[0]!, tfjs!)).toBeLessThan(1e-5);
  });
});

describe('maxPool3d (2x2x2, stride 2)', () => {
  it('agrees wasm vs cpu and with a direct loop, all-negative windows included', async () => {
    const shape = [2, 4, 6, 4, 3];
    // Values in [-2, -0.1): every window is all negative (tfjs 4.22's wasm MaxPool3D fails there).
    const negative = seeded(shape, 5).map((v) => -1.05 - 0.95 * v);
    for (const values of [seeded(shape, 5), negative]) {
      const { differences, cpu } = await compareBackends([{ shape, values }], (x) => maxPool3d(T5(x)), 5);
      expectAgreement(differences);
      expect(relativeDifference(cpu[0]!, naiveMaxPool3d(values, shape).values)).toBe(0);
    }
  });

  it('rejects odd sizes', async () => {
    await startBackends();
    expect(() => maxPool3d(tf.zeros([1, 4, 5, 4, 1]) as tf.Tensor5D)).toThrow('must be even');
  });
});

describe('instance normalization', () => {
  const shape = [2, 4, 3, 5, 6];
  const inputs = [{ shape, scale: 3 }, { shape: [6] }, { shape: [6] }];

  it('agrees wasm vs cpu for x, gamma and beta, and with a direct loop', async () => {
    const { differences, cpu } = await compareBackends(inputs, (x, g, b) => instanceNorm(T5(x), T1(g), T1(b), 1e-5), 21);
    expectAgreement(differences);
    const naive = naiveInstanceNorm(seeded(shape, 21, 3), shape, seeded([6], 22), seeded([6], 23), 1e-5);
    expect(relativeDifference(cpu[0]!, naive.values)).toBeLessThan(1e-5);
  });

  it('uses the epsilon it is given (a large one changes the result as expected)', async () => {
    const values = seeded(shape, 21, 0.01);
    const [y] = await onBackend('wasm', () => [instanceNorm(tf.tensor5d(values, shape as never), tf.ones([6]), tf.zeros([6]), 1)]);
    const naive = naiveInstanceNorm(values, shape, new Float32Array(6).fill(1), new Float32Array(6), 1);
    expect(relativeDifference(y!, naive.values)).toBeLessThan(1e-5);
  });

  it('fused with LeakyReLU agrees wasm vs cpu and equals the two ops in sequence', async () => {
    const fused = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => instanceNormLeakyRelu(T5(x), T1(g), T1(b), 1e-5, 0.01);
    const { differences, wasm } = await compareBackends(inputs, fused, 31);
    expectAgreement(differences);
    const [sequence] = await onBackend('wasm', () => [
      leakyRelu(instanceNorm(tf.tensor5d(seeded(shape, 31, 3), shape as never), tf.tensor1d(seeded([6], 32)), tf.tensor1d(seeded([6], 33)), 1e-5), 0.01),
    ]);
    expect(relativeDifference(wasm[0]!, sequence!)).toBeLessThan(1e-6);
  });
});

describe('leakyRelu', () => {
  it('uses the slope it is given and agrees wasm vs cpu, gradient included', async () => {
    const values = new Float32Array([-2, -0.5, 0, 0.5, 3, -1e-3, 7, -7]);
    const { differences, cpu } = await compareBackends([{ shape: [1, 2, 2, 2, 1], values }], (x) => leakyRelu(x, 0.2), 41);
    expectAgreement(differences);
    expect(Array.from(cpu[0]!)).toEqual(Array.from(values, (v) => Math.fround(v > 0 ? v : 0.2 * v)));
  });
});

describe('upsampleTrilinear (x2, half-pixel centres)', () => {
  it('matches a hand-computed 1D example along each axis (PyTorch align_corners=False)', async () => {
    // Along the axis of length 3: [1, 2, 4] -> [1, 1.25, 1.75, 2.5, 3.5, 4]; the two axes of
    // length 1 become length 2 with the same values.
    const line = [1, 1.25, 1.75, 2.5, 3.5, 4];
    for (const axis of [1, 2, 3]) {
      const shape = [1, 1, 1, 1, 1];
      shape[axis] = 3;
      const outShape = shape.map((size, i) => (i >= 1 && i <= 3 ? 2 * size : size));
      const expected: number[] = [];
      for (let d = 0; d < outShape[1]!; d++)
        for (let h = 0; h < outShape[2]!; h++) for (let w = 0; w < outShape[3]!; w++) expected.push(line[[d, h, w][axis - 1]!]!);
      for (const backend of ['cpu', 'wasm'] as const) {
        const [y] = await onBackend(backend, () => [upsampleTrilinear(tf.tensor5d([1, 2, 4], shape as never))]);
        expect(Array.from(y!)).toEqual(expected);
      }
    }
  });

  it('agrees wasm vs cpu and with the coordinate-formula loop', async () => {
    const shape = [2, 3, 2, 4, 3];
    const { differences, cpu } = await compareBackends([{ shape }], (x) => upsampleTrilinear(T5(x)), 51);
    expectAgreement(differences);
    expect(relativeDifference(cpu[0]!, naiveUpsample(seeded(shape, 51), shape).values)).toBeLessThan(1e-6);
  });
});

describe('softmax over channels and the Dice + cross-entropy loss', () => {
  const shape = [2, 3, 4, 2, 3];
  const labels = seeded(shape.slice(0, 4), 61).map((v) => Math.floor((v + 1) * 1.5));
  const onehot = new Float32Array(labels.length * 3);
  labels.forEach((label, i) => {
    onehot[i * 3 + label] = 1;
  });
  const inputs = [{ shape, scale: 3 }, { shape, values: onehot }];

  it('softmax agrees wasm vs cpu and sums to one per voxel', async () => {
    const { differences, cpu } = await compareBackends([{ shape, scale: 3 }], (z) => softmaxChannels(T5(z)), 62);
    expectAgreement(differences);
    for (let v = 0; v < cpu[0]!.length; v += 3) expect(cpu[0]![v]! + cpu[0]![v + 1]! + cpu[0]![v + 2]!).toBeCloseTo(1, 6);
  });

  it('Dice + CE agrees wasm (fused kernel) vs cpu (composed) and with a direct loop', async () => {
    const loss = (z: tf.Tensor, t: tf.Tensor) => diceCrossEntropyLoss(T5(z), T5(t), { smooth: 1e-5 });
    const { differences, cpu } = await compareBackends(inputs, loss, 63);
    expectAgreement(differences);
    expect(cpu[0]![0]).toBeCloseTo(naiveDiceCrossEntropy(seeded(shape, 63, 3), onehot, shape, 1e-5), 5);
  });

  it('the parts add up: softDiceLoss + crossEntropyLoss = diceCrossEntropyLoss on both backends', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      const [dice, ce, both] = await onBackend(backend, () => {
        const z = tf.tensor5d(seeded(shape, 64, 3), shape as never);
        const t = tf.tensor5d(onehot, shape as never);
        return [softDiceLoss(z, t, { smooth: 1e-5 }), crossEntropyLoss(z, t), diceCrossEntropyLoss(z, t, { smooth: 1e-5 })];
      });
      expect(dice![0]! + ce![0]!).toBeCloseTo(both![0]!, 5);
    }
  });
});

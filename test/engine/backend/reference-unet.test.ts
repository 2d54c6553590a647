import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diceCrossEntropyLoss } from '../../../engine/backend/loss.ts';
import { benchReferenceStep } from '../../../engine/backend/bench-reference-step.ts';
import { REFERENCE_UNET, createReferenceUNet } from '../../../engine/backend/reference-unet.ts';
import { type Compared, relativeDifference, seeded, startBackends } from './backend-harness.ts';

/**
 * The benchmark reference network (shared/bench/README.md) built on ops3d: its size, and the same
 * forward pass, parameter gradients and 20 Adam steps on wasm (decomposed ops) and cpu
 * (standard tfjs ops).
 */

const CLASSES = REFERENCE_UNET.classes;

function fixedBatch(size: number, seed: number): { x: tf.Tensor5D; target: tf.Tensor5D } {
  const shape = [2, size, size, size];
  const labels = seeded(shape, seed + 1).map((v) => Math.min(CLASSES - 1, Math.floor((v + 1) * 1.5)));
  const onehot = new Float32Array(labels.length * CLASSES);
  labels.forEach((label, i) => {
    onehot[i * CLASSES + label] = 1;
  });
  return {
    x: tf.tensor5d(seeded([...shape, 1], seed), [2, size, size, size, 1]),
    target: tf.tensor5d(onehot, [2, size, size, size, CLASSES]),
  };
}

const loss = (logits: tf.Tensor5D, target: tf.Tensor5D) => diceCrossEntropyLoss(logits, target, { smooth: 1e-5 });

async function forwardAndGradients(backend: Compared): Promise<{ logits: Float32Array; grads: Map<string, Float32Array> }> {
  await tf.setBackend(backend);
  const net = createReferenceUNet(REFERENCE_UNET);
  const result: { logits: Float32Array; grads: Map<string, Float32Array> } = { logits: new Float32Array(0), grads: new Map() };
  try {
    tf.tidy(() => {
      const { x, target } = fixedBatch(8, 5);
      result.logits = net.forward(x).dataSync().slice() as Float32Array;
      const { grads } = tf.variableGrads(() => loss(net.forward(x), target), [...net.parameters.values()]);
      for (const [name, v] of net.parameters) result.grads.set(name, grads[v.name]!.dataSync().slice() as Float32Array);
    });
    return result;
  } finally {
    net.dispose();
  }
}

async function train(backend: Compared, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const net = createReferenceUNet(REFERENCE_UNET);
  const optimizer = tf.train.adam(1e-3);
  const { x, target } = fixedBatch(16, 9);
  const losses: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const value = optimizer.minimize(() => loss(net.forward(x), target), true, [...net.parameters.values()]);
      losses.push(value!.dataSync()[0]!);
      value!.dispose();
    }
  } finally {
    optimizer.dispose();
    net.dispose();
    x.dispose();
    target.dispose();
  }
  return losses;
}

beforeAll(startBackends);

describe('reference U-Net on ops3d', () => {
  it('has the reference 76,531 parameters (1 input channel, 3 classes)', async () => {
    const net = createReferenceUNet(REFERENCE_UNET);
    expect([...net.parameters.values()].reduce((sum, v) => sum + v.size, 0)).toBe(76_531);
    expect(net.parameters.size).toBe(34);
    net.dispose();
  });

  it('forward pass and every parameter gradient agree wasm vs cpu (8^3, batch 2)', async () => {
    const cpu = await forwardAndGradients('cpu');
    const wasm = await forwardAndGradients('wasm');
    expect(relativeDifference(wasm.logits, cpu.logits)).toBeLessThan(1e-4);
    const differences = [...cpu.grads].map(([name, g]) => [name, relativeDifference(wasm.grads.get(name)!, g)] as const);
    const worst = differences.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(worst[1], `worst: ${worst[0]}`).toBeLessThan(1e-3);
    expect(differences).toHaveLength(34);
  }, 60_000);

  it('20 Adam(1e-3) steps at 16^3, batch 2, give the same losses on wasm and cpu (to 1e-3)', async () => {
    const cpu = await train('cpu', 20);
    const wasm = await train('wasm', 20);
    const gap = Math.max(...cpu.map((value, i) => Math.abs(value - wasm[i]!)));
    expect(gap, `cpu ${cpu.join(' ')}\nwasm ${wasm.join(' ')}`).toBeLessThan(1e-3);
    expect(cpu[19]!).toBeLessThan(cpu[0]!);
  }, 180_000);

  it('benchReferenceStep times training and inference on the backend it is given and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const train = await benchReferenceStep({ mode: 'train', size: 8, steps: 2, warmup: 1, backend: 'wasm' });
    expect(train).toMatchObject({ backend: 'wasm', mode: 'train', size: 8, batch: 2, params: 76_531 });
    expect(train.ms_median).toBeGreaterThan(0);
    expect(train.peak_rss_mb).toBeGreaterThan(0);
    const infer = await benchReferenceStep({ mode: 'infer', size: 8, steps: 1, warmup: 0 });
    expect(infer).toMatchObject({ backend: 'wasm', mode: 'infer', size: 8 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

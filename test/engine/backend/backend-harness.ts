import * as tf from '@tensorflow/tfjs';
import { seededUniform } from '../../../engine/backend/reference-unet.ts';
import { selectBackend } from '../../../engine/backend/select-backend.ts';

/**
 * Runs the same computation on the cpu and wasm backends in one process and compares the
 * results. cpu runs the portable implementations (standard tfjs ops), wasm the decomposed ones,
 * so agreement checks the wasm path; the naive references in naive-reference.ts check cpu.
 */

export type Compared = 'cpu' | 'wasm';

let started: Promise<void> | undefined;

/** Starts wasm through selectBackend (as the engine does) and cpu; idempotent. */
export function startBackends(): Promise<void> {
  started ??= (async () => {
    await selectBackend({ force: 'wasm' });
    await selectBackend({ force: 'cpu' });
  })();
  return started;
}

/** Runs fn on `backend` and returns the values of its tensors as plain arrays (tensors disposed). */
export async function onBackend(backend: Compared, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await startBackends();
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  return tf.tidy(() => fn().map((t) => t.dataSync() as Float32Array).map((values) => values.slice()));
}

/** Deterministic values in [-scale, scale), the same on every backend. */
export function seeded(shape: number[], seed: number, scale = 1): Float32Array {
  const random = seededUniform(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * scale;
  return values;
}

/** max |a - b| / max(|b|, 1e-3): the difference relative to the magnitude of the reference. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let difference = 0;
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference / scale;
}

export interface InputSpec {
  shape: number[];
  /** Values in [-scale, scale); default 1. */
  scale?: number;
  /** Exact values instead of seeded ones. */
  values?: Float32Array;
}

/**
 * Value of fn(inputs) and the gradients of sum(fn(inputs) * R) with respect to every input, R a
 * fixed random tensor: a random scalar loss, so every output element's gradient path counts.
 */
export async function valueAndGradients(
  backend: Compared,
  inputs: InputSpec[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor,
  seed: number,
): Promise<Float32Array[]> {
  return onBackend(backend, () => {
    const xs = inputs.map((spec, i) => tf.tensor(spec.values ?? seeded(spec.shape, seed + i, spec.scale ?? 1), spec.shape));
    const y = fn(...xs);
    const weights = tf.tensor(seeded(y.shape, seed + 101), y.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(fn(...args), weights)))(xs);
    return [y, ...grads];
  });
}

export interface Agreement {
  /** Relative difference of the value, then of each input's gradient. */
  differences: number[];
  cpu: Float32Array[];
  wasm: Float32Array[];
}

/** valueAndGradients on cpu and on wasm, and their relative differences. */
export async function compareBackends(
  inputs: InputSpec[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor,
  seed = 1,
): Promise<Agreement> {
  const cpu = await valueAndGradients('cpu', inputs, fn, seed);
  const wasm = await valueAndGradients('wasm', inputs, fn, seed);
  if (process.env.VOXNAS_REPORT_DIFFERENCES === '1') {
    process.stdout.write(`  differences: ${cpu.map((c, i) => relativeDifference(wasm[i]!, c).toExponential(1)).join(' ')}\n`);
  }
  return { differences: cpu.map((c, i) => relativeDifference(wasm[i]!, c)), cpu, wasm };
}

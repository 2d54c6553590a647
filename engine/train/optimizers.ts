import * as tf from '@tensorflow/tfjs';
import type { NamedArray } from '../runtime/tensor-file.ts';

/**
 * Optimizers with state we own, so that a checkpoint holds everything needed to continue a run
 * exactly. The update runs in JavaScript on the weights' values: one read and one write per
 * variable, instead of about fifteen tfjs kernel launches per variable (which dominated a small
 * network's step on wasm). On a GPU backend this costs a device round trip per step; a fused tfjs
 * update is the better choice there once it can be measured.
 */
export type OptimizerConfig =
  | { kind: 'sgd-nesterov'; learningRate: number; momentum: number; weightDecay: number }
  | { kind: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number; weightDecay: number };

/** nnU-Net's defaults: SGD, Nesterov momentum 0.99, lr 0.01 with poly decay, weight decay 3e-5. */
export const NNUNET_SGD: OptimizerConfig = { kind: 'sgd-nesterov', learningRate: 0.01, momentum: 0.99, weightDecay: 3e-5 };
/** The benchmark reference's optimizer (shared/bench): Adam, lr 1e-3. */
export const REFERENCE_ADAM: OptimizerConfig = { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** nnU-Net's poly schedule: lr0 * (1 - step / totalSteps)^0.9. */
export function polyLearningRate(initial: number, step: number, totalSteps: number): number {
  return initial * Math.pow(Math.max(0, 1 - step / Math.max(1, totalSteps)), 0.9);
}

export class Optimizer {
  /** Updates applied so far (Adam's bias correction uses it). */
  step = 0;
  private readonly slots = new Map<string, NamedArray>();

  constructor(readonly config: OptimizerConfig) {}

  private slot(name: string, shape: number[], size: number): Float32Array {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { shape, data: new Float32Array(size) };
      this.slots.set(name, slot);
    }
    return slot.data;
  }

  /** Applies gradients (by weight name) with the given learning rate. */
  apply(weights: Map<string, tf.Variable>, gradients: Record<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { config } = this;
    const correction1 = config.kind === 'adam' ? 1 - Math.pow(config.beta1, this.step) : 1;
    const correction2 = config.kind === 'adam' ? 1 - Math.pow(config.beta2, this.step) : 1;
    for (const [name, weight] of weights) {
      const gradient = gradients[name];
      if (!gradient) continue; // a supernet path leaves the other options untouched
      const g = gradient.dataSync() as Float32Array;
      const w = Float32Array.from(weight.dataSync() as Float32Array);
      const decay = config.weightDecay;
      if (config.kind === 'sgd-nesterov') {
        // PyTorch's form: buf = mu * buf + g; w -= lr * (g + mu * buf).
        const buffer = this.slot(`${name}/momentum`, weight.shape, w.length);
        for (let i = 0; i < w.length; i += 1) {
          const grad = g[i]! + decay * w[i]!;
          const next = config.momentum * buffer[i]! + grad;
          buffer[i] = next;
          w[i] = w[i]! - learningRate * (grad + config.momentum * next);
        }
      } else {
        const m = this.slot(`${name}/m`, weight.shape, w.length);
        const v = this.slot(`${name}/v`, weight.shape, w.length);
        for (let i = 0; i < w.length; i += 1) {
          const grad = g[i]! + decay * w[i]!;
          m[i] = config.beta1 * m[i]! + (1 - config.beta1) * grad;
          v[i] = config.beta2 * v[i]! + (1 - config.beta2) * grad * grad;
          w[i] = w[i]! - (learningRate * (m[i]! / correction1)) / (Math.sqrt(v[i]! / correction2) + config.epsilon);
        }
      }
      // assign() takes a reference to the new tensor's data: dispose ours, or every step leaks the weights' size.
      const next = tf.tensor(w, weight.shape);
      weight.assign(next);
      next.dispose();
    }
  }

  /** The optimizer's state as named arrays (for a checkpoint). */
  async state(): Promise<Map<string, NamedArray>> {
    return new Map([...this.slots].map(([name, slot]) => [name, { shape: slot.shape, data: Float32Array.from(slot.data) }]));
  }

  /** Restores slots saved by `state()` and the step count. */
  restore(state: Map<string, NamedArray>, step: number): void {
    this.slots.clear();
    for (const [name, array] of state) this.slots.set(name, { shape: array.shape, data: Float32Array.from(array.data) });
    this.step = step;
  }

  dispose(): void {
    this.slots.clear();
  }
}

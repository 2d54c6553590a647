import * as tf from '@tensorflow/tfjs';
import type { NamedArray } from '../runtime/tensor-file.ts';

/**
 * Optimizers with state we own, so that a checkpoint holds everything needed to continue a run
 * exactly (tfjs's built-in optimizers do not expose their slots for saving in a stable way).
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
  private readonly slots = new Map<string, tf.Variable>();

  constructor(readonly config: OptimizerConfig) {}

  private slot(name: string, like: tf.Variable): tf.Variable {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = tf.variable(tf.zerosLike(like), false, `slot:${name}`);
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Applies gradients (by weight name) with the given learning rate. */
  apply(weights: Map<string, tf.Variable>, gradients: Record<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { config } = this;
    tf.tidy(() => {
      for (const [name, weight] of weights) {
        const raw = gradients[name];
        if (!raw) continue; // a supernet path leaves the other options untouched
        const gradient = config.weightDecay > 0 ? tf.add(raw, tf.mul(weight, config.weightDecay)) : raw;
        if (config.kind === 'sgd-nesterov') {
          // PyTorch's form: buf = mu * buf + g; w -= lr * (g + mu * buf).
          const buffer = this.slot(`${name}/momentum`, weight);
          const next = tf.add(tf.mul(buffer, config.momentum), gradient);
          buffer.assign(next);
          weight.assign(tf.sub(weight, tf.mul(tf.add(gradient, tf.mul(next, config.momentum)), learningRate)));
        } else {
          const m = this.slot(`${name}/m`, weight);
          const v = this.slot(`${name}/v`, weight);
          const nextM = tf.add(tf.mul(m, config.beta1), tf.mul(gradient, 1 - config.beta1));
          const nextV = tf.add(tf.mul(v, config.beta2), tf.mul(tf.square(gradient), 1 - config.beta2));
          m.assign(nextM);
          v.assign(nextV);
          const mHat = tf.div(nextM, 1 - Math.pow(config.beta1, this.step));
          const vHat = tf.div(nextV, 1 - Math.pow(config.beta2, this.step));
          weight.assign(tf.sub(weight, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), config.epsilon)), learningRate)));
        }
      }
    });
  }

  /** The optimizer's state as named arrays (for a checkpoint). */
  async state(): Promise<Map<string, NamedArray>> {
    const state = new Map<string, NamedArray>();
    for (const [name, slot] of this.slots) state.set(name, { shape: slot.shape, data: (await slot.data()) as Float32Array });
    return state;
  }

  /** Restores slots saved by `state()` and the step count. */
  restore(state: Map<string, NamedArray>, step: number): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
    for (const [name, array] of state) this.slots.set(name, tf.variable(tf.tensor(array.data, array.shape), false, `slot:${name}`));
    this.step = step;
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
  }
}

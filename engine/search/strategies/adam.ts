/**
 * Adam over a list of plain tensors, with its slots readable as plain numbers so a saved search
 * resumes exactly (tf.train.adam keeps its slots in named variables and reads them asynchronously).
 * Update: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr * m^ / (sqrt(v^) + eps), with the
 * bias corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamState {
  step: number;
  first: number[][];
  second: number[][];
}

export class Adam {
  private step = 0;
  private first: tf.Tensor[];
  private second: tf.Tensor[];

  constructor(
    private readonly settings: AdamSettings,
    private readonly shapes: number[][],
  ) {
    this.first = shapes.map((shape) => tf.zeros(shape));
    this.second = shapes.map((shape) => tf.zeros(shape));
  }

  /** New parameters after one step (the caller owns them; the inputs and gradients are not disposed). */
  apply(params: readonly tf.Tensor[], grads: readonly tf.Tensor[]): tf.Tensor[] {
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    this.step += 1;
    const firstCorrection = 1 - beta1 ** this.step;
    const secondCorrection = 1 - beta2 ** this.step;
    const result = tf.tidy(() => {
      const first = this.first.map((slot, index) => tf.add(tf.mul(slot, beta1), tf.mul(grads[index]!, 1 - beta1)));
      const second = this.second.map((slot, index) => tf.add(tf.mul(slot, beta2), tf.mul(tf.square(grads[index]!), 1 - beta2)));
      const next = params.map((param, index) => {
        const update = tf.div(tf.div(first[index]!, firstCorrection), tf.add(tf.sqrt(tf.div(second[index]!, secondCorrection)), epsilon));
        return tf.sub(param, tf.mul(update, learningRate));
      });
      return { first, second, next };
    });
    tf.dispose([...this.first, ...this.second]);
    this.first = result.first;
    this.second = result.second;
    return result.next;
  }

  state(): AdamState {
    return { step: this.step, first: this.first.map((slot) => Array.from(slot.dataSync())), second: this.second.map((slot) => Array.from(slot.dataSync())) };
  }

  restore(state: AdamState): void {
    tf.dispose([...this.first, ...this.second]);
    this.step = state.step;
    this.first = this.shapes.map((shape, index) => tf.tensor(state.first[index]!, shape));
    this.second = this.shapes.map((shape, index) => tf.tensor(state.second[index]!, shape));
  }

  dispose(): void {
    tf.dispose([...this.first, ...this.second]);
  }
}

/**
 * The RONASMIS/ENAS controller: one LSTM cell that emits one choice per decision, in decision
 * order. Input of the first decision: a learned start vector; of decision d + 1: a learned embedding
 * of the choice made at decision d. Decision d has its own softmax head over its choices; logits
 * are `tanhConstant * tanh(raw / temperature)` (ENAS), or raw when tanhConstant is null.
 *
 * Contracts:
 * - Weights are plain tensors owned by the controller (no tf.Variable: no global names); they are
 *   initialised from the given Random (uniform in [-initRange, initRange], biases 0), so the same
 *   seed gives the same controller on every backend.
 * - Sampling draws each index with one `random.uniform()` per child and decision, child-major
 *   within a decision, so the draws depend only on the stream and the probabilities.
 * - `weights()` / `setWeights()` are float32 values as plain numbers: JSON round-trips them exactly.
 * - Runs on whatever TensorFlow.js backend is active; results are exact within one backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../runtime/random.ts';

export interface ControllerShape {
  /** Choices per decision. */
  counts: number[];
  hiddenSize: number;
  embeddingSize: number;
  temperature: number;
  /** null: no tanh clipping. */
  tanhConstant: number | null;
}

/** The most likely choice of one decision on the greedy path, and its probability. */
export interface LikelyChoice {
  choice: number;
  probability: number;
}

interface Forward {
  /** [B] sum over decisions of log p(choice). */
  logProbability: tf.Tensor1D;
  /** [B] sum over decisions of the entropy of the decision's distribution. */
  entropy: tf.Tensor1D;
}

/** How the next choice is made at each decision during a forward pass. */
type Chooser = (decision: number, probabilities: tf.Tensor2D) => number[];

export class LstmController {
  /** start [1,E], lstmKernel [E+H,4H], lstmBias [4H], then per decision: embedding [k,E], headKernel [H,k], headBias [k]. */
  private params: tf.Tensor[];

  constructor(
    readonly shape: ControllerShape,
    random: Random,
    initRange = 0.1,
  ) {
    this.params = this.parameterShapes().map(([dims, isBias]) => {
      const size = dims.reduce((product, dim) => product * dim, 1);
      const values = Float32Array.from({ length: size }, () => (isBias ? 0 : random.uniform(-initRange, initRange)));
      return tf.tensor(values, dims);
    });
  }

  private parameterShapes(): Array<[number[], boolean]> {
    const { counts, hiddenSize: h, embeddingSize: e } = this.shape;
    const shapes: Array<[number[], boolean]> = [
      [[1, e], false],
      [[e + h, 4 * h], false],
      [[4 * h], true],
    ];
    for (const k of counts) shapes.push([[k, e], false], [[h, k], false], [[k], true]);
    return shapes;
  }

  /** Runs the LSTM over all decisions for a batch; `choose` picks each decision's choices (sampled or given). */
  private forward(params: tf.Tensor[], batch: number, choose: Chooser): Forward {
    const { counts, hiddenSize, temperature, tanhConstant } = this.shape;
    const [start, kernel, bias] = params as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    let input: tf.Tensor2D = tf.tile(start, [batch, 1]);
    let hidden: tf.Tensor2D = tf.zeros([batch, hiddenSize]);
    let cell: tf.Tensor2D = tf.zeros([batch, hiddenSize]);
    let logProbability: tf.Tensor1D = tf.zeros([batch]);
    let entropy: tf.Tensor1D = tf.zeros([batch]);
    counts.forEach((count, decision) => {
      const [embedding, headKernel, headBias] = params.slice(3 + 3 * decision, 6 + 3 * decision) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const gates = tf.add(tf.matMul(tf.concat([input, hidden], 1), kernel), bias);
      const [inGate, forgetGate, candidate, outGate] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      cell = tf.add(tf.mul(tf.sigmoid(forgetGate), cell), tf.mul(tf.sigmoid(inGate), tf.tanh(candidate)));
      hidden = tf.mul(tf.sigmoid(outGate), tf.tanh(cell));
      let logits: tf.Tensor2D = tf.add(tf.matMul(hidden, headKernel), headBias);
      if (tanhConstant !== null) logits = tf.mul(tf.tanh(tf.div(logits, temperature)), tanhConstant);
      else if (temperature !== 1) logits = tf.div(logits, temperature);
      const logSoftmax = tf.logSoftmax(logits);
      const probabilities = tf.exp(logSoftmax);
      const chosen = choose(decision, probabilities);
      const oneHot = tf.oneHot(tf.tensor1d(chosen, 'int32'), count);
      logProbability = tf.add(logProbability, tf.sum(tf.mul(oneHot, logSoftmax), 1));
      entropy = tf.sub(entropy, tf.sum(tf.mul(probabilities, logSoftmax), 1));
      // The embedding lookup as a one-hot product: the gradient of tf.gather needs UnsortedSegmentSum,
      // which the wasm backend lacks; a matMul's gradient runs everywhere.
      if (decision < counts.length - 1) input = tf.matMul(oneHot.toFloat(), embedding);
    });
    return { logProbability, entropy };
  }

  /** Samples `batch` index vectors (one index per decision each) with draws from `random`. */
  sample(batch: number, random: Random): number[][] {
    const samples: number[][] = Array.from({ length: batch }, () => []);
    tf.tidy(() => {
      this.forward(this.params, batch, (decision, probabilities) => {
        const values = probabilities.arraySync();
        return values.map((row, child) => {
          const choice = drawCategorical(row, random.uniform());
          samples[child]![decision] = choice;
          return choice;
        });
      });
    });
    return samples;
  }

  /** The greedy path: per decision the most likely choice given the earlier most likely ones. */
  mostLikely(): LikelyChoice[] {
    const path: LikelyChoice[] = [];
    tf.tidy(() => {
      this.forward(this.params, 1, (_decision, probabilities) => {
        const row = probabilities.arraySync()[0]!;
        const choice = row.indexOf(Math.max(...row));
        path.push({ choice, probability: row[choice]! });
        return [choice];
      });
    });
    return path;
  }

  /**
   * The REINFORCE loss and its gradients for given index vectors:
   * loss = -mean_i(advantage_i * log p(sample_i)) - entropyWeight * mean_i(entropy_i).
   * Returns the gradients (owned by the caller) and the mean entropy.
   */
  gradients(samples: number[][], advantages: number[], entropyWeight: number): { grads: tf.Tensor[]; entropy: number; loss: number } {
    let entropy = 0;
    const { value, grads } = tf.tidy(() => {
      const advantage = tf.tensor1d(advantages);
      // The last decision's embedding feeds nothing: it is left out of the gradient (its gradient is zero).
      const unused = 3 + 3 * (this.shape.counts.length - 1);
      const used = this.params.filter((_, index) => index !== unused);
      const lossOf = (...usedParams: tf.Tensor[]) => {
        const params = [...usedParams.slice(0, unused), this.params[unused]!, ...usedParams.slice(unused)];
        const forward = this.forward(params, samples.length, (decision) => samples.map((sample) => sample[decision]!));
        const meanEntropy = tf.mean(forward.entropy);
        entropy = meanEntropy.dataSync()[0]!;
        return tf.sub(tf.neg(tf.mean(tf.mul(advantage, forward.logProbability))), tf.mul(meanEntropy, entropyWeight)) as tf.Scalar;
      };
      const result = tf.valueAndGrads(lossOf)(used);
      const grads = [...result.grads.slice(0, unused), tf.zerosLike(this.params[unused]!), ...result.grads.slice(unused)];
      return { value: result.value, grads };
    });
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { grads, entropy, loss };
  }

  /** The parameters (not copies: do not dispose); replaced by `replace`. */
  parameters(): readonly tf.Tensor[] {
    return this.params;
  }

  /** Swaps in new parameters (same shapes) and disposes the old ones. */
  replace(params: tf.Tensor[]): void {
    tf.dispose(this.params);
    this.params = params;
  }

  weights(): number[][] {
    return this.params.map((param) => Array.from(param.dataSync()));
  }

  setWeights(values: number[][]): void {
    const shapes = this.parameterShapes();
    if (values.length !== shapes.length) throw new Error(`controller weights: expected ${shapes.length} arrays, got ${values.length}`);
    this.replace(shapes.map(([dims], index) => tf.tensor(values[index]!, dims)));
  }

  dispose(): void {
    tf.dispose(this.params);
  }
}

/** The index whose cumulative probability first exceeds `draw` (in [0, 1)) times the row's sum. */
export function drawCategorical(probabilities: readonly number[], draw: number): number {
  const target = draw * probabilities.reduce((sum, value) => sum + value, 0);
  let cumulative = 0;
  for (let index = 0; index < probabilities.length; index += 1) {
    cumulative += probabilities[index]!;
    if (target < cumulative) return index;
  }
  return probabilities.length - 1;
}

/**
 * The architecture parameters of a differentiable search (DARTS / V-NAS, Gumbel-softmax / SCNAS):
 * one logit vector alpha per cell-op decision, one entry per option. They turn into the mixing
 * weights of the supernet's choice cells (engine/network/executor.ts `mix`) by a relaxation:
 * - softmax: w = softmax(alpha) (DARTS);
 * - Gumbel-softmax: w = softmax((alpha + g) / tau) with g ~ Gumbel(0, 1) drawn by the caller from a
 *   seeded Random; straight-through (`hard`): the forward value is the one-hot of argmax(w) and the
 *   gradient is that of the soft w (one-hot + w - stop_gradient(w)).
 * An Adam step on alpha (first order: the network weights are constants here) takes a loss built
 * from the mixing weights. `state()` is plain JSON holding alpha and its Adam slots exactly (float32
 * values survive a JSON round trip), so a resumed search continues with the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../runtime/random.ts';
import { Optimizer, type OptimizerConfig } from '../../train/optimizers.ts';

/** A cell-op decision as the search sees it: its id and its options (op names). */
export interface ArchDecision {
  id: string;
  choices: string[];
}

/** DARTS's architecture optimizer: Adam, lr 3e-3, betas (0.5, 0.999), weight decay 1e-3. */
export const DARTS_ARCH_ADAM: OptimizerConfig = { kind: 'adam', learningRate: 3e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-3 };

/** How alpha becomes mixing weights. `noise`: one Gumbel(0, 1) value per option, by decision id. */
export type Relaxation = { kind: 'softmax' } | { kind: 'gumbel'; temperature: number; hard: boolean; noise: Record<string, number[]> };

/** Per decision id, one value per option. */
export type PerDecision = Record<string, number[]>;

export interface ArchitectureState {
  alpha: PerDecision;
  optimizerStep: number;
  /** Adam slots by name ("<decision>/m", "<decision>/v"). */
  slots: PerDecision;
}

let parameterSets = 0;

function softmaxOf(values: readonly number[]): number[] {
  const top = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

/** Variable.assign keeps a reference to the new tensor's data: dispose the tensor, or it leaks. */
function setValue(variable: tf.Variable, values: readonly number[]): void {
  const next = tf.tensor1d([...values]);
  variable.assign(next);
  next.dispose();
}

const argmaxOf = (values: readonly number[]): number => values.reduce((best, value, index) => (value > values[best]! ? index : best), 0);

/** One Gumbel(0, 1) value per option of every decision: -log(-log(u)), u uniform in (0, 1). */
export function gumbelNoise(decisions: readonly ArchDecision[], random: Random): PerDecision {
  const draw = () => -Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, random.uniform()))));
  return Object.fromEntries(decisions.map((decision) => [decision.id, decision.choices.map(draw)]));
}

/** Linear annealing (GDAS): tau0 at progress 0, tauMin at progress 1 and after. */
export function annealedTemperature(progress: number, initial: number, minimum: number): number {
  const share = Math.min(1, Math.max(0, progress));
  return (1 - share) * initial + share * minimum;
}

export class ArchitectureParameters {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly optimizer: Optimizer;
  private readonly prefix = `architecture${(parameterSets += 1)}:`;

  constructor(
    readonly decisions: readonly ArchDecision[],
    settings: OptimizerConfig = DARTS_ARCH_ADAM,
  ) {
    this.optimizer = new Optimizer(settings);
    for (const decision of decisions) this.variables.set(decision.id, tf.tidy(() => tf.variable(tf.zeros([decision.choices.length]), true, `${this.prefix}${decision.id}`)));
  }

  /** DARTS's initialisation: alpha = 1e-3 x N(0, 1), seeded. */
  initialise(random: Random): void {
    for (const decision of this.decisions) setValue(this.variables.get(decision.id)!, decision.choices.map(() => 1e-3 * random.normal()));
  }

  /** Current alpha values. */
  values(): PerDecision {
    return Object.fromEntries([...this.variables].map(([id, variable]) => [id, Array.from(variable.dataSync())]));
  }

  /** softmax(alpha) per decision: the architecture weights a UI plots. */
  softmax(): PerDecision {
    return Object.fromEntries(Object.entries(this.values()).map(([id, alpha]) => [id, softmaxOf(alpha)]));
  }

  /** The option with the largest alpha per decision (DARTS's derivation). */
  argmax(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.values()).map(([id, alpha]) => [id, argmaxOf(alpha)]));
  }

  /**
   * The mixing weights' values for a relaxation, without gradients (a weight step uses them as
   * constants). Gumbel, hard: exactly one-hot.
   */
  sample(relaxation: Relaxation): PerDecision {
    const values = this.values();
    return Object.fromEntries(
      this.decisions.map((decision) => {
        const alpha = values[decision.id]!;
        if (relaxation.kind === 'softmax') return [decision.id, softmaxOf(alpha)];
        const soft = softmaxOf(alpha.map((value, index) => (value + relaxation.noise[decision.id]![index]!) / relaxation.temperature));
        return [decision.id, relaxation.hard ? soft.map((_, index) => (index === argmaxOf(soft) ? 1 : 0)) : soft];
      }),
    );
  }

  /** The mixing weights as tensors that depend on alpha (call inside a gradient function or tf.tidy). */
  mixing(relaxation: Relaxation): Record<string, tf.Tensor1D> {
    const constants = relaxation.kind === 'gumbel' && relaxation.hard ? this.sample({ ...relaxation, hard: false }) : null;
    return Object.fromEntries(
      this.decisions.map((decision) => {
        const alpha = this.variables.get(decision.id)! as tf.Tensor1D;
        if (relaxation.kind === 'softmax') return [decision.id, tf.softmax(alpha)];
        const soft = tf.softmax(tf.div(tf.add(alpha, tf.tensor1d(relaxation.noise[decision.id]!)), relaxation.temperature)) as tf.Tensor1D;
        if (!constants) return [decision.id, soft];
        // Straight-through: value one-hot, gradient of the soft sample (the offset is a constant).
        const values = constants[decision.id]!;
        const hard = values.map((_, index) => (index === argmaxOf(values) ? 1 : 0));
        return [decision.id, tf.add(soft, tf.tensor1d(hard.map((value, index) => value - values[index]!)))];
      }),
    );
  }

  /** One optimizer step on alpha for the loss of the mixing weights; returns the loss before the step. */
  async step(lossOf: (mix: Record<string, tf.Tensor1D>) => tf.Scalar, relaxation: Relaxation): Promise<number> {
    const { value, grads } = tf.variableGrads(() => lossOf(this.mixing(relaxation)), [...this.variables.values()]);
    const loss = (await value.data())[0]!;
    const byDecision = Object.fromEntries([...this.variables].flatMap(([id, variable]) => (grads[variable.name] ? [[id, grads[variable.name]!]] : [])));
    this.optimizer.apply(this.variables, byDecision, this.optimizer.config.learningRate);
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  }

  async state(): Promise<ArchitectureState> {
    const slots = await this.optimizer.state();
    return { alpha: this.values(), optimizerStep: this.optimizer.step, slots: Object.fromEntries([...slots].map(([name, slot]) => [name, Array.from(slot.data)])) };
  }

  /** Restores `state()`; an alpha of the wrong length names the decision. */
  restore(state: ArchitectureState): void {
    for (const decision of this.decisions) {
      const alpha = state.alpha[decision.id];
      if (!alpha || alpha.length !== decision.choices.length) throw new Error(`architecture parameters: decision ${decision.id} needs ${decision.choices.length} values in the saved state, found ${alpha?.length ?? 'none'} (was the search space edited?)`);
      setValue(this.variables.get(decision.id)!, alpha);
    }
    this.optimizer.restore(new Map(Object.entries(state.slots).map(([name, data]) => [name, { shape: [data.length], data: Float32Array.from(data) }])), state.optimizerStep);
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
    this.optimizer.dispose();
  }
}

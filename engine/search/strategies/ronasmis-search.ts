/**
 * RONASMIS / ENAS search strategy: an LSTM controller (lstm-controller.ts) samples one choice per
 * decision of a DiscreteSpace; it learns by REINFORCE with a moving-average baseline and an
 * entropy bonus, one Adam update per controller step of `childrenPerStep` children.
 *
 * Contracts:
 * - A controller step samples all its children at once (draws from the strategy's Random), hands
 *   the new architectures out through `propose` (at most `count` per call, in sample order) and
 *   updates the controller once every child of the step has a reward, then samples the next step.
 * - Reward: a trained child's `metrics.meanDice`; a failed or rejected child gets `failureReward`
 *   (default 0): the controller learns to avoid architectures that break or exceed the budgets.
 * - Architectures are identified by archId, as runSearch does: a child whose architecture already
 *   has a reward in this search is not proposed again and takes that reward (runSearch would drop
 *   it), as does a second child of the same architecture within one step. A step made only of known
 *   architectures updates the controller at once; after `maxIdleSteps` such steps in a row
 *   `propose` returns nothing (the controller has converged; the search ends as exhausted).
 * - Loss: -mean_i((r_i - b) * sum_d log p(c_i,d)) - entropyWeight * mean_i(sum_d H_d); the baseline is
 *   b <- decay * b + (1 - decay) * mean_i(r_i) before it is used (the first step's mean starts it).
 * - `state()` holds the weights, Adam slots, baseline, step count, the step in progress, known
 *   rewards, the Random and the per-step history (`ronasmisHistory` reads it from run.json).
 */
import { archId } from '../../network/genome.ts';
import { Random, type RandomState } from '../../runtime/random.ts';
import type { Json, Point, Proposal, SearchSpaceLike, Strategy, StrategyFactory, TrialResult } from '../types.ts';
import { Adam, type AdamState } from './adam.ts';
import { isDiscreteSpace, type DiscreteSearchSpace } from './discrete-space.ts';
import { LstmController, type LikelyChoice } from './lstm-controller.ts';

export interface RonasmisConfig {
  /** Children sampled and evaluated per controller step (the issue: 20). */
  childrenPerStep: number;
  hiddenSize: number;
  embeddingSize: number;
  /** Logit temperature and tanh clipping constant (ENAS micro search: 5 and 1.1); null: no clipping. */
  temperature: number;
  tanhConstant: number | null;
  /** Adam learning rate of the controller (ENAS's micro search: 3.5e-3). */
  learningRate: number;
  /** Weight of the entropy bonus (ENAS: 1e-4). */
  entropyWeight: number;
  /** Decay of the moving-average baseline. */
  baselineDecay: number;
  /** Reward of a failed or rejected child. */
  failureReward: number;
  /** Steps in a row without a new architecture after which propose returns nothing. */
  maxIdleSteps: number;
  /**
   * Whether a reward, once measured, stands for the rest of the search (true: children trained
   * independently, an architecture's Dice does not change). With weight sharing (one-shot search)
   * the shared weights keep training, so every step measures its children again: false.
   */
  rememberRewards: boolean;
}

/** What one controller step leaves in the history (and what a UI plots). */
export interface ControllerStepRecord {
  step: number;
  /** Mean reward of the step's children. */
  meanReward: number;
  /** The baseline the step's advantages were computed against. */
  baseline: number;
  /** Mean over the children of the summed entropy of the decisions (nats), before the update. */
  entropy: number;
  loss: number;
  /** After the update: per decision, the most likely choice on the greedy path and its probability. */
  mostLikely: LikelyChoice[];
  /** Children of the step that were new architectures (proposed to the run). */
  newChildren: number;
}

interface Child {
  indices: number[];
  identity: string;
  /** `trial`: proposed to the run (once handedOut); `known`: reward from an earlier or sibling child. */
  kind: 'trial' | 'known';
  handedOut: boolean;
  reward: number | null;
}

interface RonasmisState {
  random: RandomState;
  weights: number[][];
  adam: AdamState;
  baseline: number | null;
  step: number;
  idleSteps: number;
  children: Child[];
  /** Indexes into children: handed out, result not yet observed, in proposal order. */
  awaiting: number[];
  rewards: Record<string, number>;
  history: ControllerStepRecord[];
}

const DEFAULTS: RonasmisConfig = {
  childrenPerStep: 20,
  hiddenSize: 64,
  embeddingSize: 64,
  temperature: 5,
  tanhConstant: 1.1,
  learningRate: 3.5e-3,
  entropyWeight: 1e-4,
  baselineDecay: 0.95,
  failureReward: 0,
  maxIdleSteps: 50,
  rememberRewards: true,
};

/** What a one-shot search needs from the controller besides the Strategy interface. */
export interface PolicyStrategy extends Strategy {
  samplePolicy(count: number, random: Random): Point[];
  greedyPoint(): Point;
  steps(): ControllerStepRecord[];
}

class RonasmisSearch implements PolicyStrategy {
  private readonly controller: LstmController;
  private readonly adam: Adam;
  private baseline: number | null = null;
  private step = 0;
  private idleSteps = 0;
  private children: Child[] = [];
  private awaiting: number[] = [];
  private rewards = new Map<string, number>();
  private history: ControllerStepRecord[] = [];

  constructor(
    private readonly space: DiscreteSearchSpace,
    private random: Random,
    private readonly config: RonasmisConfig,
  ) {
    const { hiddenSize, embeddingSize, temperature, tanhConstant } = config;
    this.controller = new LstmController({ counts: space.choiceCounts(), hiddenSize, embeddingSize, temperature, tanhConstant }, random.fork('controller-init'));
    this.adam = new Adam({ learningRate: config.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, this.controller.parameters().map((param) => param.shape));
  }

  propose(count: number): Proposal[] {
    const proposals: Proposal[] = [];
    while (proposals.length < count) {
      if (this.children.length === 0) {
        if (this.idleSteps >= this.config.maxIdleSteps) break;
        this.sampleStep();
      }
      const next = this.children.findIndex((child) => child.kind === 'trial' && !child.handedOut);
      if (next >= 0) {
        this.children[next]!.handedOut = true;
        this.awaiting.push(next);
        proposals.push({ point: this.space.fromIndices(this.children[next]!.indices) });
      } else if (!this.updateIfComplete()) break;
    }
    return proposals;
  }

  observe(results: TrialResult[]): void {
    for (const result of results) {
      const index = this.awaiting.shift();
      if (index === undefined) throw new Error(`ronasmis: result of trial ${result.index} (${result.archId}) was not proposed by this controller step`);
      const reward = result.status === 'trained' && result.metrics ? result.metrics.meanDice : this.config.failureReward;
      const identity = this.children[index]!.identity;
      if (this.config.rememberRewards) this.rewards.set(identity, reward);
      for (const child of this.children) if (child.identity === identity) child.reward = reward;
    }
    this.updateIfComplete();
  }

  /** Points drawn from the current policy without starting a step (one-shot search trains the shared weights on them). */
  samplePolicy(count: number, random: Random): Point[] {
    return this.controller.sample(count, random).map((indices) => this.space.fromIndices(indices));
  }

  /** The policy's most likely choice per decision. */
  greedyPoint(): Point {
    return this.space.fromIndices(this.controller.mostLikely().map((entry) => entry.choice));
  }

  /** The REINFORCE history so far (one record per controller step). */
  steps(): ControllerStepRecord[] {
    return this.history;
  }

  private identityOf(indices: number[]): string {
    const point: Point = this.space.fromIndices(indices);
    try {
      return archId(this.space.toGenome(point));
    } catch {
      return `unbuildable:${this.space.key(point)}`;
    }
  }

  private sampleStep(): void {
    const seen = new Set<string>();
    this.children = this.controller.sample(this.config.childrenPerStep, this.random).map((indices) => {
      const identity = this.identityOf(indices);
      const known = this.config.rememberRewards ? this.rewards.get(identity) : undefined;
      const isNew = known === undefined && !seen.has(identity);
      seen.add(identity);
      return { indices, identity, kind: isNew ? 'trial' : 'known', handedOut: false, reward: known ?? null };
    });
    this.awaiting = [];
  }

  /** One REINFORCE update when every child of the step has its reward; true when it ran. */
  private updateIfComplete(): boolean {
    if (this.children.length === 0 || this.children.some((child) => child.reward === null)) return false;
    const rewards = this.children.map((child) => child.reward!);
    const meanReward = rewards.reduce((sum, value) => sum + value, 0) / rewards.length;
    const decay = this.config.baselineDecay;
    this.baseline = this.baseline === null ? meanReward : decay * this.baseline + (1 - decay) * meanReward;
    const baseline = this.baseline;
    const { grads, entropy, loss } = this.controller.gradients(
      this.children.map((child) => child.indices),
      rewards.map((reward) => reward - baseline),
      this.config.entropyWeight,
    );
    const next = this.adam.apply(this.controller.parameters(), grads);
    grads.forEach((grad) => grad.dispose());
    this.controller.replace(next);
    this.step += 1;
    const newChildren = this.children.filter((child) => child.kind === 'trial').length;
    this.idleSteps = newChildren === 0 ? this.idleSteps + 1 : 0;
    this.history.push({ step: this.step, meanReward, baseline, entropy, loss, mostLikely: this.controller.mostLikely(), newChildren });
    this.children = [];
    this.awaiting = [];
    return true;
  }

  state(): Json {
    const state: RonasmisState = {
      random: this.random.state(),
      weights: this.controller.weights(),
      adam: this.adam.state(),
      baseline: this.baseline,
      step: this.step,
      idleSteps: this.idleSteps,
      children: this.children.map((child) => ({ ...child, indices: [...child.indices] })),
      awaiting: [...this.awaiting],
      rewards: Object.fromEntries(this.rewards),
      history: this.history.map((record) => ({ ...record, mostLikely: record.mostLikely.map((entry) => ({ ...entry })) })),
    };
    return state as unknown as Json;
  }

  restore(state: Json): void {
    const saved = state as unknown as RonasmisState;
    this.random = Random.fromState(saved.random);
    this.controller.setWeights(saved.weights);
    this.adam.restore(saved.adam);
    this.baseline = saved.baseline;
    this.step = saved.step;
    this.idleSteps = saved.idleSteps;
    this.children = saved.children.map((child) => ({ ...child, indices: [...child.indices] }));
    this.awaiting = [...saved.awaiting];
    this.rewards = new Map(Object.entries(saved.rewards));
    this.history = saved.history.map((record) => ({ ...record, mostLikely: record.mostLikely.map((entry) => ({ ...entry })) }));
  }
}

/** The RONASMIS strategy; the space given to `create` must also be a DiscreteSpace (see asDiscreteSpace). */
export function ronasmisSearch(config: Partial<RonasmisConfig> = {}): StrategyFactory {
  const full: RonasmisConfig = { ...DEFAULTS, ...config };
  return {
    name: 'ronasmis',
    config: { ...full },
    create(space: SearchSpaceLike, random: Random): PolicyStrategy {
      if (!isDiscreteSpace(space)) throw new Error(`ronasmis: space ${space.id} has no choiceCounts/fromIndices/toIndices; wrap it with asDiscreteSpace`);
      return new RonasmisSearch(space, random, full);
    },
  };
}

/** The per-step history in a saved ronasmis state (run.json's state.strategy). */
export const ronasmisHistory = (state: Json): ControllerStepRecord[] => (state as unknown as RonasmisState).history;

export { asDiscreteSpace, isDiscreteSpace, type DiscreteSpace, type DiscreteSearchSpace } from './discrete-space.ts';

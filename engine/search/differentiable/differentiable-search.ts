/**
 * Differentiable architecture search over the cell-op decisions of a space: V-NAS (DARTS, first
 * order) and its Gumbel-softmax variant (SCNAS-style). The supernet (shared-supernet.ts) runs every
 * option of every cell, mixed by weights derived from the architecture parameters alpha
 * (architecture-parameters.ts). One search step:
 *   1. a weight step on a search-train batch: the network optimizer (Adam, as the ENAS driver) on
 *      the supernet weights, the mixing weights held constant (softmax(alpha), or a Gumbel sample;
 *      a hard sample trains the sampled path only);
 *   2. after the warm-up, an architecture step on a search-reward batch: Adam (lr 3e-3, DARTS) on
 *      alpha only, the network weights held constant (first order: no unrolled weight step);
 *   3. the softmax per cell recorded (history, alphas.json, an 'arch-step' event); every
 *      `checkpointEvery` steps a checkpoint (weights, both optimizers, alpha, counters, history) in
 *      <runFolder>/supernet/last.vxtf, written atomically.
 * Derivation: argmax(alpha) per cell -> point -> genome, scored once with the shared weights on every
 * reward case (for the trace); the derived network is then retrained (search-job.ts).
 * Macro decisions of the space (if any) stay at their first choice: only cell ops are relaxed.
 *
 * Resume: the same call continues from the last checkpoint and redoes the steps after it exactly:
 * weight batch n and reward batch n are functions of (seed, n), Gumbel noise of (seed, step).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../../api/genome.ts';
import type { CellOpDecision, SearchPoint, SearchSpace } from '../../api/search-space.ts';
import { forward } from '../../network/executor.ts';
import { archId as archIdOf } from '../../network/genome.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { createRandom } from '../../runtime/random.ts';
import { choiceDecisions, firstPoint, pointToGenome } from '../../space/genome-of-point.ts';
import { NO_AUGMENTATION, nnUNetAugmentation } from '../../train/augment.ts';
import { openWorkerBatchSource, type BatchStream } from '../../train/batch-source.ts';
import { loadCheckpoint, saveCheckpoint } from '../../train/checkpoint.ts';
import { Optimizer, REFERENCE_ADAM, type OptimizerConfig } from '../../train/optimizers.ts';
import { headTargets, supervisedLoss, trainStep } from '../../train/train-step.ts';
import type { BatchArrays, CaseFileRef } from '../../train/training-case.ts';
import { SharedSupernet } from '../one-shot/shared-supernet.ts';
import { annealedTemperature, ArchitectureParameters, DARTS_ARCH_ADAM, gumbelNoise, type ArchDecision, type ArchitectureState, type PerDecision, type Relaxation } from './architecture-parameters.ts';
import type { SupernetSearchInputs } from '../one-shot/search-inputs.ts';

export interface DifferentiableConfig {
  /** 'softmax': DARTS / V-NAS; 'gumbel': Gumbel-softmax samples (SCNAS-style). */
  relaxation: 'softmax' | 'gumbel';
  /** Gumbel: straight-through (one op per cell in the forward pass, soft gradients) or soft samples. */
  hard: boolean;
  /** Gumbel temperature, annealed linearly from `initial` to `minimum` over the search budget. */
  temperature: { initial: number; minimum: number };
  /** Share of the search budget with weight steps only (alpha frozen), as DARTS-style searches warm up. */
  warmupFraction: number;
  /** Warm-up in steps instead (tests and step-bound searches); null: `warmupFraction` of the budget. */
  warmupSteps: number | null;
  checkpointEvery: number;
  optimizer: OptimizerConfig;
  architectureOptimizer: OptimizerConfig;
  augmentation: boolean;
}

export const DIFFERENTIABLE_DEFAULTS: DifferentiableConfig = {
  relaxation: 'softmax',
  hard: true,
  temperature: { initial: 5, minimum: 0.2 },
  warmupFraction: 0.2,
  warmupSteps: null,
  checkpointEvery: 10,
  optimizer: REFERENCE_ADAM,
  architectureOptimizer: DARTS_ARCH_ADAM,
  augmentation: true,
};

export interface DifferentiableSearchOptions extends SupernetSearchInputs {
  runFolder: string;
  space: SearchSpace;
  seed: number;
  config: DifferentiableConfig;
  /** Search budget: no step starts after this many seconds (summed over restarts). */
  wallSeconds: number;
  /** Stop after this many steps (tests); the temperature then anneals over them. null: wall time only. */
  maxSteps?: number | null;
  /** The reward cases as batches (architecture steps); `validationCases` are the same cases whole, for the derived network's score. */
  rewardCases: CaseFileRef[];
  onEvent?: (event: DifferentiableEvent) => void;
  batchWorker?: Parameters<typeof openWorkerBatchSource>[0]['worker'];
}

/** One step of the search as recorded in alphas.json and the 'arch-step' event. */
export interface ArchStepRecord {
  step: number;
  /** Gumbel temperature of the step (null for softmax). */
  temperature: number | null;
  weightLoss: number;
  /** Loss on the reward batch before the architecture update; null during the warm-up. */
  architectureLoss: number | null;
  /** softmax(alpha) per decision after the step. */
  softmax: PerDecision;
}

export interface DerivedChild {
  archId: string;
  point: SearchPoint;
  /** Patient-wise Dice on every reward case with the shared weights (the path alone, not the mix). */
  meanDice: number;
  perClass: number[];
}

export type DifferentiableEvent =
  | { type: 'search-started' | 'search-resumed'; step: number; time: string }
  | ({ type: 'arch-step'; elapsedSeconds: number; etaSeconds: number; time: string } & ArchStepRecord)
  | { type: 'search-finished'; reason: 'wall-time' | 'steps' | 'cancelled'; selected: DerivedChild | null; genome: Genome | null; steps: number; elapsedSeconds: number; time: string };

interface DifferentiableState {
  schemaVersion: 1;
  step: number;
  architectureSteps: number;
  elapsedSeconds: number;
  /** The step at which the architecture updates began (null: still warming up). */
  warmupEndedAt: number | null;
  architecture: ArchitectureState;
  history: ArchStepRecord[];
  selected: DerivedChild | null;
  finishedReason: 'wall-time' | 'steps' | null;
}

export interface DifferentiableOutcome {
  reason: 'wall-time' | 'steps' | 'cancelled';
  selected: DerivedChild | null;
  supernet: SharedSupernet;
  history: ArchStepRecord[];
  steps: number;
  architectureSteps: number;
  elapsedSeconds: number;
}

const now = () => new Date().toISOString();

/** The space's cell-op decisions, in decision order. */
export function architectureDecisions(space: SearchSpace): ArchDecision[] {
  return space.decisions.filter((decision): decision is CellOpDecision => decision.kind === 'cell-op').map((decision) => ({ id: decision.id, choices: decision.choices }));
}

/** Mixing weights by decision -> by choice cell id (the executor's `mix`). */
function byChoice(choices: Record<string, string>, mix: Record<string, tf.Tensor1D>): Record<string, tf.Tensor1D> {
  return Object.fromEntries(Object.entries(choices).map(([choice, decision]) => [choice, mix[decision]!]));
}

/** The supernet loss on a batch for mixing weights that depend on alpha (the architecture step). */
function rewardLoss(supernet: SharedSupernet, macro: SearchPoint, choices: Record<string, string>, batch: BatchArrays) {
  const spec = supernet.specFor(macro);
  return (mix: Record<string, tf.Tensor1D>) => {
    const targets = headTargets(spec, batch);
    const input = tf.tensor5d(batch.image, batch.shape);
    return supervisedLoss(forward(spec, supernet.weights, input, { mix: byChoice(choices, mix), training: true }), targets);
  };
}

/** One weight step with constant mixing weights (a one-hot sample trains that path alone). */
async function weightStep(supernet: SharedSupernet, macro: SearchPoint, choices: Record<string, string>, sample: PerDecision, optimizer: Optimizer, batch: BatchArrays, learningRate: number): Promise<number> {
  const spec = supernet.specFor(macro);
  const oneHot = Object.values(sample).every((weights) => weights.filter((weight) => weight === 1).length === 1 && weights.every((weight) => weight === 0 || weight === 1));
  if (oneHot) {
    const path = Object.fromEntries(Object.entries(choices).map(([choice, decision]) => [choice, sample[decision]!.indexOf(1)]));
    return trainStep(spec, supernet.weights, optimizer, batch, learningRate, { path });
  }
  const mix = Object.fromEntries(Object.entries(choices).map(([choice, decision]) => [choice, tf.tensor1d(sample[decision]!)]));
  try {
    return await trainStep(spec, supernet.weights, optimizer, batch, learningRate, { mix });
  } finally {
    tf.dispose(Object.values(mix));
  }
}

export async function runDifferentiableSearch(options: DifferentiableSearchOptions): Promise<DifferentiableOutcome> {
  const made: { supernet: SharedSupernet | null; architecture: ArchitectureParameters | null } = { supernet: null, architecture: null };
  try {
    return await differentiableSearch(options, made);
  } catch (error) {
    // A cancel during scoring or a failure: the caller gets no outcome to dispose, so free the tensors here.
    made.supernet?.dispose();
    made.architecture?.dispose();
    throw error;
  }
}

async function differentiableSearch(options: DifferentiableSearchOptions, made: { supernet: SharedSupernet | null; architecture: ArchitectureParameters | null }): Promise<DifferentiableOutcome> {
  const { runFolder, space, config } = options;
  const folder = join(runFolder, 'supernet');
  await mkdir(folder, { recursive: true });
  const emit = async (event: DifferentiableEvent) => {
    await appendFile(join(runFolder, 'events.jsonl'), `${JSON.stringify(event)}\n`);
    options.onEvent?.(event);
  };
  const decisions = architectureDecisions(space);
  if (decisions.length === 0) throw new Error(`search space ${space.name} has no cell-op decision: a differentiable search relaxes cell ops; choose a space with some (e.g. vnas)`);
  const macro = firstPoint(space);
  const choices = choiceDecisions(space, macro);
  const context = { inputChannels: options.inputChannels, classes: options.classes, seed: options.seed };
  const optimizer = new Optimizer(config.optimizer);
  const architecture = new ArchitectureParameters(decisions, config.architectureOptimizer);
  const checkpoint = await loadCheckpoint<DifferentiableState>(folder, 'last');
  let supernet: SharedSupernet;
  let state: DifferentiableState;
  if (checkpoint) {
    supernet = SharedSupernet.restore(space, context, checkpoint.weights);
    state = checkpoint.state;
    optimizer.restore(checkpoint.optimizer, state.step);
    architecture.restore(state.architecture);
  } else {
    supernet = new SharedSupernet(space, context);
    architecture.initialise(createRandom(options.seed).fork('alpha'));
    state = { schemaVersion: 1, step: 0, architectureSteps: 0, elapsedSeconds: 0, warmupEndedAt: null, architecture: await architecture.state(), history: [], selected: null, finishedReason: null };
  }
  made.supernet = supernet;
  made.architecture = architecture;
  supernet.specFor(macro);
  const outcome = (reason: DifferentiableOutcome['reason']): DifferentiableOutcome => {
    architecture.dispose();
    made.architecture = null;
    return { reason, selected: state.selected, supernet, history: state.history, steps: state.step, architectureSteps: state.architectureSteps, elapsedSeconds: state.elapsedSeconds };
  };
  if (state.finishedReason && state.selected) return outcome(state.finishedReason);

  const sessionStart = performance.now();
  const savedElapsed = state.elapsedSeconds;
  const elapsed = () => savedElapsed + (performance.now() - sessionStart) / 1000;
  const save = async () => {
    state.elapsedSeconds = elapsed();
    state.architecture = await architecture.state();
    await saveCheckpoint(folder, 'last', { weights: await supernet.saveable(), optimizer: await optimizer.state(), state });
    await writeFileAtomic(join(runFolder, 'alphas.json'), `${JSON.stringify({ schemaVersion: 1, relaxation: config.relaxation, hard: config.hard, decisions, warmupEndedAt: state.warmupEndedAt, history: state.history, selected: state.selected }, null, 2)}\n`);
  };
  const progress = () => (options.maxSteps != null ? state.step / options.maxSteps : elapsed() / options.wallSeconds);
  const relaxation = (label: string, temperature: number): Relaxation =>
    config.relaxation === 'softmax' ? { kind: 'softmax' } : { kind: 'gumbel', temperature, hard: config.hard, noise: gumbelNoise(decisions, createRandom(options.seed).fork(label).fork(state.step)) };

  await emit({ type: checkpoint ? 'search-resumed' : 'search-started', step: state.step, time: now() });
  let reason: DifferentiableOutcome['reason'] = 'wall-time';
  let trainBatches: BatchStream | null = null;
  let rewardBatches: BatchStream | null = null;
  try {
    if (state.finishedReason === null) {
      const batchConfig = { batchSize: options.batchSize, patchSize: options.patchSize, oversampleForeground: 0.33, foregroundJitter: 0, labelPad: 0 };
      const worker = options.batchWorker ? { worker: options.batchWorker } : {};
      trainBatches = await openWorkerBatchSource({ config: { ...batchConfig, seed: options.seed, augmentation: config.augmentation ? nnUNetAugmentation(options.patchSize) : NO_AUGMENTATION }, source: { kind: 'files', cases: options.trainCases, cacheBytes: 2 ** 30 }, startIndex: state.step, ...worker });
      rewardBatches = await openWorkerBatchSource({ config: { ...batchConfig, seed: `${options.seed}:reward`, augmentation: NO_AUGMENTATION }, source: { kind: 'files', cases: options.rewardCases, cacheBytes: 2 ** 30 }, startIndex: state.architectureSteps, ...worker });
      for (;;) {
        if (options.signal?.aborted) {
          reason = 'cancelled';
          break;
        }
        if (options.maxSteps != null && state.step >= options.maxSteps) {
          reason = 'steps';
          break;
        }
        if (elapsed() >= options.wallSeconds) break;
        const temperature = annealedTemperature(progress(), config.temperature.initial, config.temperature.minimum);
        const weightLoss = await weightStep(supernet, macro, choices, architecture.sample(relaxation('gumbel-weights', temperature)), optimizer, await trainBatches.next(), config.optimizer.learningRate);
        if (state.warmupEndedAt === null && (config.warmupSteps !== null ? state.step >= config.warmupSteps : elapsed() >= config.warmupFraction * options.wallSeconds)) state.warmupEndedAt = state.step;
        let architectureLoss: number | null = null;
        if (state.warmupEndedAt !== null) {
          architectureLoss = await architecture.step(rewardLoss(supernet, macro, choices, await rewardBatches.next()), relaxation('gumbel-architecture', temperature));
          state.architectureSteps += 1;
        }
        state.step += 1;
        const record: ArchStepRecord = { step: state.step, temperature: config.relaxation === 'gumbel' ? temperature : null, weightLoss, architectureLoss, softmax: architecture.softmax() };
        state.history.push(record);
        if (state.step % config.checkpointEvery === 0) await save();
        await emit({ type: 'arch-step', ...record, elapsedSeconds: elapsed(), etaSeconds: Math.max(0, options.wallSeconds - elapsed()), time: now() });
      }
    }
  } finally {
    await trainBatches?.close();
    await rewardBatches?.close();
  }
  if (reason === 'cancelled') {
    await emit({ type: 'search-finished', reason, selected: null, genome: null, steps: state.step, elapsedSeconds: elapsed(), time: now() });
    return outcome(reason);
  }
  const point: SearchPoint = { ...macro, ...architecture.argmax() };
  const genome = pointToGenome(space, point);
  const scored = await supernet.evaluateChild(point, options.validationCases, { patchSize: options.patchSize, wholeVolumeVoxels: options.wholeVolumeVoxels });
  state.selected = { archId: archIdOf(genome), point, meanDice: Number.isNaN(scored.meanDice) ? 0 : scored.meanDice, perClass: scored.meanPerClass };
  state.finishedReason = reason;
  const candidate = join(runFolder, 'candidates', state.selected.archId);
  await mkdir(candidate, { recursive: true });
  await writeFileAtomic(join(candidate, 'genome.json'), `${JSON.stringify(genome, null, 2)}\n`);
  await writeFileAtomic(join(candidate, 'metrics.json'), `${JSON.stringify({ ...state.selected, step: state.step, evaluatedWith: 'shared weights, derived path' }, null, 2)}\n`);
  await save();
  await emit({ type: 'search-finished', reason, selected: state.selected, genome, steps: state.step, elapsedSeconds: elapsed(), time: now() });
  return outcome(reason);
}

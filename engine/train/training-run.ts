import * as tf from '@tensorflow/tfjs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import { toTensorOrder, type PlansJson } from '../api/plans.ts';
import { networkPredictor } from '../evaluate/network-predictor.ts';
import { validateCases, type ValidationCase, type ValidationResult } from '../evaluate/validate-cases.ts';
import { canonicalJson } from '../network/genome.ts';
import { decodeGenome } from '../network/decode.ts';
import { createWeights, initialWeightValues, weightValues, type NetworkWeights } from '../network/executor.ts';
import { specParams, type NetworkSpec } from '../network/spec.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { createRandom } from '../runtime/random.ts';
import type { NamedArray } from '../runtime/tensor-file.ts';
import { NO_AUGMENTATION, nnUNetAugmentation } from './augment.ts';
import { openWorkerBatchSource, type BatchStream } from './batch-source.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { Optimizer, polyLearningRate, type OptimizerConfig } from './optimizers.ts';
import { trainStep } from './train-step.ts';
import type { CaseFileRef } from './training-case.ts';

/** Everything that decides a training run's numbers; a rerun with the same config continues the run. */
export interface TrainingConfig {
  genome: Genome;
  fold: number | 'all';
  seed: number;
  optimizer: OptimizerConfig;
  /** Length of the learning-rate schedule; null: chosen after the first steps from the wall-time budget. */
  maxSteps: number | null;
  /** Stop when the run's training time reaches this (seconds, summed over restarts); null: no limit. */
  wallSeconds: number | null;
  validateEvery: number;
  batchSize: number;
  /** [D, H, W]. */
  patchSize: [number, number, number];
  augmentation: boolean;
  dataId: string;
  classes: number;
  inputChannels: number;
  /** Where the first weights come from when not seeded ones, e.g. "search-enas-...:step 40" (part of the run's identity). */
  init?: string;
}

export interface TrainingState {
  step: number;
  maxSteps: number | null;
  trainingSeconds: number;
  best: { step: number; meanDice: number; meanPerClass: number[] } | null;
  lastValidation: { step: number; meanDice: number; meanPerClass: number[] } | null;
  /** Wall-time budgets: where the current schedule window began (the last refit), to time the recent steps. */
  scheduleWindow?: { step: number; seconds: number };
}

/**
 * The schedule's length under a wall-time budget, refitted at a validation: the current step plus
 * the steps the remaining seconds allow at the pace of the last window (its validation included),
 * with 3 % to spare. Refitted at every validation, a run whose machine gets faster or slower (other
 * work starting or ending) still ends at its wall instead of early or cut off before its decay.
 */
export function refitSchedule(at: { step: number; trainingSeconds: number; wallSeconds: number; window: { step: number; seconds: number } }): number {
  const steps = at.step - at.window.step;
  const seconds = at.trainingSeconds - at.window.seconds;
  if (steps <= 0 || seconds <= 0) return at.step + 1;
  return at.step + Math.max(1, Math.floor(((at.wallSeconds - at.trainingSeconds) / (seconds / steps)) * 0.97));
}

export type TrainingEvent =
  | { type: 'started' | 'resumed'; step: number; maxSteps: number | null; backend: string; time: string }
  | { type: 'step'; step: number; loss: number; learningRate: number; secondsPerStep: number; etaSeconds: number | null; time: string }
  | { type: 'validation'; step: number; meanDice: number; meanPerClass: number[]; best: boolean; time: string }
  | { type: 'finished'; step: number; reason: 'steps' | 'wall-time' | 'cancelled'; best: TrainingState['best']; time: string };

export interface TrainingInputs {
  runFolder: string;
  config: TrainingConfig;
  trainCases: CaseFileRef[];
  validationCases: ValidationCase[];
  /** Whole-volume inference limit for validation, voxels. */
  wholeVolumeVoxels: number;
  /** Steps between 'step' events. */
  reportEvery?: number;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /**
   * Which weights the outcome carries: 'last' (default, as nnU-Net's final checkpoint: the honest
   * choice when the validation fold is also the one reported) or 'best' (highest validation Dice,
   * chosen on the validation cases themselves, so optimistic for them).
   */
  keep?: 'last' | 'best';
  /** First weights by parameter name (config.init must say where they come from); default: seeded He-normal. */
  initialWeights?: Map<string, Float32Array>;
  /** How to start the batch worker (default: the TypeScript entry through tsx). */
  batchWorker?: Parameters<typeof openWorkerBatchSource>[0]['worker'];
  /**
   * Also write the last checkpoint, without validating, every this many steps (a run that validates
   * rarely, e.g. a search candidate scored only at its end, then resumes near where it stopped).
   */
  checkpointEvery?: number;
}

export interface TrainingOutcome {
  state: TrainingState;
  spec: NetworkSpec;
  /** The final weights, or with keep 'best' the best checkpoint's (the final ones when no validation ran, e.g. --fold all). */
  weights: Map<string, Float32Array>;
  reason: 'steps' | 'wall-time' | 'cancelled';
}

const now = () => new Date().toISOString();

/** The first step after which a wall-time schedule is refitted with validation time measured (then at every validation): the second validation, at least step 200. */
const refitStep = (validateEvery: number) => validateEvery * Math.max(2, Math.ceil(200 / validateEvery));

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The run's config file; a different config in the same folder is refused rather than mixed. */
async function claimRunFolder(folder: string, config: TrainingConfig): Promise<void> {
  await mkdir(join(folder, 'checkpoints'), { recursive: true });
  const path = join(folder, 'run.json');
  const existing = await readFile(path, 'utf8').then(JSON.parse, () => null);
  if (existing && canonicalJson(existing.config) !== canonicalJson(config)) {
    throw new Error(`${folder} holds a run with another configuration; choose a new run folder (or delete this one to start over)`);
  }
  if (!existing) await writeJsonAtomic(path, { schemaVersion: 1, kind: 'train', config, createdAt: now() });
}

const toNamed = (values: Map<string, Float32Array>, spec: NetworkSpec): Map<string, NamedArray> =>
  new Map(specParams(spec).map((param) => [param.name, { shape: param.shape, data: values.get(param.name)! }]));

async function saveState(folder: string, name: 'last' | 'best', spec: NetworkSpec, weights: NetworkWeights, optimizer: Optimizer, state: TrainingState): Promise<void> {
  await saveCheckpoint(join(folder, 'checkpoints'), name, { weights: toNamed(await weightValues(weights), spec), optimizer: await optimizer.state(), state });
}

/**
 * Trains one network on one fold, resumable: every `validateEvery` steps it validates and writes
 * the last (and, when better, the best) checkpoint atomically. Run it again with the same config
 * after a crash and it continues from the last checkpoint; batches are a function of (seed, step)
 * and the optimizer state is saved, so a deterministic run continues exactly.
 */
export async function runTraining(inputs: TrainingInputs): Promise<TrainingOutcome> {
  const { runFolder, config } = inputs;
  await claimRunFolder(runFolder, config);
  const events = join(runFolder, 'events.jsonl');
  const emit = async (event: TrainingEvent) => {
    await appendFile(events, `${JSON.stringify(event)}\n`);
    inputs.onEvent?.(event);
  };
  const spec = decodeGenome(config.genome, { inputChannels: config.inputChannels, classes: config.classes });
  const checkpoint = await loadCheckpoint<TrainingState>(join(runFolder, 'checkpoints'), 'last');
  if (inputs.initialWeights && !config.init) throw new Error('runTraining: initial weights need config.init (where they come from)');
  const initial = checkpoint ? new Map([...checkpoint.weights].map(([name, array]) => [name, array.data])) : (inputs.initialWeights ?? initialWeightValues(specParams(spec), createRandom(config.seed).fork('weights')));
  const weights = createWeights(spec, initial);
  const optimizer = new Optimizer(config.optimizer);
  const state: TrainingState = checkpoint?.state ?? { step: 0, maxSteps: config.maxSteps, trainingSeconds: 0, best: null, lastValidation: null };
  if (checkpoint) optimizer.restore(checkpoint.optimizer, state.step);
  await emit({ type: checkpoint ? 'resumed' : 'started', step: state.step, maxSteps: state.maxSteps, backend: tf.getBackend(), time: now() });

  const augmentation = config.augmentation ? nnUNetAugmentation(config.patchSize) : NO_AUGMENTATION;
  let batches: BatchStream | null = null;
  let reason: TrainingOutcome['reason'] = 'steps';
  const predict = networkPredictor(spec, weights);
  const validate = async (): Promise<ValidationResult | null> =>
    inputs.validationCases.length === 0
      ? null
      : validateCases(inputs.validationCases, predict, { classes: config.classes, patchSize: config.patchSize, sizeDivisor: spec.sizeDivisor, wholeVolumeVoxels: inputs.wholeVolumeVoxels, ...(inputs.signal ? { signal: inputs.signal } : {}) });
  const checkpointNow = async () => {
    const result = await validate();
    const isBest = result !== null && !Number.isNaN(result.meanDice) && (state.best === null || result.meanDice > state.best.meanDice);
    if (result) {
      state.lastValidation = { step: state.step, meanDice: result.meanDice, meanPerClass: result.meanPerClass };
      if (isBest) state.best = { ...state.lastValidation };
      if (isBest) await saveState(runFolder, 'best', spec, weights, optimizer, state);
    }
    await saveState(runFolder, 'last', spec, weights, optimizer, state);
    // Announced once the checkpoint is on disk: a reader that sees this event can rely on it.
    if (result) await emit({ type: 'validation', step: state.step, meanDice: result.meanDice, meanPerClass: result.meanPerClass, best: isBest, time: now() });
  };
  // Validation counts towards the wall-time budget too.
  const timed = async (work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    state.trainingSeconds += (performance.now() - started) / 1000;
  };
  try {
    batches = await openWorkerBatchSource({
      config: { seed: config.seed, batchSize: config.batchSize, patchSize: config.patchSize, oversampleForeground: 0.33, foregroundJitter: 0, labelPad: 0, augmentation },
      source: { kind: 'files', cases: inputs.trainCases, cacheBytes: 2 ** 30 },
      startIndex: state.step,
      ...(inputs.batchWorker ? { worker: inputs.batchWorker } : {}),
    });
    const reportEvery = inputs.reportEvery ?? 10;
    let windowStart = performance.now();
    let windowSteps = 0;
    let windowLoss = 0;
    for (;;) {
      if (inputs.signal?.aborted) {
        reason = 'cancelled';
        break;
      }
      if (state.maxSteps !== null && state.step >= state.maxSteps) break;
      if (config.wallSeconds !== null && state.trainingSeconds >= config.wallSeconds) {
        reason = 'wall-time';
        break;
      }
      const started = performance.now();
      const batch = await batches.next();
      const horizon = state.maxSteps ?? Number.MAX_SAFE_INTEGER;
      // Poly decay for both optimizers: the final weights, not a lucky checkpoint, are the model.
      const learningRate = polyLearningRate(config.optimizer.learningRate, state.step, horizon);
      const loss = await trainStep(spec, weights, optimizer, batch, learningRate);
      state.step += 1;
      state.trainingSeconds += (performance.now() - started) / 1000;
      windowSteps += 1;
      windowLoss += loss;
      // A wall-time budget fixes the schedule's length once the step time is known (recorded: a resume keeps it).
      if (state.maxSteps === null && config.wallSeconds !== null && state.step === 20) {
        state.maxSteps = Math.max(state.step + 1, Math.floor((config.wallSeconds / state.trainingSeconds) * state.step * 0.9));
      }
      if (state.step % reportEvery === 0) {
        const secondsPerStep = (performance.now() - windowStart) / 1000 / windowSteps;
        const remaining = state.maxSteps === null ? null : (state.maxSteps - state.step) * secondsPerStep;
        await emit({ type: 'step', step: state.step, loss: windowLoss / windowSteps, learningRate, secondsPerStep, etaSeconds: remaining, time: now() });
        windowStart = performance.now();
        windowSteps = 0;
        windowLoss = 0;
      }
      if (state.step % config.validateEvery === 0) {
        await timed(checkpointNow);
        // Once validations have been timed too, fit the schedule to the wall budget again, and again
        // at every validation on the pace of the last window (recorded: a resume keeps it).
        if (config.wallSeconds !== null && config.maxSteps === null && state.step >= refitStep(config.validateEvery)) {
          const window = state.scheduleWindow ?? { step: 0, seconds: 0 };
          state.maxSteps = refitSchedule({ step: state.step, trainingSeconds: state.trainingSeconds, wallSeconds: config.wallSeconds, window });
          state.scheduleWindow = { step: state.step, seconds: state.trainingSeconds };
          // Saved at once: a resume from this step's checkpoint must keep the refitted schedule.
          await saveState(runFolder, 'last', spec, weights, optimizer, state);
        }
      } else if (inputs.checkpointEvery !== undefined && state.step % inputs.checkpointEvery === 0) {
        await timed(() => saveState(runFolder, 'last', spec, weights, optimizer, state));
      }
    }
    if (state.step % config.validateEvery !== 0 && reason !== 'cancelled') await timed(checkpointNow);
  } finally {
    await batches?.close();
  }
  const best = inputs.keep === 'best' && state.best ? await loadCheckpoint<TrainingState>(join(runFolder, 'checkpoints'), 'best') : null;
  const finalWeights = best ? new Map([...best.weights].map(([name, array]) => [name, array.data])) : await weightValues(weights);
  optimizer.dispose();
  for (const weight of weights.values()) weight.dispose();
  await emit({ type: 'finished', step: state.step, reason, best: state.best, time: now() });
  return { state, spec, weights: finalWeights, reason };
}

/** Tensor-order patch and whole-volume limit from the plan. */
export function planTrainingShape(plans: PlansJson): { patchSize: [number, number, number]; batchSize: number } {
  return { patchSize: toTensorOrder(plans.patchSize), batchSize: plans.batchSize };
}


/**
 * The micro level of C2FNAS: a one-shot supernet (shared-supernet.ts) for ONE topology, whose cells
 * hold every op of their cell-op decision (c2fnas: 3x3x3, 5x5x5, 3x3x1, 5x5x1, dilated 3x3x3 and
 * 5x5x5), trained with uniform path sampling (each step one op per cell, uniformly at random; only
 * that path gets gradients), then `paths` distinct paths drawn uniformly and scored with the shared
 * weights on a fixed subset of the reward cases; the best `finalists` are scored again on every
 * reward case and the best one is chosen.
 *
 * Files (<folder>/): last.vxtf (weights, optimizer, counters; every `checkpointEvery` steps and
 * when the training ends), paths.json (the scored paths, rewritten after each). Resume: training
 * continues from the checkpoint (batch n and the path of step n are functions of the seed and n);
 * the evaluation skips the paths already in paths.json (their order is a function of the seed).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchPoint, SearchSpace } from '../../api/search-space.ts';
import type { ValidationCase } from '../../evaluate/validate-cases.ts';
import { archId as archIdOf } from '../../network/genome.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { createRandom } from '../../runtime/random.ts';
import { pointToGenome } from '../../space/genome-of-point.ts';
import { pointKey } from '../../space/points.ts';
import { NO_AUGMENTATION, nnUNetAugmentation } from '../../train/augment.ts';
import { openWorkerBatchSource, type BatchStream } from '../../train/batch-source.ts';
import { loadCheckpoint, saveCheckpoint } from '../../train/checkpoint.ts';
import { Optimizer, type OptimizerConfig } from '../../train/optimizers.ts';
import { SharedSupernet } from '../one-shot/shared-supernet.ts';
import type { SupernetSearchInputs } from '../one-shot/search-inputs.ts';

export interface MicroConfig {
  /** Share of the stage's budget for training the supernet; the rest scores paths. */
  trainFraction: number;
  /** Distinct paths drawn and scored (fewer when the budget ends first; at least one). */
  paths: number;
  /** Reward cases each path is scored on (the same subset for every path). */
  casesPerPath: number;
  /** Best paths scored again on every reward case. */
  finalists: number;
  checkpointEvery: number;
}

export const MICRO_DEFAULTS: MicroConfig = { trainFraction: 0.7, paths: 30, casesPerPath: 8, finalists: 3, checkpointEvery: 25 };

export interface MicroSearchOptions extends SupernetSearchInputs {
  folder: string;
  space: SearchSpace;
  /** The chosen topology (and the fixed width and patch); its cell-op indices are ignored. */
  base: SearchPoint;
  seed: number;
  config: MicroConfig;
  optimizer: OptimizerConfig;
  augmentation: boolean;
  wallSeconds: number;
  /** Step budget instead of `trainFraction` of the wall budget (tests). */
  trainSteps?: number | null;
  onEvent?: (event: MicroEvent) => void | Promise<void>;
}

export interface PathScore {
  archId: string;
  point: SearchPoint;
  meanDice: number;
  perClass: number[];
  /** 'subset': on `casesPerPath` cases; 'all': on every reward case (a finalist). */
  cases: 'subset' | 'all';
}

export type MicroEvent =
  | { type: 'micro-training'; step: number; loss: number; secondsPerStep: number; time: string }
  | ({ type: 'path-evaluated'; index: number; time: string } & PathScore);

interface MicroState {
  schemaVersion: 1;
  step: number;
  elapsedSeconds: number;
  trainingDone: boolean;
}

export interface MicroOutcome {
  reason: 'done' | 'cancelled';
  selected: PathScore | null;
  steps: number;
  scored: number;
  elapsedSeconds: number;
}

const now = () => new Date().toISOString();

/** Cell-op decisions of the space. */
const cellOps = (space: SearchSpace) => space.decisions.filter((decision) => decision.kind === 'cell-op');

/** A uniform path: one op per cell-op decision, the other decisions from `base`. */
function uniformPath(space: SearchSpace, base: SearchPoint, random: ReturnType<typeof createRandom>): SearchPoint {
  return { ...base, ...Object.fromEntries(cellOps(space).map((decision) => [decision.id, random.integer(0, decision.choices.length)])) };
}

/** The `count` distinct paths to score, in order (a function of the seed). */
function candidatePaths(space: SearchSpace, base: SearchPoint, seed: number, count: number): SearchPoint[] {
  const random = createRandom(seed).fork('micro-candidates');
  const paths = new Map<string, SearchPoint>();
  for (let attempt = 0; paths.size < count && attempt < count * 20; attempt += 1) {
    const point = uniformPath(space, base, random);
    paths.set(pointKey(point), point);
  }
  return [...paths.values()];
}

async function trainSupernet(options: MicroSearchOptions, supernet: SharedSupernet, optimizer: Optimizer, state: MicroState, save: () => Promise<void>, elapsed: () => number): Promise<'done' | 'cancelled'> {
  const trainSeconds = options.wallSeconds * options.config.trainFraction;
  const augmentation = options.augmentation ? nnUNetAugmentation(options.patchSize) : NO_AUGMENTATION;
  let batches: BatchStream | null = null;
  try {
    batches = await openWorkerBatchSource({
      config: { seed: options.seed, batchSize: options.batchSize, patchSize: options.patchSize, oversampleForeground: 0.33, foregroundJitter: 0, labelPad: 0, augmentation },
      source: { kind: 'files', cases: options.trainCases, cacheBytes: 2 ** 30 },
      startIndex: state.step,
    });
    const paths = createRandom(options.seed).fork('micro-paths');
    for (;;) {
      if (options.signal?.aborted) return 'cancelled';
      if (options.trainSteps != null ? state.step >= options.trainSteps : elapsed() >= trainSeconds) break;
      const started = performance.now();
      const loss = await supernet.trainChild(uniformPath(options.space, options.base, paths.fork(state.step)), optimizer, await batches.next(), options.optimizer.learningRate);
      state.step += 1;
      if (state.step % options.config.checkpointEvery === 0) await save();
      await options.onEvent?.({ type: 'micro-training', step: state.step, loss, secondsPerStep: (performance.now() - started) / 1000, time: now() });
    }
  } finally {
    await batches?.close();
  }
  state.trainingDone = true;
  await save();
  return 'done';
}

export async function runMicroSearch(options: MicroSearchOptions): Promise<MicroOutcome> {
  const { folder, space, config } = options;
  await mkdir(folder, { recursive: true });
  const context = { inputChannels: options.inputChannels, classes: options.classes, seed: options.seed };
  const optimizer = new Optimizer(options.optimizer);
  const checkpoint = await loadCheckpoint<MicroState>(folder, 'last');
  const supernet = checkpoint ? SharedSupernet.restore(space, context, checkpoint.weights) : new SharedSupernet(space, context);
  const state: MicroState = checkpoint?.state ?? { schemaVersion: 1, step: 0, elapsedSeconds: 0, trainingDone: false };
  if (checkpoint) optimizer.restore(checkpoint.optimizer, state.step);
  const scoresPath = join(folder, 'paths.json');
  const saved = await readFile(scoresPath, 'utf8').then((text) => JSON.parse(text) as { scores: PathScore[]; elapsedSeconds: number }, () => null);
  const scores: PathScore[] = saved?.scores ?? [];
  // The evaluation writes no checkpoint: paths.json carries its time.
  state.elapsedSeconds = Math.max(state.elapsedSeconds, saved?.elapsedSeconds ?? 0);
  const sessionStart = performance.now();
  const savedElapsed = state.elapsedSeconds;
  const elapsed = () => savedElapsed + (performance.now() - sessionStart) / 1000;
  const save = async () => {
    state.elapsedSeconds = elapsed();
    await saveCheckpoint(folder, 'last', { weights: await supernet.saveable(), optimizer: await optimizer.state(), state });
  };
  const outcome = (reason: MicroOutcome['reason'], selected: PathScore | null): MicroOutcome => ({ reason, selected, steps: state.step, scored: scores.filter((score) => score.cases === 'subset').length, elapsedSeconds: elapsed() });
  try {
    supernet.specFor(options.base);
    if (!state.trainingDone && (await trainSupernet(options, supernet, optimizer, state, save, elapsed)) === 'cancelled') return outcome('cancelled', null);
    const subset = createRandom(options.seed).fork('micro-cases').shuffle([...options.validationCases]).slice(0, Math.min(config.casesPerPath, options.validationCases.length));
    const score = async (point: SearchPoint, cases: readonly ValidationCase[], which: PathScore['cases']): Promise<PathScore> => {
      const result = await supernet.evaluateChild(point, cases, { patchSize: options.patchSize, wholeVolumeVoxels: options.wholeVolumeVoxels, ...(options.signal ? { signal: options.signal } : {}) });
      return { archId: archIdOf(pointToGenome(space, point)), point, meanDice: Number.isNaN(result.meanDice) ? 0 : result.meanDice, perClass: result.meanPerClass, cases: which };
    };
    const record = async (entry: PathScore) => {
      scores.push(entry);
      await writeFileAtomic(scoresPath, `${JSON.stringify({ schemaVersion: 1, steps: state.step, elapsedSeconds: elapsed(), scores }, null, 2)}\n`);
      await options.onEvent?.({ type: 'path-evaluated', index: scores.length - 1, time: now(), ...entry });
    };
    const paths = candidatePaths(space, options.base, options.seed, config.paths);
    const subsetScores = () => scores.filter((entry) => entry.cases === 'subset');
    for (const point of paths.slice(subsetScores().length)) {
      if (options.signal?.aborted) return outcome('cancelled', null);
      if (subsetScores().length > 0 && elapsed() >= options.wallSeconds) break;
      await record(await score(point, subset, 'subset'));
    }
    const finalists = [...subsetScores()].sort((a, b) => b.meanDice - a.meanDice).slice(0, config.finalists);
    for (const finalist of finalists) {
      if (scores.some((entry) => entry.cases === 'all' && entry.archId === finalist.archId)) continue;
      if (options.signal?.aborted) return outcome('cancelled', null);
      await record(await score(finalist.point, options.validationCases, 'all'));
    }
    const best = scores.filter((entry) => entry.cases === 'all').reduce<PathScore | null>((top, entry) => (top === null || entry.meanDice > top.meanDice ? entry : top), null);
    return outcome('done', best);
  } finally {
    supernet.dispose();
  }
}

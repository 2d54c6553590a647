/**
 * C2FNAS (coarse to fine) on a space with a topology decision (resources/search-spaces/c2fnas.json),
 * in three stages that share the search budget:
 *   1. macro (default 40 %): the topology, by clustering-based evolution (clustering-evolution.ts)
 *      through runSearch: each topology trained from scratch for an equal share of the stage with
 *      fixed micro ops (the first op of every layer: 3x3x3), the smallest width and the plan's patch;
 *   2. micro (40 %): the op of every layer, by a one-shot supernet of the chosen topology trained
 *      with uniform path sampling, then sampled paths scored with the shared weights (micro-search.ts);
 *   3. scaling (20 %): width, patch size and depth around the result (compound-scaling.ts).
 * A stage's unused time passes on to the next (each stage's deadline is its cumulative share).
 *
 * Files (<runFolder>/): c2fnas.json (each finished stage's result and seconds), macro/ (a runSearch
 * run: run.json, candidates/, events.jsonl), micro/ (supernet checkpoint, paths.json), scaling/
 * (scaling.json, one training per candidate), events.jsonl (stage events). Resume: a rerun skips the
 * finished stages and continues the one in progress from its own files.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../../api/genome.ts';
import type { PatchScaleDecision, SearchPoint, SearchSpace } from '../../api/search-space.ts';
import type { ValidationCase } from '../../evaluate/validate-cases.ts';
import { archId as archIdOf } from '../../network/genome.ts';
import type { Triple } from '../../network/spec.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { firstPoint, pointToGenome } from '../../space/genome-of-point.ts';
import { REFERENCE_ADAM, type OptimizerConfig } from '../../train/optimizers.ts';
import type { CaseFileRef } from '../../train/training-case.ts';
import { sequentialEngine } from '../engines.ts';
import { readRunFile } from '../run-store.ts';
import { runSearch, type SearchEvent } from '../run-search.ts';
import { createTrainingEvaluator } from '../training-evaluator.ts';
import { CLUSTERING_DEFAULTS, clusteringEvolution, evolutionHistory, type ClusteringEvolutionConfig } from './clustering-evolution.ts';
import { runScaling, SCALING_DEFAULTS, type ScalingCandidate, type ScalingConfig, type ScalingResult } from './compound-scaling.ts';
import { MICRO_DEFAULTS, runMicroSearch, type MicroConfig, type MicroEvent } from './micro-search.ts';
import { macroSpace, pointFeatures, topologyDecision, topologyPoints } from './topology-features.ts';

export type C2fnasStage = 'macro' | 'micro' | 'scaling';

export interface C2fnasConfig {
  /** Shares of the search budget per stage (summing to 1). */
  fractions: Record<C2fnasStage, number>;
  /** Topologies trained in the macro stage, and the clustering's settings. */
  macro: { candidates: number } & ClusteringEvolutionConfig;
  micro: MicroConfig;
  scaling: ScalingConfig;
  optimizer: OptimizerConfig;
  augmentation: boolean;
}

export const C2FNAS_DEFAULTS: C2fnasConfig = {
  fractions: { macro: 0.4, micro: 0.4, scaling: 0.2 },
  macro: { candidates: 8, ...CLUSTERING_DEFAULTS },
  micro: MICRO_DEFAULTS,
  scaling: SCALING_DEFAULTS,
  optimizer: REFERENCE_ADAM,
  augmentation: true,
};

export interface C2fnasSearchOptions {
  workspace: string;
  /** The search job's run id: the stages live under runs/<runId>/. */
  runId: string;
  space: SearchSpace;
  seed: number;
  config: C2fnasConfig;
  wallSeconds: number;
  /** Step budgets instead of wall time (tests): per macro candidate, for the micro supernet, per scaling candidate. */
  steps?: { macroCandidate: number; micro: number; scalingCandidate: number } | null;
  /** The preprocessed cases' folder, the plan's data id, the search's case split and the fold. */
  folder: string;
  dataId: string;
  trainIds: string[];
  validationIds: string[];
  trainCases: CaseFileRef[];
  validationCases: ValidationCase[];
  fold: number;
  /** The plan's patch [D, H, W] and batch. */
  patchSize: Triple;
  batchSize: number;
  inputChannels: number;
  classes: number;
  memoryBytes: number | null;
  /** The plan's training factor of the memory estimate (memory.ts). */
  trainingFactor?: number;
  wholeVolumeVoxels: number;
  signal?: AbortSignal;
  onEvent?: (event: C2fnasEvent) => void;
}

export interface StageResult {
  point: SearchPoint;
  archId: string;
  meanDice: number;
  seconds: number;
  /** One sentence for the model card. */
  summary: string;
}

export type C2fnasEvent =
  | { type: 'stage-started'; stage: C2fnasStage; wallSeconds: number; time: string }
  | { type: 'stage-finished'; stage: C2fnasStage; result: StageResult; time: string }
  | { type: 'macro'; event: SearchEvent }
  | MicroEvent
  | { type: 'scaling-evaluated'; candidate: ScalingCandidate; result: ScalingResult; time: string }
  | { type: 'search-finished'; point: SearchPoint; archId: string; genome: Genome; meanDice: number; time: string };

interface C2fnasFile {
  schemaVersion: 1;
  stages: Record<C2fnasStage, StageResult | null>;
}

export interface C2fnasOutcome {
  reason: 'done' | 'cancelled';
  selected: StageResult | null;
  stages: C2fnasFile['stages'];
  elapsedSeconds: number;
}

const now = () => new Date().toISOString();
const STAGES: C2fnasStage[] = ['macro', 'micro', 'scaling'];

/** The macro stage's fixed micro setting: the first choice of every decision, the patch factor 1 where the space offers it. */
export function macroBase(space: SearchSpace): SearchPoint {
  const patch = space.decisions.find((entry): entry is PatchScaleDecision => entry.kind === 'patch-scale');
  return { ...firstPoint(space), ...(patch ? { [patch.id]: Math.max(0, patch.choices.indexOf(1)) } : {}) };
}

async function macroStage(options: C2fnasSearchOptions, wallSeconds: number, emit: (event: C2fnasEvent) => Promise<void>): Promise<StageResult | null> {
  const { space, config } = options;
  const base = macroBase(space);
  const candidates = topologyPoints(space, base);
  const runId = `${options.runId}/macro`;
  const macroFolder = join(options.workspace, 'runs', runId);
  const steps = options.steps?.macroCandidate ?? null;
  const outcome = await runSearch({
    workspace: options.workspace,
    runId,
    space: macroSpace(space, base),
    strategy: clusteringEvolution(candidates, (point) => pointFeatures(space, point), { clusters: config.macro.clusters, failureScore: config.macro.failureScore }),
    evaluator: createTrainingEvaluator({ runFolder: macroFolder, folder: options.folder, dataId: options.dataId, trainIds: options.trainIds, validationIds: options.validationIds, fold: options.fold, seed: options.seed, classes: options.classes, inputChannels: options.inputChannels, optimizer: config.optimizer, augmentation: config.augmentation, ...(steps ? { steps } : {}) }),
    budgets: { wallSeconds, candidates: config.macro.candidates, memoryBytes: options.memoryBytes, candidateSeconds: steps ? null : wallSeconds / config.macro.candidates },
    training: { patch: options.patchSize, batch: options.batchSize, inputChannels: options.inputChannels, classes: options.classes, ...(options.trainingFactor ? { trainingFactor: options.trainingFactor } : {}) },
    seed: options.seed,
    engine: sequentialEngine(),
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (event) => void emit({ type: 'macro', event }),
  });
  if (outcome.reason === 'cancelled') return null;
  if (outcome.best === null) throw new Error(`C2FNAS macro stage: no topology trained (${outcome.trials.map((trial) => `${trial.archId}: ${trial.status}${trial.reason ? ` (${trial.reason})` : ''}`).join('; ')}); see ${macroFolder}`);
  const run = await readRunFile(macroFolder);
  const history = run ? evolutionHistory(run.state.strategy) : null;
  const topology = topologyDecision(space);
  const name = topology.choices[outcome.best.point[topology.id]!]!.name;
  const trained = outcome.trials.filter((trial) => trial.status === 'trained').length;
  return {
    point: outcome.best.point,
    archId: outcome.best.archId,
    meanDice: outcome.best.metrics!.meanDice,
    seconds: run?.state.elapsedSeconds ?? 0,
    summary: `macro: ${outcome.trials.length} topologies by clustering evolution (${history?.clusters.length ?? '?'} clusters, ${trained} trained with 3x3x3 ops), best "${name}" at Dice ${outcome.best.metrics!.meanDice.toFixed(3)}`,
  };
}

async function microStage(options: C2fnasSearchOptions, base: SearchPoint, wallSeconds: number, emit: (event: C2fnasEvent) => Promise<void>): Promise<StageResult | null> {
  const outcome = await runMicroSearch({
    folder: join(options.workspace, 'runs', options.runId, 'micro'),
    space: options.space,
    base,
    seed: options.seed,
    config: options.config.micro,
    optimizer: options.config.optimizer,
    augmentation: options.config.augmentation,
    wallSeconds,
    trainSteps: options.steps?.micro ?? null,
    trainCases: options.trainCases,
    validationCases: options.validationCases,
    patchSize: options.patchSize,
    batchSize: options.batchSize,
    inputChannels: options.inputChannels,
    classes: options.classes,
    wholeVolumeVoxels: options.wholeVolumeVoxels,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: emit,
  });
  if (outcome.reason === 'cancelled' || outcome.selected === null) return null;
  const ops = options.space.decisions.filter((decision) => decision.kind === 'cell-op').map((decision) => decision.choices[outcome.selected!.point[decision.id]!]);
  return {
    point: outcome.selected.point,
    archId: outcome.selected.archId,
    meanDice: outcome.selected.meanDice,
    seconds: outcome.elapsedSeconds,
    summary: `micro: a one-shot supernet trained ${outcome.steps} steps on uniformly sampled paths, ${outcome.scored} paths scored with the shared weights, chosen ops ${ops.join(', ')} at Dice ${outcome.selected.meanDice.toFixed(3)}`,
  };
}

async function scalingStage(options: C2fnasSearchOptions, point: SearchPoint, wallSeconds: number, emit: (event: C2fnasEvent) => Promise<void>): Promise<StageResult | null> {
  const started = performance.now();
  const scaled = await runScaling({
    folder: join(options.workspace, 'runs', options.runId, 'scaling'),
    space: options.space,
    point,
    shape: { patch: options.patchSize, batch: options.batchSize, inputChannels: options.inputChannels, classes: options.classes, memoryBytes: options.memoryBytes, ...(options.trainingFactor ? { trainingFactor: options.trainingFactor } : {}) },
    config: options.config.scaling,
    wallSeconds,
    candidateSteps: options.steps?.scalingCandidate ?? null,
    training: { folder: options.folder, dataId: options.dataId, trainIds: options.trainIds, validationIds: options.validationIds, fold: options.fold, seed: options.seed, optimizer: options.config.optimizer, augmentation: options.config.augmentation },
    ...(options.signal ? { signal: options.signal } : {}),
    onResult: (candidate, result) => emit({ type: 'scaling-evaluated', candidate, result, time: now() }),
  });
  if (scaled === null) return null;
  const seconds = scaled.plan.results.reduce((sum, result) => sum + result.seconds, 0) || (performance.now() - started) / 1000;
  return {
    point: scaled.best.point,
    archId: scaled.best.archId,
    meanDice: scaled.result.meanDice!,
    seconds,
    summary: `scaling: ${scaled.plan.chosen.length} of ${scaled.plan.gridSize} grid points trained (${scaled.plan.rejected.length} over the memory budget), chosen ${scaled.best.label} (patch ${scaled.best.patch.join('x')}) at Dice ${scaled.result.meanDice!.toFixed(3)}`,
  };
}

export async function runC2fnasSearch(options: C2fnasSearchOptions): Promise<C2fnasOutcome> {
  const runFolder = join(options.workspace, 'runs', options.runId);
  await mkdir(runFolder, { recursive: true });
  topologyDecision(options.space);
  const filePath = join(runFolder, 'c2fnas.json');
  const file: C2fnasFile = await readFile(filePath, 'utf8').then((text) => JSON.parse(text) as C2fnasFile, () => ({ schemaVersion: 1, stages: { macro: null, micro: null, scaling: null } }));
  let events = Promise.resolve();
  const emit = (event: C2fnasEvent): Promise<void> => {
    options.onEvent?.(event);
    if (event.type === 'macro') return events; // runSearch writes them to macro/events.jsonl
    events = events.then(() => appendFile(join(runFolder, 'events.jsonl'), `${JSON.stringify(event)}\n`));
    return events;
  };
  /** Seconds of the finished stages. */
  const spent = () => STAGES.reduce((sum, stage) => sum + (file.stages[stage]?.seconds ?? 0), 0);
  const { fractions } = options.config;
  let point: SearchPoint = macroBase(options.space);
  for (const [index, stage] of STAGES.entries()) {
    const done = file.stages[stage];
    if (done) {
      point = done.point;
      continue;
    }
    const deadline = STAGES.slice(0, index + 1).reduce((sum, name) => sum + fractions[name], 0) * options.wallSeconds;
    const wallSeconds = Math.max(0, deadline - spent());
    await emit({ type: 'stage-started', stage, wallSeconds, time: now() });
    const result = stage === 'macro' ? await macroStage(options, wallSeconds, emit) : stage === 'micro' ? await microStage(options, point, wallSeconds, emit) : await scalingStage(options, point, wallSeconds, emit);
    if (result === null) {
      await events;
      return { reason: 'cancelled', selected: null, stages: file.stages, elapsedSeconds: spent() };
    }
    file.stages[stage] = result;
    point = result.point;
    await writeFileAtomic(filePath, `${JSON.stringify(file, null, 2)}\n`);
    await emit({ type: 'stage-finished', stage, result, time: now() });
  }
  const selected = file.stages.scaling!;
  const genome = pointToGenome(options.space, selected.point);
  if (archIdOf(genome) !== selected.archId) throw new Error(`${filePath}: the selected architecture no longer matches the search space ${options.space.name} (was the space file edited?); delete the run folder to search again`);
  await emit({ type: 'search-finished', point: selected.point, archId: selected.archId, genome, meanDice: selected.meanDice, time: now() });
  await events;
  return { reason: 'done', selected, stages: file.stages, elapsedSeconds: spent() };
}

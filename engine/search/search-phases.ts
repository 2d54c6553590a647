/**
 * The search phase of a search job (search-job.ts), one function per strategy. Each runs its search
 * on the job's split (search training / reward cases) for the search budget and returns the selected
 * architecture with the lines the model card shows, or null when cancelled:
 * - enas: the RONASMIS/ENAS one-shot driver (one-shot/enas-search.ts); its final training may start
 *   from the supernet's weights;
 * - random: runSearch with random proposals, each candidate trained from scratch;
 * - darts, gumbel: the differentiable driver (differentiable/differentiable-search.ts);
 * - c2fnas: macro, micro and scaling stages (c2fnas/c2fnas-search.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlansJson } from '../api/plans.ts';
import type { SearchPoint, SearchSpace } from '../api/search-space.ts';
import type { ValidationCase } from '../evaluate/validate-cases.ts';
import type { OptimizerConfig } from '../train/optimizers.ts';
import { caseRefs, wholeVolumeLimit } from '../train/train-workspace.ts';
import type { CaseFileRef } from '../train/training-case.ts';
import { C2FNAS_DEFAULTS, runC2fnasSearch, type C2fnasConfig, type C2fnasEvent } from './c2fnas/c2fnas-search.ts';
import { DIFFERENTIABLE_DEFAULTS, runDifferentiableSearch, type DifferentiableConfig, type DifferentiableEvent } from './differentiable/differentiable-search.ts';
import { sequentialEngine } from './engines.ts';
import { ENAS_DEFAULTS, runEnasSearch, type EnasConfig, type EnasEvent } from './one-shot/enas-search.ts';
import { randomSearch } from './random-search.ts';
import { runSearch, type SearchEvent } from './run-search.ts';
import { asDiscreteSpace } from './strategies/ronasmis-search.ts';
import { createTrainingEvaluator } from './training-evaluator.ts';

/** Strategy-specific settings and test knobs of a search job (see SearchJobParams). */
export interface PhaseParams {
  memoryBytes?: number | null;
  finalInit?: 'shared' | 'scratch';
  candidateSeconds?: number;
  enas?: Partial<EnasConfig>;
  differentiable?: Partial<DifferentiableConfig>;
  c2fnas?: Partial<C2fnasConfig>;
  maxControllerSteps?: number;
  maxCandidates?: number;
  candidateSteps?: number;
  maxSearchSteps?: number;
  c2fnasSteps?: { macroCandidate: number; micro: number; scalingCandidate: number };
}

export type PhaseEvent =
  | { source: 'enas'; event: EnasEvent }
  | { source: 'random'; event: SearchEvent }
  | { source: 'darts' | 'gumbel'; event: DifferentiableEvent }
  | { source: 'c2fnas'; event: C2fnasEvent };

export interface PhaseContext {
  workspace: string;
  runId: string;
  runFolder: string;
  space: SearchSpace;
  params: PhaseParams;
  plans: PlansJson;
  /** The preprocessed cases' folder. */
  folder: string;
  fold: number;
  seed: number;
  searchCases: { train: string[]; validation: string[] };
  validationCases: () => Promise<ValidationCase[]>;
  /** Search budget, seconds. */
  wallSeconds: number;
  optimizer: OptimizerConfig;
  patchSize: [number, number, number];
  inputChannels: number;
  classes: number;
  signal?: AbortSignal;
  emit: (event: PhaseEvent) => void;
}

export interface PhaseResult {
  selected: { archId: string; point: SearchPoint; meanDice: number };
  searchSeconds: number;
  trace: string[];
  /** The selected child's weights from a supernet, when the final training starts from them. */
  sharedWeights: Map<string, Float32Array> | null;
  /** Where those weights come from (recorded in the job and the training run's identity). */
  finalInit: string | null;
}

const signalOf = (context: PhaseContext) => (context.signal ? { signal: context.signal } : {});

/** The shared inputs of the one-shot drivers. */
async function oneShotInputs(context: PhaseContext): Promise<{ trainCases: CaseFileRef[]; validationCases: ValidationCase[]; patchSize: [number, number, number]; batchSize: number; inputChannels: number; classes: number; wholeVolumeVoxels: number }> {
  return {
    trainCases: caseRefs(context.folder, context.searchCases.train),
    validationCases: await context.validationCases(),
    patchSize: context.patchSize,
    batchSize: context.plans.batchSize,
    inputChannels: context.inputChannels,
    classes: context.classes,
    wholeVolumeVoxels: wholeVolumeLimit(context.patchSize),
  };
}

export async function enasPhase(context: PhaseContext): Promise<PhaseResult | null> {
  const { params, space, runFolder, runId } = context;
  const config: EnasConfig = { ...ENAS_DEFAULTS, ...params.enas, controller: { ...ENAS_DEFAULTS.controller, ...params.enas?.controller }, optimizer: context.optimizer };
  const outcome = await runEnasSearch({
    runFolder,
    space,
    seed: context.seed,
    config,
    wallSeconds: context.wallSeconds,
    maxControllerSteps: params.maxControllerSteps ?? null,
    ...(await oneShotInputs(context)),
    ...signalOf(context),
    onEvent: (event) => context.emit({ source: 'enas', event }),
  });
  if (outcome.reason === 'cancelled' || outcome.selected === null) {
    outcome.supernet.dispose();
    return null;
  }
  const last = outcome.history[outcome.history.length - 1];
  const shared = (params.finalInit ?? 'shared') === 'shared';
  const result: PhaseResult = {
    selected: { archId: outcome.selected.archId, point: outcome.selected.point, meanDice: outcome.selected.meanDice },
    searchSeconds: outcome.elapsedSeconds,
    trace: [
      `Search: RONASMIS/ENAS, space ${space.name}, ${outcome.controllerSteps} controller steps of ${config.controller.childrenPerStep} children, ${outcome.sharedSteps} shared-weight training steps, ${Math.round(outcome.elapsedSeconds)} s.`,
      last ? `Controller at the end: mean reward ${last.meanReward.toFixed(3)}, baseline ${last.baseline.toFixed(3)}, entropy ${last.entropy.toFixed(2)} nats.` : 'Controller: no step completed.',
      `Selected ${outcome.selected.archId}: Dice ${outcome.selected.meanDice.toFixed(3)} on the ${context.searchCases.validation.length} reward cases with the shared weights.`,
    ],
    sharedWeights: shared ? await outcome.supernet.childWeights(outcome.selected.point) : null,
    finalInit: shared ? `${runId}:supernet step ${outcome.sharedSteps}` : null,
  };
  outcome.supernet.dispose();
  return result;
}

export async function randomPhase(context: PhaseContext): Promise<PhaseResult | null> {
  const { params, space, plans, runFolder, searchCases } = context;
  const started = performance.now();
  const outcome = await runSearch({
    workspace: context.workspace,
    runId: context.runId,
    space: asDiscreteSpace(space),
    strategy: randomSearch(),
    evaluator: createTrainingEvaluator({ runFolder, folder: context.folder, dataId: plans.dataId, trainIds: searchCases.train, validationIds: searchCases.validation, fold: context.fold, seed: context.seed, classes: context.classes, inputChannels: context.inputChannels, optimizer: context.optimizer, ...(params.candidateSteps ? { steps: params.candidateSteps } : {}) }),
    budgets: { wallSeconds: context.wallSeconds, candidates: params.maxCandidates ?? null, memoryBytes: params.memoryBytes ?? null, candidateSeconds: params.candidateSteps ? null : (params.candidateSeconds ?? context.wallSeconds / 6) },
    training: { patch: context.patchSize, batch: plans.batchSize, inputChannels: context.inputChannels, classes: context.classes },
    seed: context.seed,
    engine: sequentialEngine(),
    ...signalOf(context),
    onEvent: (event) => context.emit({ source: 'random', event }),
  });
  if (outcome.reason === 'cancelled' || outcome.best === null) return null;
  const trained = outcome.trials.filter((trial) => trial.status === 'trained');
  const searchSeconds = (await readFile(join(runFolder, 'run.json'), 'utf8').then((text) => JSON.parse(text).state.elapsedSeconds as number, () => null)) ?? (performance.now() - started) / 1000;
  return {
    selected: { archId: outcome.best.archId, point: outcome.best.point, meanDice: outcome.best.metrics!.meanDice },
    searchSeconds,
    trace: [
      `Search: random, space ${space.name}, ${outcome.trials.length} candidates (${trained.length} trained from scratch, ${outcome.trials.filter((trial) => trial.status === 'rejected').length} rejected, ${outcome.trials.filter((trial) => trial.status === 'failed').length} failed), ${Math.round(searchSeconds)} s.`,
      `Selected ${outcome.best.archId}: Dice ${outcome.best.metrics!.meanDice.toFixed(3)} on the ${searchCases.validation.length} reward cases after its short training.`,
    ],
    sharedWeights: null,
    finalInit: null,
  };
}

export async function differentiablePhase(context: PhaseContext, relaxation: 'softmax' | 'gumbel'): Promise<PhaseResult | null> {
  const { params, space, runFolder, runId } = context;
  const source = relaxation === 'softmax' ? 'darts' : 'gumbel';
  const config: DifferentiableConfig = { ...DIFFERENTIABLE_DEFAULTS, ...params.differentiable, relaxation, optimizer: context.optimizer };
  const outcome = await runDifferentiableSearch({
    runFolder,
    space,
    seed: context.seed,
    config,
    wallSeconds: context.wallSeconds,
    maxSteps: params.maxSearchSteps ?? null,
    rewardCases: caseRefs(context.folder, context.searchCases.validation),
    ...(await oneShotInputs(context)),
    ...signalOf(context),
    onEvent: (event) => context.emit({ source, event }),
  });
  if (outcome.reason === 'cancelled' || outcome.selected === null) {
    outcome.supernet.dispose();
    return null;
  }
  const { selected } = outcome;
  const last = outcome.history[outcome.history.length - 1];
  const confidence = last ? Object.values(last.softmax).map((weights) => Math.max(...weights)) : [];
  const shared = params.finalInit === 'shared';
  const method = relaxation === 'softmax' ? 'V-NAS/DARTS (first order, softmax mixed ops)' : `Gumbel-softmax (${config.hard ? 'straight-through' : 'soft'} samples, temperature ${config.temperature.initial} to ${config.temperature.minimum})`;
  const result: PhaseResult = {
    selected: { archId: selected.archId, point: selected.point, meanDice: selected.meanDice },
    searchSeconds: outcome.elapsedSeconds,
    trace: [
      `Search: ${method}, space ${space.name}, ${outcome.steps} weight steps and ${outcome.architectureSteps} architecture steps, ${Math.round(outcome.elapsedSeconds)} s; architecture weights in alphas.json.`,
      confidence.length > 0 ? `Derived by argmax per cell: the chosen op's softmax weight is ${Math.min(...confidence).toFixed(2)} to ${Math.max(...confidence).toFixed(2)} over the ${confidence.length} cells.` : 'Derived by argmax per cell (no step completed).',
      `Selected ${selected.archId}: Dice ${selected.meanDice.toFixed(3)} on the ${context.searchCases.validation.length} reward cases with the shared weights (the derived path alone).`,
    ],
    sharedWeights: shared ? await outcome.supernet.childWeights(selected.point) : null,
    finalInit: shared ? `${runId}:supernet step ${outcome.steps}` : null,
  };
  outcome.supernet.dispose();
  return result;
}

export async function c2fnasPhase(context: PhaseContext): Promise<PhaseResult | null> {
  const { params, space, plans } = context;
  if (params.finalInit === 'shared') throw new Error('C2FNAS retrains its result from scratch (its scaling stage changes the widths): use --init scratch or leave --init out');
  const config: C2fnasConfig = {
    ...C2FNAS_DEFAULTS,
    ...params.c2fnas,
    fractions: { ...C2FNAS_DEFAULTS.fractions, ...params.c2fnas?.fractions },
    macro: { ...C2FNAS_DEFAULTS.macro, ...params.c2fnas?.macro },
    micro: { ...C2FNAS_DEFAULTS.micro, ...params.c2fnas?.micro },
    scaling: { ...C2FNAS_DEFAULTS.scaling, ...params.c2fnas?.scaling },
    optimizer: context.optimizer,
  };
  const outcome = await runC2fnasSearch({
    workspace: context.workspace,
    runId: context.runId,
    space,
    seed: context.seed,
    config,
    wallSeconds: context.wallSeconds,
    steps: params.c2fnasSteps ?? null,
    folder: context.folder,
    dataId: plans.dataId,
    trainIds: context.searchCases.train,
    validationIds: context.searchCases.validation,
    fold: context.fold,
    memoryBytes: params.memoryBytes ?? plans.memory.budgetBytes,
    trainingFactor: plans.memory.trainingFactor,
    ...(await oneShotInputs(context)),
    ...signalOf(context),
    onEvent: (event) => context.emit({ source: 'c2fnas', event }),
  });
  if (outcome.reason === 'cancelled' || outcome.selected === null) return null;
  const { stages, selected } = outcome;
  return {
    selected: { archId: selected.archId, point: selected.point, meanDice: selected.meanDice },
    searchSeconds: outcome.elapsedSeconds,
    trace: [
      `Search: C2FNAS (coarse to fine), space ${space.name}, ${Math.round(outcome.elapsedSeconds)} s: ${(['macro', 'micro', 'scaling'] as const).map((stage) => `${stage} ${Math.round(stages[stage]!.seconds)} s`).join(', ')}.`,
      ...(['macro', 'micro', 'scaling'] as const).map((stage) => `C2FNAS ${stages[stage]!.summary}.`),
      `Selected ${selected.archId}; retrained from scratch.`,
    ],
    sharedWeights: null,
    finalInit: null,
  };
}

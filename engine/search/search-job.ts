/**
 * A whole architecture search on a planned workspace, as the CLI (`voxnas search`) and the job
 * worker run it: the search phase (ENAS one-shot or random search) on a split of the fold's
 * training cases, then the final training of the selected architecture on all of the fold's
 * training cases for the rest of the wall budget, validated on the fold's held-out cases, and a
 * model folder with the search trace in its model card.
 *
 * Splits: the fold's validation cases are never seen by the search: it trains on 80 % of the fold's
 * training cases and rewards on the other 20 % (seeded), so the held-out Dice of the final model is
 * a clean estimate, comparable with the baseline's on the same fold.
 *
 * Resume: run it again with the same parameters. The job file (runs/<runId>/search-job.json) records
 * the phase and, once the search is over, the final training's wall budget, so a resumed final
 * training is the same run (same config, same run folder) and continues from its checkpoint.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import type { SearchPoint } from '../api/search-space.ts';
import { InputError } from '../io/input-error.ts';
import { archId as archIdOf, canonicalJson } from '../network/genome.ts';
import { resourcesDir } from '../runtime/paths.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { createRandom } from '../runtime/random.ts';
import { loadSearchSpace } from '../space/load-space.ts';
import { pointToGenome } from '../space/genome-of-point.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { writeModelFolder, type ModelMetrics } from '../train/model-folder.ts';
import { REFERENCE_ADAM, type OptimizerConfig } from '../train/optimizers.ts';
import { caseRefs, loadValidationCases, trainInWorkspace, wholeVolumeLimit, workspaceFold } from '../train/train-workspace.ts';
import type { TrainingEvent } from '../train/training-run.ts';
import { sequentialEngine } from './engines.ts';
import { ENAS_DEFAULTS, runEnasSearch, type EnasConfig, type EnasEvent } from './one-shot/enas-search.ts';
import { SharedSupernet } from './one-shot/shared-supernet.ts';
import { randomSearch } from './random-search.ts';
import { runSearch, type SearchEvent } from './run-search.ts';
import { asDiscreteSpace } from './strategies/ronasmis-search.ts';
import { createTrainingEvaluator } from './training-evaluator.ts';

export const SEARCH_STRATEGIES = ['enas', 'random'] as const;
export type SearchStrategyName = (typeof SEARCH_STRATEGIES)[number];

export interface SearchJobParams {
  workspace: string;
  strategy: SearchStrategyName;
  /** Total wall budget, search + final training, seconds. */
  budgetSeconds: number;
  /** Share of the budget for the search phase (default 0.5). */
  searchFraction?: number;
  /** A search-space name in resources/search-spaces or a path (default: ronasmis). */
  space?: string;
  fold?: number;
  seed?: number;
  /** Training-memory budget; candidates estimated above it are never trained. */
  memoryBytes?: number | null;
  /** ENAS: final training starts from the supernet's weights (default, RONASMIS) or from scratch. */
  finalInit?: 'shared' | 'scratch';
  /** Random search: wall seconds per candidate (default: a sixth of the search phase). */
  candidateSeconds?: number;
  /** ENAS settings (tests shrink them). */
  enas?: Partial<EnasConfig>;
  /** Test knobs: stop the search after this many controller steps / candidates; step budgets instead of wall time. */
  maxControllerSteps?: number;
  maxCandidates?: number;
  candidateSteps?: number;
  finalSteps?: number;
}

export type SearchJobEvent =
  | { source: 'enas'; event: EnasEvent }
  | { source: 'random'; event: SearchEvent }
  | { source: 'final-training'; event: TrainingEvent }
  | { source: 'job'; event: { type: 'phase'; phase: 'search' | 'final-training' | 'done'; message: string; time: string } };

interface SearchJobFile {
  schemaVersion: 1;
  params: SearchJobParams;
  phase: 'search' | 'final-training' | 'done';
  selected: { archId: string; point: SearchPoint; meanDice: number } | null;
  searchSeconds: number | null;
  finalBudget: { wallSeconds: number } | { steps: number } | null;
  finalInit: string | null;
  trace: string[];
  model: string | null;
}

export interface SearchJobResult {
  runId: string;
  runFolder: string;
  model: string;
  selected: SearchJobFile['selected'];
  metrics: ModelMetrics;
  searchSeconds: number;
  trace: string[];
}

const now = () => new Date().toISOString();

/** The search's own split of the fold's training cases: 20 % (at least one) rewards, the rest trains. */
export function searchSplit(trainIds: readonly string[], seed: number, validationShare = 0.2): { train: string[]; validation: string[] } {
  if (trainIds.length < 2) throw new InputError('splits.json', `the fold has ${trainIds.length} training case(s)`, 'A search needs at least 2 training cases in the fold.');
  const shuffled = createRandom(seed).fork('search-split').shuffle([...trainIds].sort());
  const count = Math.min(trainIds.length - 1, Math.max(1, Math.round(trainIds.length * validationShare)));
  return { validation: shuffled.slice(0, count).sort(), train: shuffled.slice(count).sort() };
}

async function resolveSpace(name: string) {
  const path = /[\\/]|\.json$/.test(name) ? name : join(resourcesDir(), 'search-spaces', `${name}.json`);
  return loadSearchSpace(path);
}

export async function runSearchJob(params: SearchJobParams, context: { signal?: AbortSignal; onEvent?: (event: SearchJobEvent) => void } = {}): Promise<SearchJobResult | null> {
  const { workspace } = params;
  const emit = (event: SearchJobEvent) => context.onEvent?.(event);
  const fold = params.fold ?? 0;
  const seed = params.seed ?? 0;
  const identity = createHash('sha256').update(canonicalJson({ ...params, workspace: undefined })).digest('hex').slice(0, 8);
  const runId = `search-${params.strategy}-fold${fold}-${identity}`;
  const runFolder = join(workspace, 'runs', runId);
  await mkdir(runFolder, { recursive: true });
  const jobPath = join(runFolder, 'search-job.json');
  const saved = await readFile(jobPath, 'utf8').then((text) => JSON.parse(text) as SearchJobFile, () => null);
  const job: SearchJobFile = saved ?? { schemaVersion: 1, params, phase: 'search', selected: null, searchSeconds: null, finalBudget: null, finalInit: null, trace: [], model: null };
  const saveJob = () => writeFileAtomic(jobPath, `${JSON.stringify(job, null, 2)}\n`);
  if (!saved) await saveJob();

  const space = await resolveSpace(params.space ?? 'ronasmis');
  const { plans, folder, fold: split } = await workspaceFold(workspace, fold);
  const patchSize: [number, number, number] = [plans.patchSize[2], plans.patchSize[1], plans.patchSize[0]];
  const classes = plans.labelValues.length;
  const inputChannels = plans.dataset.channels.length;
  const searchCases = searchSplit(split.train, seed);
  const searchWall = params.budgetSeconds * (params.searchFraction ?? 0.5);
  const optimizer: OptimizerConfig = REFERENCE_ADAM;
  let sharedWeights: Map<string, Float32Array> | null = null;

  if (job.phase === 'search') {
    emit({ source: 'job', event: { type: 'phase', phase: 'search', message: `${params.strategy} search on ${searchCases.train.length} training / ${searchCases.validation.length} reward cases for ${Math.round(searchWall)} s`, time: now() } });
    const started = performance.now();
    if (params.strategy === 'enas') {
      const config: EnasConfig = { ...ENAS_DEFAULTS, ...params.enas, controller: { ...ENAS_DEFAULTS.controller, ...params.enas?.controller }, optimizer };
      const outcome = await runEnasSearch({
        runFolder,
        space,
        seed,
        config,
        wallSeconds: searchWall,
        maxControllerSteps: params.maxControllerSteps ?? null,
        trainCases: caseRefs(folder, searchCases.train),
        validationCases: await loadValidationCases(folder, searchCases.validation),
        patchSize,
        batchSize: plans.batchSize,
        inputChannels,
        classes,
        wholeVolumeVoxels: wholeVolumeLimit(patchSize),
        ...(context.signal ? { signal: context.signal } : {}),
        onEvent: (event) => emit({ source: 'enas', event }),
      });
      if (outcome.reason === 'cancelled' || outcome.selected === null) {
        outcome.supernet.dispose();
        return null;
      }
      const last = outcome.history[outcome.history.length - 1];
      job.selected = { archId: outcome.selected.archId, point: outcome.selected.point, meanDice: outcome.selected.meanDice };
      job.searchSeconds = outcome.elapsedSeconds;
      job.trace = [
        `Search: RONASMIS/ENAS, space ${space.name}, ${outcome.controllerSteps} controller steps of ${config.controller.childrenPerStep} children, ${outcome.sharedSteps} shared-weight training steps, ${Math.round(outcome.elapsedSeconds)} s.`,
        last ? `Controller at the end: mean reward ${last.meanReward.toFixed(3)}, baseline ${last.baseline.toFixed(3)}, entropy ${last.entropy.toFixed(2)} nats.` : 'Controller: no step completed.',
        `Selected ${outcome.selected.archId}: Dice ${outcome.selected.meanDice.toFixed(3)} on the ${searchCases.validation.length} reward cases with the shared weights.`,
      ];
      if ((params.finalInit ?? 'shared') === 'shared') {
        sharedWeights = await outcome.supernet.childWeights(outcome.selected.point);
        job.finalInit = `${runId}:supernet step ${outcome.sharedSteps}`;
      }
      outcome.supernet.dispose();
    } else {
      const outcome = await runSearch({
        workspace,
        runId,
        space: asDiscreteSpace(space),
        strategy: randomSearch(),
        evaluator: createTrainingEvaluator({ runFolder, folder, dataId: plans.dataId, trainIds: searchCases.train, validationIds: searchCases.validation, fold, seed, classes, inputChannels, optimizer, ...(params.candidateSteps ? { steps: params.candidateSteps } : {}) }),
        budgets: { wallSeconds: searchWall, candidates: params.maxCandidates ?? null, memoryBytes: params.memoryBytes ?? null, candidateSeconds: params.candidateSteps ? null : (params.candidateSeconds ?? searchWall / 6) },
        training: { patch: patchSize, batch: plans.batchSize, inputChannels, classes },
        seed,
        engine: sequentialEngine(),
        ...(context.signal ? { signal: context.signal } : {}),
        onEvent: (event) => emit({ source: 'random', event }),
      });
      if (outcome.reason === 'cancelled' || outcome.best === null) return null;
      const trained = outcome.trials.filter((trial) => trial.status === 'trained');
      job.selected = { archId: outcome.best.archId, point: outcome.best.point, meanDice: outcome.best.metrics!.meanDice };
      job.searchSeconds = (await readFile(join(runFolder, 'run.json'), 'utf8').then((text) => JSON.parse(text).state.elapsedSeconds as number, () => null)) ?? (performance.now() - started) / 1000;
      job.trace = [
        `Search: random, space ${space.name}, ${outcome.trials.length} candidates (${trained.length} trained from scratch, ${outcome.trials.filter((trial) => trial.status === 'rejected').length} rejected, ${outcome.trials.filter((trial) => trial.status === 'failed').length} failed), ${Math.round(job.searchSeconds)} s.`,
        `Selected ${outcome.best.archId}: Dice ${outcome.best.metrics!.meanDice.toFixed(3)} on the ${searchCases.validation.length} reward cases after its short training.`,
      ];
    }
    job.finalBudget = params.finalSteps ? { steps: params.finalSteps } : { wallSeconds: Math.max(60, params.budgetSeconds - job.searchSeconds) };
    job.phase = 'final-training';
    await saveJob();
  }

  const selected = job.selected!;
  const genome: Genome = pointToGenome(space, selected.point);
  if (archIdOf(genome) !== selected.archId) throw new Error(`${jobPath}: the selected architecture no longer matches the search space ${space.name} (was the space file edited?)`);
  if (job.phase === 'final-training') {
    if (job.finalInit && sharedWeights === null) {
      // Resumed after the search: the final run's checkpoint holds the weights; the shared ones are only its start.
      sharedWeights = await restoreSharedChild(runFolder, space, selected.point, { inputChannels, classes, seed });
    }
    emit({ source: 'job', event: { type: 'phase', phase: 'final-training', message: `final training of ${selected.archId} on ${split.train.length} cases (${job.finalInit ? 'from the shared weights' : 'from scratch'})`, time: now() } });
    const trained = await trainInWorkspace({
      workspace,
      genome,
      fold,
      budget: job.finalBudget!,
      seed,
      optimizer,
      ...(sharedWeights && job.finalInit ? { initialWeights: { values: sharedWeights, from: job.finalInit } } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
      onEvent: (event) => emit({ source: 'final-training', event }),
    });
    if (trained.reason === 'cancelled') return null;
    const model = join(workspace, 'models', `${runId}`);
    const metrics = await writeModelFolder({
      folder: model,
      genome,
      spec: trained.spec,
      weights: trained.weights,
      plans: trained.plans,
      metrics: {
        fold,
        seed,
        steps: trained.state.step,
        trainingSeconds: trained.state.trainingSeconds,
        batchSize: trained.config.batchSize,
        patchSize: trained.config.patchSize,
        backend: 'search job',
        validation: trained.state.lastValidation,
      },
      notes: [...job.trace, `Final training: ${trained.state.step} steps, ${Math.round(trained.state.trainingSeconds)} s, ${job.finalInit ? `started from the shared weights (${job.finalInit})` : 'from scratch'}; weights: the final ones.`, `Search run: runs/${runId} (events.jsonl, controller.json or candidates/).`],
    });
    job.model = model;
    job.phase = 'done';
    await saveJob();
    emit({ source: 'job', event: { type: 'phase', phase: 'done', message: `model written to ${model}`, time: now() } });
    return { runId, runFolder, model, selected, metrics, searchSeconds: job.searchSeconds ?? 0, trace: job.trace };
  }
  const metrics = JSON.parse(await readFile(join(job.model!, 'metrics.json'), 'utf8')) as ModelMetrics;
  return { runId, runFolder, model: job.model!, selected, metrics, searchSeconds: job.searchSeconds ?? 0, trace: job.trace };
}

/** The selected child's weights from the search's last supernet checkpoint (a resumed final training's starting point). */
async function restoreSharedChild(runFolder: string, space: Awaited<ReturnType<typeof resolveSpace>>, point: SearchPoint, context: { inputChannels: number; classes: number; seed: number }) {
  const checkpoint = await loadCheckpoint(join(runFolder, 'supernet'), 'last');
  if (!checkpoint) throw new Error(`${runFolder}/supernet/last.vxtf is missing: the final training cannot start from the shared weights; delete search-job.json to search again`);
  const supernet = SharedSupernet.restore(space, context, checkpoint.weights);
  try {
    return await supernet.childWeights(point);
  } finally {
    supernet.dispose();
  }
}

/**
 * A whole architecture search on a planned workspace, as the CLI (`voxnas search`) and the job
 * worker run it: the search phase (search-phases.ts: ENAS one-shot, random search, DARTS, Gumbel or
 * C2FNAS) on a split of the fold's training cases, then the final training of the selected
 * architecture on all of the fold's training cases for the rest of the wall budget, validated on
 * the fold's held-out cases, and a model folder with the search trace in its model card.
 *
 * Splits: the fold's validation cases are never seen by the search: it trains on 80 % of the fold's
 * training cases and rewards on the other 20 % (seeded), so the held-out Dice of the final model is
 * a clean estimate, comparable with the baseline's on the same fold.
 *
 * Final training: from the supernet's weights for ENAS (RONASMIS), from scratch for the others
 * (V-NAS and C2FNAS retrain their result); on the selected point's patch (a C2FNAS patch scale).
 *
 * Resume: run it again with the same parameters. The job file (runs/<runId>/search-job.json) records
 * the phase and, once the search is over, the final training's wall budget, so a resumed final
 * training is the same run (same config, same run folder) and continues from its checkpoint.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import { fromTensorOrder } from '../api/plans.ts';
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
import { loadValidationCases, trainInWorkspace, workspaceFold } from '../train/train-workspace.ts';
import type { TrainingEvent } from '../train/training-run.ts';
import { pointPatch } from './c2fnas/compound-scaling.ts';
import { SharedSupernet } from './one-shot/shared-supernet.ts';
import { c2fnasPhase, differentiablePhase, enasPhase, randomPhase, type PhaseContext, type PhaseEvent, type PhaseParams, type PhaseResult } from './search-phases.ts';

export const SEARCH_STRATEGIES = ['enas', 'random', 'darts', 'gumbel', 'c2fnas'] as const;
export type SearchStrategyName = (typeof SEARCH_STRATEGIES)[number];

/** The search space each strategy uses unless the job names one. */
export const DEFAULT_SPACES: Record<SearchStrategyName, string> = { enas: 'ronasmis', random: 'ronasmis', darts: 'vnas', gumbel: 'vnas', c2fnas: 'c2fnas' };

/**
 * The search phase's share of the total budget unless the job sets one. ENAS's search is itself
 * training: its final child continues from the shared weights, which every shared step trained
 * (superkernels), so most of the budget goes to that child; the others' final training starts from
 * a candidate trained for a fraction of the search (random) or from scratch (DARTS, Gumbel, C2FNAS).
 */
export const DEFAULT_SEARCH_FRACTIONS: Record<SearchStrategyName, number> = { enas: 0.3, random: 0.5, darts: 0.5, gumbel: 0.5, c2fnas: 0.5 };

export interface SearchJobParams extends PhaseParams {
  workspace: string;
  strategy: SearchStrategyName;
  /** Total wall budget, search + final training, seconds. */
  budgetSeconds: number;
  /** Share of the budget for the search phase (default: DEFAULT_SEARCH_FRACTIONS of the strategy). */
  searchFraction?: number;
  /** A search-space name in resources/search-spaces or a path (default: DEFAULT_SPACES of the strategy). */
  space?: string;
  fold?: number;
  seed?: number;
  /** Training-memory budget; candidates estimated above it are never trained (C2FNAS default: the plan's budget). */
  memoryBytes?: number | null;
  /** Final training from the supernet's weights (ENAS default; also DARTS, Gumbel) or from scratch (the others' default). */
  finalInit?: 'shared' | 'scratch';
  /** Random search: wall seconds per candidate (default: a sixth of the search phase). */
  candidateSeconds?: number;
  /** Test knob: step budget of the final training instead of wall time. */
  finalSteps?: number;
}

export type SearchJobEvent =
  | PhaseEvent
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

function runPhase(strategy: SearchStrategyName, context: PhaseContext): Promise<PhaseResult | null> {
  if (strategy === 'enas') return enasPhase(context);
  if (strategy === 'random') return randomPhase(context);
  if (strategy === 'darts') return differentiablePhase(context, 'softmax');
  if (strategy === 'gumbel') return differentiablePhase(context, 'gumbel');
  return c2fnasPhase(context);
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

  const space = await resolveSpace(params.space ?? DEFAULT_SPACES[params.strategy]);
  const { plans, folder, fold: split } = await workspaceFold(workspace, fold);
  const patchSize: [number, number, number] = [plans.patchSize[2], plans.patchSize[1], plans.patchSize[0]];
  const classes = plans.labelValues.length;
  const inputChannels = plans.dataset.channels.length;
  const searchCases = searchSplit(split.train, seed);
  const searchWall = params.budgetSeconds * (params.searchFraction ?? DEFAULT_SEARCH_FRACTIONS[params.strategy]);
  const optimizer: OptimizerConfig = REFERENCE_ADAM;
  let sharedWeights: Map<string, Float32Array> | null = null;

  if (job.phase === 'search') {
    emit({ source: 'job', event: { type: 'phase', phase: 'search', message: `${params.strategy} search on ${searchCases.train.length} training / ${searchCases.validation.length} reward cases for ${Math.round(searchWall)} s`, time: now() } });
    let validation: Promise<Awaited<ReturnType<typeof loadValidationCases>>> | null = null;
    const outcome = await runPhase(params.strategy, {
      workspace,
      runId,
      runFolder,
      space,
      params,
      plans,
      folder,
      fold,
      seed,
      searchCases,
      validationCases: () => (validation ??= loadValidationCases(folder, searchCases.validation)),
      wallSeconds: searchWall,
      optimizer,
      patchSize,
      inputChannels,
      classes,
      ...(context.signal ? { signal: context.signal } : {}),
      emit,
    });
    if (outcome === null) return null;
    job.selected = outcome.selected;
    job.searchSeconds = outcome.searchSeconds;
    job.trace = outcome.trace;
    job.finalInit = outcome.finalInit;
    sharedWeights = outcome.sharedWeights;
    job.finalBudget = params.finalSteps ? { steps: params.finalSteps } : { wallSeconds: Math.max(60, params.budgetSeconds - job.searchSeconds) };
    job.phase = 'final-training';
    await saveJob();
  }

  const selected = job.selected!;
  const genome: Genome = pointToGenome(space, selected.point);
  if (archIdOf(genome) !== selected.archId) throw new Error(`${jobPath}: the selected architecture no longer matches the search space ${space.name} (was the space file edited?)`);
  // A searched patch scale (C2FNAS) trains and ships the network on its own patch.
  const { patch: finalPatch, factor } = pointPatch(space, selected.point, patchSize, { inputChannels, classes });
  if (job.phase === 'final-training') {
    if (job.finalInit && sharedWeights === null) {
      // Resumed after the search: the final run's checkpoint holds the weights; the shared ones are only its start.
      sharedWeights = await restoreSharedChild(runFolder, space, selected.point, { inputChannels, classes, seed });
    }
    emit({ source: 'job', event: { type: 'phase', phase: 'final-training', message: `final training of ${selected.archId} on ${split.train.length} cases (${job.finalInit ? 'from the shared weights' : 'from scratch'}${factor !== 1 ? `, patch ${finalPatch.join('x')}` : ''})`, time: now() } });
    const trained = await trainInWorkspace({
      workspace,
      genome,
      fold,
      budget: job.finalBudget!,
      seed,
      optimizer,
      ...(factor !== 1 ? { patchSize: finalPatch } : {}),
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
      plans: { ...trained.plans, patchSize: fromTensorOrder(trained.config.patchSize) },
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
      notes: [...job.trace, `Final training: ${trained.state.step} steps, ${Math.round(trained.state.trainingSeconds)} s, ${job.finalInit ? `started from the shared weights (${job.finalInit})` : 'from scratch'}; weights: the final ones.`, `Search run: runs/${runId} (events.jsonl, and controller.json, alphas.json, c2fnas.json or candidates/).`],
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

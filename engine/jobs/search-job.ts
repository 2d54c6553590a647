/**
 * The 'search' job: an architecture search on a planned workspace, then the final training of the
 * selected network and its model folder, as `voxnas search` runs it (engine/search/search-job.ts).
 * This module checks the params and turns the search's events into job events; the search module
 * (TensorFlow.js, the supernet) is imported only when a search job runs. Resumable by design: the
 * same params continue the same search run.
 */
import { basename, isAbsolute } from 'node:path';
import { parseBudget } from '../train/train-workspace.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';
import { JobParamsError, ParamProblem, integer, oneOf, optional, positiveNumber, readParams, type ParamParser } from './job-params.ts';

interface SearchParams {
  strategy: 'enas' | 'random' | 'ronasmis' | 'darts' | 'gumbel' | 'c2fnas';
  budget: number;
  searchFraction?: number;
  space?: string;
  fold: number;
  seed: number;
  memoryGb?: number;
  /** Default: from the supernet for ENAS, from scratch for the others (V-NAS and C2FNAS retrain). */
  finalInit?: 'shared' | 'scratch';
  candidateSeconds?: number;
  /** ENAS step sizes (tests, demonstrations): fewer shared steps, children and reward cases per controller step. */
  enas?: EnasKnobs;
  /** Small step budgets instead of wall time (tests, demonstrations). */
  maxControllerSteps?: number;
  maxCandidates?: number;
  candidateSteps?: number;
  /** Differentiable searches: stop after this many weight/alpha steps (tests, demonstrations). */
  maxSearchSteps?: number;
  finalSteps?: number;
}

const wallBudget: ParamParser<number> = (value) => {
  const budget = typeof value === 'string' ? parseBudget(value) : null;
  return budget !== null && 'wallSeconds' in budget && budget.wallSeconds > 0 ? budget.wallSeconds : new ParamProblem("a wall time above zero such as '90m' or '2h'");
};

const fraction: ParamParser<number> = (value) => (typeof value === 'number' && value > 0 && value < 1 ? value : new ParamProblem('a number between 0 and 1'));

const spaceName: ParamParser<string> = (value) =>
  typeof value === 'string' && (/^[a-z0-9-]+$/i.test(value) || isAbsolute(value)) ? value : new ParamProblem('a search-space name (e.g. ronasmis) or the absolute path of a search-space file');

interface EnasKnobs {
  sharedSteps?: number;
  casesPerChild?: number;
  finalists?: number;
  controller?: { childrenPerStep?: number };
}

const ENAS_KNOBS = 'an object of { sharedSteps, casesPerChild, finalists, controller: { childrenPerStep } }, each an integer >= 1';

/** The ENAS settings a job may shrink; other fields of the engine's EnasConfig stay the engine's. */
const enasKnobs: ParamParser<EnasKnobs> = (value) => {
  const isObject = (item: unknown): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item);
  const isCount = (item: unknown) => item === undefined || (typeof item === 'number' && Number.isInteger(item) && item >= 1);
  if (!isObject(value)) return new ParamProblem(ENAS_KNOBS);
  const { controller, ...steps } = value;
  const stepsOk = Object.keys(steps).every((key) => ['sharedSteps', 'casesPerChild', 'finalists'].includes(key)) && Object.values(steps).every(isCount);
  const controllerOk = controller === undefined || (isObject(controller) && Object.keys(controller).every((key) => key === 'childrenPerStep') && isCount(controller['childrenPerStep']));
  return stepsOk && controllerOk ? (value as EnasKnobs) : new ParamProblem(ENAS_KNOBS);
};

export function readSearchParams(params: Record<string, unknown>): SearchParams {
  const read = readParams<SearchParams>('search', params, {
    strategy: optional(oneOf(['enas', 'random', 'ronasmis', 'darts', 'gumbel', 'c2fnas'] as const), 'enas'),
    budget: optional(wallBudget, 2 * 3600),
    searchFraction: optional(fraction),
    space: optional(spaceName),
    fold: optional(integer(0, 4), 0),
    seed: optional(integer(0), 0),
    memoryGb: optional(positiveNumber),
    finalInit: optional(oneOf(['shared', 'scratch'] as const)),
    candidateSeconds: optional(positiveNumber),
    enas: optional(enasKnobs),
    maxControllerSteps: optional(integer(1)),
    maxCandidates: optional(integer(1)),
    candidateSteps: optional(integer(1)),
    maxSearchSteps: optional(integer(1)),
    finalSteps: optional(integer(1)),
  });
  // Refused before any run folder exists: C2FNAS's scaling stage changes the widths, so its result is retrained from scratch.
  if (read.strategy === 'c2fnas' && read.finalInit === 'shared') throw new JobParamsError("The search job cannot start: params.finalInit 'shared' does not apply to c2fnas (its scaling stage changes the widths, so the result is trained from scratch). Leave finalInit out or give 'scratch'.");
  return read;
}

export const runSearchJob: JobFunction = async (rawParams, context) => {
  const { strategy, budget, memoryGb, ...rest } = readSearchParams(rawParams);
  const [{ runSearchJob: runSearch }, { selectBackend }] = await Promise.all([import('../search/search-job.ts'), import('../backend/select-backend.ts')]);
  const backend = await selectBackend();
  context.emit({ type: 'log', message: `Backend ${backend.reason}` });
  const result = await runSearch(
    { ...rest, workspace: context.workspace, strategy: strategy === 'ronasmis' ? 'enas' : strategy, budgetSeconds: budget, memoryBytes: memoryGb === undefined ? null : Math.round(memoryGb * 1024 ** 3) },
    {
      signal: context.signal,
      onEvent: (event) => {
        context.emit({ type: 'engine', data: event });
        if (event.source === 'job') context.emit(progress(event.event.phase === 'done' ? 1 : null, event.event.message));
        if (event.source === 'enas' && event.event.type === 'controller-step') context.emit(progress(null, `Controller step ${event.event.record.step}: mean reward ${event.event.record.meanReward.toFixed(3)}`, event.event.etaSeconds));
        if ((event.source === 'darts' || event.source === 'gumbel') && event.event.type === 'arch-step' && event.event.step % 10 === 0) context.emit(progress(null, `Architecture step ${event.event.step}`, event.event.etaSeconds));
        if (event.source === 'c2fnas' && event.event.type === 'stage-started') context.emit(progress(null, `C2FNAS ${event.event.stage} stage (${Math.round(event.event.wallSeconds)} s)`));
        if (event.source === 'final-training' && event.event.type === 'step') {
          const { step, loss, etaSeconds } = event.event;
          context.emit(progress(null, `Final training step ${step}: loss ${loss.toFixed(4)}`, etaSeconds));
        }
      },
    },
  );
  if (result === null) throw new JobCancelledError('The search');
  return {
    runId: result.runId,
    modelId: basename(result.model),
    model: result.model,
    selected: result.selected,
    searchSeconds: Math.round(result.searchSeconds),
    validation: result.metrics.validation,
    onnxParity: result.metrics.onnxParity,
    trace: result.trace,
  };
};

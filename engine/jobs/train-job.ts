/**
 * The 'train' job: train a network on a planned workspace (trainInWorkspace) and write its model
 * folder (models/<runId>/: weights, genome, plans, metrics, model.onnx checked against tfjs, model
 * card). `voxnas train` runs the same `chooseOptimizer` and `writeTrainedModel`. Resumable by
 * design: the run folder's name is a hash of the configuration, so the same params continue the
 * same run from its last checkpoint.
 */
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import type { WorkerJobEvent } from '../api/worker-messages.ts';
import { BACKEND_NAMES, selectBackend, type BackendChoice, type BackendName } from '../backend/select-backend.ts';
import type { FoldChoice } from '../data/splits.ts';
import { validateGenome } from '../network/genome.ts';
import { loadGenome } from '../network/load-genome.ts';
import { writeModelFolder, type ModelMetrics } from '../train/model-folder.ts';
import { NNUNET_SGD, REFERENCE_ADAM, type OptimizerConfig } from '../train/optimizers.ts';
import { parseBudget, trainInWorkspace, type TrainingBudget, type WorkspaceTraining } from '../train/train-workspace.ts';
import type { TrainingEvent } from '../train/training-run.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';
import { JobParamsError, ParamProblem, absolutePath, boolean, either, integer, literal, object, oneOf, optional, readParams, type ParamParser } from './job-params.ts';

/**
 * nnU-Net's SGD (lr 0.01, momentum 0.99, poly) is tuned for ~250k steps on a GPU; a CPU budget of
 * minutes gives a few thousand, where Adam (1e-3) gets much further (measured on the hippocampus
 * sample). So: SGD on the native TensorFlow backend, Adam on the CPU backends, unless asked.
 */
export function chooseOptimizer(backend: BackendChoice, requested?: 'sgd' | 'adam'): OptimizerConfig {
  return (requested ?? (backend.name === 'tensorflow' ? 'sgd' : 'adam')) === 'sgd' ? NNUNET_SGD : REFERENCE_ADAM;
}

/** Writes models/<runId>/ for a finished training run; returns the folder and its metrics. */
export async function writeTrainedModel(result: WorkspaceTraining, options: { workspace: string; fold: FoldChoice; seed: number; keep: 'last' | 'best'; backend: string }): Promise<{ folder: string; metrics: ModelMetrics }> {
  const { keep } = options;
  const folder = join(options.workspace, 'models', result.runId);
  const metrics = await writeModelFolder({
    folder,
    genome: result.config.genome,
    spec: result.spec,
    weights: result.weights,
    plans: result.plans,
    metrics: {
      fold: options.fold,
      seed: options.seed,
      steps: result.state.step,
      trainingSeconds: result.state.trainingSeconds,
      batchSize: result.config.batchSize,
      patchSize: result.config.patchSize,
      backend: options.backend,
      validation: keep === 'best' ? (result.state.best ?? result.state.lastValidation) : result.state.lastValidation,
    },
    notes: [
      `Stopped: ${result.reason}.`,
      keep === 'best' ? `Weights: the best validation checkpoint (step ${result.state.best?.step ?? result.state.step}), chosen on the validation cases, so their Dice is optimistic.` : `Weights: the final ones (step ${result.state.step}).`,
      `Run folder: runs/${result.runId} (events.jsonl holds the loss and validation curve).`,
    ],
  });
  return { folder, metrics };
}

interface TrainParams {
  genome: Record<string, unknown> | string;
  fold: FoldChoice;
  budget: TrainingBudget;
  seed: number;
  optimizer?: 'sgd' | 'adam';
  keep: 'last' | 'best';
  batchSize?: number;
  validateEvery?: number;
  augmentation: boolean;
  backend?: BackendName;
}

const budget: ParamParser<TrainingBudget> = (value) => (typeof value === 'string' && parseBudget(value)) || new ParamProblem("a budget such as '45m', '2h', '300steps' or '4epochs'");

export function readTrainParams(params: Record<string, unknown>): TrainParams {
  return readParams<TrainParams>('train', params, {
    genome: optional(either(either(literal('baseline'), absolutePath('a genome file')), object('a genome')), 'baseline'),
    fold: optional(either(integer(0, 4), literal('all')), 0),
    budget: optional(budget, { wallSeconds: 45 * 60 }),
    seed: optional(integer(0), 0),
    optimizer: optional(oneOf(['sgd', 'adam'] as const)),
    keep: optional(oneOf(['last', 'best'] as const), 'last'),
    batchSize: optional(integer(1)),
    validateEvery: optional(integer(1)),
    augmentation: optional(boolean, true),
    backend: optional(oneOf(BACKEND_NAMES)),
  });
}

async function resolveGenome(genome: TrainParams['genome']): Promise<Genome | undefined> {
  if (genome === 'baseline') return undefined;
  if (typeof genome === 'string') return loadGenome(genome);
  const validated = validateGenome(genome);
  if (!validated.ok) throw new JobParamsError(`The train job cannot start: params.genome is not a valid genome: ${validated.errors.join('; ')}. Fix the genome and start it again.`);
  return validated.value;
}

/** Engine training events as job events: each as an 'engine' event, steps also as progress with an ETA. */
function forward(event: TrainingEvent, emit: (event: WorkerJobEvent) => void, maxSteps: { value: number | null }): void {
  emit({ type: 'engine', data: event });
  if (event.type === 'started' || event.type === 'resumed') maxSteps.value = event.maxSteps;
  const fraction = (step: number) => (maxSteps.value === null ? null : step / maxSteps.value);
  if (event.type === 'started') emit(progress(0, 'Training started'));
  if (event.type === 'resumed') emit(progress(fraction(event.step), `Training resumed at step ${event.step}`));
  if (event.type === 'step') {
    // A wall-time budget fixes the step count after a few steps: the ETA tells when it is known.
    if (event.etaSeconds !== null) maxSteps.value = event.step + Math.round(event.etaSeconds / Math.max(event.secondsPerStep, 1e-9));
    emit(progress(fraction(event.step), `Step ${event.step}: loss ${event.loss.toFixed(4)}, ${event.secondsPerStep.toFixed(2)} s/step`, event.etaSeconds));
  }
  if (event.type === 'validation') emit({ type: 'log', message: `Step ${event.step}: validation Dice ${event.meanPerClass.map((dice) => dice.toFixed(3)).join(' / ')} (mean ${event.meanDice.toFixed(4)})${event.best ? ', best so far' : ''}` });
}

export const runTrainJob: JobFunction = async (rawParams, context) => {
  const params = readTrainParams(rawParams);
  const genome = await resolveGenome(params.genome);
  const backend = await selectBackend(params.backend ? { force: params.backend } : {});
  const optimizer = chooseOptimizer(backend, params.optimizer);
  context.emit({ type: 'log', message: `Backend ${backend.reason}; optimizer ${optimizer.kind}` });
  const maxSteps = { value: 'steps' in params.budget ? params.budget.steps : null };
  const result = await trainInWorkspace({
    workspace: context.workspace,
    ...(genome ? { genome } : {}),
    fold: params.fold,
    budget: params.budget,
    seed: params.seed,
    optimizer,
    augmentation: params.augmentation,
    keep: params.keep,
    ...(params.batchSize !== undefined ? { batchSize: params.batchSize } : {}),
    ...(params.validateEvery !== undefined ? { validateEvery: params.validateEvery } : {}),
    signal: context.signal,
    onEvent: (event) => forward(event, context.emit, maxSteps),
  });
  // Cancelled: the last checkpoint stays in the run folder; resuming the job continues from it.
  if (result.reason === 'cancelled') throw new JobCancelledError(`Training (run ${result.runId}, at step ${result.state.step})`);
  context.emit(progress(1, 'Writing the model folder (ONNX export and parity check)'));
  const { folder, metrics } = await writeTrainedModel(result, { workspace: context.workspace, fold: params.fold, seed: params.seed, keep: params.keep, backend: backend.reason });
  return {
    runId: result.runId,
    modelId: result.runId,
    model: folder,
    reason: result.reason,
    steps: result.state.step,
    trainingSeconds: Math.round(result.state.trainingSeconds),
    validation: metrics.validation,
    onnxParity: metrics.onnxParity,
  };
};

import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import { toTensorOrder, type PlansJson } from '../api/plans.ts';
import { caseFiles, readCase } from '../data/preprocess/case-file.ts';
import { preprocessedFolder } from '../data/preprocess/preprocess-dataset.ts';
import { crossValidationFolds, readSplitsFile, selectFold, writeSplitsFile, type FoldChoice } from '../data/splits.ts';
import type { ValidationCase } from '../evaluate/validate-cases.ts';
import { InputError } from '../io/input-error.ts';
import { archId, canonicalJson } from '../network/genome.ts';
import { readDatasetFile, readPlansFile } from '../runtime/workspace-files.ts';
import { NNUNET_SGD, type OptimizerConfig } from './optimizers.ts';
import type { CaseFileRef } from './training-case.ts';
import { runTraining, type TrainingConfig, type TrainingEvent, type TrainingOutcome } from './training-run.ts';

/** How long to train: a number of steps, or wall time (the schedule length is then set from the measured step time). */
export type TrainingBudget = { steps: number } | { wallSeconds: number };

/** nnU-Net's epoch: 250 training steps. */
export const STEPS_PER_EPOCH = 250;

/** Parses "45m", "2h", "90s", "300steps", "4epochs"; null when it is none of these. */
export function parseBudget(text: string): TrainingBudget | null {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|steps?|epochs?)$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2]!;
  if (unit.startsWith('step')) return Number.isInteger(value) && value > 0 ? { steps: value } : null;
  if (unit.startsWith('epoch')) return Number.isInteger(value) && value > 0 ? { steps: value * STEPS_PER_EPOCH } : null;
  return { wallSeconds: value * { s: 1, m: 60, h: 3600 }[unit as 's' | 'm' | 'h'] };
}

export interface WorkspaceTrainingOptions {
  workspace: string;
  /** The network; default: the plan's baseline U-Net. */
  genome?: Genome;
  fold: FoldChoice;
  budget: TrainingBudget;
  seed?: number;
  optimizer?: OptimizerConfig;
  augmentation?: boolean;
  /** Overrides the plan's batch size (e.g. a smaller batch for more steps in a CPU time budget). */
  batchSize?: number;
  /** Overrides the plan's patch size, [D, H, W] (e.g. a searched patch scale); multiples of the network's size divisor. */
  patchSize?: [number, number, number];
  validateEvery?: number;
  /** First weights (e.g. a child's weights from a search supernet) and where they come from. */
  initialWeights?: { values: Map<string, Float32Array>; from: string };
  /** Weights of the model: the final ones (default) or the best validation checkpoint's. */
  keep?: 'last' | 'best';
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

export interface WorkspaceTraining extends TrainingOutcome {
  runId: string;
  runFolder: string;
  plans: PlansJson;
  config: TrainingConfig;
  trainCaseIds: string[];
  validationCaseIds: string[];
}

/** The folds of the workspace: splits.json when present (nnU-Net format), else 5 folds written there. */
async function workspaceFolds(workspace: string, caseIds: string[]) {
  const path = join(workspace, 'splits.json');
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  const folds = exists ? await readSplitsFile(path, caseIds) : crossValidationFolds(caseIds);
  if (!folds.ok) throw new InputError(path, folds.errors.join('; '), 'Fix or delete splits.json (VoxNAS then writes a deterministic 5-fold split).');
  if (!exists) await writeSplitsFile(path, folds.value);
  return folds.value;
}

/** One pass over a whole case when it is at most 8 patches big (the hippocampus cases always are). */
export const wholeVolumeLimit = ([d, h, w]: readonly [number, number, number]): number => 8 * d * h * w;

/** File references of preprocessed cases. */
export const caseRefs = (folder: string, ids: readonly string[]): CaseFileRef[] =>
  ids.map((id) => {
    const files = caseFiles(folder, id);
    return { id, binPath: files.bin, jsonPath: files.json };
  });

/** Preprocessed cases with their labels, for validation. */
export async function loadValidationCases(folder: string, ids: readonly string[]): Promise<ValidationCase[]> {
  const cases: ValidationCase[] = [];
  for (const id of ids) {
    const loaded = await readCase(folder, id);
    if (loaded.label === null) throw new InputError(caseFiles(folder, id).json, 'has no label map', "Run 'voxnas plan' again.");
    cases.push({ id, image: loaded.image, label: loaded.label, record: loaded.record });
  }
  return cases;
}

/** The plan, the preprocessed folder and a fold's case ids (splits.json, written on first use). */
export async function workspaceFold(workspace: string, choice: FoldChoice): Promise<{ plans: PlansJson; folder: string; fold: { train: string[]; val: string[] } }> {
  const [dataset, plans] = await Promise.all([readDatasetFile(workspace), readPlansFile(workspace)]);
  const folder = preprocessedFolder(workspace, plans.dataId);
  const caseIds = dataset.cases.filter((entry) => entry.split === 'training').map((entry) => entry.id);
  const available: string[] = [];
  for (const id of caseIds) {
    if (await access(caseFiles(folder, id).json).then(() => true, () => false)) available.push(id);
  }
  if (available.length < 2) throw new InputError(folder, `holds ${available.length} preprocessed training case(s)`, "Run 'voxnas plan' for this workspace first.");
  const fold = selectFold(await workspaceFolds(workspace, available), available, choice);
  if (!fold.ok) throw new InputError(join(workspace, 'splits.json'), fold.errors.join('; '), 'Choose an existing fold (0-4) or all.');
  return { plans, folder, fold: fold.value };
}

/**
 * Trains a network on a planned workspace: the fold's training cases from the preprocessed cache,
 * validation on the fold's other cases. The run folder's name is a hash of the configuration, so the
 * same command run again after a crash continues the same run.
 */
export async function trainInWorkspace(options: WorkspaceTrainingOptions): Promise<WorkspaceTraining> {
  const { workspace } = options;
  const { plans, folder, fold } = await workspaceFold(workspace, options.fold);
  const genome = options.genome ?? plans.network.genome;
  const steps = 'steps' in options.budget ? options.budget.steps : null;
  const config: TrainingConfig = {
    genome,
    fold: options.fold,
    seed: options.seed ?? 0,
    optimizer: options.optimizer ?? NNUNET_SGD,
    maxSteps: steps,
    wallSeconds: 'wallSeconds' in options.budget ? options.budget.wallSeconds : null,
    validateEvery: options.validateEvery ?? (steps !== null ? Math.max(5, Math.min(STEPS_PER_EPOCH, Math.round(steps / 10))) : STEPS_PER_EPOCH),
    batchSize: options.batchSize ?? plans.batchSize,
    patchSize: options.patchSize ?? toTensorOrder(plans.patchSize),
    augmentation: options.augmentation ?? true,
    dataId: plans.dataId,
    classes: plans.labelValues.length,
    inputChannels: plans.dataset.channels.length,
    ...(options.initialWeights ? { init: options.initialWeights.from } : {}),
  };
  const runId = `train-${archId(genome)}-fold${options.fold}-${createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 8)}`;
  const runFolder = join(workspace, 'runs', runId);
  await mkdir(runFolder, { recursive: true });
  const validationCases = await loadValidationCases(folder, fold.val);
  const outcome = await runTraining({
    runFolder,
    config,
    trainCases: caseRefs(folder, fold.train),
    validationCases,
    wholeVolumeVoxels: wholeVolumeLimit(config.patchSize),
    ...(options.keep ? { keep: options.keep } : {}),
    ...(options.initialWeights ? { initialWeights: options.initialWeights.values } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { ...outcome, runId, runFolder, plans, config, trainCaseIds: fold.train, validationCaseIds: fold.val };
}

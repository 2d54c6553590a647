/**
 * The real evaluator of independent-trial search (random search): trains a candidate from scratch
 * on the search's training cases for the evaluation's wall budget, then scores it on the search's
 * validation cases (patient-wise Dice of the final weights). Each candidate trains in its own run
 * folder (candidates/<archId>/training/); it is validated only at its end and checkpointed every
 * CANDIDATE_CHECKPOINT_EVERY steps, so a search interrupted during a candidate continues that
 * candidate's training from its last checkpoint.
 */
import { join } from 'node:path';
import type { ValidationCase } from '../evaluate/validate-cases.ts';
import { REFERENCE_ADAM, type OptimizerConfig } from '../train/optimizers.ts';
import { caseRefs, loadValidationCases, wholeVolumeLimit } from '../train/train-workspace.ts';
import { runTraining } from '../train/training-run.ts';
import { candidateFolder } from './run-store.ts';
import type { Evaluator } from './types.ts';

/** Steps between a candidate's checkpoints (about a minute of CPU training; a checkpoint of a 0.4 M-parameter network with Adam's slots is ~5 MB). */
export const CANDIDATE_CHECKPOINT_EVERY = 50;

export interface TrainingEvaluatorOptions {
  runFolder: string;
  /** The preprocessed cases' folder (preprocessed/<dataId>). */
  folder: string;
  dataId: string;
  trainIds: string[];
  validationIds: string[];
  fold: number;
  seed: number;
  classes: number;
  inputChannels: number;
  optimizer?: OptimizerConfig;
  augmentation?: boolean;
  /** Step budget per candidate when the evaluation has no wall budget (tests). */
  steps?: number;
  /** Steps between checkpoints (default CANDIDATE_CHECKPOINT_EVERY). */
  checkpointEvery?: number;
}

export function createTrainingEvaluator(options: TrainingEvaluatorOptions): Evaluator {
  let validation: ValidationCase[] | null = null;
  return {
    async evaluate(candidate, budget, signal) {
      if (budget.wallSeconds === null && options.steps === undefined) return { ok: false, reason: 'the training evaluator needs a time budget per candidate (candidateSeconds)' };
      validation ??= await loadValidationCases(options.folder, options.validationIds);
      const outcome = await runTraining({
        runFolder: join(candidateFolder(options.runFolder, candidate.archId), 'training'),
        config: {
          genome: candidate.genome,
          fold: options.fold,
          seed: options.seed,
          optimizer: options.optimizer ?? REFERENCE_ADAM,
          maxSteps: options.steps ?? null,
          wallSeconds: budget.wallSeconds,
          // Validate once, at the end: the reward is the final weights' Dice.
          validateEvery: Number.MAX_SAFE_INTEGER,
          batchSize: budget.batch,
          patchSize: budget.patch,
          augmentation: options.augmentation ?? true,
          dataId: options.dataId,
          classes: options.classes,
          inputChannels: options.inputChannels,
        },
        trainCases: caseRefs(options.folder, options.trainIds),
        validationCases: validation,
        wholeVolumeVoxels: wholeVolumeLimit(budget.patch),
        checkpointEvery: options.checkpointEvery ?? CANDIDATE_CHECKPOINT_EVERY,
        signal,
      });
      const scored = outcome.state.lastValidation;
      if (outcome.reason === 'cancelled' || scored === null) return { ok: false, reason: outcome.reason === 'cancelled' ? 'cancelled' : 'no validation ran' };
      const meanDice = Number.isNaN(scored.meanDice) ? 0 : scored.meanDice;
      return { ok: true, metrics: { meanDice, perClass: scored.meanPerClass, seconds: outcome.state.trainingSeconds, steps: outcome.state.step } };
    },
  };
}

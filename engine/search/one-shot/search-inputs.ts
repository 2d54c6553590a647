/**
 * What every supernet-based search driver (ENAS, DARTS/Gumbel, the C2FNAS micro stage) trains and
 * scores on: the search split's cases, the training shape and the run's cancellation.
 */
import type { ValidationCase } from '../../evaluate/validate-cases.ts';
import type { CaseFileRef } from '../../train/training-case.ts';

export interface SupernetSearchInputs {
  trainCases: CaseFileRef[];
  validationCases: ValidationCase[];
  /** [D, H, W]. */
  patchSize: [number, number, number];
  batchSize: number;
  inputChannels: number;
  classes: number;
  /** Whole-volume inference limit for scoring, voxels. */
  wholeVolumeVoxels: number;
  signal?: AbortSignal;
}

import { createRandom, type Random } from '../runtime/random.ts';
import { type AugmentationConfig, augmentSample, drawAugmentation, type SampleAugmentation } from './augment.ts';
import { isForcedForeground, placePatch, type PatchPlacement, type Vec3i } from './sampler.ts';
import { allocateBatch, type BatchArrays, type TrainingCase } from './training-case.ts';

/**
 * Batch n of a run, built the same way in the batch worker and in process: everything random comes
 * from `batchRandom(seed, n)`, so batch n is a function of (config, case list, n) alone, whatever the
 * timing, prefetching or restarts. A run resumed at step n asks for batch n and continues exactly.
 *
 * Per sample s (stream `batchRandom(seed, n).fork(s)`, in this order): the case (uniform over the
 * list, with replacement, as nnU-Net), the forced-foreground decision (batch size 1 only), the patch
 * placement, the augmentation.
 */
export interface BatchConfig {
  seed: number | string;
  batchSize: number;
  /** [D, H, W] of the network's input patch. */
  patchSize: Vec3i;
  /** Share of forced-foreground samples (nnU-Net: 0.33); see sampler.ts for the rounding rule. */
  oversampleForeground: number;
  /** Jitter of forced patches around the chosen voxel, as a fraction of the patch size (0: centred). */
  foregroundJitter: number;
  /** Label value of voxels outside the case (0: background). */
  labelPad: number;
  augmentation: AugmentationConfig;
}

export interface BatchSampleInfo {
  caseId: string;
  placement: PatchPlacement;
  augmentation: SampleAugmentation;
}

/** One batch: its number, its arrays (layouts in training-case.ts) and how each sample was made. */
export interface TrainingBatch extends BatchArrays {
  index: number;
  samples: BatchSampleInfo[];
}

export const batchRandom = (seed: number | string, index: number): Random => createRandom(seed).fork('training-batch').fork(index);

/** Checks a config; returns sentences naming the field at fault (empty when usable). */
export function checkBatchConfig(config: BatchConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) problems.push(`batchSize must be a positive integer, got ${config.batchSize}`);
  if (!config.patchSize.every((size) => Number.isInteger(size) && size > 0)) problems.push(`patchSize [${config.patchSize.join(', ')}] must be positive integers`);
  if (!(config.oversampleForeground >= 0 && config.oversampleForeground <= 1)) problems.push(`oversampleForeground must be in [0, 1], got ${config.oversampleForeground}`);
  if (!(config.foregroundJitter >= 0 && config.foregroundJitter <= 0.5)) problems.push(`foregroundJitter must be in [0, 0.5], got ${config.foregroundJitter}`);
  if (!Number.isInteger(config.labelPad) || config.labelPad < 0 || config.labelPad > 255) problems.push(`labelPad must be an integer 0..255, got ${config.labelPad}`);
  return problems;
}

/**
 * Builds batch `index` from the cases named in `caseIds` (the training split, in a fixed order);
 * `getCase` returns a case by id (loaded or cached). All cases must have the same channel count.
 */
export async function buildBatch(index: number, caseIds: readonly string[], getCase: (id: string) => TrainingCase | Promise<TrainingCase>, config: BatchConfig): Promise<TrainingBatch> {
  if (caseIds.length === 0) throw new Error('buildBatch: the case list is empty');
  const random = batchRandom(config.seed, index);
  const samples: BatchSampleInfo[] = [];
  let arrays: BatchArrays | null = null;
  for (let sample = 0; sample < config.batchSize; sample += 1) {
    const sampleRandom = random.fork(sample);
    const caseId = caseIds[sampleRandom.integer(0, caseIds.length)]!;
    const trainingCase = await getCase(caseId);
    arrays ??= allocateBatch(config.batchSize, config.patchSize, trainingCase.channels);
    if (trainingCase.channels !== arrays.shape[4]) {
      throw new Error(`case ${caseId} has ${trainingCase.channels} channels, the batch ${arrays.shape[4]}: all cases must have the same channels`);
    }
    const forced = isForcedForeground(sample, config.batchSize, config.oversampleForeground, sampleRandom);
    const placement = placePatch(trainingCase, config.patchSize, forced, config.foregroundJitter, sampleRandom);
    const augmentation = drawAugmentation(config.augmentation, trainingCase.channels, sampleRandom);
    augmentSample(trainingCase, placement.start, augmentation, arrays, sample, config.labelPad);
    samples.push({ caseId, placement, augmentation });
  }
  return { index, ...arrays!, samples };
}

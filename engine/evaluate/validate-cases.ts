import type { PreprocessedCaseJson } from '../api/preprocessed.ts';
import { toTensorOrder } from '../api/plans.ts';
import { overlapByLabel } from './metrics.ts';
import { argmaxChannels, predictVolume, type PredictBlock } from './sliding-window.ts';

/** A preprocessed case held in memory for validation: image [C][D][H][W], label [D][H][W] (class indices). */
export interface ValidationCase {
  id: string;
  image: Float32Array;
  label: ArrayLike<number>;
  record: Pick<PreprocessedCaseJson, 'grid' | 'channels'>;
}

export interface ValidationResult {
  /** Per case: Dice per class index 1..K-1 (NaN when the class is absent from both). */
  cases: { id: string; dice: number[] }[];
  /** Per class index 1..K-1: the mean over cases (NaN ignored), i.e. patient-wise Dice. */
  meanPerClass: number[];
  /** Mean of meanPerClass: the number a search strategy maximises. */
  meanDice: number;
}

export interface ValidationOptions {
  classes: number;
  /** [D, H, W] of the training patch. */
  patchSize: [number, number, number];
  sizeDivisor: number;
  /** Whole-volume inference (RONASMIS) when the padded volume has at most this many voxels; otherwise sliding windows. */
  wholeVolumeVoxels: number;
  signal?: AbortSignal;
}

const meanIgnoringNaN = (values: number[]) => {
  const finite = values.filter((value) => !Number.isNaN(value));
  return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
};

/**
 * Patient-wise Dice on preprocessed validation cases: predict each whole case (one pass when it fits,
 * sliding windows otherwise), argmax, Dice per class against the case's label map, then the mean
 * per class over cases. Used for checkpoint selection during training and as a search reward.
 */
export async function validateCases(cases: readonly ValidationCase[], predict: PredictBlock, options: ValidationOptions): Promise<ValidationResult> {
  const { classes, sizeDivisor } = options;
  const classIndices = Array.from({ length: classes - 1 }, (_unused, index) => index + 1);
  const results: ValidationResult['cases'] = [];
  for (const validationCase of cases) {
    const size = toTensorOrder(validationCase.record.grid.dims);
    const padded = size.map((side) => Math.ceil(side / sizeDivisor) * sizeDivisor);
    const whole = padded[0]! * padded[1]! * padded[2]! <= options.wholeVolumeVoxels;
    const scores = await predictVolume(validationCase.image, { channels: validationCase.record.channels, size }, predict, {
      patchSize: options.patchSize,
      classes,
      wholeVolume: whole,
      sizeDivisor: [sizeDivisor, sizeDivisor, sizeDivisor],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const prediction = argmaxChannels(scores, classes);
    const overlaps = overlapByLabel({ reference: validationCase.label, prediction, dims: validationCase.record.grid.dims }, classIndices);
    results.push({
      id: validationCase.id,
      dice: overlaps.map((overlap) => {
        const denominator = 2 * overlap.truePositives + overlap.falsePositives + overlap.falseNegatives;
        return denominator === 0 ? Number.NaN : (2 * overlap.truePositives) / denominator;
      }),
    });
  }
  const meanPerClass = classIndices.map((_label, index) => meanIgnoringNaN(results.map((result) => result.dice[index]!)));
  return { cases: results, meanPerClass, meanDice: meanIgnoringNaN(meanPerClass) };
}

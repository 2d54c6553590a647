import { describe, expect, it } from 'vitest';
import { migratePlansJson, toTensorOrder } from '../../../engine/api/plans.ts';

describe('plans.json schema', () => {
  it('names every bad field, refuses newer files, and converts (i, j, k) to tensor order [D, H, W] by reversing', () => {
    const broken = migratePlansJson({ schemaVersion: 1, axisOrder: 'kji', createdAt: 'now', dataId: 'xyz', labelValues: [0], targetSpacing: [1, 1], medianShape: [1, 1, 1], patchSize: [40, 56, 36], spacingRule: 'mean', preprocessing: {}, batchSize: 0, network: { levels: 4, sizeDivisor: 8, genome: {} }, memory: {}, reasoning: [1] });
    expect(broken).toEqual({
      ok: false,
      errors: [
        "axisOrder: expected 'ijk'",
        'dataId: expected a hex hash',
        'dataset: expected { name, channels, labels, trainingCases }',
        'labelValues: expected at least two non-negative integers (background first)',
        'targetSpacing: expected 3 positive numbers in (i, j, k) order',
        "spacingRule: expected 'median' or 'anisotropic-10th-percentile'",
        'preprocessing.cropToNonzero: expected true',
        "preprocessing.imageInterpolation: expected 'cubic' or 'linear'",
        "preprocessing.labelInterpolation: expected 'one-hot-linear' or 'nearest'",
        'preprocessing.separateAxisRatio: expected a positive number',
        'preprocessing.classLocationSamples: expected a positive integer',
        'preprocessing.seed: expected an integer',
        'preprocessing.normalization: expected a list, one entry per channel',
        'batchSize: expected a positive integer',
        'patchSize: every side must be a multiple of network.sizeDivisor (8)',
        'memory: expected { device, budgetBytes, source, trainingFactor, estimatedBytes, ... }',
        'reasoning: expected a list of sentences',
      ],
    });
    expect(migratePlansJson({ schemaVersion: 2 })).toEqual({ ok: false, errors: ['plans.json: schemaVersion 2 was written by a newer VoxNAS (this one reads up to 1); update VoxNAS'] });
    expect(toTensorOrder([36, 50, 38])).toEqual([38, 50, 36]);
  });
});

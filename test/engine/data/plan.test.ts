import { describe, expect, it } from 'vitest';
import type { DatasetJson } from '../../../engine/api/dataset.ts';
import type { FingerprintJson } from '../../../engine/api/fingerprint.ts';
import { migratePlansJson, toTensorOrder } from '../../../engine/api/plans.ts';
import { checkDataset } from '../../../engine/data/dataset-check.ts';
import { GIB } from '../../../engine/data/plan-network.ts';
import { planExperiment } from '../../../engine/data/plan.ts';
import { isInputError } from '../../../engine/io/input-error.ts';

const CONV_PAIR = ['conv3', 'conv3'];

async function sample(): Promise<{ fingerprint: FingerprintJson; dataset: DatasetJson }> {
  const { fingerprint, listing } = await checkDataset('resources/sample', { createdAt: 'now' });
  const dataset: DatasetJson = {
    schemaVersion: 1,
    name: listing.name,
    description: listing.description,
    channels: listing.channels!,
    labels: listing.labels!,
    source: { folder: listing.folder, layout: listing.layout },
    importedAt: 'now',
    cases: listing.cases,
  };
  return { fingerprint, dataset };
}

describe('planning', () => {
  it("plans the embedded sample on CPU: nnU-Net's hippocampus patch, a width-8 baseline, every reason spelled out", async () => {
    const { fingerprint, dataset } = await sample();
    const plans = planExperiment(fingerprint, dataset, { device: 'cpu', freeMemoryBytes: 6 * GIB, createdAt: 'now' });
    // Cross-checks: `voxnas cost` on this genome at 40,56,40 batch 2 gives 361,785 parameters and
    // 119,425,600 activation bytes; 3 x that + 16 x params = 364,065,360. Memory allows
    // (3 GiB - 16 x params) / (3 x 59,712,800) = 17.9 patches; 5 % of 10 x 36 x 49.5 x 38 voxels is 0.378 patches.
    expect(plans).toEqual({
      schemaVersion: 1,
      createdAt: 'now',
      axisOrder: 'ijk',
      dataset: { name: 'Hippocampus', channels: ['MRI'], labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' }, trainingCases: 10 },
      labelValues: [0, 1, 2],
      dataId: '6c4199e50a3137a0',
      targetSpacing: [1, 1, 1],
      spacingRule: 'median',
      preprocessing: {
        cropToNonzero: true,
        imageInterpolation: 'cubic',
        labelInterpolation: 'one-hot-linear',
        separateAxisRatio: 3,
        normalization: [{ channel: 0, name: 'MRI', scheme: 'z-score', insideNonzeroMask: false }],
        classLocationSamples: 10000,
        seed: 1234,
      },
      medianShape: [36, 49.5, 38],
      patchSize: [40, 56, 40],
      batchSize: 2,
      network: {
        levels: 4,
        baseWidth: 8,
        maxWidth: 80,
        deepSupervision: true,
        sizeDivisor: 8,
        genome: {
          schemaVersion: 1,
          widths: [8, 16, 32, 64],
          encoder: [CONV_PAIR, CONV_PAIR, CONV_PAIR, CONV_PAIR],
          decoder: [CONV_PAIR, CONV_PAIR, CONV_PAIR],
          skip: 'concat',
          down: 'strided-conv',
          up: 'transposed-conv',
          deepSupervision: 2,
          leakyReluAlpha: 0.01,
          normEpsilon: 1e-5,
        },
      },
      memory: {
        device: 'cpu',
        budgetBytes: 3 * GIB,
        source: 'cpu-free-memory',
        freeMemoryBytes: 6 * GIB,
        safetyFactor: 0.5,
        capBytes: 4 * GIB,
        trainingFactor: 3,
        bytesPerParameter: 16,
        activationBytes: 119_425_600,
        parameters: 361_785,
        estimatedBytes: 364_065_360,
      },
      reasoning: [
        'Axis order: every triple in this file is (i, j, k), the voxel order of the images (i fastest); tensors are [D, H, W] = (k, j, i), the triple reversed.',
        '10 training cases, 1 channel (MRI), 3 classes (background, Anterior, Posterior).',
        'Median spacing 1 x 1 x 1 mm; the coarsest axis is 1x the finest, not above 3: target spacing = the median, 1 x 1 x 1 mm.',
        'Cropping to the nonzero box of the image channels keeps 100 % of the voxels (median over cases); nnU-Net normalizes non-CT channels inside the nonzero mask when cropping keeps less than 75 %, so here z-scores use every voxel of the cropped case.',
        'Channel 0 (MRI): not CT, so per-case z-score (such intensities have no fixed scale from case to case).',
        'Every case already has the target spacing: cases are cropped, not resampled.',
        'Median shape after cropping and resampling: 36 x 49.5 x 38 voxels.',
        'Memory budget 3.00 GiB: device cpu, 50 % of the 6.00 GiB free memory (the rest is for the second worker, the data pipeline and the system).',
        "Base width 8 on CPU instead of nnU-Net's 32: a convolution's FLOPs grow with the square of its width, and the CPU (wasm) backend trains at about 5.53 GFLOP/s (the reference U-Net's measured 660 ms step), so a narrow network is what gets thousands of training steps done in minutes rather than hours; widths double per level up to 80 (10x the base, as nnU-Net's 32 to 320).",
        'Depth from the patch: each pooling halves every axis and the coarsest level keeps at least 4 voxels per axis, so 36 x 50 x 38 allows 3 poolings (4 levels), and every patch side must be a multiple of 2^3 = 8.',
        'Patch starts at the median shape 36 x 49.5 x 38 rounded up to multiples of 8: 40 x 56 x 40.',
        'Patch 40 x 56 x 40 fits 3.00 GiB with batch 2: forward activations 0.11 GiB, training memory about 0.34 GiB (3 x activations for the kept activations, their gradients and convolution workspace, + 16 bytes x 0.362 M parameters for weights, gradients and two optimizer moments; a factor to calibrate against a measured training step).',
        "Batch 2: memory allows 17 patches, nnU-Net's cap of 5 % of the dataset's voxels (10 cases x 36 x 49.5 x 38 median voxels) is 0.378 patches, and a batch has at least 2 patches; estimated training memory 0.34 GiB.",
        "Baseline U-Net (engine/network/baseline.ts): 4 levels of widths 8, 16, 32, 64; two 3x3x3 conv cells per level (instance norm eps 0.00001, LeakyReLU 0.01); concatenated skips; 2x2x2 stride-2 convolutions down (learned, as nnU-Net's strided convolutions); transposed convolutions up; deep supervision heads on 2 decoder levels; 0.362 M parameters, 4.89 GFLOPs per forward pass of a batch, about 2.65 s per training step on the CPU at that rate (a step is about 3x the forward FLOPs).",
        'Preprocessed cases go to preprocessed/6c4199e50a3137a0/: the dataId hashes the target spacing, the preprocessing settings and the labels, so a changed plan gets a new folder and an unchanged one reuses its cache.',
      ],
    });
    expect({ valid: migratePlansJson(JSON.parse(JSON.stringify(plans))).ok, tensorPatch: toTensorOrder(plans.patchSize) }).toEqual({ valid: true, tensorPatch: [40, 56, 40] });
  });

  it('shrinks the patch until batch 2 fits a small budget, re-deriving the depth; refuses a budget nothing fits', async () => {
    const { fingerprint, dataset } = await sample();
    const gpu = planExperiment(fingerprint, dataset, { device: 'gpu', createdAt: 'now' });
    const tight = planExperiment(fingerprint, dataset, { device: 'gpu', budgetBytes: 0.5 * GIB, createdAt: 'now' });
    const summary = (plan: typeof gpu) => ({ patch: plan.patchSize, batch: plan.batchSize, levels: plan.network.levels, budget: plan.memory.budgetBytes, source: plan.memory.source, fits: plan.memory.estimatedBytes <= plan.memory.budgetBytes, widths: plan.network.genome.widths });
    // Width 32 at 40x56x40 needs ~1.39 GiB with batch 2. Within 0.5 GiB the side with the largest
    // patch/median ratio loses 8 voxels at a time (j: 56/49.5, then i: 40/36, k: 40/38, j, i); at
    // i = 24 only 2 poolings keep 4 voxels, so the network loses a level (and its widest width).
    expect({ gpu: summary(gpu), tight: summary(tight) }).toEqual({
      gpu: { patch: [40, 56, 40], batch: 2, levels: 4, budget: 8 * GIB, source: 'gpu-default', fits: true, widths: [32, 64, 128, 256] },
      tight: { patch: [24, 40, 32], batch: 2, levels: 3, budget: 0.5 * GIB, source: 'user', fits: true, widths: [32, 64, 128] },
    });
    expect(tight.reasoning.slice(11, 14)).toEqual([
      'Batch 2 at 40 x 56 x 40 needs about 1.39 GiB, over the 0.50 GiB budget: shrink the side that is largest relative to the median shape by one multiple at a time, re-deriving the depth: 40 x 48 x 40 (1.21 GiB), 32 x 48 x 40 (0.98 GiB), 32 x 48 x 32 (0.80 GiB), 32 x 40 x 32 (0.68 GiB), 24 x 40 x 32 (0.45 GiB).',
      'The smaller patch allows 3 levels: every side must be a multiple of 4.',
      'Patch 24 x 40 x 32 fits 0.50 GiB with batch 2: forward activations 0.14 GiB, training memory about 0.45 GiB (3 x activations for the kept activations, their gradients and convolution workspace, + 16 bytes x 1.4 M parameters for weights, gradients and two optimizer moments; a factor to calibrate against a measured training step).',
    ]);
    let refused: unknown = null;
    try {
      planExperiment(fingerprint, dataset, { device: 'gpu', budgetBytes: 0.001 * GIB, createdAt: 'now' });
    } catch (error) {
      refused = error;
    }
    expect(isInputError(refused) && refused.message).toMatch(/^memory budget: 0.00 GiB is too small: even a 8 x 8 x 8 patch with batch 2 needs about .* GiB\. Give a larger budget/);
  });

  it('takes the 10th spacing percentile on the coarse axis of anisotropic data, CT-normalizes CT, masks other channels when cropping shrinks a lot', () => {
    const kSpacings = [2.5, 5, 5, 5, 6];
    const fingerprint: FingerprintJson = {
      schemaVersion: 1,
      createdAt: 'now',
      caseCount: 5,
      excludedCases: [],
      cases: kSpacings.map((k, index) => ({ id: `c${index}`, spacing: [0.8, 0.8, k], dims: [400, 400, 40], nonzeroDims: [300, 300, 36], classVoxels: { 0: 6_000_000, 1: 400_000 } })),
      medianSpacing: [0.8, 0.8, 5],
      medianDims: [400, 400, 40],
      anisotropy: { ratio: 6.25, anisotropic: true, coarsestAxis: 2 },
      intensity: [
        { channel: 0, name: 'CT', foregroundVoxels: 10, sampledVoxels: 10, statistics: { mean: 60, std: 40, median: 55, percentile00_5: -20, percentile99_5: 180, min: -100, max: 900 } },
        { channel: 1, name: 'T2', foregroundVoxels: 10, sampledVoxels: 10, statistics: { mean: 1, std: 1, median: 1, percentile00_5: 0, percentile99_5: 2, min: 0, max: 3 } },
      ],
      classes: [],
    };
    const dataset = { schemaVersion: 1, name: 'Thick', description: '', channels: ['CT', 'T2'], labels: { 0: 'background', 1: 'organ' }, source: { folder: '/x', layout: 'msd' }, importedAt: 'now', cases: [] } satisfies DatasetJson;
    const plans = planExperiment(fingerprint, dataset, { device: 'gpu', createdAt: 'now' });
    // numpy's 10th percentile of [2.5, 5, 5, 5, 6]: position 0.4 -> 2.5 + 0.4 x 2.5 = 3.5. Resampled k
    // sides: round(36 x k / 3.5) = 26, 51, 51, 51, 62 -> median 51; i and j stay 300. The 8 GiB budget
    // shrinks the patch to 152 x 152 x 24, where k allows only 2 poolings: 3 levels.
    expect({
      spacing: plans.targetSpacing,
      rule: plans.spacingRule,
      median: plans.medianShape,
      normalization: plans.preprocessing.normalization,
      levels: plans.network.levels,
      multiples: plans.patchSize.every((side) => side % plans.network.sizeDivisor === 0),
      batchAtLeast2: plans.batchSize >= 2,
      fits: plans.memory.estimatedBytes <= plans.memory.budgetBytes,
      reasons: plans.reasoning.slice(2, 7),
    }).toEqual({
      spacing: [0.8, 0.8, 3.5],
      rule: 'anisotropic-10th-percentile',
      median: [300, 300, 51],
      normalization: [
        { channel: 0, name: 'CT', scheme: 'ct', clip: [-20, 180], mean: 60, std: 40 },
        { channel: 1, name: 'T2', scheme: 'z-score', insideNonzeroMask: true },
      ],
      levels: 3,
      multiples: true,
      batchAtLeast2: true,
      fits: true,
      reasons: [
        "Median spacing 0.8 x 0.8 x 5 mm; axis k is 6.25x the finest (above 3) and has fewer than a third of the voxels of the other axes (median shape 300 x 300 x 36): nnU-Net's rule for anisotropic data takes the 10th percentile of the cases' k spacings, 3.5 mm, instead of the median, so thinner-sliced cases lose less resolution; target spacing 0.8 x 0.8 x 3.5 mm.",
        'Cropping to the nonzero box of the image channels keeps 50.6 % of the voxels (median over cases); nnU-Net normalizes non-CT channels inside the nonzero mask when cropping keeps less than 75 %, so here z-scores use the nonzero mask (holes filled) and voxels outside it become 0.',
        "Channel 0 (CT): CT normalization: clip to the dataset's foreground 0.5/99.5 percentiles [-20, 180], then z-score with its foreground mean 60 and std 40 (one global scale: Hounsfield units mean the same in every case).",
        'Channel 1 (T2): not CT, so per-case z-score inside the nonzero mask (such intensities have no fixed scale from case to case).',
        "Resampling: images with cubic (Catmull-Rom) interpolation, labels with one-hot linear interpolation (each class's indicator resampled linearly, then the argmax), as nnU-Net; where a case's or the target's coarsest/finest spacing is above 3, that coarsest axis is resampled on its own with nearest neighbour.",
      ],
    });
    expect(plans.reasoning.find((line) => line.startsWith('Depth from the patch'))).toBe(
      'Depth from the patch: each pooling halves every axis and the coarsest level keeps at least 4 voxels per axis, so 300 x 300 x 51 allows 3 poolings (4 levels), and every patch side must be a multiple of 2^3 = 8; the axes allow i 6, j 6, k 3 poolings, and nnU-Net would pool each axis its own number of times, but our genome pools all axes together, so the shortest axis sets the depth of all.',
    );
    // Thick slices but as many voxels on k as in-plane: nnU-Net's second condition fails, the median stays.
    const square = planExperiment({ ...fingerprint, cases: fingerprint.cases.map((entry) => ({ ...entry, dims: [40, 40, 40], nonzeroDims: [40, 40, 40] })) }, dataset, { device: 'gpu', createdAt: 'now' });
    expect({ spacing: square.targetSpacing, rule: square.spacingRule }).toEqual({ spacing: [0.8, 0.8, 5], rule: 'median' });
  });
});

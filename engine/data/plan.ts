/**
 * Planning: fingerprint.json + dataset.json (+ options) -> plans.json, nnU-Net's rules with our
 * genome's constraints, every decision explained in `reasoning`. Pure apart from os.freemem() when no
 * free-memory figure is given; triples are (i, j, k) throughout (see engine/api/plans.ts).
 */
import { freemem } from 'node:os';
import type { DatasetJson } from '../api/dataset.ts';
import { ANISOTROPY_THRESHOLD, type FingerprintJson } from '../api/fingerprint.ts';
import { PLANS_SCHEMA_VERSION, type ChannelNormalization, type ImageInterpolation, type LabelInterpolation, type PlansJson, type PreprocessingPlan, type Triple } from '../api/plans.ts';
import { InputError } from '../io/input-error.ts';
import { percentile } from './fingerprint.ts';
import { choosePatchAndBatch, DEFAULT_BASE_WIDTH, MAX_WIDTH_FACTOR, memoryBudget, MIN_BATCH, shape, short, TRAINING_FACTOR, BYTES_PER_PARAMETER } from './plan-network.ts';
import { dataIdOf } from './preprocess/data-id.ts';
import { resampledDims } from './preprocess/preprocess-case.ts';

export interface PlanOptions {
  /** Where training will run (default cpu). */
  device?: 'cpu' | 'gpu';
  /** A memory budget in bytes; default 8 GiB on GPU, from free memory on CPU. */
  budgetBytes?: number;
  /** Free memory for a CPU budget (default os.freemem()); tests pass a fixed figure. */
  freeMemoryBytes?: number;
  createdAt?: string;
  imageInterpolation?: ImageInterpolation;
  labelInterpolation?: LabelInterpolation;
  seed?: number;
  /** Width of the finest level (default 32 on GPU as nnU-Net, 8 on CPU). */
  baseWidth?: number;
}

/** nnU-Net normalizes inside the nonzero mask when cropping to it keeps less than this share of the voxels. */
export const MASK_CROP_THRESHOLD = 0.75;
/** nnU-Net's foreground coordinates stored per class. */
export const CLASS_LOCATION_SAMPLES = 10_000;
const AXES = ['i', 'j', 'k'];
/**
 * Training throughput of the CPU (wasm) backend: the reference U-Net's step at 32^3, batch 2 (1.22
 * GFLOPs forward, ~3x that for forward + backward) took ~660 ms (toolchain notes): ~5.5 GFLOP/s.
 */
export const CPU_TRAINING_FLOPS = (3 * 1.217e9) / 0.66;

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const voxels = (dims: readonly number[]) => dims[0]! * dims[1]! * dims[2]!;

/** Target spacing: the median; nnU-Net's 10th-percentile rule for the coarse axis of anisotropic data. */
function chooseTargetSpacing(fingerprint: FingerprintJson, medianSpacing: Triple): { spacing: Triple; rule: PlansJson['spacingRule']; sentence: string } {
  const cropShape = [0, 1, 2].map((axis) => median(fingerprint.cases.map((entry) => (entry.nonzeroDims ?? entry.dims)[axis]!))) as Triple;
  const coarse = medianSpacing.indexOf(Math.max(...medianSpacing));
  const others = [0, 1, 2].filter((axis) => axis !== coarse);
  const ratio = medianSpacing[coarse]! / Math.min(...others.map((axis) => medianSpacing[axis]!));
  const head = `Median spacing ${shape(medianSpacing)} mm`;
  if (ratio <= ANISOTROPY_THRESHOLD) {
    return { spacing: medianSpacing, rule: 'median', sentence: `${head}; the coarsest axis is ${short(ratio)}x the finest, not above ${ANISOTROPY_THRESHOLD}: target spacing = the median, ${shape(medianSpacing)} mm.` };
  }
  const fewVoxels = cropShape[coarse]! * ANISOTROPY_THRESHOLD < Math.min(...others.map((axis) => cropShape[axis]!));
  const axisWords = `axis ${AXES[coarse]} is ${short(ratio)}x the finest (above ${ANISOTROPY_THRESHOLD})`;
  if (!fewVoxels) {
    return {
      spacing: medianSpacing,
      rule: 'median',
      sentence: `${head}; ${axisWords} but has at least a third as many voxels as the other axes (median shape ${shape(cropShape)}), so nnU-Net's rule for anisotropic data does not apply: target spacing = the median, ${shape(medianSpacing)} mm.`,
    };
  }
  let coarseTarget = percentile(fingerprint.cases.map((entry) => entry.spacing[coarse]!).sort((a, b) => a - b), 10);
  const otherLargest = Math.max(...others.map((axis) => medianSpacing[axis]!));
  if (coarseTarget < otherLargest) coarseTarget = otherLargest + 1e-5;
  const spacing = [...medianSpacing] as Triple;
  spacing[coarse] = coarseTarget;
  return {
    spacing,
    rule: 'anisotropic-10th-percentile',
    sentence: `${head}; ${axisWords} and has fewer than a third of the voxels of the other axes (median shape ${shape(cropShape)}): nnU-Net's rule for anisotropic data takes the 10th percentile of the cases' ${AXES[coarse]} spacings, ${short(coarseTarget)} mm, instead of the median, so thinner-sliced cases lose less resolution; target spacing ${shape(spacing)} mm.`,
  };
}

/** Per-channel normalization and whether z-scores use the nonzero mask; with one sentence each. */
function chooseNormalization(fingerprint: FingerprintJson, channels: string[]): { normalization: ChannelNormalization[]; sentences: string[] } {
  const measured = fingerprint.cases.every((entry) => entry.nonzeroDims !== undefined);
  const kept = median(fingerprint.cases.map((entry) => voxels(entry.nonzeroDims ?? entry.dims) / voxels(entry.dims)));
  const insideNonzeroMask = kept < MASK_CROP_THRESHOLD;
  const sentences = [
    measured
      ? `Cropping to the nonzero box of the image channels keeps ${short(kept * 100)} % of the voxels (median over cases); nnU-Net normalizes non-CT channels inside the nonzero mask when cropping keeps less than ${MASK_CROP_THRESHOLD * 100} %, ${insideNonzeroMask ? 'so here z-scores use the nonzero mask (holes filled) and voxels outside it become 0' : 'so here z-scores use every voxel of the cropped case'}.`
      : `fingerprint.json does not record the nonzero boxes (it predates them): assume cropping keeps every voxel and z-score every voxel; import the dataset again to measure it.`,
  ];
  const normalization = channels.map((name, channel): ChannelNormalization => {
    const statistics = fingerprint.intensity[channel]?.statistics ?? null;
    if (/^ct\b/i.test(name.trim())) {
      if (statistics !== null && statistics.std > 0) {
        const clip: [number, number] = [statistics.percentile00_5, statistics.percentile99_5];
        sentences.push(
          `Channel ${channel} (${name}): CT normalization: clip to the dataset's foreground 0.5/99.5 percentiles [${short(clip[0])}, ${short(clip[1])}], then z-score with its foreground mean ${short(statistics.mean)} and std ${short(statistics.std)} (one global scale: Hounsfield units mean the same in every case).`,
        );
        return { channel, name, scheme: 'ct', clip, mean: statistics.mean, std: statistics.std };
      }
      sentences.push(`Channel ${channel} (${name}): CT, but the fingerprint has no foreground intensities to clip and scale with, so per-case z-score.`);
      return { channel, name, scheme: 'z-score', insideNonzeroMask };
    }
    sentences.push(`Channel ${channel} (${name}): not CT, so per-case z-score${insideNonzeroMask ? ' inside the nonzero mask' : ''} (such intensities have no fixed scale from case to case).`);
    return { channel, name, scheme: 'z-score', insideNonzeroMask };
  });
  return { normalization, sentences };
}

/** fingerprint + dataset -> plans.json. Throws InputError when the fingerprint has nothing to plan from. */
export function planExperiment(fingerprint: FingerprintJson, dataset: DatasetJson, options: PlanOptions = {}): PlansJson {
  const medianSpacing = fingerprint.medianSpacing;
  if (fingerprint.caseCount === 0 || medianSpacing === null) throw new InputError('fingerprint.json', 'measured no training case', "Import a dataset with labelled cases ('voxnas dataset import').");
  const labelValues = Object.keys(dataset.labels).map(Number).sort((a, b) => a - b);
  if (labelValues.length < 2) throw new InputError('dataset.json', 'declares no foreground label', 'Declare the labels in the dataset.');
  const device = options.device ?? 'cpu';
  const reasoning = [
    'Axis order: every triple in this file is (i, j, k), the voxel order of the images (i fastest); tensors are [D, H, W] = (k, j, i), the triple reversed.',
    `${fingerprint.caseCount} training cases, ${dataset.channels.length} channel${dataset.channels.length === 1 ? '' : 's'} (${dataset.channels.join(', ')}), ${labelValues.length} classes (${labelValues.map((value) => dataset.labels[String(value)]).join(', ')}).`,
  ];
  const target = chooseTargetSpacing(fingerprint, medianSpacing);
  reasoning.push(target.sentence);
  const { normalization, sentences } = chooseNormalization(fingerprint, dataset.channels);
  reasoning.push(...sentences);
  const preprocessing: PreprocessingPlan = {
    cropToNonzero: true,
    imageInterpolation: options.imageInterpolation ?? 'cubic',
    labelInterpolation: options.labelInterpolation ?? 'one-hot-linear',
    separateAxisRatio: ANISOTROPY_THRESHOLD,
    normalization,
    classLocationSamples: CLASS_LOCATION_SAMPLES,
    seed: options.seed ?? 1234,
  };
  const alreadyThere = fingerprint.cases.every((entry) => entry.spacing.every((value, axis) => value === target.spacing[axis]));
  const imageWords = preprocessing.imageInterpolation === 'cubic' ? 'cubic (Catmull-Rom) interpolation' : 'linear interpolation';
  const labelWords = preprocessing.labelInterpolation === 'one-hot-linear' ? "one-hot linear interpolation (each class's indicator resampled linearly, then the argmax)" : 'nearest neighbour';
  reasoning.push(
    alreadyThere
      ? 'Every case already has the target spacing: cases are cropped, not resampled.'
      : `Resampling: images with ${imageWords}, labels with ${labelWords}, as nnU-Net; where a case's or the target's coarsest/finest spacing is above ${ANISOTROPY_THRESHOLD}, that coarsest axis is resampled on its own with nearest neighbour.`,
  );
  const medianShape = [0, 1, 2].map((axis) => median(fingerprint.cases.map((entry) => resampledDims(entry.nonzeroDims ?? entry.dims, entry.spacing, target.spacing)[axis]!))) as Triple;
  reasoning.push(`Median shape after cropping and resampling: ${shape(medianShape)} voxels.`);
  const { budget, sentence: budgetSentence } = memoryBudget(device, options.freeMemoryBytes ?? freemem(), options.budgetBytes);
  reasoning.push(budgetSentence);
  const baseWidth = options.baseWidth ?? DEFAULT_BASE_WIDTH[device];
  const maxWidth = MAX_WIDTH_FACTOR * baseWidth;
  reasoning.push(
    device === 'gpu'
      ? `Base width ${baseWidth}, doubling per level up to ${maxWidth} (10x the base, as nnU-Net's 32 to 320).`
      : `Base width ${baseWidth} on CPU instead of nnU-Net's 32: a convolution's FLOPs grow with the square of its width, and the CPU (wasm) backend trains at about ${short(CPU_TRAINING_FLOPS / 1e9)} GFLOP/s (the reference U-Net's measured 660 ms step), so a narrow network is what gets thousands of training steps done in minutes rather than hours; widths double per level up to ${maxWidth} (10x the base, as nnU-Net's 32 to 320).`,
  );
  const choice = choosePatchAndBatch({ medianShape, budgetBytes: budget.budgetBytes, channels: dataset.channels.length, classes: labelValues.length, trainingCases: fingerprint.caseCount, baseWidth, maxWidth, deepSupervision: true, ...(device === 'cpu' ? { maxBatch: MIN_BATCH, maxBatchReason: "on a CPU a step's time grows with the batch, and within a time budget more steps of batch 2 train further than fewer larger ones (nnU-Net's 3D full-resolution batch is 2 as well)" } : {}) });
  reasoning.push(...choice.sentences);
  const { genome } = choice;
  const stepSeconds = device === 'cpu' ? `, about ${short((3 * choice.flops) / CPU_TRAINING_FLOPS)} s per training step on the CPU at that rate (a step is about 3x the forward FLOPs)` : '';
  reasoning.push(
    `Baseline U-Net (engine/network/baseline.ts): ${choice.levels} levels of widths ${genome.widths.join(', ')}; two 3x3x3 conv cells per level (instance norm eps ${genome.normEpsilon}, LeakyReLU ${genome.leakyReluAlpha}); concatenated skips; 2x2x2 stride-2 convolutions down (learned, as nnU-Net's strided convolutions); transposed convolutions up; deep supervision heads on ${genome.deepSupervision} decoder level${genome.deepSupervision === 1 ? '' : 's'}; ${short(choice.parameters / 1e6)} M parameters, ${short(choice.flops / 1e9)} GFLOPs per forward pass of a batch${stepSeconds}.`,
  );
  const dataId = dataIdOf({ targetSpacing: target.spacing, preprocessing, labelValues });
  reasoning.push(`Preprocessed cases go to preprocessed/${dataId}/: the dataId hashes the target spacing, the preprocessing settings and the labels, so a changed plan gets a new folder and an unchanged one reuses its cache.`);
  return {
    schemaVersion: PLANS_SCHEMA_VERSION,
    createdAt: options.createdAt ?? new Date().toISOString(),
    axisOrder: 'ijk',
    dataset: { name: dataset.name, channels: [...dataset.channels], labels: { ...dataset.labels }, trainingCases: fingerprint.caseCount },
    labelValues,
    dataId,
    targetSpacing: target.spacing,
    spacingRule: target.rule,
    preprocessing,
    medianShape,
    patchSize: choice.patchSize,
    batchSize: choice.batchSize,
    network: { levels: choice.levels, baseWidth, maxWidth, deepSupervision: true, sizeDivisor: 2 ** (choice.levels - 1), genome },
    memory: { ...budget, trainingFactor: TRAINING_FACTOR, bytesPerParameter: BYTES_PER_PARAMETER, activationBytes: choice.activationBytes, parameters: choice.parameters, estimatedBytes: choice.estimatedBytes },
    reasoning,
  };
}

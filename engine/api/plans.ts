/**
 * `<workspace>/plans.json`: how the dataset is preprocessed and which patch, batch and network the
 * baseline trains with, with the reasons in plain sentences. Made by engine/data/plan.ts.
 *
 * **Axis order.** Every triple in this file (spacings, shapes, patch size) is in the volume's voxel
 * order (i, j, k) of engine/io/volume.ts: i varies fastest in memory, spacing in mm. Tensors are
 * [N, D, H, W, C] (tfjs, NDHWC) or [N, C, D, H, W] (ONNX), where [D, H, W] = [k, j, i]: the triple
 * reversed. `toTensorOrder` below is the one conversion; the network code (decode, cost model,
 * executor, exporter) only ever sees tensor order.
 */
import type { Genome } from './genome.ts';
import { isRecord, isTriple, migrateDocument, type FileKind, type Validated } from './validation.ts';

/** Three numbers in voxel axis order (i, j, k). */
export type Triple = [number, number, number];

/** (i, j, k) -> tensor order [D, H, W] = [k, j, i]. Its own inverse. */
export const toTensorOrder = (triple: Triple): Triple => [triple[2], triple[1], triple[0]];
export const fromTensorOrder = toTensorOrder;

/**
 * Intensity normalization of one image channel.
 * - `ct`: clip to the dataset's foreground [0.5, 99.5] percentiles, then subtract the foreground
 *   mean and divide by the foreground standard deviation (global values from fingerprint.json).
 * - `z-score`: per case, subtract the case's mean and divide by its standard deviation; with
 *   `insideNonzeroMask` the statistics come from the nonzero mask only and voxels outside it become 0.
 */
export type ChannelNormalization =
  | { channel: number; name: string; scheme: 'ct'; clip: [number, number]; mean: number; std: number }
  | { channel: number; name: string; scheme: 'z-score'; insideNonzeroMask: boolean };

export type ImageInterpolation = 'cubic' | 'linear';
export type LabelInterpolation = 'one-hot-linear' | 'nearest';

/** Everything that decides the preprocessed voxels; its hash is the cache folder's dataId. */
export interface PreprocessingPlan {
  /** Crop every case to the bounding box of its nonzero image voxels (all channels) first. */
  cropToNonzero: true;
  imageInterpolation: ImageInterpolation;
  /** One-hot linear: each class's indicator is resampled linearly and the argmax taken. */
  labelInterpolation: LabelInterpolation;
  /**
   * When a case's spacing or the target spacing has a coarsest/finest ratio above this, the coarsest
   * axis is resampled on its own with nearest neighbour, the other two as above (nnU-Net's rule).
   */
  separateAxisRatio: number;
  normalization: ChannelNormalization[];
  /** Foreground voxels stored per class for oversampling: at most this many (and at least 1 %). */
  classLocationSamples: number;
  /** Seed of the class-location sample (the case id is mixed in). */
  seed: number;
}

export type MemoryBudgetSource = 'user' | 'gpu-default' | 'cpu-free-memory';

export interface MemoryPlan {
  device: 'cpu' | 'gpu';
  budgetBytes: number;
  source: MemoryBudgetSource;
  /** CPU: free memory when planned (os.freemem()), the share of it used, and the wasm heap cap; null otherwise. */
  freeMemoryBytes: number | null;
  safetyFactor: number | null;
  capBytes: number | null;
  /** Multiplies the cost model's forward activations: kept activations + their gradients + workspace. */
  trainingFactor: number;
  /** Bytes per parameter: weights, gradients and two optimizer moments in float32. */
  bytesPerParameter: number;
  /** Forward activations of the planned patch and batch (cost model), and the parameter count. */
  activationBytes: number;
  parameters: number;
  /** trainingFactor x activationBytes + bytesPerParameter x parameters. */
  estimatedBytes: number;
}

export interface NetworkPlan {
  /** Resolution levels (widths.length); pooling steps = levels - 1, on every axis at once. */
  levels: number;
  baseWidth: number;
  maxWidth: number;
  deepSupervision: boolean;
  /** Patch sides must be multiples of this: 2^(levels - 1). */
  sizeDivisor: number;
  /** The nnU-Net-style baseline U-Net (engine/network/baseline.ts) for these settings. */
  genome: Genome;
}

export interface PlansJson {
  schemaVersion: 1;
  createdAt: string;
  /** Documents the convention above: every triple is (i, j, k). */
  axisOrder: 'ijk';
  dataset: { name: string; channels: string[]; labels: Record<string, string>; trainingCases: number };
  /** Output channel c of the network predicts label value labelValues[c]; preprocessed label maps store c. */
  labelValues: number[];
  /** Hash of what decides the preprocessed voxels: the cache lives in preprocessed/<dataId>/. */
  dataId: string;
  /** (i, j, k) mm. */
  targetSpacing: Triple;
  spacingRule: 'median' | 'anisotropic-10th-percentile';
  preprocessing: PreprocessingPlan;
  /** Median over cases of the nonzero-cropped shape after resampling, (i, j, k) voxels. */
  medianShape: Triple;
  /** (i, j, k) voxels; the network sees [D, H, W] = toTensorOrder(patchSize). */
  patchSize: Triple;
  batchSize: number;
  network: NetworkPlan;
  memory: MemoryPlan;
  /** Each decision in order, as plain sentences with the numbers. */
  reasoning: string[];
}

export const PLANS_SCHEMA_VERSION = 1;

const positiveNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;
const positiveInteger = (value: unknown): value is number => positiveNumber(value) && Number.isInteger(value);

function validateNormalization(value: unknown, at: string, errors: string[]): void {
  if (!isRecord(value) || typeof value['channel'] !== 'number' || typeof value['name'] !== 'string') {
    errors.push(`${at}: expected { channel, name, scheme, ... }`);
    return;
  }
  if (value['scheme'] === 'ct') {
    const clip = value['clip'];
    if (!Array.isArray(clip) || clip.length !== 2 || !clip.every((item) => typeof item === 'number' && Number.isFinite(item)) || clip[0] > clip[1]) errors.push(`${at}.clip: expected [low, high]`);
    if (typeof value['mean'] !== 'number' || !positiveNumber(value['std'])) errors.push(`${at}: ct needs a mean and a positive std`);
  } else if (value['scheme'] === 'z-score') {
    if (typeof value['insideNonzeroMask'] !== 'boolean') errors.push(`${at}.insideNonzeroMask: expected true or false`);
  } else errors.push(`${at}.scheme: expected 'ct' or 'z-score'`);
}

function validatePreprocessing(value: unknown, errors: string[]): void {
  if (!isRecord(value)) {
    errors.push('preprocessing: expected an object');
    return;
  }
  if (value['cropToNonzero'] !== true) errors.push('preprocessing.cropToNonzero: expected true');
  if (!['cubic', 'linear'].includes(value['imageInterpolation'] as string)) errors.push("preprocessing.imageInterpolation: expected 'cubic' or 'linear'");
  if (!['one-hot-linear', 'nearest'].includes(value['labelInterpolation'] as string)) errors.push("preprocessing.labelInterpolation: expected 'one-hot-linear' or 'nearest'");
  if (!positiveNumber(value['separateAxisRatio'])) errors.push('preprocessing.separateAxisRatio: expected a positive number');
  if (!positiveInteger(value['classLocationSamples'])) errors.push('preprocessing.classLocationSamples: expected a positive integer');
  if (typeof value['seed'] !== 'number' || !Number.isInteger(value['seed'])) errors.push('preprocessing.seed: expected an integer');
  if (!Array.isArray(value['normalization'])) errors.push('preprocessing.normalization: expected a list, one entry per channel');
  else value['normalization'].forEach((entry, index) => validateNormalization(entry, `preprocessing.normalization[${index}]`, errors));
}

/** Checks a plans.json document of the current version; errors name each field at fault. */
export function validatePlansJson(document: unknown): Validated<PlansJson> {
  if (!isRecord(document)) return { ok: false, errors: ['plans.json: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== PLANS_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${PLANS_SCHEMA_VERSION}`);
  if (document['axisOrder'] !== 'ijk') errors.push("axisOrder: expected 'ijk'");
  if (typeof document['createdAt'] !== 'string') errors.push('createdAt: expected a string');
  if (typeof document['dataId'] !== 'string' || !/^[0-9a-f]{12,64}$/.test(document['dataId'])) errors.push('dataId: expected a hex hash');
  const dataset = document['dataset'];
  if (!isRecord(dataset) || typeof dataset['name'] !== 'string' || !Array.isArray(dataset['channels']) || !isRecord(dataset['labels']) || typeof dataset['trainingCases'] !== 'number') {
    errors.push('dataset: expected { name, channels, labels, trainingCases }');
  }
  const labelValues = document['labelValues'];
  if (!Array.isArray(labelValues) || labelValues.length < 2 || !labelValues.every((value) => Number.isInteger(value) && value >= 0)) errors.push('labelValues: expected at least two non-negative integers (background first)');
  for (const key of ['targetSpacing', 'medianShape', 'patchSize'] as const) {
    if (!isTriple(document[key]) || !(document[key] as number[]).every(positiveNumber)) errors.push(`${key}: expected 3 positive numbers in (i, j, k) order`);
  }
  if (isTriple(document['patchSize']) && !document['patchSize'].every(Number.isInteger)) errors.push('patchSize: expected integers');
  if (!['median', 'anisotropic-10th-percentile'].includes(document['spacingRule'] as string)) errors.push("spacingRule: expected 'median' or 'anisotropic-10th-percentile'");
  validatePreprocessing(document['preprocessing'], errors);
  if (!positiveInteger(document['batchSize'])) errors.push('batchSize: expected a positive integer');
  const network = document['network'];
  if (!isRecord(network) || !positiveInteger(network['levels']) || !positiveInteger(network['sizeDivisor']) || !isRecord(network['genome'])) errors.push('network: expected { levels, baseWidth, maxWidth, deepSupervision, sizeDivisor, genome }');
  else if (isTriple(document['patchSize']) && document['patchSize'].some((side) => side % (network['sizeDivisor'] as number) !== 0)) errors.push(`patchSize: every side must be a multiple of network.sizeDivisor (${network['sizeDivisor']})`);
  const memory = document['memory'];
  if (!isRecord(memory) || !['cpu', 'gpu'].includes(memory['device'] as string) || !positiveNumber(memory['budgetBytes']) || !positiveNumber(memory['trainingFactor']) || typeof memory['estimatedBytes'] !== 'number') {
    errors.push('memory: expected { device, budgetBytes, source, trainingFactor, estimatedBytes, ... }');
  }
  const reasoning = document['reasoning'];
  if (!Array.isArray(reasoning) || !reasoning.every((line) => typeof line === 'string')) errors.push('reasoning: expected a list of sentences');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: document as unknown as PlansJson };
}

export const PLANS_FILE: FileKind<PlansJson> = {
  fileName: 'plans.json',
  currentVersion: PLANS_SCHEMA_VERSION,
  migrations: {},
  validate: validatePlansJson,
};

/** Reads any version of a parsed plans.json: migrates it to the current schema, then validates it. */
export const migratePlansJson = (document: unknown): Validated<PlansJson> => migrateDocument(PLANS_FILE, document);

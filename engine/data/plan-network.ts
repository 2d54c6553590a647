/**
 * The network part of planning: memory budget, depth from the patch, the patch that fits the budget,
 * and the batch size. Patches here are (i, j, k) like plans.json; the cost model gets tensor order.
 */
import type { Genome } from '../api/genome.ts';
import { toTensorOrder, type MemoryPlan, type Triple } from '../api/plans.ts';
import { InputError } from '../io/input-error.ts';
import { baselineGenome } from '../network/baseline.ts';
import { networkCost } from '../network/cost-model.ts';
import { decodeGenome } from '../network/decode.ts';

export const GIB = 2 ** 30;
/** nnU-Net's reference GPU memory. */
export const GPU_DEFAULT_BUDGET = 8 * GIB;
/** Share of free RAM a CPU plan may use: the other worker, the data pipeline, Node and the OS need the rest. */
export const CPU_SAFETY_FACTOR = 0.5;
/** The tfjs wasm backend, which trains on CPU, cannot grow its heap past 4 GiB (toolchain notes). */
export const WASM_HEAP_CAP = 4 * GIB;
/**
 * Training memory per byte of forward activations (the cost model counts every node's output once):
 * the activations kept for the backward pass (1x), their gradients while the backward pass runs (~1x),
 * and the workspace of the convolutions (im2col / depth-shifted slices of the conv2d decomposition,
 * ~1x). An estimate: calibrate it against a measured training step's peak memory.
 */
export const TRAINING_FACTOR = 3;
/** Weights, gradients and two Adam moments, float32 each. */
export const BYTES_PER_PARAMETER = 16;
/** nnU-Net's smallest edge of the coarsest feature map. */
export const MIN_COARSEST_VOXELS = 4;
/** The genome allows at most 7 widths. */
export const MAX_LEVELS = 7;
/** Patch sides are not shrunk below this. */
export const MIN_PATCH_SIDE = 8;
export const MIN_BATCH = 2;
/** The planned network's base width per device (nnU-Net's 32 on a GPU; narrow on the CPU, see plan.ts). */
export const DEFAULT_BASE_WIDTH = { gpu: 32, cpu: 8 } as const;
/** Widths double per level up to this many times the base (nnU-Net: 32 to 320). */
export const MAX_WIDTH_FACTOR = 10;
/** nnU-Net caps a batch at 5 % of the dataset's voxels. */
export const BATCH_DATASET_FRACTION = 0.05;

export const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;
/** A number for a sentence: at most 3 significant digits, no trailing zeros. */
export const short = (value: number): string => String(Number(value.toPrecision(3)));
export const shape = (triple: readonly number[]): string => triple.map(short).join(' x ');

export type MemoryBudget = Pick<MemoryPlan, 'device' | 'budgetBytes' | 'source' | 'freeMemoryBytes' | 'safetyFactor' | 'capBytes'>;

/** The budget: given; else 8 GiB on a GPU; else half the free memory, at most the wasm heap. */
export function memoryBudget(device: 'cpu' | 'gpu', freeMemoryBytes: number, given?: number): { budget: MemoryBudget; sentence: string } {
  if (given !== undefined) return { budget: { device, budgetBytes: given, source: 'user', freeMemoryBytes: null, safetyFactor: null, capBytes: null }, sentence: `Memory budget ${gib(given)}: given for device ${device}.` };
  if (device === 'gpu') {
    return { budget: { device, budgetBytes: GPU_DEFAULT_BUDGET, source: 'gpu-default', freeMemoryBytes: null, safetyFactor: null, capBytes: null }, sentence: `Memory budget ${gib(GPU_DEFAULT_BUDGET)}: the default for a GPU (nnU-Net plans for an 8 GB card).` };
  }
  const share = Math.floor(freeMemoryBytes * CPU_SAFETY_FACTOR);
  const budgetBytes = Math.min(share, WASM_HEAP_CAP);
  const capped = budgetBytes < share ? `, capped at the wasm backend's ${gib(WASM_HEAP_CAP)} heap` : '';
  return {
    budget: { device, budgetBytes, source: 'cpu-free-memory', freeMemoryBytes, safetyFactor: CPU_SAFETY_FACTOR, capBytes: WASM_HEAP_CAP },
    sentence: `Memory budget ${gib(budgetBytes)}: device cpu, ${CPU_SAFETY_FACTOR * 100} % of the ${gib(freeMemoryBytes)} free memory (the rest is for the second worker, the data pipeline and the system)${capped}.`,
  };
}

/** Poolings an axis allows: halvings that keep at least MIN_COARSEST_VOXELS voxels. */
export const poolingsFor = (side: number): number => Math.max(0, Math.floor(Math.log2(side / MIN_COARSEST_VOXELS)));

/** Levels of a network that pools every axis at once: 1 + the fewest poolings any axis allows, 2 to 7. */
export const levelsFor = (patch: Triple): number => Math.min(MAX_LEVELS, Math.max(2, 1 + Math.min(...patch.map(poolingsFor))));

export const roundUpTo = (patch: readonly number[], divisor: number): Triple => patch.map((side) => Math.ceil(side / divisor) * divisor) as Triple;

export interface NetworkInput {
  /** Median shape after cropping and resampling, (i, j, k). */
  medianShape: Triple;
  budgetBytes: number;
  channels: number;
  classes: number;
  trainingCases: number;
  baseWidth: number;
  maxWidth: number;
  deepSupervision: boolean;
  /** Largest batch to choose (a CPU plan is limited by time, not memory). */
  maxBatch?: number;
  /** Why maxBatch, for the reasoning. */
  maxBatchReason?: string;
}

export interface NetworkChoice {
  patchSize: Triple;
  levels: number;
  genome: Genome;
  batchSize: number;
  activationBytes: number;
  parameters: number;
  flops: number;
  estimatedBytes: number;
  sentences: string[];
}

interface Estimate {
  levels: number;
  genome: Genome;
  /** Per patch in the batch. */
  activationBytes: number;
  flops: number;
  parameters: number;
}

function estimate(patch: Triple, input: NetworkInput): Estimate {
  const levels = levelsFor(patch);
  const genome = baselineGenome({ levels, baseWidth: input.baseWidth, maxWidth: input.maxWidth, deepSupervision: input.deepSupervision });
  const cost = networkCost(decodeGenome(genome, { inputChannels: input.channels, classes: input.classes }), toTensorOrder(patch), 1);
  if ('error' in cost) throw new Error(`planning: ${cost.error}`);
  return { levels, genome, activationBytes: cost.activationBytes, flops: cost.flops, parameters: cost.params };
}

const trainingBytes = (found: Estimate, batch: number) => TRAINING_FACTOR * found.activationBytes * batch + BYTES_PER_PARAMETER * found.parameters;

/** Depth sentence: what limits the pooling, and that every axis pools together. */
function depthSentence(patch: Triple, levels: number): string {
  const poolings = patch.map(poolingsFor);
  const divisor = 2 ** (levels - 1);
  const start = `Depth from the patch: each pooling halves every axis and the coarsest level keeps at least ${MIN_COARSEST_VOXELS} voxels per axis, so ${shape(patch)} allows ${levels - 1} pooling${levels === 2 ? '' : 's'} (${levels} levels), and every patch side must be a multiple of 2^${levels - 1} = ${divisor}`;
  if (poolings.every((count) => count === poolings[0])) return `${start}.`;
  const axes = ['i', 'j', 'k'];
  const counts = poolings.map((count, axis) => `${axes[axis]} ${count}`).join(', ');
  return `${start}; the axes allow ${counts} poolings, and nnU-Net would pool each axis its own number of times, but our genome pools all axes together, so the shortest axis sets the depth of all.`;
}

/**
 * Patch, depth and batch: start from the median shape, derive the depth, round the patch up to the
 * depth's multiple, then shrink the axis whose patch is largest relative to the median shape (one
 * multiple at a time, re-deriving the depth) until batch 2 fits the budget; then the largest batch
 * that fits, capped at 5 % of the dataset's voxels.
 */
export function choosePatchAndBatch(input: NetworkInput): NetworkChoice {
  const sentences: string[] = [];
  const start = input.medianShape.map((side) => Math.ceil(side)) as Triple;
  let levels = levelsFor(start);
  sentences.push(depthSentence(start, levels));
  let patch = roundUpTo(start, 2 ** (levels - 1));
  sentences.push(`Patch starts at the median shape ${shape(input.medianShape)} rounded up to multiples of ${2 ** (levels - 1)}: ${shape(patch)}.`);
  let found = estimate(patch, input);
  const steps: string[] = [];
  const first = { patch, bytes: trainingBytes(found, MIN_BATCH) };
  while (trainingBytes(found, MIN_BATCH) > input.budgetBytes) {
    const divisor = 2 ** (found.levels - 1);
    const shrinkable = [0, 1, 2].filter((axis) => patch[axis]! - divisor >= MIN_PATCH_SIDE);
    if (shrinkable.length === 0) {
      throw new InputError('memory budget', `${gib(input.budgetBytes)} is too small: even a ${shape(patch)} patch with batch ${MIN_BATCH} needs about ${gib(trainingBytes(found, MIN_BATCH))}`, 'Give a larger budget (--budget-gb) or free some memory.');
    }
    const ratio = (axis: number) => patch[axis]! / input.medianShape[axis]!;
    const axis = shrinkable.reduce((best, candidate) => (ratio(candidate) > ratio(best) ? candidate : best));
    const shrunk: Triple = [...patch];
    shrunk[axis] = shrunk[axis]! - divisor;
    // Shrinking never deepens the network, so the side stays a multiple of the (new) divisor.
    patch = roundUpTo(shrunk, 2 ** (levelsFor(shrunk) - 1));
    found = estimate(patch, input);
    levels = found.levels;
    steps.push(`${shape(patch)} (${gib(trainingBytes(found, MIN_BATCH))})`);
  }
  if (steps.length > 0) {
    const listed = steps.length > 5 ? [...steps.slice(0, 3), `... ${steps.length - 4} more ...`, steps[steps.length - 1]!] : steps;
    sentences.push(
      `Batch ${MIN_BATCH} at ${shape(first.patch)} needs about ${gib(first.bytes)}, over the ${gib(input.budgetBytes)} budget: shrink the side that is largest relative to the median shape by one multiple at a time, re-deriving the depth: ${listed.join(', ')}.`,
    );
    if (levels !== levelsFor(first.patch)) sentences.push(`The smaller patch allows ${levels} levels: every side must be a multiple of ${2 ** (levels - 1)}.`);
  }
  const perPatch = TRAINING_FACTOR * found.activationBytes;
  const byMemory = Math.floor((input.budgetBytes - BYTES_PER_PARAMETER * found.parameters) / perPatch);
  const patchVoxels = patch[0] * patch[1] * patch[2];
  const medianVoxels = input.medianShape[0] * input.medianShape[1] * input.medianShape[2];
  const capPatches = (BATCH_DATASET_FRACTION * medianVoxels * input.trainingCases) / patchVoxels;
  const batchSize = Math.max(MIN_BATCH, Math.min(byMemory, Math.floor(capPatches), input.maxBatch ?? Number.POSITIVE_INFINITY));
  const estimatedBytes = trainingBytes(found, batchSize);
  sentences.push(
    `Patch ${shape(patch)} fits ${gib(input.budgetBytes)} with batch ${MIN_BATCH}: forward activations ${gib(found.activationBytes * MIN_BATCH)}, training memory about ${gib(trainingBytes(found, MIN_BATCH))} (${TRAINING_FACTOR} x activations for the kept activations, their gradients and convolution workspace, + ${BYTES_PER_PARAMETER} bytes x ${short(found.parameters / 1e6)} M parameters for weights, gradients and two optimizer moments; a factor to calibrate against a measured training step).`,
  );
  const capWords = `nnU-Net's cap of ${BATCH_DATASET_FRACTION * 100} % of the dataset's voxels (${input.trainingCases} cases x ${shape(input.medianShape)} median voxels) is ${short(capPatches)} patches`;
  const floorWords = batchSize === MIN_BATCH && Math.min(byMemory, Math.floor(capPatches)) < MIN_BATCH ? `, and a batch has at least ${MIN_BATCH} patches` : '';
  const limitWords = input.maxBatch !== undefined && batchSize === input.maxBatch && input.maxBatch < Math.min(byMemory, Math.floor(capPatches)) ? `; limited to ${input.maxBatch}: ${input.maxBatchReason ?? 'given'}` : '';
  sentences.push(`Batch ${batchSize}: memory allows ${byMemory} patches, ${capWords}${floorWords}${limitWords}; estimated training memory ${gib(estimatedBytes)}.`);
  return { patchSize: patch, levels, genome: found.genome, batchSize, activationBytes: found.activationBytes * batchSize, parameters: found.parameters, flops: found.flops * batchSize, estimatedBytes, sentences };
}

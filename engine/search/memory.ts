import type { Genome } from '../api/genome.ts';
import { networkCost } from '../network/cost-model.ts';
import { decodeGenome } from '../network/decode.ts';
import type { TrainingShape } from './types.ts';

/** Bytes per parameter while training: the weight, its gradient and two Adam/momentum slots, float32. */
export const BYTES_PER_PARAMETER = 16;

export const DEFAULT_TRAINING_FACTOR = 2;

export interface MemoryEstimate {
  bytes: number;
  params: number;
  activationBytes: number;
}

/**
 * Training memory of a candidate for the run's patch and batch, from the cost model:
 * activation bytes x training factor + parameters x 16 bytes. An error value when the genome does
 * not decode or the patch does not fit it.
 */
export function trainingMemory(genome: Genome, shape: TrainingShape): MemoryEstimate | { error: string } {
  let cost;
  try {
    const spec = decodeGenome(genome, { inputChannels: shape.inputChannels, classes: shape.classes });
    cost = networkCost(spec, shape.patch, shape.batch);
  } catch (error) {
    return { error: `the genome does not decode: ${(error as Error).message}` };
  }
  if ('error' in cost) return cost;
  const factor = shape.trainingFactor ?? DEFAULT_TRAINING_FACTOR;
  return { bytes: cost.activationBytes * factor + cost.params * BYTES_PER_PARAMETER, params: cost.params, activationBytes: cost.activationBytes };
}

/** True for an evaluator error that means the device ran out of memory (tfjs, CUDA, V8 wording). */
export function isOutOfMemory(message: string): boolean {
  return /out of memory|allocation failed|\boom\b|failed to allocate/i.test(message);
}

const MIB = 2 ** 20;
export const formatBytes = (bytes: number): string => (bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(2)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`);

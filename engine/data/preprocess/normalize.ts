import type { ChannelNormalization } from '../../api/plans.ts';

/** What a case's normalization used, kept in its record (z-score: the case's own statistics). */
export interface AppliedNormalization {
  channel: number;
  scheme: ChannelNormalization['scheme'];
  mean: number;
  std: number;
  /** Voxels the statistics came from (the mask, or all). */
  voxels: number;
}

/** Standard deviations below this count as zero (a constant image): nnU-Net divides by max(std, 1e-8). */
const MIN_STD = 1e-8;

function meanAndStd(values: Float32Array, mask: Uint8Array | null): { mean: number; std: number; voxels: number } {
  let count = 0;
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) {
    if (mask !== null && mask[index] === 0) continue;
    sum += values[index]!;
    count += 1;
  }
  if (count === 0) return { mean: 0, std: 1, voxels: 0 };
  const mean = sum / count;
  let squares = 0;
  for (let index = 0; index < values.length; index += 1) {
    if (mask !== null && mask[index] === 0) continue;
    squares += (values[index]! - mean) ** 2;
  }
  return { mean, std: Math.sqrt(squares / count), voxels: count };
}

/**
 * Normalizes one channel in place as planned. `mask` is the case's filled nonzero mask, used when
 * the plan says so (z-score inside the mask; voxels outside it become 0).
 */
export function normalizeChannel(values: Float32Array, plan: ChannelNormalization, mask: Uint8Array | null): AppliedNormalization {
  if (plan.scheme === 'ct') {
    const [low, high] = plan.clip;
    const scale = 1 / Math.max(plan.std, MIN_STD);
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index]!;
      values[index] = ((value < low ? low : value > high ? high : value) - plan.mean) * scale;
    }
    return { channel: plan.channel, scheme: 'ct', mean: plan.mean, std: plan.std, voxels: values.length };
  }
  const inside = plan.insideNonzeroMask ? mask : null;
  const { mean, std, voxels } = meanAndStd(values, inside);
  const scale = 1 / Math.max(std, MIN_STD);
  for (let index = 0; index < values.length; index += 1) {
    values[index] = inside !== null && inside[index] === 0 ? 0 : (values[index]! - mean) * scale;
  }
  return { channel: plan.channel, scheme: 'z-score', mean, std, voxels };
}

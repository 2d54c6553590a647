import type { Random } from '../runtime/random.ts';
import type { BatchArrays, TrainingCase } from './training-case.ts';

/**
 * Where training patches come from (nnU-Net's rules, stated here as the contract):
 *
 * - Foreground oversampling: in a batch of B >= 2 samples, sample s is forced to contain foreground
 *   when s >= round(B * (1 - fraction)) (nnU-Net's `get_do_oversample`, rounding half up). With
 *   nnU-Net's fraction 0.33: B = 2, 3, 4 force the last sample; B = 5, 6 the last two. With B = 1 the
 *   sample is forced with probability `fraction` (nnU-Net's probabilistic oversampling).
 * - A forced patch: a class is chosen uniformly among the case's foreground classes (label != 0 with a
 *   non-empty `classLocations` list), then one of its listed voxels uniformly; the patch is centred on
 *   it, shifted by a random jitter of at most `jitter * size` voxels per axis (kept below half the
 *   size), then clamped like a random patch. The chosen voxel is always inside the patch. A case
 *   without foreground gets a random patch (`forcedClass` null).
 * - A random patch: per axis, start uniform in [0, size_volume - size_patch] (the patch lies inside the
 *   volume); where the volume is smaller than the patch, the patch is centred (start = -floor(excess / 2)).
 * - Voxels outside the volume are padding: image 0 (the mean after normalization), label `labelPad`
 *   (0, background, as nnU-Net after its -1 -> 0 relabelling; a trainer with an ignore label may pass it).
 *
 * The placement is geometry only; `cropPatch` copies it, and augmentation resamples around the
 * same centre directly from the case (which replaces nnU-Net's larger initial crop: same result,
 * without materialising the larger array).
 */
export type Vec3i = [number, number, number];

/** nnU-Net's default share of forced-foreground samples. */
export const NNUNET_OVERSAMPLE_FOREGROUND = 0.33;

export function isForcedForeground(sampleIndex: number, batchSize: number, fraction: number, random: Random): boolean {
  if (batchSize === 1) return random.chance(fraction);
  return sampleIndex >= Math.round(batchSize * (1 - fraction));
}

export interface PatchPlacement {
  /** Case voxel [d, h, w] of the patch's first voxel; may be negative or reach past the volume (padding). */
  start: Vec3i;
  /** The class the patch was forced to contain, or null for a random patch. */
  forcedClass: number | null;
  /** The voxel of `forcedClass` the patch was centred on (case coordinates), or null. */
  forcedVoxel: Vec3i | null;
}

/** Foreground classes with at least one listed voxel, ascending. */
export function foregroundClasses(trainingCase: TrainingCase): number[] {
  return Object.entries(trainingCase.classLocations)
    .filter(([key, locations]) => Number(key) !== 0 && locations.length > 0)
    .map(([key]) => Number(key))
    .sort((a, b) => a - b);
}

function randomStart(volumeSize: number, patchSize: number, random: Random): number {
  if (volumeSize < patchSize) return -Math.floor((patchSize - volumeSize) / 2);
  return random.integer(0, volumeSize - patchSize + 1);
}

function clampStart(start: number, volumeSize: number, patchSize: number): number {
  if (volumeSize < patchSize) return -Math.floor((patchSize - volumeSize) / 2);
  return Math.min(Math.max(start, 0), volumeSize - patchSize);
}

export function placePatch(trainingCase: TrainingCase, patchSize: Vec3i, forceForeground: boolean, jitter: number, random: Random): PatchPlacement {
  const dims = trainingCase.dims;
  const classes = forceForeground ? foregroundClasses(trainingCase) : [];
  if (classes.length === 0) {
    return { start: [0, 1, 2].map((axis) => randomStart(dims[axis]!, patchSize[axis]!, random)) as Vec3i, forcedClass: null, forcedVoxel: null };
  }
  const forcedClass = random.pick(classes);
  const locations = trainingCase.classLocations[forcedClass]!;
  const flat = locations[random.integer(0, locations.length)]!;
  const plane = dims[1] * dims[2];
  const voxel: Vec3i = [Math.floor(flat / plane), Math.floor(flat / dims[2]) % dims[1], flat % dims[2]];
  const start = [0, 1, 2].map((axis) => {
    const size = patchSize[axis]!;
    const maxShift = Math.max(0, Math.min(Math.floor(jitter * size), Math.ceil(size / 2) - 1));
    const shift = maxShift > 0 ? random.integer(-maxShift, maxShift + 1) : 0;
    return clampStart(voxel[axis]! - Math.floor(size / 2) + shift, dims[axis]!, size);
  }) as Vec3i;
  return { start, forcedClass, forcedVoxel: voxel };
}

/**
 * Copies the patch at `start` into sample `sample` of `target` (NDHWC image, NDHW label), padding
 * outside the volume with image 0 and label `labelPad`.
 */
export function cropPatch(trainingCase: TrainingCase, start: Vec3i, target: BatchArrays, sample: number, labelPad: number): void {
  const [, pd, ph, pw, channels] = target.shape;
  const [vd, vh, vw] = trainingCase.dims;
  const volume = vd * vh * vw;
  const patchVoxels = pd * ph * pw;
  const labelBase = sample * patchVoxels;
  target.label.fill(labelPad, labelBase, labelBase + patchVoxels);
  target.image.fill(0, labelBase * channels, (labelBase + patchVoxels) * channels);
  const w0 = Math.max(0, -start[2]);
  const w1 = Math.min(pw, vw - start[2]);
  if (w1 <= w0) return;
  for (let d = 0; d < pd; d += 1) {
    const sd = start[0] + d;
    if (sd < 0 || sd >= vd) continue;
    for (let h = 0; h < ph; h += 1) {
      const sh = start[1] + h;
      if (sh < 0 || sh >= vh) continue;
      const sourceRow = (sd * vh + sh) * vw + start[2];
      const targetRow = labelBase + (d * ph + h) * pw;
      target.label.set(trainingCase.label.subarray(sourceRow + w0, sourceRow + w1), targetRow + w0);
      if (channels === 1) {
        target.image.set(trainingCase.image.subarray(sourceRow + w0, sourceRow + w1), targetRow + w0);
        continue;
      }
      for (let c = 0; c < channels; c += 1) {
        const source = c * volume + sourceRow;
        for (let w = w0; w < w1; w += 1) target.image[(targetRow + w) * channels + c] = trainingCase.image[source + w]!;
      }
    }
  }
}

import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../engine/runtime/random.ts';
import { cropPatch, foregroundClasses, isForcedForeground, NNUNET_OVERSAMPLE_FOREGROUND, placePatch, type Vec3i } from '../../../engine/train/sampler.ts';
import { allocateBatch, type TrainingCase } from '../../../engine/train/training-case.ts';
import { syntheticCase } from '../../support/training-cases.ts';

/** Reads (d, h, w) of sample n of a batch, channel c (NDHWC image, NDHW label). */
function at(batch: ReturnType<typeof allocateBatch>, n: number, d: number, h: number, w: number, c = 0) {
  const [, pd, ph, pw, channels] = batch.shape;
  const voxel = ((n * pd + d) * ph + h) * pw + w;
  return { image: batch.image[voxel * channels + c]!, label: batch.label[voxel]! };
}

function caseValue(trainingCase: TrainingCase, d: number, h: number, w: number, c = 0) {
  const [vd, vh, vw] = trainingCase.dims;
  const inside = d >= 0 && d < vd && h >= 0 && h < vh && w >= 0 && w < vw;
  if (!inside) return null;
  const voxel = (d * vh + h) * vw + w;
  return { image: trainingCase.image[c * vd * vh * vw + voxel]!, label: trainingCase.label[voxel]! };
}

describe('patch sampler', () => {
  it('forces the last third of each batch (nnU-Net rounding), and batch size 1 with probability 0.33', () => {
    const random = createRandom(1);
    const forced = (batch: number, fraction = NNUNET_OVERSAMPLE_FOREGROUND) => [...Array(batch).keys()].filter((s) => isForcedForeground(s, batch, fraction, random));
    expect([2, 3, 4, 5, 6, 9].map((batch) => forced(batch))).toEqual([[1], [2], [3], [3, 4], [4, 5], [6, 7, 8]]);
    expect(forced(4, 0)).toEqual([]);
    const single = Array.from({ length: 3000 }, () => isForcedForeground(0, 1, 0.33, random)).filter(Boolean).length;
    expect(single / 3000).toBeCloseTo(0.33, 1);
  });

  it('every forced patch contains a voxel of the chosen class, both classes get chosen, near borders too', () => {
    const trainingCase = syntheticCase('c', [20, 24, 28]);
    expect(foregroundClasses(trainingCase)).toEqual([1, 2]);
    const patchSize: Vec3i = [16, 16, 16];
    const batch = allocateBatch(1, patchSize, 1);
    const chosen = new Set<number>();
    for (let seed = 0; seed < 300; seed += 1) {
      const placement = placePatch(trainingCase, patchSize, true, 0.25, createRandom(seed));
      chosen.add(placement.forcedClass!);
      cropPatch(trainingCase, placement.start, batch, 0, 0);
      const [d, h, w] = placement.forcedVoxel!.map((value, axis) => value - placement.start[axis]!);
      expect(at(batch, 0, d!, h!, w!).label).toBe(placement.forcedClass);
      expect(placement.start.every((start, axis) => start >= 0 && start + patchSize[axis]! <= trainingCase.dims[axis]!)).toBe(true);
    }
    expect([...chosen].sort()).toEqual([1, 2]);
    // Without jitter the patch is centred on the voxel (clamped into the volume).
    const centred = placePatch(trainingCase, patchSize, true, 0, createRandom(3));
    expect(centred.start).toEqual(centred.forcedVoxel!.map((value, axis) => Math.min(Math.max(value - 8, 0), trainingCase.dims[axis]! - 16)));
  });

  it('random patches lie inside the volume; a volume smaller than the patch is centred and padded (image 0, label pad)', () => {
    const trainingCase = syntheticCase('small', [6, 30, 9], 2);
    const patchSize: Vec3i = [10, 12, 9];
    const batch = allocateBatch(2, patchSize, 2);
    expect(batch.shape).toEqual([2, 10, 12, 9, 2]);
    expect([batch.image.length, batch.label.length]).toEqual([2 * 10 * 12 * 9 * 2, 2 * 10 * 12 * 9]);
    const starts = new Set<string>();
    for (let seed = 0; seed < 50; seed += 1) {
      const placement = placePatch(trainingCase, patchSize, false, 0.25, createRandom(seed));
      expect(placement.forcedClass).toBeNull();
      expect(placement.start[0]).toBe(-2);
      expect(placement.start[1]).toBeGreaterThanOrEqual(0);
      expect(placement.start[1]).toBeLessThanOrEqual(18);
      expect(placement.start[2]).toBe(0);
      starts.add(placement.start.join());
    }
    expect(starts.size).toBeGreaterThan(10);
    const start: Vec3i = [-2, 25, -3];
    cropPatch(trainingCase, start, batch, 1, 255);
    for (let d = 0; d < 10; d += 1) {
      for (let h = 0; h < 12; h += 1) {
        for (let w = 0; w < 9; w += 1) {
          for (let c = 0; c < 2; c += 1) {
            const expected = caseValue(trainingCase, start[0] + d, start[1] + h, start[2] + w, c) ?? { image: 0, label: 255 };
            expect(at(batch, 1, d, h, w, c)).toEqual(expected);
          }
        }
      }
    }
    expect(at(batch, 0, 0, 0, 0)).toEqual({ image: 0, label: 0 });
  });

  it('a case without foreground gets a random patch when forced', () => {
    const empty = { ...syntheticCase('empty', [8, 8, 8]), classLocations: { 1: new Int32Array(0) } };
    expect(placePatch(empty, [4, 4, 4], true, 0.25, createRandom(1)).forcedClass).toBeNull();
  });
});

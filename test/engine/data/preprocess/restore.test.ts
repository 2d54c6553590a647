import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Triple } from '../../../../engine/api/plans.ts';
import { encodeCase } from '../../../../engine/data/preprocess/case-file.ts';
import { preprocessVolumes } from '../../../../engine/data/preprocess/preprocess-case.ts';
import { restoreToSource } from '../../../../engine/data/preprocess/restore.ts';
import { writeNifti } from '../../../../engine/io/nifti/write-nifti.ts';
import { readVolume } from '../../../../engine/io/read-volume.ts';
import { affineRas, voxelStats, voxelCount, type Volume } from '../../../../engine/io/volume.ts';
import { temporaryFolder } from '../../../support/dataset-fixtures.ts';
import { requireSharedData } from '../../../support/shared-data.ts';

const samples = () => join(requireSharedData(), 'samples');

async function firstChannel(path: string): Promise<Volume> {
  const { volume } = await readVolume(path);
  return { ...volume, channels: 1, data: volume.data.subarray(0, voxelCount(volume.dims)) };
}

/** A known structure: the voxels brighter than a share of the maximum. */
const brighterThan = (image: Volume, share: number): Volume => {
  const limit = share * voxelStats(image.data).max;
  return { ...image, sourceDtype: 'uint8', data: Uint8Array.from(image.data, (value) => (value > limit ? 1 : 0)) };
};

function diceByValue(a: ArrayLike<number>, b: ArrayLike<number>): Record<string, number> {
  const values = [...new Set(Array.from(a))].filter((value) => value > 0).sort((x, y) => x - y);
  return Object.fromEntries(
    values.map((value) => {
      let both = 0;
      let inA = 0;
      let inB = 0;
      for (let at = 0; at < a.length; at += 1) {
        if (a[at] === value) inA += 1;
        if (b[at] === value) inB += 1;
        if (a[at] === value && b[at] === value) both += 1;
      }
      return [String(value), (2 * both) / (inA + inB)];
    }),
  );
}

/** Preprocess image + label to a target spacing, restore the preprocessed label map, write it as NIfTI and read it back. */
async function roundTrip(image: Volume, label: Volume, target: Triple, folder: string) {
  const labelValues = [...new Set(Array.from(label.data))].sort((a, b) => a - b);
  const preprocessing = {
    cropToNonzero: true as const,
    imageInterpolation: 'cubic' as const,
    labelInterpolation: 'one-hot-linear' as const,
    separateAxisRatio: 3,
    normalization: [{ channel: 0, name: 'image', scheme: 'z-score' as const, insideNonzeroMask: false }],
    classLocationSamples: 100,
    seed: 1,
  };
  const preprocessed = preprocessVolumes('case', [image], label, { dataId: 'test', targetSpacing: target, preprocessing, labelValues });
  const { record } = encodeCase(preprocessed, []);
  const restored = restoreToSource({ labels: preprocessed.label! }, record);
  const path = join(folder, 'restored.nii.gz');
  await writeNifti(path, restored);
  const written = (await readVolume(path)).volume;
  const dice = diceByValue(label.data, written.data);
  return {
    grid: record.grid.dims,
    separateAxis: record.separateAxis,
    inMemoryGeometry: [restored.dims, restored.spacing, restored.origin, restored.direction],
    writtenAffine: affineRas(written),
    minDice: Math.min(...Object.values(dice)),
  };
}

describe('predictions back in the source geometry', () => {
  it('anisotropic (4 x 4 x 8 mm, coarse axis resampled on its own) and oblique (qform tilted ~6 degrees) samples: same affine, same voxels', async () => {
    const { folder, cleanup } = await temporaryFolder('voxnas-restore-');
    try {
      const functional = await firstChannel(join(samples(), 'nibabel-debian/tests/data/functional.nii'));
      const oblique = await firstChannel(join(samples(), 'dcm_qa_ts/Ref/1.nii'));
      // Target 1.5 x 1.5 x 6 mm is anisotropic (ratio 4 > 3): k goes 3 -> 4 slices by nearest neighbour, i and j by one-hot linear.
      const anisotropic = await roundTrip(functional, brighterThan(functional, 0.5), [1.5, 1.5, 6], folder);
      const tilted = await roundTrip(oblique, brighterThan(oblique, 0.2), [2, 2, 2], folder);
      const geometry = (volume: Volume) => [volume.dims, volume.spacing, volume.origin, volume.direction];
      expect({ anisotropic, tilted }).toEqual({
        anisotropic: { grid: [45, 56, 4], separateAxis: 2, inMemoryGeometry: geometry(functional), writtenAffine: affineRas(functional), minDice: anisotropic.minDice },
        tilted: { grid: [102, 104, 63], separateAxis: null, inMemoryGeometry: geometry(oblique), writtenAffine: affineRas(oblique), minDice: tilted.minDice },
      });
      expect(Math.min(anisotropic.minDice, tilted.minDice)).toBeGreaterThanOrEqual(0.95);
    } finally {
      await cleanup();
    }
  });

  it("restores TotalSegmentator's 24-structure MR label map from a 2 mm grid with every structure at Dice >= 0.95", async () => {
    const { folder, cleanup } = await temporaryFolder('voxnas-restore-');
    try {
      const image = await firstChannel(join(samples(), 'totalsegmentator/example_mr_sm.nii.gz'));
      const label = (await readVolume(join(samples(), 'totalsegmentator/example_seg_mr.nii.gz'))).volume;
      const result = await roundTrip(image, label, [2, 2, 2], folder);
      expect({ ...result, minDice: result.minDice >= 0.95 }).toEqual({
        grid: [174, 137, 30],
        separateAxis: null,
        inMemoryGeometry: [image.dims, image.spacing, image.origin, image.direction],
        writtenAffine: affineRas(image),
        minDice: true,
      });
    } finally {
      await cleanup();
    }
  });
});

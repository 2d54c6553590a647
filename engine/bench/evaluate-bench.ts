import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { caseMetrics } from '../evaluate/metrics.ts';
import { readVolume } from '../io/read-volume.ts';
import type { Vec3 } from '../io/volume.ts';
import { seconds, sharedDataDir, type Benchmark, type BenchmarkResult } from './benchmark.ts';

const LARGE_TARGET_SECONDS = 5;
const HIPPOCAMPUS_TARGET_MS = 20;

/** A copy of a label map moved by one voxel along i and k (what a slightly wrong prediction looks like). */
function shifted(data: ArrayLike<number>, dims: Vec3): Uint8Array {
  const [width, height, depth] = dims;
  const result = new Uint8Array(data.length);
  for (let k = 1; k < depth; k += 1) {
    for (let j = 0; j < height; j += 1) {
      for (let i = 1; i < width; i += 1) result[(k * height + j) * width + i] = data[((k - 1) * height + j) * width + i - 1]!;
    }
  }
  return result;
}

/** A CT-sized label map: a large ellipsoid "organ" (label 1, about 4 million voxels) and a 2 cm "lesion" (label 2). */
function syntheticLabels(dims: Vec3, spacing: Vec3, offsetMm: number, radiusMm: number): Uint8Array {
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  let index = 0;
  for (let k = 0; k < dims[2]; k += 1) {
    for (let j = 0; j < dims[1]; j += 1) {
      for (let i = 0; i < dims[0]; i += 1, index += 1) {
        const [x, y, z] = [(i - dims[0] / 2) * spacing[0] - offsetMm, (j - 240) * spacing[1], (k - dims[2] / 2) * spacing[2]];
        if ((x / radiusMm) ** 2 + (y / (0.8 * radiusMm)) ** 2 + (z / (0.7 * radiusMm)) ** 2 <= 1) data[index] = 1;
        if (Math.hypot(x + 45, y + 8 - offsetMm, z + 15) <= 20) data[index] = 2;
      }
    }
  }
  return data;
}

export const evaluateLarge: Benchmark = {
  description: 'caseMetrics (Dice, IoU, HD95, surface Dice) of a 512x512x300 label map with a 4-million-voxel organ and a lesion, prediction offset by 2.4 mm and 4 % smaller',
  async run(): Promise<BenchmarkResult> {
    const dims: Vec3 = [512, 512, 300];
    const spacing: Vec3 = [0.8, 0.8, 1.5];
    const reference = syntheticLabels(dims, spacing, 0, 120);
    const prediction = syntheticLabels(dims, spacing, 2.4, 115);
    const started = performance.now();
    const metrics = caseMetrics({ reference, prediction, dims, spacing }, [1, 2]);
    const elapsed = seconds(started);
    return { seconds: elapsed, organDice: metrics['1']!.dice, organHd95Mm: metrics['1']!.hd95, lesionDice: metrics['2']!.dice, targetSeconds: LARGE_TARGET_SECONDS, withinTarget: elapsed < LARGE_TARGET_SECONDS };
  },
};

export const evaluateHippocampus: Benchmark = {
  description: 'caseMetrics of each of the 182 shared hippocampus labels against itself moved by one voxel (files read beforehand, not timed)',
  async run(): Promise<BenchmarkResult> {
    const folder = sharedDataDir('hippocampus');
    if (folder === null) return { skipped: 'shared data not found (../shared/data/hippocampus or VOXNAS_SHARED_DATA)' };
    const names = (await readdir(join(folder, 'labelsTr'))).filter((name) => name.endsWith('.nii.gz'));
    const volumes = await Promise.all(names.map(async (name) => (await readVolume(join(folder, 'labelsTr', name))).volume));
    const started = performance.now();
    let dice = 0;
    for (const volume of volumes) {
      const metrics = caseMetrics({ reference: volume.data, prediction: shifted(volume.data, volume.dims), dims: volume.dims, spacing: volume.spacing }, [1, 2]);
      dice += (metrics['1']!.dice + metrics['2']!.dice) / 2;
    }
    const elapsed = seconds(started);
    const perCaseMs = Math.round((elapsed * 1000 * 100) / volumes.length) / 100;
    return { cases: volumes.length, seconds: elapsed, perCaseMs, meanDice: dice / volumes.length, targetPerCaseMs: HIPPOCAMPUS_TARGET_MS, withinTarget: perCaseMs < HIPPOCAMPUS_TARGET_MS };
  },
};

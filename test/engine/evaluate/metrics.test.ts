import { describe, expect, it } from 'vitest';
import { caseMetrics, gridDiagonal, overlapByLabel, percentileOfSorted, surfaceDistances, type CaseLabels } from '../../../engine/evaluate/metrics.ts';
import { readVolume } from '../../../engine/io/read-volume.ts';
import type { Vec3 } from '../../../engine/io/volume.ts';
import { indexOf, nearestDistances, seededRandom, surfaceIndices } from './brute-force.ts';

/** A label map with `label` inside the box lo..hi (inclusive), 0 elsewhere. */
function boxLabels(dims: Vec3, lo: Vec3, hi: Vec3, label = 1): Uint8Array {
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k <= hi[2]; k += 1) for (let j = lo[1]; j <= hi[1]; j += 1) for (let i = lo[0]; i <= hi[0]; i += 1) data[indexOf(dims, i, j, k)] = label;
  return data;
}

const sorted = (values: ArrayLike<number>) => [...Array.from(values)].sort((a, b) => a - b);
const counts = (values: ArrayLike<number>) => Object.fromEntries([...new Set(Array.from(values))].sort((a, b) => a - b).map((value) => [value, Array.from(values).filter((other) => other === value).length]));

function distancesOf(input: CaseLabels, label = 1) {
  const box = overlapByLabel(input, [label])[0]!.box!;
  return surfaceDistances(input, label, box);
}

describe('caseMetrics on shapes with hand-computed answers', () => {
  it('two 4-voxel cubes offset by one voxel along i', () => {
    const dims: Vec3 = [10, 10, 10];
    const input = { reference: boxLabels(dims, [2, 2, 2], [5, 5, 5]), prediction: boxLabels(dims, [3, 2, 2], [6, 5, 5]), dims, spacing: [1, 1, 1] as Vec3 };
    // 56 surface voxels each: the 16 on the face the other cube leaves are 1 voxel from its surface,
    // and so are the 4 centre voxels of the face inside the other cube; the other 36 lie on both surfaces.
    const { fromReference, fromPrediction } = distancesOf(input);
    expect([counts(fromReference), counts(fromPrediction)]).toEqual([
      { 0: 36, 1: 20 },
      { 0: 36, 1: 20 },
    ]);
    // Dice 2*48/128, IoU 48/80; pooled 72 zeros and 40 ones: the 95th percentile is 1; within 0.5 mm: 72/112.
    expect(caseMetrics(input, [1])).toEqual({ 1: { dice: 0.75, iou: 0.6, hd95: 1, surfaceDice: 1, referenceVoxels: 64, predictionVoxels: 64, empty: 'none' } });
    expect(caseMetrics(input, [1], { toleranceMm: 0.5 })['1']!.surfaceDice).toBe(72 / 112);
    // 2 mm voxels along i: the 16 outer-face distances become 2 mm; the 4 face centres find the
    // other surface 1 mm away in plane. Pooled: 72 x 0, 8 x 1, 32 x 2 mm.
    const wide = surfaceDistances({ ...input, spacing: [2, 1, 1] }, 1, overlapByLabel(input, [1])[0]!.box!);
    expect(counts(wide.fromReference)).toEqual({ 0: 36, 1: 4, 2: 16 });
    const wideMetrics = caseMetrics({ ...input, spacing: [2, 1, 1] }, [1])['1']!;
    expect([wideMetrics.hd95, wideMetrics.surfaceDice]).toEqual([2, 80 / 112]);
  });

  it('a flat box shifted by one 3 mm slice, 0.5 mm in plane', () => {
    const dims: Vec3 = [12, 10, 8];
    const spacing: Vec3 = [0.5, 0.5, 3];
    const input = { reference: boxLabels(dims, [2, 2, 2], [9, 7, 4]), prediction: boxLabels(dims, [2, 2, 3], [9, 7, 5]), dims, spacing };
    // 8x6x3 box: 120 surface voxels. The cap the other box leaves (48) is 3 mm away; the other cap's
    // ring and the middle ring (48) lie on both surfaces; the other cap's 24 inner voxels are 0.5 mm
    // (16) or 1 mm (8) from the other box's in-plane ring.
    const { fromReference, fromPrediction } = distancesOf(input);
    expect([counts(fromReference), counts(fromPrediction)]).toEqual([
      { 0: 48, 0.5: 16, 1: 8, 3: 48 },
      { 0: 48, 0.5: 16, 1: 8, 3: 48 },
    ]);
    expect(caseMetrics(input, [1])).toEqual({ 1: { dice: 2 / 3, iou: 0.5, hd95: 3, surfaceDice: 144 / 240, referenceVoxels: 144, predictionVoxels: 144, empty: 'none' } });
    expect(caseMetrics(input, [1], { toleranceMm: 0.5 })['1']!.surfaceDice).toBe(128 / 240);
  });

  it('an ellipsoid against itself shifted one slice: brute-force distances, all within one slice', () => {
    const dims: Vec3 = [20, 20, 9];
    const spacing: Vec3 = [0.8, 0.8, 2.5];
    const ball = (shift: number) => Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, index) => {
      const [i, j, k] = [index % 20, Math.floor(index / 20) % 20, Math.floor(index / 400)];
      return Math.hypot((i - 9.5) * 0.8, (j - 9.3) * 0.8, (k - 4 - shift) * 2.5) <= 6.2 ? 1 : 0;
    });
    const input = { reference: ball(0), prediction: ball(1), dims, spacing };
    const surfaceA = surfaceIndices(input.reference, dims);
    const surfaceB = surfaceIndices(input.prediction, dims);
    const { fromReference, fromPrediction } = distancesOf(input);
    expect(sorted(fromReference)).toEqual(sorted(nearestDistances(dims, spacing, surfaceA, surfaceB)).map((value) => expect.closeTo(value, 12)));
    expect(sorted(fromPrediction)).toEqual(sorted(nearestDistances(dims, spacing, surfaceB, surfaceA)).map((value) => expect.closeTo(value, 12)));
    // Every surface voxel has the shifted copy of itself on the other surface, one slice (2.5 mm) away.
    const metrics = caseMetrics(input, [1], { toleranceMm: 2.5 })['1']!;
    expect(metrics.surfaceDice).toBe(1);
    expect(metrics.hd95).toBeLessThanOrEqual(2.5);
    // Below the smallest spacing, only voxels on both surfaces count.
    const shared = surfaceA.filter((index) => surfaceB.includes(index)).length;
    expect(caseMetrics(input, [1], { toleranceMm: 0.3 })['1']!.surfaceDice).toBeCloseTo((2 * shared) / (surfaceA.length + surfaceB.length), 12);
    expect(shared).toBeGreaterThan(0);
  });

  it('random blobs touching the border: distances equal brute force', () => {
    const random = seededRandom(7);
    const dims: Vec3 = [9, 7, 6];
    const spacing: Vec3 = [1.2, 0.6, 2];
    for (let trial = 0; trial < 5; trial += 1) {
      const reference = Uint8Array.from({ length: 378 }, () => (random() < 0.35 ? 2 : random() < 0.5 ? 1 : 0));
      const prediction = Uint8Array.from({ length: 378 }, () => (random() < 0.3 ? 2 : 0));
      const input = { reference, prediction, dims, spacing };
      const a = surfaceIndices(reference.map((value) => (value === 2 ? 1 : 0)), dims);
      const b = surfaceIndices(prediction.map((value) => (value === 2 ? 1 : 0)), dims);
      const { fromReference, fromPrediction } = distancesOf(input, 2);
      expect([...fromReference, ...fromPrediction]).toEqual([...nearestDistances(dims, spacing, a, b), ...nearestDistances(dims, spacing, b, a)].map((value) => expect.closeTo(value, 12)));
    }
  });
});

describe('caseMetrics conventions', () => {
  it('empty masks: both empty -> NaN; one empty -> Dice 0, surface Dice 0, HD95 = grid diagonal', () => {
    const dims: Vec3 = [5, 4, 3];
    const spacing: Vec3 = [1, 2, 3];
    const reference = boxLabels(dims, [1, 1, 1], [2, 2, 1], 1);
    const prediction = boxLabels(dims, [0, 0, 0], [0, 0, 0], 2);
    const diagonal = Math.hypot(4, 6, 6);
    expect(gridDiagonal(dims, spacing)).toBe(diagonal);
    expect(caseMetrics({ reference, prediction, dims, spacing }, [1, 2, 3])).toEqual({
      1: { dice: 0, iou: 0, hd95: diagonal, surfaceDice: 0, referenceVoxels: 4, predictionVoxels: 0, empty: 'prediction' },
      2: { dice: 0, iou: 0, hd95: diagonal, surfaceDice: 0, referenceVoxels: 0, predictionVoxels: 1, empty: 'reference' },
      3: { dice: NaN, iou: NaN, hd95: NaN, surfaceDice: NaN, referenceVoxels: 0, predictionVoxels: 0, empty: 'both' },
    });
  });

  it('percentiles interpolate as NumPy (np.percentile([1, 2, 3, 4], 95) = 3.85); bad input throws', () => {
    expect([percentileOfSorted([1, 2, 3, 4], 95), percentileOfSorted([5], 95), percentileOfSorted([], 95)]).toEqual([expect.closeTo(3.85, 12), 5, NaN]);
    expect(() => caseMetrics({ reference: new Uint8Array(2), prediction: new Uint8Array(3), dims: [1, 1, 2], spacing: [1, 1, 1] }, [1])).toThrow(/must both have 2 values/);
    expect(() => overlapByLabel({ reference: new Uint8Array(1), prediction: new Uint8Array(1), dims: [1, 1, 1] }, [1.5])).toThrow(/labels must be integers/);
  });

  it('a damaged real label with anisotropic spacing: the values scipy gives (MedPy-style surfaces and hd95)', async () => {
    const { volume } = await readVolume('resources/sample/labelsTr/hippocampus_004.nii.gz');
    const [w, h, d] = volume.dims;
    const reference = volume.data;
    // Shift by one voxel along i and k, drop label 2 from slices 10..13, add a spurious 2x3x2 blob of label 1.
    const prediction = new Uint8Array(reference.length);
    for (let k = 1; k < d; k += 1) for (let j = 0; j < h; j += 1) for (let i = 1; i < w; i += 1) prediction[(k * h + j) * w + i] = reference[((k - 1) * h + j) * w + i - 1]!;
    for (let index = 10 * h * w; index < 14 * h * w; index += 1) if (prediction[index] === 2) prediction[index] = 0;
    for (let k = 2; k < 4; k += 1) for (let j = 2; j < 5; j += 1) for (let i = 2; i < 4; i += 1) prediction[(k * h + j) * w + i] = 1;
    const metrics = caseMetrics({ reference, prediction, dims: volume.dims, spacing: [0.7, 1.1, 2.3] }, [1, 2], { toleranceMm: 1.5 });
    // scipy 1.17: surface = m ^ binary_erosion(m, generate_binary_structure(3, 1)); distance_transform_edt(~other, sampling=(2.3, 1.1, 0.7)); np.percentile(pooled, 95)
    expect(metrics).toEqual({
      1: { dice: 0.8313384113166485, iou: 0.7113594040968343, hd95: 2.3, surfaceDice: 0.8528225806451613, referenceVoxels: 1832, predictionVoxels: 1844, empty: 'none' },
      2: { dice: 0.7797716150081566, iou: 0.6390374331550802, hd95: 2.370653918225939, surfaceDice: 0.8464611872146118, referenceVoxels: 1866, predictionVoxels: 1812, empty: 'none' },
    });
  });

  it('a real hippocampus label against itself: Dice 1, HD95 0, surface Dice 1, in milliseconds', async () => {
    const { volume } = await readVolume('resources/sample/labelsTr/hippocampus_004.nii.gz');
    const input = { reference: volume.data, prediction: volume.data, dims: volume.dims, spacing: volume.spacing };
    const started = performance.now();
    const metrics = caseMetrics(input, [1, 2]);
    const elapsed = performance.now() - started;
    expect(metrics).toEqual({
      1: { dice: 1, iou: 1, hd95: 0, surfaceDice: 1, referenceVoxels: 1832, predictionVoxels: 1832, empty: 'none' },
      2: { dice: 1, iou: 1, hd95: 0, surfaceDice: 1, referenceVoxels: 1866, predictionVoxels: 1866, empty: 'none' },
    });
    expect(elapsed).toBeLessThan(500); // about 5 ms here; generous for a loaded CI machine
  });
});

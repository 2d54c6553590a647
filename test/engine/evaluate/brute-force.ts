import type { Vec3 } from '../../../engine/io/volume.ts';
export { seededRandom } from '../../../engine/data/seeded-sample.ts';

/**
 * Slow, obviously correct references for the evaluation tests: written independently of the engine
 * code (no cropping, no padding, explicit bounds checks).
 */

export const indexOf = (dims: Vec3, i: number, j: number, k: number) => (k * dims[1] + j) * dims[0] + i;

export function coordinatesOf(dims: Vec3, index: number): Vec3 {
  return [index % dims[0], Math.floor(index / dims[0]) % dims[1], Math.floor(index / (dims[0] * dims[1]))];
}

/** Squared distance in mm² between two voxel centres. */
export function squaredDistance(dims: Vec3, spacing: Vec3, a: number, b: number): number {
  const p = coordinatesOf(dims, a);
  const q = coordinatesOf(dims, b);
  return ((p[0] - q[0]) * spacing[0]) ** 2 + ((p[1] - q[1]) * spacing[1]) ** 2 + ((p[2] - q[2]) * spacing[2]) ** 2;
}

/** Indices of the mask's voxels that have a 6-neighbour outside the mask or outside the grid. */
export function surfaceIndices(mask: ArrayLike<number>, dims: Vec3): number[] {
  const found: number[] = [];
  for (let k = 0; k < dims[2]; k += 1) {
    for (let j = 0; j < dims[1]; j += 1) {
      for (let i = 0; i < dims[0]; i += 1) {
        if (!mask[indexOf(dims, i, j, k)]) continue;
        const neighbours: Vec3[] = [
          [i - 1, j, k],
          [i + 1, j, k],
          [i, j - 1, k],
          [i, j + 1, k],
          [i, j, k - 1],
          [i, j, k + 1],
        ];
        const outside = neighbours.some(([a, b, c]) => a < 0 || b < 0 || c < 0 || a >= dims[0] || b >= dims[1] || c >= dims[2] || !mask[indexOf(dims, a, b, c)]);
        if (outside) found.push(indexOf(dims, i, j, k));
      }
    }
  }
  return found;
}

/** For each voxel in `from`, the distance (mm) to the nearest voxel in `to`. */
export function nearestDistances(dims: Vec3, spacing: Vec3, from: number[], to: number[]): number[] {
  return from.map((a) => Math.sqrt(Math.min(...to.map((b) => squaredDistance(dims, spacing, a, b)))));
}


import type { Vec3 } from '../io/volume.ts';

/**
 * Voxel values of a label map in the engine's order (engine/io/volume.ts): (i, j, k), i fastest.
 * Any typed array (labels read from float NIfTI files included); a voxel belongs to label L when its
 * value equals L exactly.
 */
export type LabelData = ArrayLike<number>;

/** Inclusive voxel index bounds in (i, j, k). */
export interface Box {
  lo: Vec3;
  hi: Vec3;
}

/**
 * A binary mask cut out of a grid around a box, with one voxel of zeros on every side: neighbours
 * are then plain index offsets, and everything outside the box counts as background (which it is:
 * the box holds every voxel of interest, and the image border is background by convention).
 * The grid voxel box.lo sits at padded (1, 1, 1).
 */
export interface PaddedMask {
  data: Uint8Array;
  dims: Vec3;
  box: Box;
}

export const boxSize = (box: Box): Vec3 => [box.hi[0] - box.lo[0] + 1, box.hi[1] - box.lo[1] + 1, box.hi[2] - box.lo[2] + 1];

/** The bounding box of the voxels where `isInside(value)`; null when there is none. */
export function boundingBox(data: LabelData, dims: Vec3, isInside: (value: number) => boolean): Box | null {
  const [width, height, depth] = dims;
  const lo: Vec3 = [width, height, depth];
  const hi: Vec3 = [-1, -1, -1];
  let index = 0;
  for (let k = 0; k < depth; k += 1) {
    for (let j = 0; j < height; j += 1) {
      for (let i = 0; i < width; i += 1, index += 1) {
        if (!isInside(data[index]!)) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  return hi[0] < 0 ? null : { lo, hi };
}

/** Cuts `isInside(value)` out of the grid around `box`, padded with one voxel of zeros (see PaddedMask). */
export function cropMask(data: LabelData, dims: Vec3, box: Box, isInside: (value: number) => boolean): PaddedMask {
  const size = boxSize(box);
  const padded: Vec3 = [size[0] + 2, size[1] + 2, size[2] + 2];
  const mask = new Uint8Array(padded[0] * padded[1] * padded[2]);
  for (let k = 0; k < size[2]; k += 1) {
    for (let j = 0; j < size[1]; j += 1) {
      const source = ((box.lo[2] + k) * dims[1] + box.lo[1] + j) * dims[0] + box.lo[0];
      const target = ((k + 1) * padded[1] + j + 1) * padded[0] + 1;
      for (let i = 0; i < size[0]; i += 1) mask[target + i] = isInside(data[source + i]!) ? 1 : 0;
    }
  }
  return { data: mask, dims: padded, box };
}

/** Index offsets of the 6, 18 or 26 neighbours of a voxel in a grid of these dims. */
export function neighbourOffsets(dims: Vec3, connectivity: 6 | 18 | 26): number[] {
  const offsets: number[] = [];
  for (let dk = -1; dk <= 1; dk += 1) {
    for (let dj = -1; dj <= 1; dj += 1) {
      for (let di = -1; di <= 1; di += 1) {
        const hops = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
        if (hops === 0 || (connectivity === 6 && hops > 1) || (connectivity === 18 && hops > 2)) continue;
        offsets.push((dk * dims[1] + dj) * dims[0] + di);
      }
    }
  }
  return offsets;
}

/**
 * The surface of a padded mask: its voxels with at least one 6-connected background neighbour.
 * Returns the surface as a site map (for the distance transform) and as a list of indices.
 */
export function surfaceOf(mask: PaddedMask): { sites: Uint8Array; indices: Int32Array } {
  const { data, dims } = mask;
  const row = dims[0];
  const plane = dims[0] * dims[1];
  const sites = new Uint8Array(data.length);
  const found: number[] = [];
  for (let k = 1; k < dims[2] - 1; k += 1) {
    for (let j = 1; j < dims[1] - 1; j += 1) {
      const start = k * plane + j * row;
      for (let index = start + 1; index < start + row - 1; index += 1) {
        if (data[index] === 0) continue;
        if (data[index - 1] === 0 || data[index + 1] === 0 || data[index - row] === 0 || data[index + row] === 0 || data[index - plane] === 0 || data[index + plane] === 0) {
          sites[index] = 1;
          found.push(index);
        }
      }
    }
  }
  return { sites, indices: Int32Array.from(found) };
}

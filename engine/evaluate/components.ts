import type { Vec3 } from '../io/volume.ts';
import { boundingBox, cropMask, neighbourOffsets, type LabelData } from './label-grid.ts';

/**
 * Voxel connectivity: 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners).
 * nnU-Net v2 labels components with scikit-image's `label(connectivity=None)`, i.e. full
 * connectivity (26 in 3-D); nnU-Net v1 used scipy.ndimage.label's default (6).
 */
export type Connectivity = 6 | 18 | 26;
export const DEFAULT_CONNECTIVITY: Connectivity = 26;

/**
 * The voxels of the largest connected component of the voxels where `isInside(value)`, as a 0/1
 * mask of the whole grid ((i, j, k) order). When several components tie for the largest, all of
 * them are kept (as nnU-Net's `remove_all_but_largest_component`). Empty input gives an empty mask.
 */
export function largestComponent(data: LabelData, dims: Vec3, isInside: (value: number) => boolean, connectivity: Connectivity = DEFAULT_CONNECTIVITY): Uint8Array {
  const result = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const box = boundingBox(data, dims, isInside);
  if (box === null) return result;
  const mask = cropMask(data, dims, box, isInside);
  const padded = mask.dims;
  const offsets = neighbourOffsets(padded, connectivity);
  // component[v] = 1-based component number; 0 = background or not yet visited.
  const component = new Int32Array(mask.data.length);
  const queue = new Int32Array(mask.data.length);
  const sizes = [0];
  for (let seed = 0; seed < mask.data.length; seed += 1) {
    if (mask.data[seed] === 0 || component[seed] !== 0) continue;
    const number = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    component[seed] = number;
    while (head < tail) {
      const voxel = queue[head++]!;
      for (const offset of offsets) {
        const neighbour = voxel + offset;
        // The zero padding keeps every neighbour of a mask voxel inside the padded grid.
        if (mask.data[neighbour] !== 0 && component[neighbour] === 0) {
          component[neighbour] = number;
          queue[tail++] = neighbour;
        }
      }
    }
    sizes.push(tail);
  }
  let largest = 0;
  for (const size of sizes) if (size > largest) largest = size;
  const keep = Uint8Array.from(sizes, (size, number) => (number > 0 && size === largest ? 1 : 0));
  for (let k = box.lo[2]; k <= box.hi[2]; k += 1) {
    for (let j = box.lo[1]; j <= box.hi[1]; j += 1) {
      const row = (k * dims[1] + j) * dims[0];
      const paddedRow = ((k - box.lo[2] + 1) * padded[1] + j - box.lo[1] + 1) * padded[0] + 1 - box.lo[0];
      for (let i = box.lo[0]; i <= box.hi[0]; i += 1) result[row + i] = keep[component[paddedRow + i]!]!;
    }
  }
  return result;
}

import type { Triple } from '../../api/fingerprint.ts';

/** A box of voxels in (i, j, k) order: `start` inclusive, `end` exclusive. */
export interface Box {
  start: Triple;
  end: Triple;
}

export const boxDims = (box: Box): Triple => [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];

/** A voxel counts as nonzero when it is finite and not 0 (NaN and infinities are treated as 0 everywhere). */
export const isNonzero = (value: number): boolean => value !== 0 && Number.isFinite(value);

/**
 * Bounding box of the voxels that are nonzero in any channel (each channel `dims` voxels, i fastest).
 * A case with no nonzero voxel keeps its whole grid.
 */
export function nonzeroBox(channels: readonly ArrayLike<number>[], dims: Triple): Box {
  const [nx, ny, nz] = dims;
  const low: Triple = [nx, ny, nz];
  const high: Triple = [-1, -1, -1];
  for (let k = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      const row = (k * ny + j) * nx;
      let first = -1;
      let last = -1;
      for (const data of channels) {
        for (let i = 0; i < nx; i += 1) {
          if (isNonzero(data[row + i]!)) {
            if (first === -1 || i < first) first = i;
            break;
          }
        }
        for (let i = nx - 1; i >= 0; i -= 1) {
          if (isNonzero(data[row + i]!)) {
            if (i > last) last = i;
            break;
          }
        }
      }
      if (first === -1) continue;
      low[0] = Math.min(low[0], first);
      high[0] = Math.max(high[0], last);
      low[1] = Math.min(low[1], j);
      high[1] = Math.max(high[1], j);
      low[2] = Math.min(low[2], k);
      high[2] = Math.max(high[2], k);
    }
  }
  if (high[0] < 0) return { start: [0, 0, 0], end: [nx, ny, nz] };
  return { start: low, end: [high[0] + 1, high[1] + 1, high[2] + 1] };
}

/** The box's voxels of one channel as float32 (non-finite values become 0). */
export function cropChannel(data: ArrayLike<number>, dims: Triple, box: Box): Float32Array {
  const [cx, cy, cz] = boxDims(box);
  const out = new Float32Array(cx * cy * cz);
  let at = 0;
  for (let k = box.start[2]; k < box.end[2]; k += 1) {
    for (let j = box.start[1]; j < box.end[1]; j += 1) {
      const row = (k * dims[1] + j) * dims[0];
      for (let i = box.start[0]; i < box.end[0]; i += 1) {
        const value = data[row + i]!;
        out[at++] = Number.isFinite(value) ? value : 0;
      }
    }
  }
  return out;
}

/** Writes `source` (the box's size) into `target` (the full grid) at the box. */
export function pasteBox<T extends { [index: number]: number; length: number }>(target: T, dims: Triple, box: Box, source: ArrayLike<number>): T {
  const [cx, cy] = boxDims(box);
  for (let k = box.start[2]; k < box.end[2]; k += 1) {
    for (let j = box.start[1]; j < box.end[1]; j += 1) {
      const row = (k * dims[1] + j) * dims[0];
      const from = ((k - box.start[2]) * cy + (j - box.start[1])) * cx;
      for (let i = 0; i < cx; i += 1) target[row + box.start[0] + i] = source[from + i]!;
    }
  }
  return target;
}

/**
 * The nonzero mask of cropped channels with its holes filled (6-connected background reachable from
 * the border stays outside; everything else is inside), as nnU-Net's mask for normalization.
 */
export function filledNonzeroMask(channels: readonly Float32Array[], dims: Triple): Uint8Array {
  const [nx, ny, nz] = dims;
  const size = nx * ny * nz;
  const mask = new Uint8Array(size);
  for (const data of channels) for (let index = 0; index < size; index += 1) if (data[index] !== 0) mask[index] = 1;
  // Flood the background from the border; what it cannot reach is a hole.
  const outside = new Uint8Array(size);
  const queue = new Int32Array(size);
  let head = 0;
  let tail = 0;
  const push = (index: number) => {
    if (mask[index] === 0 && outside[index] === 0) {
      outside[index] = 1;
      queue[tail++] = index;
    }
  };
  for (let k = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      for (let i = 0; i < nx; i += 1) {
        if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) push((k * ny + j) * nx + i);
      }
    }
  }
  while (head < tail) {
    const index = queue[head++]!;
    const i = index % nx;
    const j = Math.floor(index / nx) % ny;
    const k = Math.floor(index / (nx * ny));
    if (i > 0) push(index - 1);
    if (i < nx - 1) push(index + 1);
    if (j > 0) push(index - nx);
    if (j < ny - 1) push(index + nx);
    if (k > 0) push(index - nx * ny);
    if (k < nz - 1) push(index + nx * ny);
  }
  for (let index = 0; index < size; index += 1) mask[index] = outside[index] === 1 ? 0 : 1;
  return mask;
}

/**
 * Case thumbnails: the middle axial slice of a case's image (a VolumePayload from volumes.get) as
 * RGBA pixels under an intensity window, and a small queue so that only a few volumes load at once.
 * Plain functions (no canvas, no DOM), tested on their own.
 */
import type { VolumePayload } from '../../../../main/contract/index.ts';
import { payloadVoxels } from '../viewer/volume-geometry.ts';

export interface Slice {
  /** Pixels per row (the volume's i axis). */
  width: number;
  /** Rows (the j axis). */
  height: number;
  values: Float32Array;
}

/**
 * The axial slice k = floor(dims[2] / 2): voxel (i, j, k) sits at i + dims[0] * (j + dims[1] * k)
 * (i fastest, as engine/io/volume.ts stores it). Rows are j, columns i.
 */
export function middleAxialSlice(payload: Pick<VolumePayload, 'dims' | 'dtype' | 'data'>): Slice {
  const [width, height, depth] = payload.dims;
  const voxels = payloadVoxels(payload);
  const k = Math.floor(depth / 2);
  const offset = width * height * k;
  return { width, height, values: Float32Array.from(voxels.subarray(offset, offset + width * height)) };
}

/** The 0.5th and 99.5th percentiles of a slice's values (a window when the fingerprint has none). */
export function sliceWindow(values: Float32Array): [number, number] {
  const sorted = Float32Array.from(values).sort();
  if (sorted.length === 0) return [0, 1];
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))))]!;
  return [at(0.005), at(0.995)];
}

/**
 * The window a thumbnail uses: the fingerprint's foreground percentiles narrowed to the slice's own
 * (a CT's soft-tissue range inside the slice's air-to-bone range; an MRI whose foreground has a long
 * bright tail keeps the slice's contrast), or the slice's alone when the two do not overlap.
 */
export function thumbnailWindow(dataset: [number, number] | null, slice: [number, number]): [number, number] {
  if (!dataset) return slice;
  const low = Math.max(dataset[0], slice[0]);
  const high = Math.min(dataset[1], slice[1]);
  return high > low ? [low, high] : slice;
}

/** Grey RGBA pixels: values at or below `low` black, at or above `high` white, linear between. */
export function windowToRgba(values: Float32Array, low: number, high: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(values.length * 4);
  const span = high > low ? high - low : 1;
  for (let index = 0; index < values.length; index += 1) {
    const grey = ((values[index]! - low) / span) * 255;
    pixels[index * 4] = grey;
    pixels[index * 4 + 1] = grey;
    pixels[index * 4 + 2] = grey;
    pixels[index * 4 + 3] = 255;
  }
  return pixels;
}

/** Runs tasks with at most `limit` at a time, in the order they were queued. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    if (running >= limit) return;
    const start = waiting.shift();
    if (start) start();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      waiting.push(() => {
        running += 1;
        task()
          .then(resolve, reject)
          .finally(() => {
            running -= 1;
            next();
          });
      });
      next();
    });
}

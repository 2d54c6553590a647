/**
 * Axis-aligned resampling of (i, j, k) grids, one axis at a time (every interpolation used here is
 * separable). Voxel centres follow the half-voxel convention of scikit-image's resize (and of
 * align_corners = false): output voxel o of an axis resampled from n_in to n_out voxels samples the
 * input at x = (o + 0.5) * n_in / n_out - 0.5, so both grids cover the same extent, edge to edge.
 * Samples beyond the outer voxel centres repeat the edge voxel. The inverse resampling (n_out back to
 * n_in) uses the same rule, which is what puts predictions back on the source grid.
 */
import type { Triple } from '../../api/fingerprint.ts';

export type Interpolation = 'nearest' | 'linear' | 'cubic';

/** Per output voxel of one axis: `taps` input indices (clamped to the grid) and their weights. */
export interface AxisTable {
  inSize: number;
  outSize: number;
  taps: number;
  index: Int32Array;
  weight: Float64Array;
}

/** Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom): interpolating, reproduces quadratics. */
function cubicWeight(distance: number): number {
  const t = Math.abs(distance);
  if (t <= 1) return (1.5 * t - 2.5) * t * t + 1;
  if (t < 2) return ((-0.5 * t + 2.5) * t - 4) * t + 2;
  return 0;
}

export function axisTable(inSize: number, outSize: number, interpolation: Interpolation): AxisTable {
  const taps = interpolation === 'nearest' ? 1 : interpolation === 'linear' ? 2 : 4;
  const index = new Int32Array(outSize * taps);
  const weight = new Float64Array(outSize * taps);
  const clamp = (at: number) => (at < 0 ? 0 : at >= inSize ? inSize - 1 : at);
  for (let out = 0; out < outSize; out += 1) {
    const at = out * taps;
    if (interpolation === 'nearest') {
      index[at] = clamp(Math.floor(((2 * out + 1) * inSize) / (2 * outSize)));
      weight[at] = 1;
      continue;
    }
    // Exact for integer sizes: x = ((2o + 1) n_in - n_out) / (2 n_out).
    const position = ((2 * out + 1) * inSize - outSize) / (2 * outSize);
    const base = Math.floor(position);
    const fraction = position - base;
    if (interpolation === 'linear') {
      index[at] = clamp(base);
      index[at + 1] = clamp(base + 1);
      weight[at] = 1 - fraction;
      weight[at + 1] = fraction;
    } else {
      for (let tap = 0; tap < 4; tap += 1) {
        index[at + tap] = clamp(base - 1 + tap);
        weight[at + tap] = cubicWeight(fraction + 1 - tap);
      }
    }
  }
  return { inSize, outSize, taps, index, weight };
}

/** Resamples one axis of a grid with a table; returns the new grid (dims with that axis replaced). */
export function resampleAxis(source: Float32Array<ArrayBufferLike>, dims: Triple, axis: 0 | 1 | 2, table: AxisTable): Float32Array {
  const [nx, ny, nz] = dims;
  const { taps, index, weight, outSize } = table;
  if (axis === 0) {
    const out = new Float32Array(outSize * ny * nz);
    for (let line = 0; line < ny * nz; line += 1) {
      const from = line * nx;
      const to = line * outSize;
      for (let o = 0; o < outSize; o += 1) {
        let sum = 0;
        for (let tap = 0; tap < taps; tap += 1) sum += weight[o * taps + tap]! * source[from + index[o * taps + tap]!]!;
        out[to + o] = sum;
      }
    }
    return out;
  }
  // Axes 1 and 2: whole rows (axis 1) or planes (axis 2) at once, accumulated in double precision.
  const run = axis === 1 ? nx : nx * ny;
  const inStride = axis === 1 ? nx * ny : nx * ny * nz;
  const outStride = axis === 1 ? nx * outSize : nx * ny * outSize;
  const blocks = axis === 1 ? nz : 1;
  const out = new Float32Array(outStride * blocks);
  const accumulator = new Float64Array(run);
  for (let block = 0; block < blocks; block += 1) {
    for (let o = 0; o < outSize; o += 1) {
      accumulator.fill(0);
      for (let tap = 0; tap < taps; tap += 1) {
        const w = weight[o * taps + tap]!;
        if (w === 0) continue;
        const from = block * inStride + index[o * taps + tap]! * run;
        for (let p = 0; p < run; p += 1) accumulator[p]! += w * source[from + p]!;
      }
      out.set(accumulator, block * outStride + o * run);
    }
  }
  return out;
}

/** Resamples a grid to `outDims`, axis by axis (i, then j, then k), with one interpolation per axis. */
export function resampleGrid(source: Float32Array<ArrayBufferLike>, dims: Triple, outDims: Triple, interpolation: [Interpolation, Interpolation, Interpolation]): Float32Array {
  let data = source;
  const current: Triple = [...dims];
  for (const axis of [0, 1, 2] as const) {
    if (current[axis] === outDims[axis]) continue;
    data = resampleAxis(data, current, axis, axisTable(current[axis], outDims[axis], interpolation[axis]));
    current[axis] = outDims[axis];
  }
  return data === source ? Float32Array.from(source) : data;
}

/** Per-axis interpolation: `inPlane` everywhere, nearest on the separately handled axis (if any). */
export function axisInterpolations(inPlane: Interpolation, separateAxis: 0 | 1 | 2 | null): [Interpolation, Interpolation, Interpolation] {
  return [0, 1, 2].map((axis) => (axis === separateAxis ? 'nearest' : inPlane)) as [Interpolation, Interpolation, Interpolation];
}

export type LabelArray = Uint8Array | Uint16Array;

export const labelArrayFor = (classes: number, size: number): LabelArray => (classes <= 256 ? new Uint8Array(size) : new Uint16Array(size));

/** The sub-range of one axis that a class occupying input [low, high] can reach, and the input it reads. */
function reach(table: AxisTable, low: number, high: number): { outLow: number; outHigh: number; inLow: number; inHigh: number } {
  const { taps, index, outSize } = table;
  let outLow = 0;
  while (outLow < outSize - 1 && index[outLow * taps + taps - 1]! < low) outLow += 1;
  let outHigh = outSize - 1;
  while (outHigh > 0 && index[outHigh * taps]! > high) outHigh -= 1;
  return { outLow, outHigh, inLow: index[outLow * taps]!, inHigh: index[outHigh * taps + taps - 1]! };
}

/** The rows [outLow, outHigh] of a table, with input indices shifted to start at `inLow`. */
function subTable(table: AxisTable, part: { outLow: number; outHigh: number; inLow: number; inHigh: number }): AxisTable {
  const { taps } = table;
  const index = table.index.slice(part.outLow * taps, (part.outHigh + 1) * taps).map((value) => value - part.inLow);
  return { inSize: part.inHigh - part.inLow + 1, outSize: part.outHigh - part.outLow + 1, taps, index, weight: table.weight.slice(part.outLow * taps, (part.outHigh + 1) * taps) };
}

/** Bounding box (inclusive) of every class index present in a label grid. */
function classBoxes(labels: ArrayLike<number>, dims: Triple, classes: number): ({ low: Triple; high: Triple } | null)[] {
  const boxes: ({ low: Triple; high: Triple } | null)[] = Array.from({ length: classes }, () => null);
  const [nx, ny, nz] = dims;
  for (let k = 0, at = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      for (let i = 0; i < nx; i += 1, at += 1) {
        const value = labels[at]!;
        const box = boxes[value];
        if (box === undefined) continue;
        if (box === null) boxes[value] = { low: [i, j, k], high: [i, j, k] };
        else {
          if (i < box.low[0]) box.low[0] = i;
          if (i > box.high[0]) box.high[0] = i;
          if (j < box.low[1]) box.low[1] = j;
          if (j > box.high[1]) box.high[1] = j;
          box.high[2] = k;
        }
      }
    }
  }
  return boxes;
}

/**
 * Resamples a map of class indices (0 = background). 'one-hot-linear' (nnU-Net's way): each class's
 * indicator is interpolated (linear, nearest on a separate axis) and the largest wins, lower class
 * first on ties. The background's share is 1 minus the others' (interpolation is linear), so each
 * foreground class is resampled only over its own bounding box; that keeps many small classes cheap.
 */
export function resampleLabels(labels: LabelArray, dims: Triple, outDims: Triple, classes: number, interpolation: [Interpolation, Interpolation, Interpolation]): LabelArray {
  const outSize = outDims[0] * outDims[1] * outDims[2];
  const result = labelArrayFor(classes, outSize);
  if (dims.every((size, axis) => size === outDims[axis])) {
    result.set(labels);
    return result;
  }
  const tables = [0, 1, 2].map((axis) => axisTable(dims[axis]!, outDims[axis]!, interpolation[axis]!));
  const share = new Float32Array(outSize);
  const best = new Float32Array(outSize);
  const boxes = classBoxes(labels, dims, classes);
  for (let value = 1; value < classes; value += 1) {
    const box = boxes[value];
    if (!box) continue;
    const parts = [0, 1, 2].map((axis) => reach(tables[axis]!, box.low[axis]!, box.high[axis]!));
    // With nearest-neighbour downsampling a thin class can fall between the sampled voxels.
    if (parts.some((part) => part.outLow > part.outHigh)) continue;
    const inDims = parts.map((part) => part.inHigh - part.inLow + 1) as Triple;
    const blockOut = parts.map((part) => part.outHigh - part.outLow + 1) as Triple;
    const indicator = new Float32Array(inDims[0] * inDims[1] * inDims[2]);
    for (let k = 0, at = 0; k < inDims[2]; k += 1) {
      for (let j = 0; j < inDims[1]; j += 1) {
        const row = ((k + parts[2]!.inLow) * dims[1] + j + parts[1]!.inLow) * dims[0] + parts[0]!.inLow;
        for (let i = 0; i < inDims[0]; i += 1, at += 1) if (labels[row + i] === value) indicator[at] = 1;
      }
    }
    let block: Float32Array = indicator;
    const current: Triple = [...inDims];
    for (const axis of [0, 1, 2] as const) {
      block = resampleAxis(block, current, axis, subTable(tables[axis]!, parts[axis]!));
      current[axis] = blockOut[axis];
    }
    for (let k = 0, at = 0; k < blockOut[2]; k += 1) {
      for (let j = 0; j < blockOut[1]; j += 1) {
        const row = ((k + parts[2]!.outLow) * outDims[1] + j + parts[1]!.outLow) * outDims[0] + parts[0]!.outLow;
        for (let i = 0; i < blockOut[0]; i += 1, at += 1) {
          const probability = block[at]!;
          if (probability <= 0) continue;
          share[row + i]! += probability;
          if (probability > best[row + i]!) {
            best[row + i] = probability;
            result[row + i] = value;
          }
        }
      }
    }
  }
  for (let at = 0; at < outSize; at += 1) if (1 - share[at]! >= best[at]!) result[at] = 0;
  return result;
}

/** Dense per-class probabilities ([class][k][j][i]) resampled class by class, then the argmax (lower class first on ties). */
export function resampleProbabilities(probabilities: Float32Array, dims: Triple, outDims: Triple, classes: number, interpolation: [Interpolation, Interpolation, Interpolation]): LabelArray {
  const inSize = dims[0] * dims[1] * dims[2];
  const outSize = outDims[0] * outDims[1] * outDims[2];
  const result = labelArrayFor(classes, outSize);
  const best = new Float32Array(outSize).fill(-Infinity);
  for (let value = 0; value < classes; value += 1) {
    const resampled = resampleGrid(probabilities.subarray(value * inSize, (value + 1) * inSize), dims, outDims, interpolation);
    for (let at = 0; at < outSize; at += 1) {
      if (resampled[at]! > best[at]!) {
        best[at] = resampled[at]!;
        result[at] = value;
      }
    }
  }
  return result;
}

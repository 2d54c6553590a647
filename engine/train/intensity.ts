import { createRandom } from '../runtime/random.ts';
import type { Vec3i } from './sampler.ts';

/**
 * Intensity transforms of one channel of one patch, in place on a contiguous float32 [D][H][W]
 * array. Formulas are nnU-Net's (batchgenerators); each function states its own.
 */

/** x += N(0, std^2), the deviates from the stream seeded with `seed`. */
export function addGaussianNoise(values: Float32Array, std: number, seed: number): void {
  const random = createRandom(seed);
  for (let index = 0; index < values.length; index += 1) values[index] = values[index]! + random.normal(0, std);
}

/** x *= factor. */
export function multiplyBrightness(values: Float32Array, factor: number): void {
  for (let index = 0; index < values.length; index += 1) values[index] = values[index]! * factor;
}

function statistics(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (let index = 0; index < values.length; index += 1) squares += (values[index]! - mean) * (values[index]! - mean);
  return { mean, std: Math.sqrt(squares / values.length), min, max };
}

/** x = (x - mean) * factor + mean, then clipped to the patch's former [min, max] (nnU-Net's preserve_range). */
export function scaleContrast(values: Float32Array, factor: number): void {
  const { mean, min, max } = statistics(values);
  for (let index = 0; index < values.length; index += 1) {
    const value = (values[index]! - mean) * factor + mean;
    values[index] = value < min ? min : value > max ? max : value;
  }
}

/**
 * Gamma on the patch's range, keeping its mean and standard deviation:
 * x = ((x - min) / range)^gamma * range + min, then rescaled to the former mean and std.
 * `inverted`: applied to -x and negated back (nnU-Net's invert_image variant).
 */
export function applyGamma(values: Float32Array, gamma: number, inverted: boolean): void {
  const sign = inverted ? -1 : 1;
  if (inverted) for (let index = 0; index < values.length; index += 1) values[index] = -values[index]!;
  const before = statistics(values);
  const range = Math.max(before.max - before.min, 1e-7);
  for (let index = 0; index < values.length; index += 1) values[index] = Math.exp(gamma * Math.log((values[index]! - before.min) / range)) * range + before.min;
  const after = statistics(values);
  const rescale = before.std / Math.max(after.std, 1e-7);
  for (let index = 0; index < values.length; index += 1) values[index] = sign * ((values[index]! - after.mean) * rescale + before.mean);
}

/** Reflect an index into [0, size) as scipy's 'reflect' mode: (d c b a | a b c d | d c b a). */
function reflect(index: number, size: number): number {
  const period = 2 * size;
  let folded = index % period;
  if (folded < 0) folded += period;
  return folded < size ? folded : period - 1 - folded;
}

function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.round(4 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let offset = -radius; offset <= radius; offset += 1) {
    const weight = Math.exp((-0.5 * offset * offset) / (sigma * sigma));
    kernel[offset + radius] = weight;
    sum += weight;
  }
  for (let index = 0; index < kernel.length; index += 1) kernel[index] = kernel[index]! / sum;
  return kernel;
}

/** Separable Gaussian blur, one sigma per axis [d, h, w] in voxels (0 skips the axis); kernel radius round(4 sigma), reflected borders. */
export function gaussianBlur(values: Float32Array, dims: Vec3i, sigma: [number, number, number]): void {
  const strides = [dims[1] * dims[2], dims[2], 1];
  const line = new Float64Array(Math.max(...dims));
  for (let axis = 0; axis < 3; axis += 1) {
    if (!(sigma[axis]! > 0)) continue;
    const kernel = gaussianKernel(sigma[axis]!);
    const radius = (kernel.length - 1) / 2;
    const size = dims[axis]!;
    const stride = strides[axis]!;
    const [outerA, outerB] = [0, 1, 2].filter((other) => other !== axis);
    for (let a = 0; a < dims[outerA!]!; a += 1) {
      for (let b = 0; b < dims[outerB!]!; b += 1) {
        const base = a * strides[outerA!]! + b * strides[outerB!]!;
        for (let i = 0; i < size; i += 1) line[i] = values[base + i * stride]!;
        for (let i = 0; i < size; i += 1) {
          let sum = 0;
          for (let k = -radius; k <= radius; k += 1) {
            const j = i + k;
            sum += kernel[k + radius]! * line[j >= 0 && j < size ? j : reflect(j, size)]!;
          }
          values[base + i * stride] = sum;
        }
      }
    }
  }
}

/**
 * 1D linear interpolation along one axis of a C-order array of shape `dims`, from dims[axis] to `size`
 * points (align_corners false: sample centres map to centres, clamped at the ends).
 */
function resizeAxis(values: Float32Array, dims: Vec3i, axis: number, size: number): { values: Float32Array; dims: Vec3i } {
  const n = dims[axis]!;
  const outDims = [...dims] as Vec3i;
  outDims[axis] = size;
  const inner = axis === 2 ? 1 : axis === 1 ? dims[2] : dims[1] * dims[2];
  const outer = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const out = new Float32Array(outer * size * inner);
  for (let o = 0; o < size; o += 1) {
    const position = Math.min(Math.max(((o + 0.5) * n) / size - 0.5, 0), n - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, n - 1);
    const weight = position - low;
    for (let block = 0; block < outer; block += 1) {
      const source = block * n * inner;
      const target = (block * size + o) * inner;
      for (let i = 0; i < inner; i += 1) {
        const a = values[source + low * inner + i]!;
        out[target + i] = a + weight * (values[source + high * inner + i]! - a);
      }
    }
  }
  return { values: out, dims: outDims };
}

/**
 * Low-resolution simulation: nearest-neighbour downsampling to round(size * zoom) voxels on each axis
 * where `axes[a]` (at least 1), then trilinear upsampling back (nnU-Net's SimulateLowResolution;
 * trilinear as separable linear passes).
 */
export function simulateLowResolution(values: Float32Array, dims: Vec3i, zoom: number, axes: [boolean, boolean, boolean]): void {
  const small = dims.map((size, axis) => (axes[axis] ? Math.max(1, Math.round(size * zoom)) : size)) as Vec3i;
  const pick = small.map((n, axis) => Int32Array.from({ length: n }, (_, i) => Math.min(dims[axis]! - 1, Math.floor(((i + 0.5) * dims[axis]!) / n))));
  let current: { values: Float32Array; dims: Vec3i } = { values: new Float32Array(small[0] * small[1] * small[2]), dims: small };
  for (let d = 0, at = 0; d < small[0]; d += 1) {
    for (let h = 0; h < small[1]; h += 1) {
      const row = (pick[0]![d]! * dims[1] + pick[1]![h]!) * dims[2];
      for (let w = 0; w < small[2]; w += 1, at += 1) current.values[at] = values[row + pick[2]![w]!]!;
    }
  }
  for (const axis of [2, 1, 0]) if (small[axis] !== dims[axis]) current = resizeAxis(current.values, current.dims, axis, dims[axis]!);
  values.set(current.values);
}

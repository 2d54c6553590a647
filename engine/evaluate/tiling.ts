/**
 * Geometry of tiled inference on [C][D][H][W] arrays (C-order: W fastest; D = k, H = j, W = i of a
 * Volume). Sizes are [D, H, W] triples.
 */
export type Size3 = [number, number, number];

/** Rounds half to even, as NumPy's np.round (nnU-Net rounds window starts with it). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Window starts along one axis, as nnU-Net's `compute_steps_for_sliding_window`: the fewest windows
 * whose spacing is at most `stepFraction` of the patch, spread evenly from 0 to size - patch.
 * Requires size >= patch (pad first).
 */
export function windowStarts(size: number, patch: number, stepFraction: number): number[] {
  if (size < patch) throw new RangeError(`axis of ${size} voxels is smaller than the patch (${patch}); pad it first`);
  const count = Math.ceil((size - patch) / (patch * stepFraction)) + 1;
  if (count === 1) return [0];
  const step = (size - patch) / (count - 1);
  return Array.from({ length: count }, (_, index) => roundHalfEven(step * index));
}

/**
 * nnU-Net's Gaussian importance map for a patch: exp(-d²/2σ²) around the voxel at floor(size / 2)
 * on each axis, σ = sigmaFraction × patch size per axis, scaled so its maximum is 1. Every value is
 * positive (floored at the smallest positive one), so every covered voxel gets a weight.
 */
export function gaussianImportance(patch: Size3, sigmaFraction: number): Float32Array {
  const axis = (size: number) => {
    const centre = Math.floor(size / 2);
    const sigma = size * sigmaFraction;
    return Float64Array.from({ length: size }, (_, index) => (sigma > 0 ? Math.exp(-((index - centre) ** 2) / (2 * sigma * sigma)) : 1));
  };
  const [depth, height, width] = [axis(patch[0]), axis(patch[1]), axis(patch[2])];
  const weights = new Float32Array(patch[0] * patch[1] * patch[2]);
  let index = 0;
  for (const z of depth) for (const y of height) for (const x of width) weights[index++] = z * y * x;
  let smallest = Infinity;
  for (const weight of weights) if (weight > 0 && weight < smallest) smallest = weight;
  for (let position = 0; position < weights.length; position += 1) if (weights[position] === 0) weights[position] = smallest;
  return weights;
}

/** Symmetric padding of each axis up to `target`: [before, after] per axis (the extra voxel after). */
export function paddingTo(size: Size3, target: Size3): [number, number][] {
  return size.map((length, axis) => {
    const total = Math.max(0, target[axis]! - length);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
  });
}

/** Copies a [C][d][h][w] block between arrays: from `source` (size `from`) at `at` into `target` (size `to`) at `into`. */
export function copyBlock(source: Float32Array, from: Size3, at: Size3, target: Float32Array, to: Size3, into: Size3, block: Size3, channels: number): void {
  for (let channel = 0; channel < channels; channel += 1) {
    for (let z = 0; z < block[0]; z += 1) {
      for (let y = 0; y < block[1]; y += 1) {
        const read = ((channel * from[0] + at[0] + z) * from[1] + at[1] + y) * from[2] + at[2];
        const write = ((channel * to[0] + into[0] + z) * to[1] + into[1] + y) * to[2] + into[2];
        target.set(source.subarray(read, read + block[2]), write);
      }
    }
  }
}

/** A copy of a [C][D][H][W] array reversed along the given axes (0 = D, 1 = H, 2 = W). */
export function flip(data: Float32Array, channels: number, size: Size3, axes: readonly number[]): Float32Array {
  if (axes.length === 0) return data.slice();
  const [depth, height, width] = size;
  const [flipZ, flipY, flipX] = [axes.includes(0), axes.includes(1), axes.includes(2)];
  const result = new Float32Array(data.length);
  for (let channel = 0; channel < channels; channel += 1) {
    for (let z = 0; z < depth; z += 1) {
      const sourceZ = flipZ ? depth - 1 - z : z;
      for (let y = 0; y < height; y += 1) {
        const sourceY = flipY ? height - 1 - y : y;
        const read = ((channel * depth + sourceZ) * height + sourceY) * width;
        const write = ((channel * depth + z) * height + y) * width;
        if (flipX) for (let x = 0; x < width; x += 1) result[write + x] = data[read + width - 1 - x]!;
        else result.set(data.subarray(read, read + width), write);
      }
    }
  }
  return result;
}

/** Every non-empty subset of the mirror axes (nnU-Net's test-time mirroring combinations), smallest first. */
export function mirrorCombinations(axes: readonly number[]): number[][] {
  const unique = [...new Set(axes)].sort((a, b) => a - b);
  const combinations: number[][] = [];
  for (let mask = 1; mask < 1 << unique.length; mask += 1) combinations.push(unique.filter((_, bit) => mask & (1 << bit)));
  return combinations.sort((a, b) => a.length - b.length);
}

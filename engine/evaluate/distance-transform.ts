import type { Vec3 } from '../io/volume.ts';

/**
 * Exact squared Euclidean distance transform on an anisotropic voxel grid, after Felzenszwalb and
 * Huttenlocher, "Distance transforms of sampled functions" (Theory of Computing, 2012): the squared
 * distance is separable, so one 1-D pass per axis gives the exact 3-D result in O(voxels).
 *
 * `sites`: nonzero where a site is (e.g. a surface voxel), in (i, j, k) order, i fastest.
 * `spacing`: voxel size in mm along i, j, k. Returns, for every voxel, the squared distance in mm²
 * between its centre and the nearest site's centre; Infinity everywhere when there is no site.
 * `out` (same length as `sites`) is reused when given, to spare a large allocation.
 */
export function squaredDistanceToSites(sites: Uint8Array, dims: Vec3, spacing: Vec3, out?: Float64Array): Float64Array {
  const [width, height, depth] = dims;
  const voxels = width * height * depth;
  if (sites.length !== voxels) throw new RangeError(`sites has ${sites.length} values, dims ${dims.join('x')} need ${voxels}`);
  const distances = out ?? new Float64Array(voxels);
  if (distances.length !== voxels) throw new RangeError('out must have one value per voxel');
  alongFirstAxis(sites, width, height * depth, spacing[0], distances);
  const longest = Math.max(height, depth);
  const scratch = { values: new Float64Array(longest), result: new Float64Array(longest), vertices: new Int32Array(longest), bounds: new Float64Array(longest + 1) };
  // j lines: start (i, 0, k), stride width; k lines: start (i, j, 0), stride width * height.
  for (let k = 0; k < depth; k += 1) {
    for (let i = 0; i < width; i += 1) alongLine(distances, k * width * height + i, width, height, spacing[1], scratch);
  }
  // k lines are far apart in memory: copy each (i, k) slab of one j out, run its columns, copy it back.
  const slab = new Float64Array(width * depth);
  for (let j = 0; j < height; j += 1) {
    for (let k = 0; k < depth; k += 1) slab.set(distances.subarray((k * height + j) * width, (k * height + j + 1) * width), k * width);
    for (let i = 0; i < width; i += 1) alongLine(slab, i, width, depth, spacing[2], scratch);
    for (let k = 0; k < depth; k += 1) distances.set(slab.subarray(k * width, (k + 1) * width), (k * height + j) * width);
  }
  return distances;
}

/** First pass: on a binary line the nearest site is found by one scan each way. */
function alongFirstAxis(sites: Uint8Array, width: number, lines: number, step: number, distances: Float64Array): void {
  for (let line = 0; line < lines; line += 1) {
    const start = line * width;
    let last = -Infinity;
    for (let i = 0; i < width; i += 1) {
      if (sites[start + i] !== 0) last = i;
      const gap = (i - last) * step;
      distances[start + i] = gap * gap;
    }
    let next = Infinity;
    for (let i = width - 1; i >= 0; i -= 1) {
      if (sites[start + i] !== 0) next = i;
      const gap = (next - i) * step;
      if (gap * gap < distances[start + i]!) distances[start + i] = gap * gap;
    }
  }
}

interface Scratch {
  values: Float64Array;
  result: Float64Array;
  /** Positions of the parabolas in the lower envelope. */
  vertices: Int32Array;
  /** bounds[n]: where parabola n starts to be the lowest. */
  bounds: Float64Array;
}

/**
 * One line of a later pass: d(q) = min over p of f(p) + (step * (q - p))², by the lower envelope of
 * the parabolas rooted at the finite f(p). Reads and writes `count` values from `start` by `stride`.
 */
function alongLine(distances: Float64Array, start: number, stride: number, count: number, step: number, scratch: Scratch): void {
  const { values, result, vertices, bounds } = scratch;
  const weight = step * step;
  let parabolas = 0;
  for (let q = 0; q < count; q += 1) {
    const value = distances[start + q * stride]!;
    values[q] = value;
    if (value === Infinity) continue;
    let from = -Infinity;
    while (parabolas > 0) {
      const p = vertices[parabolas - 1]!;
      // Where the parabola at q becomes lower than the one at p (p < q).
      from = (value + weight * q * q - (values[p]! + weight * p * p)) / (2 * weight * (q - p));
      if (from <= bounds[parabolas - 1]!) parabolas -= 1;
      else break;
    }
    if (parabolas === 0) from = -Infinity;
    vertices[parabolas] = q;
    bounds[parabolas] = from;
    parabolas += 1;
  }
  if (parabolas === 0) return; // no site on this line: stays Infinity
  bounds[parabolas] = Infinity;
  let current = 0;
  for (let q = 0; q < count; q += 1) {
    while (bounds[current + 1]! <= q) current += 1;
    const p = vertices[current]!;
    result[q] = values[p]! + weight * (q - p) * (q - p);
  }
  for (let q = 0; q < count; q += 1) distances[start + q * stride] = result[q]!;
}

import { type HeapKernelCall, defineHeapKernel, single } from './heap-kernel.ts';

/**
 * Kernels that move NDHWC data between resolutions: 2x2x2 max pooling, 2x trilinear upsampling
 * and the 2x2x2 space <-> depth rearrangement behind the stride-2 transposed convolution.
 * tfjs 4.22's wasm MaxPool3D is wrong for all-negative windows and tfjs has no 3D resize.
 */

type Shape5 = [number, number, number, number, number];

/** x [n, d, h, w, c] (even d, h, w) -> [n, d/2, h/2, w/2, c], max over each 2x2x2 window. */
export const maxPool3dForward = defineHeapKernel<Record<string, never>>({
  name: 'VoxNAS.MaxPool3d',
  gradient: {
    inputsToSave: [0],
    gradients: ([dy], [x]) => [() => single(maxPool3dBackward([dy!, x!], {}))],
  },
  outputShapes: ([shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    return [[n, d / 2, h / 2, w / 2, c]];
  },
  compute: ([x], [y], [shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    const input = x!;
    const output = y!;
    const offsets = windowOffsets(h, w, c);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let z = 0; z < d; z += 2) {
        for (let yy = 0; yy < h; yy += 2) {
          for (let xx = 0; xx < w; xx += 2) {
            const corner = (((b * d + z) * h + yy) * w + xx) * c;
            for (let k = 0; k < c; k++, o++) {
              let best = input[corner + k]!;
              for (let j = 1; j < 8; j++) {
                const v = input[corner + offsets[j]! + k]!;
                if (v > best || Number.isNaN(v)) best = v;
              }
              output[o] = best;
            }
          }
        }
      }
    }
  },
});

/** Offsets of the 8 window elements from the window's first corner, in (z, y, x) order. */
function windowOffsets(h: number, w: number, c: number): Int32Array {
  const offsets = new Int32Array(8);
  for (let j = 0; j < 8; j++) offsets[j] = ((j >> 2) * h * w + ((j >> 1) & 1) * w + (j & 1)) * c;
  return offsets;
}

/**
 * Gradient of maxPool3dForward: inputs dy, x; each window's gradient goes to the first element
 * (in z, y, x order) that holds the maximum, as PyTorch does; the others get zero.
 */
export const maxPool3dBackward = defineHeapKernel<Record<string, never>>({
  name: 'VoxNAS.MaxPool3dGrad',
  outputShapes: ([, shape]) => [shape!],
  compute: ([dy, x], [dx], [, shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    const grad = dy!;
    const input = x!;
    const output = dx!;
    const offsets = windowOffsets(h, w, c);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let z = 0; z < d; z += 2) {
        for (let yy = 0; yy < h; yy += 2) {
          for (let xx = 0; xx < w; xx += 2) {
            const corner = (((b * d + z) * h + yy) * w + xx) * c;
            for (let k = 0; k < c; k++, o++) {
              let best = input[corner + k]!;
              let at = 0;
              for (let j = 1; j < 8; j++) {
                const v = input[corner + offsets[j]! + k]!;
                if (v > best) {
                  best = v;
                  at = j;
                }
              }
              for (let j = 0; j < 8; j++) output[corner + offsets[j]! + k] = j === at ? grad[o]! : 0;
            }
          }
        }
      }
    }
  },
});

/**
 * One axis of 2x linear upsampling with half-pixel centres (align_corners = false), the source
 * coordinate clamped to the volume as PyTorch and ONNX Resize do:
 *   out[2i] = 0.75 x[i] + 0.25 x[max(i - 1, 0)],  out[2i + 1] = 0.75 x[i] + 0.25 x[min(i + 1, n - 1)]
 * src is [outer, n, inner] and dst is [outer, 2n, inner].
 */
function upsampleAxis(src: Float32Array, dst: Float32Array, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const s = o * n * inner;
    const t = o * 2 * n * inner;
    for (let i = 0; i < n; i++) {
      const here = s + i * inner;
      const before = s + Math.max(i - 1, 0) * inner;
      const after = s + Math.min(i + 1, n - 1) * inner;
      const even = t + 2 * i * inner;
      const odd = even + inner;
      for (let k = 0; k < inner; k++) {
        const v = 0.75 * src[here + k]!;
        dst[even + k] = v + 0.25 * src[before + k]!;
        dst[odd + k] = v + 0.25 * src[after + k]!;
      }
    }
  }
}

/** Adjoint of upsampleAxis: src (gradient) is [outer, 2n, inner], dst is [outer, n, inner]. */
function upsampleAxisAdjoint(src: Float32Array, dst: Float32Array, outer: number, n: number, inner: number): void {
  dst.fill(0);
  for (let o = 0; o < outer; o++) {
    const s = o * 2 * n * inner;
    const t = o * n * inner;
    for (let i = 0; i < n; i++) {
      const here = t + i * inner;
      const before = t + Math.max(i - 1, 0) * inner;
      const after = t + Math.min(i + 1, n - 1) * inner;
      const even = s + 2 * i * inner;
      const odd = even + inner;
      for (let k = 0; k < inner; k++) {
        const e = src[even + k]!;
        const d = src[odd + k]!;
        dst[here + k]! += 0.75 * (e + d);
        dst[before + k]! += 0.25 * e;
        dst[after + k]! += 0.25 * d;
      }
    }
  }
}

/** x [n, d, h, w, c] -> [n, 2d, 2h, 2w, c], trilinear, half-pixel centres. */
export const upsampleForward = defineHeapKernel<Record<string, never>>({
  name: 'VoxNAS.UpsampleTrilinear2x',
  gradient: { gradients: ([dy]) => [() => single(upsampleBackward([dy!], {}))] },
  outputShapes: ([shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    return [[n, 2 * d, 2 * h, 2 * w, c]];
  },
  compute: ([x], [y], [shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    const alongW = new Float32Array(n * d * h * 2 * w * c);
    upsampleAxis(x!, alongW, n * d * h, w, c);
    const alongH = new Float32Array(n * d * 2 * h * 2 * w * c);
    upsampleAxis(alongW, alongH, n * d, h, 2 * w * c);
    upsampleAxis(alongH, y!, n, d, 4 * h * w * c);
  },
});

/** Gradient of upsampleForward: input dy [n, 2d, 2h, 2w, c] -> dx [n, d, h, w, c]. */
export const upsampleBackward = defineHeapKernel<Record<string, never>>({
  name: 'VoxNAS.UpsampleTrilinear2xGrad',
  outputShapes: ([shape]) => {
    const [n, d, h, w, c] = shape as Shape5;
    return [[n, d / 2, h / 2, w / 2, c]];
  },
  compute: ([dy], [dx], [shape]) => {
    const [n, d2, h2, w2, c] = shape as Shape5;
    const [d, h, w] = [d2 / 2, h2 / 2, w2 / 2];
    const alongD = new Float32Array(n * d * h2 * w2 * c);
    upsampleAxisAdjoint(dy!, alongD, n, d, h2 * w2 * c);
    const alongH = new Float32Array(n * d * h * w2 * c);
    upsampleAxisAdjoint(alongD, alongH, n * d, h, w2 * c);
    upsampleAxisAdjoint(alongH, dx!, n * d * h, w, c);
  },
});

export interface SpaceDepthAttrs {
  /** Shape [n, d, h, w] of the coarse grid. */
  grid: number[];
}

/**
 * z [n*d*h*w, 8 * c] -> y [n, 2d, 2h, 2w, c] with y[b, 2z + i, 2y + j, 2x + k, ci] =
 * z[(b, z, y, x), ((i * 2 + j) * 2 + k) * c + ci]; the rearrangement after the matmul of a
 * 2x2x2 stride-2 transposed convolution.
 */
export const depthToSpace3d: HeapKernelCall<SpaceDepthAttrs> = defineHeapKernel<SpaceDepthAttrs>({
  name: 'VoxNAS.DepthToSpace3d',
  gradient: { gradients: ([dy], _saved, attrs) => [() => single(spaceToDepth3d([dy!], attrs))] },
  outputShapes: ([shape], a) => {
    const [n, d, h, w] = a.grid as [number, number, number, number];
    return [[n, 2 * d, 2 * h, 2 * w, shape![1]! / 8]];
  },
  compute: ([z], [y], [shape], a) => {
    moveBlocks(z!, y!, a.grid, shape![1]! / 8, true);
  },
});

/** Inverse of depthToSpace3d: y [n, 2d, 2h, 2w, c] -> z [n*d*h*w, 8 * c]. */
export const spaceToDepth3d: HeapKernelCall<SpaceDepthAttrs> = defineHeapKernel<SpaceDepthAttrs>({
  name: 'VoxNAS.SpaceToDepth3d',
  gradient: { gradients: ([dy], _saved, attrs) => [() => single(depthToSpace3d([dy!], attrs))] },
  outputShapes: ([shape], a) => {
    const [n, d, h, w] = a.grid as [number, number, number, number];
    return [[n * d * h * w, 8 * shape![4]!]];
  },
  compute: ([y], [z], [shape], a) => {
    moveBlocks(z!, y!, a.grid, shape![4]!, false);
  },
});

function moveBlocks(blocks: Float32Array, volume: Float32Array, grid: number[], c: number, toVolume: boolean): void {
  const [n, d, h, w] = grid as [number, number, number, number];
  const [d2, h2, w2] = [2 * d, 2 * h, 2 * w];
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let z = 0; z < d; z++) {
      for (let yy = 0; yy < h; yy++) {
        for (let xx = 0; xx < w; xx++, row += 8 * c) {
          for (let j = 0; j < 8; j++) {
            const v = (((b * d2 + 2 * z + (j >> 2)) * h2 + 2 * yy + ((j >> 1) & 1)) * w2 + 2 * xx + (j & 1)) * c;
            const r = row + j * c;
            if (toVolume) for (let k = 0; k < c; k++) volume[v + k] = blocks[r + k]!;
            else for (let k = 0; k < c; k++) blocks[r + k] = volume[v + k]!;
          }
        }
      }
    }
  }
}

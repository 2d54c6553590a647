import { defineHeapKernel } from './heap-kernel.ts';

/**
 * Data movement for 3D convolution written as 2D convolution (see conv3d-wasm.ts).
 * All tensors are NDHWC float32.
 */

export interface DepthColumnsAttrs {
  outDepth: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  /** 2 reads the input as if a zero were inserted between depth slices (transposed convolution). */
  inputDilation: number;
}

/** Input depth slice read by output slice q and depth tap t, or -1 where that is padding. */
function sourceDepth(q: number, t: number, depth: number, a: DepthColumnsAttrs): number {
  const position = q * a.stride + t * a.dilation - a.padBefore;
  if (position < 0 || position % a.inputDilation !== 0) return -1;
  const slice = position / a.inputDilation;
  return slice < depth ? slice : -1;
}

/**
 * Folds the depth taps into channels: x [n, d, h, w, c] -> [n * outDepth, h, w, kernel * c] with
 * out[b * outDepth + q, y, x, t * c + ci] = x[b, q * stride + t * dilation - padBefore, y, x, ci]
 * (zero outside the volume). A 2D convolution over (h, w) of the result with the filter
 * [kh, kw, kd * c, cout] is the 3D convolution.
 */
export const depthColumns = defineHeapKernel<DepthColumnsAttrs>({
  name: 'VoxNAS.DepthColumns',
  outputShapes: ([shape], a) => {
    const [n, , h, w, c] = shape as [number, number, number, number, number];
    return [[n * a.outDepth, h, w, a.kernel * c]];
  },
  compute: ([x], [out], [shape], a) => {
    const [n, d, h, w, c] = shape as [number, number, number, number, number];
    const input = x as Float32Array;
    const output = out as Float32Array;
    const plane = h * w;
    const columns = a.kernel * c;
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < a.outDepth; q++) {
        const outBase = (b * a.outDepth + q) * plane * columns;
        for (let t = 0; t < a.kernel; t++) {
          const slice = sourceDepth(q, t, d, a);
          let o = outBase + t * c;
          if (slice < 0) {
            for (let p = 0; p < plane; p++, o += columns) output.fill(0, o, o + c);
            continue;
          }
          let s = (b * d + slice) * plane * c;
          if (columns === c) {
            output.set(input.subarray(s, s + plane * c), o);
          } else if (c % 4 === 0) {
            // Unrolled by 4: element copies are the whole cost of this kernel.
            for (let p = 0; p < plane; p++, o += columns, s += c) {
              for (let ci = 0; ci < c; ci += 4) {
                output[o + ci] = input[s + ci]!;
                output[o + ci + 1] = input[s + ci + 1]!;
                output[o + ci + 2] = input[s + ci + 2]!;
                output[o + ci + 3] = input[s + ci + 3]!;
              }
            }
          } else {
            for (let p = 0; p < plane; p++, o += columns, s += c) {
              for (let ci = 0; ci < c; ci++) output[o + ci] = input[s + ci]!;
            }
          }
        }
      }
    }
  },
});

export interface FilterGradColumnsAttrs extends DepthColumnsAttrs {
  padTop: number;
  padLeft: number;
  /** Padded and cropped height: (kh - 1) * dilation + (outHeight - 1) * stride + 1. */
  height: number;
  width: number;
}

/**
 * The input side of the filter gradient as one 2D convolution: x [n, d, h, w, c] ->
 * A [kernel * c, height, width, n * outDepth] with
 * A[t * c + ci, y, x, b * outDepth + q] = x[b, depth(q, t), y - padTop, x - padLeft, ci].
 * conv2d(A, dy as [outH, outW, n * outDepth, cout], strides = dilation, dilations = stride, valid)
 * then sums over (b, q, oy, ox) and gives dFilter as [kd * c, kh, kw, cout].
 */
export const filterGradColumns = defineHeapKernel<FilterGradColumnsAttrs>({
  name: 'VoxNAS.FilterGradColumns',
  outputShapes: ([shape], a) => {
    const [n, , , , c] = shape as [number, number, number, number, number];
    return [[a.kernel * c, a.height, a.width, n * a.outDepth]];
  },
  compute: ([x], [out], [shape], a) => {
    const [n, d, h, w, c] = shape as [number, number, number, number, number];
    const input = x as Float32Array;
    const output = out as Float32Array;
    const rows = n * a.outDepth;
    const channelStride = a.height * a.width * rows;
    // planes[t * rows + r]: offset of the input depth slice read by row r and tap t, -1 for padding.
    const planes = new Int32Array(rows * a.kernel);
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < a.outDepth; q++) {
        for (let t = 0; t < a.kernel; t++) {
          const slice = sourceDepth(q, t, d, a);
          planes[t * rows + b * a.outDepth + q] = slice < 0 ? -1 : (b * d + slice) * h * w * c;
        }
      }
    }
    // For one pixel, each (row, tap) reads c contiguous values and writes them to c channel
    // planes at the same position; the planes advance together as rows go on. (Reading rows
    // innermost instead strides the input by h * w * c, a power of two: cache-set thrashing.)
    for (let y = 0; y < a.height; y++) {
      const sy = y - a.padTop;
      for (let xx = 0; xx < a.width; xx++) {
        const sx = xx - a.padLeft;
        const pixel = (y * a.width + xx) * rows;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          for (let k = 0; k < a.kernel * c; k++) output.fill(0, k * channelStride + pixel, k * channelStride + pixel + rows);
          continue;
        }
        const sourcePixel = (sy * w + sx) * c;
        for (let t = 0; t < a.kernel; t++) {
          const first = t * c * channelStride + pixel;
          for (let r = 0; r < rows; r++) {
            const plane = planes[t * rows + r]!;
            let o = first + r;
            if (plane < 0) {
              for (let ci = 0; ci < c; ci++, o += channelStride) output[o] = 0;
              continue;
            }
            const s = plane + sourcePixel;
            for (let ci = 0; ci < c; ci++, o += channelStride) output[o] = input[s + ci]!;
          }
        }
      }
    }
  },
});

export interface ZeroInsertAttrs {
  factor: number;
}

/** [r, h, w, c] -> [r, (h - 1) * factor + 1, (w - 1) * factor + 1, c], zeros between elements. */
export const zeroInsert2d = defineHeapKernel<ZeroInsertAttrs>({
  name: 'VoxNAS.ZeroInsert2d',
  outputShapes: ([shape], a) => {
    const [r, h, w, c] = shape as [number, number, number, number];
    return [[r, (h - 1) * a.factor + 1, (w - 1) * a.factor + 1, c]];
  },
  compute: ([x], [out], [shape], a) => {
    const [r, h, w, c] = shape as [number, number, number, number];
    const input = x as Float32Array;
    const output = out as Float32Array;
    const outH = (h - 1) * a.factor + 1;
    const outW = (w - 1) * a.factor + 1;
    output.fill(0);
    for (let b = 0; b < r; b++) {
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const s = ((b * h + y) * w + xx) * c;
          const o = ((b * outH + y * a.factor) * outW + xx * a.factor) * c;
          for (let ci = 0; ci < c; ci++) output[o + ci] = input[s + ci]!;
        }
      }
    }
  },
});

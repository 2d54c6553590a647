/**
 * Layout conversions between tfjs (channels last: activations NDHWC, kernels [kd,kh,kw,cin,cout])
 * and ONNX (channels first: activations NCDHW, Conv weights [cout,cin,kd,kh,kw]). All arrays are
 * dense, row-major (the last axis varies fastest).
 */

/** Rank-5 shape. */
export type Shape5 = [number, number, number, number, number];

/**
 * Transposes a dense rank-5 array: output axis i is input axis `permutation[i]` (numpy's
 * `transpose(permutation)`), so the output shape is `permutation.map((axis) => shape[axis])`.
 */
export function transpose5(data: Float32Array, shape: Shape5, permutation: Shape5): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`transpose5: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  const strides = [shape[1] * shape[2] * shape[3] * shape[4], shape[2] * shape[3] * shape[4], shape[3] * shape[4], shape[4], 1];
  const outShape = permutation.map((axis) => shape[axis]!);
  const step = permutation.map((axis) => strides[axis]!);
  const out = new Float32Array(size);
  let index = 0;
  for (let a = 0; a < outShape[0]!; a += 1) {
    for (let b = 0; b < outShape[1]!; b += 1) {
      for (let c = 0; c < outShape[2]!; c += 1) {
        const base = a * step[0]! + b * step[1]! + c * step[2]!;
        for (let d = 0; d < outShape[3]!; d += 1) {
          const row = base + d * step[3]!;
          for (let e = 0; e < outShape[4]!; e += 1) out[index++] = data[row + e * step[4]!]!;
        }
      }
    }
  }
  return out;
}

/**
 * tfjs kernel -> ONNX weight. conv3d [kd,kh,kw,cin,cout] -> Conv [cout,cin,kd,kh,kw]; conv3dTranspose
 * [kd,kh,kw,cout,cin] -> ConvTranspose [cin,cout,kd,kh,kw]: the same permutation, and no kernel flip
 * (both frameworks define the transposed convolution as the gradient of the same correlation).
 */
export const KERNEL_TO_ONNX: Shape5 = [4, 3, 0, 1, 2];

export function kernelToOnnx(kernel: Float32Array, tfjsShape: Shape5): Float32Array {
  return transpose5(kernel, tfjsShape, KERNEL_TO_ONNX);
}

/** Activations NDHWC (shape [N, D, H, W, C]) -> NCDHW. */
export function ndhwcToNcdhw(data: Float32Array, shape: Shape5): Float32Array {
  return transpose5(data, shape, [0, 4, 1, 2, 3]);
}

/** Activations NCDHW (shape [N, C, D, H, W]) -> NDHWC. */
export function ncdhwToNdhwc(data: Float32Array, shape: Shape5): Float32Array {
  return transpose5(data, shape, [0, 2, 3, 4, 1]);
}

/**
 * Geometry of one spatial axis of a convolution with TensorFlow's 'same' padding, shared by every
 * implementation so that they agree on sizes and pads (and the ONNX exporter can write the same
 * explicit pads).
 *
 * TF 'same': out = ceil(in / stride); the total padding is what makes the last window fit, and
 * when it is odd the extra element goes at the END (PyTorch pads symmetrically: not the same for
 * stride 2 with even kernels or odd totals).
 */
export interface AxisGeometry {
  inSize: number;
  outSize: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
}

export function sameAxis(inSize: number, kernel: number, stride: number, dilation: number): AxisGeometry {
  const effective = (kernel - 1) * dilation + 1;
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  const padBefore = Math.floor(total / 2);
  return { inSize, outSize, kernel, stride, dilation, padBefore, padAfter: total - padBefore };
}

/**
 * The axis of the convolution that computes the input gradient of `forward`: it runs over the
 * output gradient with `stride - 1` zeros inserted between elements (inputDilation), the kernel
 * flipped, stride 1, and pads chosen so that it returns exactly `forward.inSize` elements.
 * Both pads are >= 0 for every 'same' geometry (see the decision record 0008).
 */
export interface TransposedAxis {
  /** Length of the output gradient before zero insertion. */
  inSize: number;
  /** Zero-inserted length: (inSize - 1) * inputDilation + 1. */
  dilatedSize: number;
  inputDilation: number;
  outSize: number;
  kernel: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
}

export function transposedAxis(forward: AxisGeometry): TransposedAxis {
  const span = (forward.kernel - 1) * forward.dilation;
  const dilatedSize = (forward.outSize - 1) * forward.stride + 1;
  const padBefore = span - forward.padBefore;
  const padAfter = forward.inSize - 1 + forward.padBefore - (forward.outSize - 1) * forward.stride;
  return {
    inSize: forward.outSize,
    dilatedSize,
    inputDilation: forward.stride,
    outSize: forward.inSize,
    kernel: forward.kernel,
    dilation: forward.dilation,
    padBefore,
    padAfter,
  };
}

export interface Conv3dGeometry {
  depth: AxisGeometry;
  height: AxisGeometry;
  width: AxisGeometry;
}

/** Shape [kd, kh, kw] of a filter [kd, kh, kw, cin, cout] against input [n, d, h, w, c]. */
export function conv3dGeometry(
  inputShape: readonly number[],
  kernel: readonly number[],
  stride: number,
  dilation: number,
): Conv3dGeometry {
  const [, d, h, w] = inputShape as [number, number, number, number, number];
  const [kd, kh, kw] = kernel as [number, number, number];
  return {
    depth: sameAxis(d, kd, stride, dilation),
    height: sameAxis(h, kh, stride, dilation),
    width: sameAxis(w, kw, stride, dilation),
  };
}

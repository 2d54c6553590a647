import type { Triple } from '../network/spec.ts';

/**
 * TensorFlow's 'same' padding as ONNX explicit pads [d_begin, h_begin, w_begin, d_end, h_end, w_end].
 *
 * TF pads an axis of size n by total = max((ceil(n / s) - 1) * s + k_eff - n, 0), where
 * k_eff = (k - 1) * dilation + 1, and puts floor(total / 2) before and the rest after (so an odd
 * total puts the extra voxel at the end). When n is a multiple of the stride s that is
 * max(k_eff - s, 0), independent of n: exact for every size the network accepts, because sizes are
 * multiples of the size divisor and a stride-2 layer always sees an even size. We never write
 * `auto_pad` (onnxruntime refuses SAME_UPPER together with dilations > 1).
 */
export function samePads(kernel: Triple, dilation: number, stride: number): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  for (const size of kernel) {
    const total = Math.max((size - 1) * dilation + 1 - stride, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

import * as tf from '@tensorflow/tfjs';
import { type Conv3dGeometry, conv3dGeometry, transposedAxis } from '../conv-geometry.ts';
import { depthColumns, filterGradColumns, zeroInsert2d } from './conv-kernels.ts';
import { registerKernelGradient, runNamedKernel, single } from './heap-kernel.ts';

/**
 * 3D convolution on the wasm backend, made only of 2D convolutions (XNNPACK: fast and correct)
 * and JS gathers on the heap. tfjs 4.22's wasm Conv3D gradients are wrong, so none of its 3D
 * kernels is used.
 *
 * forward:   fold the kd depth taps into channels, one conv2d with filter [kh, kw, kd * cin, cout]
 * d input:   the same on the output gradient (zeros inserted for stride 2), filter flipped
 * d filter:  one conv2d whose "image" is the input (taps x channels as batch, rows as channels)
 *            and whose "kernel" is the output gradient; see filterGradColumns.
 */

type Tensor5D = tf.Tensor5D;

// Filter rearrangements use rank <= 4 views: tfjs 4.22's wasm Transpose and Reverse are an
// order of magnitude slower at rank 5 (about 1 ms for a 3x3x3x32x32 filter).

/** [kd, kh, kw, cin, cout] -> [kh, kw, kd * cin, cout], matching depthColumns' channel order. */
function filter2d(filter: Tensor5D): tf.Tensor4D {
  const [kd, kh, kw, cin, cout] = filter.shape;
  const moved = kd === 1 ? filter : tf.transpose(tf.reshape<tf.Rank.R3>(filter, [kd, kh * kw, cin * cout]), [1, 0, 2]);
  return tf.reshape<tf.Rank.R4>(moved, [kh, kw, kd * cin, cout]);
}

/** The filter of the input gradient: spatially flipped, channels swapped: [kd, kh, kw, cout, cin]. */
function flipFilter(filter: Tensor5D): Tensor5D {
  const [kd, kh, kw, cin, cout] = filter.shape;
  const taps = tf.reshape<tf.Rank.R3>(filter, [kd * kh * kw, cin, cout]);
  return tf.reshape(tf.transpose(tf.reverse(taps, 0), [0, 2, 1]), [kd, kh, kw, cout, cin]);
}

function convolve(x: Tensor5D, filter: Tensor5D, g: Conv3dGeometry): Tensor5D {
  const [n, , h, w, c] = x.shape;
  const kd = filter.shape[0];
  const cout = filter.shape[4];
  const { depth, height, width } = g;
  const plain = kd === 1 && depth.stride === 1;
  const columns = plain
    ? tf.reshape<tf.Rank.R4>(x, [n * depth.inSize, h, w, c])
    : (single(
        depthColumns([x], {
          outDepth: depth.outSize,
          kernel: kd,
          stride: depth.stride,
          dilation: depth.dilation,
          padBefore: depth.padBefore,
          inputDilation: 1,
        }),
      ) as tf.Tensor4D);
  const y = tf.conv2d(
    columns,
    filter2d(filter),
    [height.stride, width.stride],
    [
      [0, 0],
      [height.padBefore, height.padAfter],
      [width.padBefore, width.padAfter],
      [0, 0],
    ],
    'NHWC',
    [height.dilation, width.dilation],
  );
  return tf.reshape(y, [n, depth.outSize, height.outSize, width.outSize, cout]);
}

function inputGradient(dy: Tensor5D, filter: Tensor5D, g: Conv3dGeometry): Tensor5D {
  const [n, outD, outH, outW, cout] = dy.shape;
  const [kd, , , cin] = filter.shape;
  const depth = transposedAxis(g.depth);
  const height = transposedAxis(g.height);
  const width = transposedAxis(g.width);
  let spread: Tensor5D = dy;
  if (height.inputDilation > 1 || width.inputDilation > 1) {
    const planes = tf.reshape(dy, [n * outD, outH, outW, cout]);
    const inserted = single(zeroInsert2d([planes], { factor: height.inputDilation }));
    spread = tf.reshape(inserted, [n, outD, height.dilatedSize, width.dilatedSize, cout]);
  }
  const flipped = flipFilter(filter);
  const plain = kd === 1 && depth.inputDilation === 1;
  const columns = plain
    ? tf.reshape<tf.Rank.R4>(spread, [n * outD, height.dilatedSize, width.dilatedSize, cout])
    : (single(
        depthColumns([spread], {
          outDepth: depth.outSize,
          kernel: kd,
          stride: 1,
          dilation: depth.dilation,
          padBefore: depth.padBefore,
          inputDilation: depth.inputDilation,
        }),
      ) as tf.Tensor4D);
  const dx = tf.conv2d(
    columns,
    filter2d(flipped),
    1,
    [
      [0, 0],
      [height.padBefore, height.padAfter],
      [width.padBefore, width.padAfter],
      [0, 0],
    ],
    'NHWC',
    [height.dilation, width.dilation],
  );
  return tf.reshape(dx, [n, depth.outSize, height.outSize, width.outSize, cin]);
}

function filterGradient(x: Tensor5D, dy: Tensor5D, filterShape: number[], g: Conv3dGeometry): Tensor5D {
  const [kd, kh, kw, cin, cout] = filterShape as [number, number, number, number, number];
  const [n, outD, outH, outW] = dy.shape;
  const { depth, height, width } = g;
  const columns = single(
    filterGradColumns([x], {
      outDepth: depth.outSize,
      kernel: kd,
      stride: depth.stride,
      dilation: depth.dilation,
      padBefore: depth.padBefore,
      inputDilation: 1,
      padTop: height.padBefore,
      padLeft: width.padBefore,
      height: (kh - 1) * height.dilation + (outH - 1) * height.stride + 1,
      width: (kw - 1) * width.dilation + (outW - 1) * width.stride + 1,
    }),
  ) as tf.Tensor4D;
  const kernel = tf.transpose(tf.reshape<tf.Rank.R4>(dy, [n * outD, outH, outW, cout]), [1, 2, 0, 3]);
  const grad = tf.conv2d(columns, kernel, [height.dilation, width.dilation], 'valid', 'NHWC', [
    height.stride,
    width.stride,
  ]);
  const moved = tf.transpose(tf.reshape<tf.Rank.R4>(grad, [kd, cin, kh * kw, cout]), [0, 2, 1, 3]);
  return tf.reshape(moved, [kd, kh, kw, cin, cout]);
}

const KERNEL = 'VoxNAS.Conv3d';

interface Conv3dAttrs {
  stride: number;
  dilation: number;
}

function geometryOf(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: Conv3dAttrs): Conv3dGeometry {
  return conv3dGeometry(x.shape, filter.shape, attrs.stride, attrs.dilation);
}

/**
 * Registered as a kernel with a registered gradient (not tf.customGrad) so that the tape asks
 * for the input gradient only when something needs it: never for the network's input, where it
 * would be the most expensive convolution of the step (cout -> 1 channel).
 * The kernel function composes tfjs ops; kernels run with the tape off, and the tidy keeps only
 * the output.
 */
if (tf.getKernel(KERNEL, 'wasm') === undefined) {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const x = inputs.x0 as Tensor5D;
      const filter = inputs.x1 as Tensor5D;
      return tf.tidy(() => convolve(x, filter, geometryOf(x, filter, attrs as unknown as Conv3dAttrs)));
    },
  });
  registerKernelGradient<Conv3dAttrs>(
    KERNEL,
    {
      inputsToSave: [0, 1],
      gradients: ([dy], [x, filter], attrs) => {
        const geometry = geometryOf(x!, filter!, attrs);
        const grad = dy as Tensor5D;
        return [
          () => inputGradient(grad, filter as Tensor5D, geometry),
          () => filterGradient(x as Tensor5D, grad, filter!.shape, geometry),
        ];
      },
    },
    1,
  );
}

/** Contract as ops3d.conv3d (stride and dilation already validated, not both > 1). */
export function conv3dWasm(x: Tensor5D, filter: Tensor5D, stride: number, dilation: number): Tensor5D {
  return runNamedKernel(KERNEL, [x, filter], { stride, dilation })[0] as Tensor5D;
}

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A kernel written in plain JavaScript that reads and writes the WebAssembly backend's heap in
 * place (no copies in or out). Used for memory-bound work (gathers, normalization, pooling,
 * resampling, the loss) where one fused pass beats a chain of tfjs kernels, and for 3D work whose
 * wasm kernels are wrong. Registered for the 'wasm' backend only.
 *
 * Contract for `compute`: inputs are float32 and must not be written; every element of every
 * output must be written (outputs come from malloc, not zeroed).
 *
 * With `gradient`, the kernel gets a registered gradient (tf.registerGradient): the tape then
 * calls only the thunks of inputs that need a gradient (customGrad would compute them all).
 */
export interface HeapKernel<A extends object> {
  name: string;
  /** Number of outputs (1 when absent); must match outputShapes. */
  outputCount?: number;
  outputShapes(inputShapes: number[][], attrs: A): number[][];
  compute(inputs: Float32Array[], outputs: Float32Array[], inputShapes: number[][], attrs: A): void;
  gradient?: KernelGradient<A>;
}

export interface KernelGradient<A extends object> {
  /** Input indices, then output indices, kept for the backward pass, in that order in `saved`. */
  inputsToSave?: number[];
  outputsToSave?: number[];
  /** One thunk per input; `dys` has one entry per output (zeros where an output is unused). */
  gradients(dys: tf.Tensor[], saved: tf.Tensor[], attrs: A): Array<() => tf.Tensor>;
}

export type HeapKernelCall<A extends object> = (inputs: tf.Tensor[], attrs: A) => tf.Tensor[];

const inputName = (index: number): string => `x${index}`;

function orderedInputs(inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const count = Object.keys(inputs).length;
  const list: tf.TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const info = inputs[inputName(i)];
    if (info === undefined) throw new Error(`heap kernel: missing input ${i}`);
    list.push(info);
  }
  return list;
}

/** Registers a gradient for a kernel whose inputs are named x0, x1, ... (see runNamedKernel). */
export function registerKernelGradient<A extends object>(kernelName: string, gradient: KernelGradient<A>, outputCount: number): void {
  const outputsToSave = gradient.outputsToSave;
  tf.registerGradient({
    kernelName,
    inputsToSave: (gradient.inputsToSave ?? []).map(inputName),
    outputsToSave:
      outputsToSave === undefined ? [] : Array.from({ length: outputCount }, (_, i) => outputsToSave.includes(i)),
    gradFunc: (dy, saved, attrs) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const thunks = gradient.gradients(dys, saved, attrs as unknown as A);
      return Object.fromEntries(thunks.map((thunk, i) => [inputName(i), thunk]));
    },
  });
}

/** Runs a registered kernel with positional inputs (named x0, x1, ...). */
export function runNamedKernel(kernelName: string, inputs: tf.Tensor[], attrs: object): tf.Tensor[] {
  const named: tf.NamedTensorMap = {};
  inputs.forEach((tensor, i) => {
    named[inputName(i)] = tensor;
  });
  const result = tf.engine().runKernel(kernelName, named, attrs as tf.NamedAttrMap);
  return Array.isArray(result) ? (result as tf.Tensor[]) : [result as tf.Tensor];
}

/** Registers the kernel (once) and returns a function that runs it on the active backend. */
export function defineHeapKernel<A extends object>(kernel: HeapKernel<A>): HeapKernelCall<A> {
  if (tf.getKernel(kernel.name, 'wasm') === undefined) {
    tf.registerKernel({
      kernelName: kernel.name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wasm = backend as BackendWasm;
        const infos = orderedInputs(inputs);
        for (const info of infos) {
          if (info.dtype !== 'float32') throw new Error(`${kernel.name}: float32 inputs only, got ${info.dtype}`);
        }
        const shapes = infos.map((info) => info.shape);
        const outputs = kernel
          .outputShapes(shapes, attrs as unknown as A)
          .map((shape) => wasm.makeOutput(shape, 'float32'));
        // Views are taken after every allocation: growing the heap detaches older views.
        const inViews = infos.map((info) => wasm.typedArrayFromHeap(info) as Float32Array);
        const outViews = outputs.map((info) => wasm.typedArrayFromHeap(info) as Float32Array);
        kernel.compute(inViews, outViews, shapes, attrs as unknown as A);
        return outputs;
      },
    });
    if (kernel.gradient !== undefined) registerKernelGradient(kernel.name, kernel.gradient, kernel.outputCount ?? 1);
  }
  return (inputs, attrs) => runNamedKernel(kernel.name, inputs, attrs);
}

/** First output of a single-output kernel call. */
export function single(outputs: tf.Tensor[]): tf.Tensor {
  const [first] = outputs;
  if (first === undefined) throw new Error('heap kernel returned no output');
  return first;
}

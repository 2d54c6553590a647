/**
 * Parity check of an exported model: run it in onnxruntime-node (CPU) and compare its
 * probabilities with those the training framework computed for the same input.
 *
 * Contract: everything is NCDHW, as the ONNX model sees it. `input` is [N, C, D, H, W];
 * `expectedProbabilities` is [N, classes, D, H, W] in the same order. The tfjs executor works in
 * NDHWC: convert both with ndhwcToNcdhw (engine/export/layout.ts) before calling.
 */
import * as ort from 'onnxruntime-node';
import type { Shape5 } from './layout.ts';
import { ONNX_INPUT, ONNX_OUTPUT } from './export-onnx.ts';

/** Largest absolute difference in probability that still passes. */
export const PARITY_TOLERANCE = 1e-4;

export interface ParityInput {
  /** NCDHW values. */
  data: Float32Array;
  /** [N, C, D, H, W]. */
  shape: Shape5;
}

export interface ParityResult {
  /** max |onnx - expected| over every probability. */
  maxAbsDifference: number;
  /** maxAbsDifference <= tolerance (and nothing was NaN). */
  passed: boolean;
  tolerance: number;
  /** The ONNX output's shape, [N, classes, D, H, W]. */
  outputShape: number[];
  /** Flat NCDHW index of the largest difference. */
  worstIndex: number;
}

/** Runs the model on `input` and compares with `expectedProbabilities` (both NCDHW, see above). */
export async function verifyOnnxParity(modelBytes: Uint8Array, input: ParityInput, expectedProbabilities: Float32Array, options: { tolerance?: number } = {}): Promise<ParityResult> {
  const tolerance = options.tolerance ?? PARITY_TOLERANCE;
  const size = input.shape.reduce((a, b) => a * b, 1);
  if (input.data.length !== size) throw new Error(`verifyOnnxParity: input has ${input.data.length} values, shape [${input.shape.join(', ')}] needs ${size}`);
  const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['cpu'] });
  try {
    const results = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input.data, input.shape) });
    const output = results[ONNX_OUTPUT];
    if (!output) throw new Error(`verifyOnnxParity: the model has no output "${ONNX_OUTPUT}"`);
    const actual = output.data as Float32Array;
    if (actual.length !== expectedProbabilities.length) {
      throw new Error(`verifyOnnxParity: the model gives ${actual.length} probabilities (shape [${output.dims.join(', ')}]), ${expectedProbabilities.length} were expected: both must be NCDHW [N, classes, D, H, W]`);
    }
    let maxAbsDifference = 0;
    let worstIndex = 0;
    let finite = true;
    for (let index = 0; index < actual.length; index += 1) {
      const difference = Math.abs(actual[index]! - expectedProbabilities[index]!);
      if (Number.isNaN(difference)) finite = false;
      else if (difference > maxAbsDifference) {
        maxAbsDifference = difference;
        worstIndex = index;
      }
    }
    return { maxAbsDifference: finite ? maxAbsDifference : Number.NaN, passed: finite && maxAbsDifference <= tolerance, tolerance, outputShape: [...output.dims], worstIndex };
  } finally {
    await session.release();
  }
}

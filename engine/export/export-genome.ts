import * as tf from '@tensorflow/tfjs';
import type { Genome } from '../api/genome.ts';
import type { OnnxMetadata } from '../api/onnx-metadata.ts';
import type { ChoicePath } from '../network/cost-model.ts';
import { decodeGenome, type DecodeContext } from '../network/decode.ts';
import { createWeights, forward, initialWeightValues } from '../network/executor.ts';
import { specParams } from '../network/spec.ts';
import { createRandom } from '../runtime/random.ts';
import { exportOnnx } from './export-onnx.ts';
import { ndhwcToNcdhw } from './layout.ts';
import { verifyOnnxParity, type ParityResult } from './verify-parity.ts';

export interface GenomeExport {
  model: Uint8Array;
  archId: string;
  /** Present when verification was asked for. */
  parity?: ParityResult & { backend: string; inputShape: number[] };
}

/**
 * Exports a genome with given weights (or seeded random ones) to ONNX and, on request, checks that
 * onnxruntime-node gives the same probabilities as the tfjs executor on a random input.
 */
export async function exportGenome(
  genome: Genome,
  context: DecodeContext,
  metadata: Omit<OnnxMetadata, 'genome'>,
  options: { weights?: Map<string, Float32Array>; path?: ChoicePath; verify?: boolean; seed?: string } = {},
): Promise<GenomeExport> {
  const spec = decodeGenome(genome, context);
  const values = options.weights ?? initialWeightValues(specParams(spec), createRandom(options.seed ?? 'export'));
  const model = exportOnnx(spec, values, { ...metadata, genome }, options.path ? { path: options.path } : {});
  if (!options.verify) return { model, archId: spec.archId };
  // A small non-cubic input: exercises the symbolic dims and asymmetric padding. The deepest level sees
  // 2 x 4 x 2 voxels: at 1 x 2 x 1 its instance norms normalize two values, which amplifies float
  // rounding into differences of 1e-2 for trained weights (a search's final model failed parity so).
  const side = Math.max(8, 2 * spec.sizeDivisor);
  const shape: [number, number, number, number, number] = [1, side, side * 2, side, context.inputChannels];
  const random = createRandom('parity-input');
  const inputData = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => random.normal());
  const weights = createWeights(spec, values);
  try {
    const probabilities = tf.tidy(() => tf.softmax(forward(spec, weights, tf.tensor5d(inputData, shape), options.path ? { path: options.path } : {})[0]!));
    const expected = ndhwcToNcdhw((await probabilities.data()) as Float32Array, [shape[0], shape[1], shape[2], shape[3], context.classes]);
    probabilities.dispose();
    const parity = await verifyOnnxParity(model, { data: ndhwcToNcdhw(inputData, shape), shape: [shape[0], shape[4], shape[1], shape[2], shape[3]] }, expected);
    return { model, archId: spec.archId, parity: { ...parity, backend: tf.getBackend(), inputShape: [shape[0], shape[4], shape[1], shape[2], shape[3]] } };
  } finally {
    for (const weight of weights.values()) weight.dispose();
  }
}

/**
 * The 'export' job: export a trained model of the workspace to ONNX again from its genome and
 * weights, check onnxruntime-node against the tfjs executor (parity), and write the checked model
 * atomically to the model folder's model.onnx and, when given, to `destination`. The preprocessing
 * metadata is taken from the model folder's model.onnx, which training wrote from the plan, so the
 * exported file describes the same preprocessing. Nothing is written when the parity check fails.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { selectBackend } from '../backend/select-backend.ts';
import { exportGenome } from '../export/export-genome.ts';
import { fromMetadataProps } from '../export/onnx-metadata-props.ts';
import { readOnnxMetadata } from '../export/read-onnx.ts';
import { InputError } from '../io/input-error.ts';
import { loadGenome } from '../network/load-genome.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { decodeTensorFile } from '../runtime/tensor-file.ts';
import { progress, throwIfCancelled, type JobFunction } from './job-context.ts';
import { ParamProblem, folderName, optional, readParams, type ParamParser } from './job-params.ts';

const onnxPath: ParamParser<string> = (value) =>
  typeof value === 'string' && isAbsolute(value) && value.toLowerCase().endsWith('.onnx') ? value : new ParamProblem('an absolute path of the .onnx file to write');

export function readExportParams(params: Record<string, unknown>): { modelId: string; destination?: string } {
  return readParams<{ modelId: string; destination?: string }>('export', params, {
    modelId: folderName('a model in <workspace>/models/'),
    destination: optional(onnxPath),
  });
}

async function readModelFile(folder: string, name: string): Promise<Uint8Array> {
  return readFile(join(folder, name)).catch(() => {
    throw new InputError(join(folder, name), 'cannot be read', 'Export a model folder written by training (it holds genome.json, weights.vxtf and model.onnx), or train the model again.');
  });
}

export const runExportJob: JobFunction = async (rawParams, context) => {
  const params = readExportParams(rawParams);
  const folder = join(context.workspace, 'models', params.modelId);
  await access(folder).catch(() => {
    throw new InputError(folder, 'does not exist', 'Choose a model listed for this workspace (train one first).');
  });
  const genome = await loadGenome(join(folder, 'genome.json'));
  const [weightBytes, previous] = await Promise.all([readModelFile(folder, 'weights.vxtf'), readModelFile(folder, 'model.onnx')]);
  const metadata = fromMetadataProps(readOnnxMetadata(previous));
  if (!metadata.ok) throw new InputError(join(folder, 'model.onnx'), `has no readable VoxNAS metadata (${metadata.errors.join('; ')})`, 'Train the model again to rewrite its model folder.');
  let weights: Map<string, Float32Array>;
  try {
    weights = new Map([...decodeTensorFile(weightBytes).tensors].map(([name, tensor]) => [name, tensor.data]));
  } catch (error) {
    throw new InputError(join(folder, 'weights.vxtf'), `is not a weights file (${(error as Error).message})`, 'Train the model again, or copy the model folder again.');
  }
  throwIfCancelled(context.signal, 'The export');
  context.emit(progress(0.1, 'Exporting to ONNX and checking onnxruntime against tfjs'));
  const backend = await selectBackend();
  const { channelNames, labelNames, labelValues, targetSpacing, normalization, patchSize, extra } = metadata.value;
  const exported = await exportGenome(
    genome,
    { inputChannels: metadata.value.inputChannels, classes: metadata.value.classes },
    { channelNames, labelNames, labelValues, targetSpacing, normalization, patchSize, ...(extra ? { extra } : {}) },
    { weights, verify: true },
  );
  const parity = exported.parity!;
  if (!parity.passed) {
    throw new Error(`The ONNX export of model ${params.modelId} failed its parity check: onnxruntime differs from tfjs (${backend.name}) by ${parity.maxAbsDifference} (more than ${parity.tolerance}). Nothing was written; report this model's genome.json as a bug.`);
  }
  throwIfCancelled(context.signal, 'The export');
  const written = [join(folder, 'model.onnx')];
  await writeFileAtomic(written[0]!, exported.model);
  if (params.destination) {
    await mkdir(dirname(params.destination), { recursive: true });
    await writeFileAtomic(params.destination, exported.model);
    written.push(params.destination);
  }
  context.emit(progress(1, `Exported ${params.modelId} (${exported.model.length} bytes), parity ${parity.maxAbsDifference.toExponential(2)}`));
  return {
    modelId: params.modelId,
    archId: exported.archId,
    bytes: exported.model.length,
    written,
    parity: { maxAbsDifference: parity.maxAbsDifference, passed: parity.passed, tolerance: parity.tolerance, backend: backend.reason },
  };
};

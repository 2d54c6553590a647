import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromTensorOrder, toTensorOrder, type PlansJson } from '../api/plans.ts';
import type { CaseSettings } from '../data/preprocess/preprocess-case.ts';
import { caseSettings } from '../data/preprocess/preprocess-dataset.ts';
import { ONNX_INPUT, ONNX_OUTPUT } from '../export/export-onnx.ts';
import { fromMetadataProps } from '../export/onnx-metadata-props.ts';
import { readOnnxMetadata } from '../export/read-onnx.ts';
import { InputError } from '../io/input-error.ts';
import { decodeGenome } from '../network/decode.ts';
import { createWeights } from '../network/executor.ts';
import { loadGenome } from '../network/load-genome.ts';
import { decodeTensorFile } from '../runtime/tensor-file.ts';
import { readPlansFile } from '../runtime/workspace-files.ts';
import { networkPredictor } from './network-predictor.ts';
import type { PredictBlock } from './sliding-window.ts';

export type Runtime = 'tfjs' | 'onnx';

/** A trained model ready to predict blocks of preprocessed images (probabilities out). */
export interface ModelPredictor {
  runtime: Runtime;
  predict: PredictBlock;
  classes: number;
  sizeDivisor: number;
  /** [D, H, W]. */
  patchSize: [number, number, number];
  settings: CaseSettings;
  dispose(): Promise<void>;
}

function onnxPredictor(session: ort.InferenceSession): Pick<ModelPredictor, 'predict' | 'dispose'> {
  return {
    predict: async (block, shape) => {
      const result = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', block, [1, shape.channels, ...shape.size]) });
      return result[ONNX_OUTPUT]!.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}

/** A bare model.onnx exported by VoxNAS: its metadata says how to preprocess (runs on onnxruntime-node). */
async function loadOnnxFile(path: string): Promise<ModelPredictor> {
  const bytes = await readFile(path).catch(() => {
    throw new InputError(path, 'cannot be read', 'Check the path of the model.');
  });
  const metadata = fromMetadataProps(readOnnxMetadata(bytes));
  const preprocessing = metadata.ok ? metadata.value.extra?.['preprocessing'] : undefined;
  if (!metadata.ok || preprocessing === undefined) {
    throw new InputError(path, `has no VoxNAS preprocessing metadata${metadata.ok ? '' : ` (${metadata.errors.join('; ')})`}`, 'Use a model.onnx written by `voxnas train`, or its model folder.');
  }
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  return {
    runtime: 'onnx',
    classes: metadata.value.classes,
    sizeDivisor: metadata.value.sizeDivisor,
    patchSize: metadata.value.patchSize,
    settings: {
      dataId: metadata.value.archId,
      targetSpacing: fromTensorOrder(metadata.value.targetSpacing),
      preprocessing: JSON.parse(preprocessing),
      labelValues: metadata.value.labelValues,
    },
    ...onnxPredictor(session),
  };
}

/**
 * Loads a model folder written by `voxnas train` (plans.json, genome.json, weights.vxtf, model.onnx)
 * for the tfjs executor or for onnxruntime-node on its exported model; or a bare model.onnx.
 */
export async function loadModelPredictor(folder: string, runtime: Runtime): Promise<ModelPredictor> {
  if (folder.endsWith('.onnx')) return loadOnnxFile(folder);
  const plans: PlansJson = await readPlansFile(folder);
  const genome = await loadGenome(join(folder, 'genome.json'));
  const spec = decodeGenome(genome, { inputChannels: plans.dataset.channels.length, classes: plans.labelValues.length });
  const common = { classes: spec.classes, sizeDivisor: spec.sizeDivisor, patchSize: toTensorOrder(plans.patchSize), settings: caseSettings(plans) };
  if (runtime === 'onnx') {
    const path = join(folder, 'model.onnx');
    const session = await ort.InferenceSession.create(await readFile(path).catch(() => {
      throw new InputError(path, 'cannot be read', 'Give a model folder written by `voxnas train`.');
    }), { executionProviders: ['cpu'] });
    return { runtime, ...common, ...onnxPredictor(session) };
  }
  const path = join(folder, 'weights.vxtf');
  const bytes = await readFile(path).catch(() => {
    throw new InputError(path, 'cannot be read', 'Give a model folder written by `voxnas train`.');
  });
  const values = new Map([...decodeTensorFile(bytes).tensors].map(([name, tensor]) => [name, tensor.data]));
  const weights = createWeights(spec, values);
  return {
    runtime,
    ...common,
    predict: networkPredictor(spec, weights, { output: 'probabilities' }),
    dispose: async () => {
      for (const weight of weights.values()) weight.dispose();
    },
  };
}

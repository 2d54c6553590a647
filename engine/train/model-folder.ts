import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Genome } from '../api/genome.ts';
import { toTensorOrder, type PlansJson } from '../api/plans.ts';
import { exportGenome } from '../export/export-genome.ts';
import type { NetworkSpec } from '../network/spec.ts';
import { specParams } from '../network/spec.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { encodeTensorFile } from '../runtime/tensor-file.ts';
import { VOXNAS_VERSION } from '../version.ts';

/** What a trained model's metrics.json records. */
export interface ModelMetrics {
  schemaVersion: 1;
  archId: string;
  fold: number | 'all';
  seed: number;
  steps: number;
  trainingSeconds: number;
  /** Batch size and patch ([D, H, W]) the network was trained with (the plan's, unless overridden). */
  batchSize: number;
  patchSize: [number, number, number];
  backend: string;
  /** Patient-wise validation Dice of the chosen checkpoint, per class (plan's label order without background) and mean; null without validation. */
  validation: { step: number; meanDice: number; meanPerClass: number[] } | null;
  onnxParity: { maxAbsDifference: number; passed: boolean; tolerance: number };
}

export interface ModelFolderInputs {
  folder: string;
  genome: Genome;
  spec: NetworkSpec;
  weights: Map<string, Float32Array>;
  plans: PlansJson;
  metrics: Omit<ModelMetrics, 'schemaVersion' | 'archId' | 'onnxParity'>;
  /** Lines for the model card's training section (search trace summary, data, etc.). */
  notes?: string[];
}

/**
 * A trained model as a folder: genome.json, weights.vxtf, plans.json, metrics.json, model.onnx
 * (checked against tfjs with onnxruntime-node) and model-card.md. Every file is written atomically.
 */
export async function writeModelFolder(inputs: ModelFolderInputs): Promise<ModelMetrics> {
  const { folder, genome, spec, weights, plans } = inputs;
  await mkdir(folder, { recursive: true });
  const labelValues = plans.labelValues;
  const exported = await exportGenome(
    genome,
    { inputChannels: spec.inputChannels, classes: spec.classes },
    {
      channelNames: plans.dataset.channels,
      labelNames: labelValues.map((value) => plans.dataset.labels[String(value)] ?? `label ${value}`),
      labelValues,
      targetSpacing: toTensorOrder(plans.targetSpacing),
      normalization: JSON.parse(JSON.stringify(plans.preprocessing.normalization)),
      patchSize: toTensorOrder(plans.patchSize),
      // Everything preprocessing needs, so that model.onnx alone can segment an image (voxnas predict --model model.onnx).
      extra: { preprocessing: JSON.stringify(plans.preprocessing) },
    },
    { weights, verify: true },
  );
  const parity = exported.parity!;
  const metrics: ModelMetrics = {
    schemaVersion: 1,
    archId: spec.archId,
    ...inputs.metrics,
    onnxParity: { maxAbsDifference: parity.maxAbsDifference, passed: parity.passed, tolerance: parity.tolerance },
  };
  const tensors = new Map(specParams(spec).map((param) => [param.name, { shape: param.shape, data: weights.get(param.name)! }]));
  await writeFileAtomic(join(folder, 'weights.vxtf'), encodeTensorFile(tensors, { archId: spec.archId, inputChannels: spec.inputChannels, classes: spec.classes }));
  await writeFileAtomic(join(folder, 'genome.json'), `${JSON.stringify(genome, null, 2)}\n`);
  await writeFileAtomic(join(folder, 'plans.json'), `${JSON.stringify(plans, null, 2)}\n`);
  await writeFileAtomic(join(folder, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFileAtomic(join(folder, 'model.onnx'), exported.model);
  await writeFileAtomic(join(folder, 'model-card.md'), modelCard(inputs, metrics));
  return metrics;
}

function modelCard(inputs: ModelFolderInputs, metrics: ModelMetrics): string {
  const { plans, genome } = inputs;
  const names = plans.labelValues.slice(1).map((value) => plans.dataset.labels[String(value)] ?? String(value));
  const validation = metrics.validation
    ? names.map((name, index) => `| ${name} | ${metrics.validation!.meanPerClass[index]?.toFixed(4)} |`).join('\n') + `\n| **mean** | **${metrics.validation.meanDice.toFixed(4)}** |`
    : '| (no validation: trained on every case) | |';
  return `# Model ${metrics.archId}

Trained by VoxNAS ${VOXNAS_VERSION} on ${tf.getBackend()} (${metrics.backend}).

## Data
- Dataset: ${plans.dataset.name}, ${plans.dataset.trainingCases} training cases, channels ${plans.dataset.channels.join(', ')}, labels ${Object.entries(plans.dataset.labels).map(([value, name]) => `${value} = ${name}`).join(', ')}.
- Target spacing ${plans.targetSpacing.join(' x ')} mm (i, j, k); trained on patches of ${metrics.patchSize.join(' x ')} voxels (D, H, W), batch ${metrics.batchSize}.
- Normalization: ${plans.preprocessing.normalization.map((entry) => `${entry.name}: ${entry.scheme}`).join('; ')}.

## Network
- archId ${metrics.archId}; ${specParams(inputs.spec).reduce((total, param) => total + param.shape.reduce((a, b) => a * b, 1), 0).toLocaleString('en')} parameters.
- Genome: \`${JSON.stringify(genome)}\`

## Training
- Fold ${metrics.fold}, seed ${metrics.seed}, ${metrics.steps} steps, ${(metrics.trainingSeconds / 60).toFixed(1)} minutes.
${(inputs.notes ?? []).map((line) => `- ${line}`).join('\n')}

## Validation (patient-wise Dice on the fold's validation cases, preprocessed grid)
| class | Dice |
|---|---|
${validation}

## Export
- model.onnx: ONNX IR 8, opset 17, input "image" [batch, channels, D, H, W], output "probabilities"; preprocessing facts in its metadata.
- onnxruntime-node vs tfjs on a random input: max |difference| ${metrics.onnxParity.maxAbsDifference.toExponential(2)} (${metrics.onnxParity.passed ? 'passed' : 'FAILED'}, tolerance ${metrics.onnxParity.tolerance}).
`;
}

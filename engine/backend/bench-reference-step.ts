import * as tf from '@tensorflow/tfjs';
import { diceCrossEntropyLoss } from './loss.ts';
import { REFERENCE_UNET, createReferenceUNet, seededUniform } from './reference-unet.ts';
import { type BackendName, activeBackend, selectBackend } from './select-backend.ts';

/**
 * Times the benchmark reference network (shared/bench/README.md) on the active backend, the
 * way torch_unet_reference.py times PyTorch: a training step is forward + soft Dice + CE loss +
 * backward + Adam(1e-3) update; inference is one forward pass. Fixed random input and target.
 */

export interface ReferenceStepOptions {
  mode: 'train' | 'infer';
  /** Side of the cubic patch (32 and 48 for training, 64 for inference in the benchmark). */
  size: number;
  batch?: number;
  /** Timed steps (median reported) after `warmup` untimed ones. */
  steps?: number;
  warmup?: number;
  /** Start this backend first (selectBackend({ force })); otherwise the active one is used. */
  backend?: BackendName;
}

export interface ReferenceStepResult {
  backend: BackendName;
  mode: 'train' | 'infer';
  size: number;
  batch: number;
  params: number;
  ms_median: number;
  /** Peak resident set of the whole process so far (getrusage maxrss), in MiB. */
  peak_rss_mb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fixedInputs(batch: number, size: number, classes: number): { x: tf.Tensor5D; target: tf.Tensor5D } {
  const random = seededUniform(12345);
  const voxels = batch * size * size * size;
  const x = new Float32Array(voxels);
  for (let i = 0; i < voxels; i++) x[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const target = new Float32Array(voxels * classes);
  for (let i = 0; i < voxels; i++) target[i * classes + Math.floor(random() * classes)] = 1;
  return {
    x: tf.tensor5d(x, [batch, size, size, size, 1]),
    target: tf.tensor5d(target, [batch, size, size, size, classes]),
  };
}

export async function benchReferenceStep(options: ReferenceStepOptions): Promise<ReferenceStepResult> {
  if (options.backend !== undefined) await selectBackend({ force: options.backend });
  const backend = activeBackend();
  const batch = options.batch ?? 2;
  const steps = options.steps ?? 5;
  const warmup = options.warmup ?? 1;
  const net = createReferenceUNet(REFERENCE_UNET);
  const { x, target } = fixedInputs(batch, options.size, REFERENCE_UNET.classes);
  const optimizer = tf.train.adam(1e-3);
  const variables = [...net.parameters.values()];
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      if (options.mode === 'train') {
        const loss = optimizer.minimize(() => diceCrossEntropyLoss(net.forward(x), target, { smooth: 1e-5 }), true, variables);
        await loss?.data();
        loss?.dispose();
      } else {
        const logits = net.forward(x);
        await logits.data();
        logits.dispose();
      }
      if (i >= warmup) times.push(performance.now() - start);
    }
  } finally {
    optimizer.dispose();
    net.dispose();
    x.dispose();
    target.dispose();
  }
  return {
    backend,
    mode: options.mode,
    size: options.size,
    batch,
    params: variables.reduce((sum, v) => sum + v.size, 0),
    ms_median: Math.round(median(times) * 10) / 10,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

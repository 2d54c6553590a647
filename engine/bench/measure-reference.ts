/**
 * One measurement of the benchmark reference network (shared/bench/README.md) through the engine's
 * real training path (genome -> spec -> tfjs executor -> trainStep with our Adam), run as its own
 * process so that its peak memory is its own: `node --import tsx measure-reference.ts '<json>'`
 * prints one JSON line {name, backend, mode, size, batch, ms_median, peak_rss_mb, params}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import type { Genome } from '../api/genome.ts';
import { selectBackend, type BackendName } from '../backend/select-backend.ts';
import { exportOnnx } from '../export/export-onnx.ts';
import { decodeGenome } from '../network/decode.ts';
import { createWeights, forward, initialWeightValues } from '../network/executor.ts';
import { parameterCount, specParams } from '../network/spec.ts';
import { createRandom } from '../runtime/random.ts';
import { resourcesDir } from '../runtime/paths.ts';
import { Optimizer, REFERENCE_ADAM } from '../train/optimizers.ts';
import { trainStep } from '../train/train-step.ts';

export interface MeasureRequest {
  runtime: BackendName | 'onnxruntime';
  mode: 'train' | 'infer';
  size: number;
  batch: number;
  steps: number;
  warmup: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function measure(request: MeasureRequest) {
  const genome = JSON.parse(readFileSync(join(resourcesDir(), 'genomes', 'reference-unet.json'), 'utf8')) as Genome;
  const spec = decodeGenome(genome, { inputChannels: 1, classes: 3 });
  const values = initialWeightValues(specParams(spec), createRandom('bench'));
  const random = createRandom('bench-input');
  const voxels = request.batch * request.size ** 3;
  const image = Float32Array.from({ length: voxels }, () => random.normal());
  const times: number[] = [];
  const timeIt = async (work: () => Promise<unknown>) => {
    for (let step = 0; step < request.warmup + request.steps; step += 1) {
      const started = performance.now();
      await work();
      if (step >= request.warmup) times.push(performance.now() - started);
    }
  };
  if (request.runtime === 'onnxruntime') {
    const model = exportOnnx(spec, values, { genome, channelNames: ['x'], labelNames: ['0', '1', '2'], labelValues: [0, 1, 2], targetSpacing: [1, 1, 1], normalization: null, patchSize: [request.size, request.size, request.size] });
    // One thread, as the PyTorch reference is timed with one.
    const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    const input = new ort.Tensor('float32', image, [request.batch, 1, request.size, request.size, request.size]);
    await timeIt(() => session.run({ image: input }));
  } else {
    await selectBackend({ force: request.runtime });
    const weights = createWeights(spec, values);
    if (request.mode === 'train') {
      const batch = { shape: [request.batch, request.size, request.size, request.size, 1] as [number, number, number, number, number], image, label: Uint8Array.from({ length: voxels }, () => random.integer(0, 3)) };
      const optimizer = new Optimizer(REFERENCE_ADAM);
      await timeIt(() => trainStep(spec, weights, optimizer, batch, REFERENCE_ADAM.learningRate));
    } else {
      const input = tf.tensor5d(image, [request.batch, request.size, request.size, request.size, 1]);
      await timeIt(async () => {
        const logits = tf.tidy(() => forward(spec, weights, input)[0]!);
        await logits.data();
        logits.dispose();
      });
    }
  }
  return {
    name: `reference-unet-${request.mode}`,
    backend: request.runtime === 'onnxruntime' ? 'onnxruntime-node-1thread' : tf.getBackend(),
    mode: request.mode,
    size: request.size,
    batch: request.batch,
    ms_median: Math.round(median(times) * 10) / 10,
    peak_rss_mb: peakRssMb(),
    params: parameterCount(specParams(spec)),
  };
}

const request = process.argv[2];
if (request) {
  measure(JSON.parse(request) as MeasureRequest).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

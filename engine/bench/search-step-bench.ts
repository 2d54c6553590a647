import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Genome } from '../api/genome.ts';
import type { SearchPoint, SearchSpace } from '../api/search-space.ts';
import { selectBackend } from '../backend/select-backend.ts';
import { DEFAULT_BASE_WIDTH, levelsFor, MAX_WIDTH_FACTOR } from '../data/plan-network.ts';
import { baselineGenome } from '../network/baseline.ts';
import { decodeGenome } from '../network/decode.ts';
import { createWeights, initialWeightValues } from '../network/executor.ts';
import type { OpName } from '../network/op-registry.ts';
import { parameterCount, specParams } from '../network/spec.ts';
import { resourcesDir } from '../runtime/paths.ts';
import { createRandom } from '../runtime/random.ts';
import { ENAS_DEFAULTS } from '../search/one-shot/enas-search.ts';
import { SharedSupernet } from '../search/one-shot/shared-supernet.ts';
import { loadSearchSpace } from '../space/load-space.ts';
import { samplePoint } from '../space/points.ts';
import { pointToGenome } from '../space/genome-of-point.ts';
import { Optimizer, REFERENCE_ADAM } from '../train/optimizers.ts';
import { trainStep } from '../train/train-step.ts';
import type { BatchArrays } from '../train/training-case.ts';
import type { Benchmark, BenchmarkResult } from './benchmark.ts';

/**
 * The patch `voxnas plan` chooses for the shared MSD hippocampus data (../shared/data/hippocampus,
 * CPU plan), hard-coded: planning it again means fingerprinting all 182 cases.
 */
export const HIPPOCAMPUS_PATCH = [40, 56, 40] as const;
const BATCH = 2;
const INPUT_CHANNELS = 1;
const CLASSES = 3;
const RONASMIS_OPS: readonly OpName[] = ['conv3', 'conv5', 'conv2d3', 'p3d3', 'dil3'];
const WARMUP_STEPS = 1;
const SEED = 'search-step-bench';

/** Timed steps per network: VOXNAS_BENCH_STEPS (e.g. 1 for a quick check), 3 by default. */
export function timedStepCount(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['VOXNAS_BENCH_STEPS'];
  if (text === undefined || text === '') return 3;
  const steps = Number(text);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`VOXNAS_BENCH_STEPS must be a positive integer, got ${JSON.stringify(text)}`);
  return steps;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall seconds of `step`: WARMUP_STEPS untimed, then the median of `steps` timed ones. */
async function medianStepSeconds(step: (index: number) => Promise<unknown>, steps: number): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < WARMUP_STEPS + steps; index += 1) {
    const started = performance.now();
    await step(index);
    if (index >= WARMUP_STEPS) times.push((performance.now() - started) / 1000);
  }
  return Math.round(median(times) * 1000) / 1000;
}

/** One random batch (normal image, uniform labels) of the benchmark's shape, shared by every network. */
function randomBatch(): BatchArrays {
  const random = createRandom(SEED).fork('batch');
  const shape: BatchArrays['shape'] = [BATCH, ...HIPPOCAMPUS_PATCH, INPUT_CHANNELS];
  const voxels = BATCH * HIPPOCAMPUS_PATCH[0] * HIPPOCAMPUS_PATCH[1] * HIPPOCAMPUS_PATCH[2];
  return {
    shape,
    image: Float32Array.from({ length: voxels * INPUT_CHANNELS }, () => random.normal()),
    label: Uint8Array.from({ length: voxels }, () => random.integer(0, CLASSES)),
  };
}

const paramsOf = (genome: Genome): number => parameterCount(specParams(decodeGenome(genome, { inputChannels: INPUT_CHANNELS, classes: CLASSES })));

/** A fixed genome trained as runTraining does (decode, seeded weights, trainStep with REFERENCE_ADAM). */
async function genomeStep(name: string, genome: Genome, batch: BatchArrays, steps: number): Promise<BenchmarkResult> {
  const spec = decodeGenome(genome, { inputChannels: INPUT_CHANNELS, classes: CLASSES });
  const params = specParams(spec);
  const weights = createWeights(spec, initialWeightValues(params, createRandom(SEED).fork(name)));
  const optimizer = new Optimizer(REFERENCE_ADAM);
  try {
    const seconds = await medianStepSeconds(() => trainStep(spec, weights, optimizer, batch, REFERENCE_ADAM.learningRate), steps);
    return { name, params: parameterCount(params), s_per_step_median: seconds };
  } finally {
    for (const variable of weights.values()) variable.dispose();
  }
}

/** The ronasmis point with every cell set to `op` and strided-convolution downsampling. */
function uniformPoint(space: SearchSpace, op: OpName): SearchPoint {
  return Object.fromEntries(
    space.decisions.map((decision) => {
      const wanted = decision.kind === 'cell-op' ? op : decision.kind === 'enum' && decision.field === 'down' ? 'strided-conv' : null;
      if (wanted === null) throw new Error(`search-step bench: ronasmis decision ${decision.id} (${decision.kind}) is not a cell op or the down choice`);
      const index = (decision.choices as readonly unknown[]).indexOf(wanted);
      if (index < 0) throw new Error(`search-step bench: ${wanted} is not a choice of ronasmis decision ${decision.id}`);
      return [decision.id, index];
    }),
  );
}

/** ENAS's shared training step (trainChild) on the supernet ENAS_DEFAULTS builds; `path` gives each step's child. */
async function supernetStep(name: string, space: SearchSpace, path: (index: number) => SearchPoint, pathNote: string, batch: BatchArrays, steps: number, params: number | null): Promise<BenchmarkResult> {
  const supernet = new SharedSupernet(space, { inputChannels: INPUT_CHANNELS, classes: CLASSES, seed: SEED, superKernels: ENAS_DEFAULTS.weightSharing === 'superkernel' });
  const optimizer = new Optimizer(ENAS_DEFAULTS.optimizer);
  try {
    const seconds = await medianStepSeconds((index) => supernet.trainChild(path(index), optimizer, batch, ENAS_DEFAULTS.optimizer.learningRate), steps);
    const sharedParams = [...supernet.weights.values()].reduce((total, variable) => total + variable.size, 0);
    return { name, params, shared_params: sharedParams, weight_sharing: ENAS_DEFAULTS.weightSharing, path: pathNote, s_per_step_median: seconds };
  } finally {
    supernet.dispose();
  }
}

/** Runs one network, turning a failure into its row so that the others still run. */
async function attempt(name: string, work: () => Promise<BenchmarkResult>): Promise<BenchmarkResult> {
  try {
    return await work();
  } catch (error) {
    return { name, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed' };
  }
}

export const searchStepTimes: Benchmark = {
  description: `wall seconds of one training step (batch ${BATCH}, hippocampus plan patch ${HIPPOCAMPUS_PATCH.join('x')}, wasm): the plan's baseline U-Net, ronasmis children with every cell one op (strided-conv down), and ENAS's superkernel supernet (random and all-conv3 paths); ${WARMUP_STEPS} warm-up step, median of VOXNAS_BENCH_STEPS (default 3) timed steps`,
  async run(): Promise<BenchmarkResult[]> {
    const steps = timedStepCount();
    await selectBackend({ force: 'wasm' });
    const backend = tf.getBackend();
    const batch = randomBatch();
    const space = await loadSearchSpace(join(resourcesDir(), 'search-spaces', 'ronasmis.json'));
    const tensorsBefore = tf.memory().numTensors;
    const rows: BenchmarkResult[] = [];

    const baseline = baselineGenome({ levels: levelsFor([...HIPPOCAMPUS_PATCH]), baseWidth: DEFAULT_BASE_WIDTH.cpu, maxWidth: MAX_WIDTH_FACTOR * DEFAULT_BASE_WIDTH.cpu, deepSupervision: true });
    rows.push(await attempt('baseline-unet', () => genomeStep('baseline-unet', baseline, batch, steps)));
    for (const op of RONASMIS_OPS) {
      const name = `ronasmis-all-${op}`;
      rows.push(await attempt(name, () => genomeStep(name, pointToGenome(space, uniformPoint(space, op)), batch, steps)));
    }
    const paths = createRandom(SEED).fork('paths');
    rows.push(await attempt('enas-supernet-random-path', () => supernetStep('enas-supernet-random-path', space, () => samplePoint(space, paths), 'a new uniform random path every step (as ENAS samples)', batch, steps, null)));
    const allConv3 = uniformPoint(space, 'conv3');
    rows.push(await attempt('enas-supernet-all-conv3-path', () => supernetStep('enas-supernet-all-conv3-path', space, () => allConv3, 'every cell conv3', batch, steps, paramsOf(pointToGenome(space, allConv3)))));

    const reference = rows[0]!['s_per_step_median'];
    const leaked = tf.memory().numTensors - tensorsBefore;
    return rows.map((row) => ({
      name: row['name']!,
      backend,
      patch: HIPPOCAMPUS_PATCH.join('x'),
      batch: BATCH,
      timed_steps: steps,
      ...row,
      vs_baseline: typeof row['s_per_step_median'] === 'number' && typeof reference === 'number' ? Math.round((row['s_per_step_median'] / reference) * 100) / 100 : null,
      ...(leaked !== 0 && row === rows[rows.length - 1] ? { tensors_left: leaked } : {}),
    }));
  },
};

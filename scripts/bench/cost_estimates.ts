/**
 * The cost model's training-memory estimate for the networks that scripts/bench/gpu_memory.py
 * measures on a GPU: the benchmark reference U-Net (resources/genomes/reference-unet.json) and a
 * plan's baseline genome (plans.json `network.genome`), cubic patches and the plan's own patch, batch 2.
 *
 *   npx tsx scripts/bench/cost_estimates.ts [path/to/plans.json]   (default /tmp/bench/plan/plans.json)
 *
 * Prints one JSON line per network and patch: parameters, activation bytes (batch included) and the
 * estimate activation x factor + 16 x parameters for factor 2 (engine/search/memory.ts) and 3 (planner).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Genome } from '../../engine/api/genome.ts';
import { toTensorOrder, type Triple } from '../../engine/api/plans.ts';
import { BYTES_PER_PARAMETER, TRAINING_FACTOR } from '../../engine/data/plan-network.ts';
import { networkCost } from '../../engine/network/cost-model.ts';
import { decodeGenome } from '../../engine/network/decode.ts';
import { resourcesDir } from '../../engine/runtime/paths.ts';
import { DEFAULT_TRAINING_FACTOR } from '../../engine/search/memory.ts';

const BATCH = 2;
const SIDES = [32, 64, 96, 128];
const MIB = 2 ** 20;
const mib = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

const plansPath = process.argv[2] ?? '/tmp/bench/plan/plans.json';
const plans = JSON.parse(readFileSync(plansPath, 'utf8')) as { patchSize: Triple; labelValues: number[]; dataset: { channels: string[] }; network: { genome: Genome } };
const reference = JSON.parse(readFileSync(join(resourcesDir(), 'genomes', 'reference-unet.json'), 'utf8')) as Genome;

const networks: { name: string; genome: Genome; inputChannels: number; classes: number; patches: Triple[] }[] = [
  { name: 'reference', genome: reference, inputChannels: 1, classes: 3, patches: SIDES.map((s) => [s, s, s] as Triple) },
  {
    name: 'hippocampus-baseline',
    genome: plans.network.genome,
    inputChannels: plans.dataset.channels.length,
    classes: plans.labelValues.length,
    patches: [toTensorOrder(plans.patchSize), ...SIDES.map((s) => [s, s, s] as Triple)],
  },
];

for (const network of networks) {
  const spec = decodeGenome(network.genome, { inputChannels: network.inputChannels, classes: network.classes });
  for (const patch of network.patches) {
    const cost = networkCost(spec, patch, BATCH);
    if ('error' in cost) {
      console.log(JSON.stringify({ network: network.name, patch, error: cost.error }));
      continue;
    }
    const estimate = (factor: number) => cost.activationBytes * factor + cost.params * BYTES_PER_PARAMETER;
    console.log(
      JSON.stringify({
        network: network.name,
        patch: patch.join('x'),
        batch: BATCH,
        params: cost.params,
        param_mib: mib(cost.params * BYTES_PER_PARAMETER),
        activation_mib: mib(cost.activationBytes),
        [`estimate_f${DEFAULT_TRAINING_FACTOR}_mib`]: mib(estimate(DEFAULT_TRAINING_FACTOR)),
        [`estimate_f${TRAINING_FACTOR}_mib`]: mib(estimate(TRAINING_FACTOR)),
      }),
    );
  }
}

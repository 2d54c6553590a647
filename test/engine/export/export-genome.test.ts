import { describe, expect, it } from 'vitest';
import type { Genome } from '../../../engine/api/genome.ts';
import { exportGenome } from '../../../engine/export/export-genome.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';

/**
 * The parity check's input: big enough that the deepest level sees at least 2 voxels on every axis
 * (at one voxel an instance norm normalizes one or two values, and float rounding turns into
 * differences of 1e-2 between onnxruntime and tfjs for trained weights).
 */
describe('exportGenome parity input', () => {
  it('gives the deepest level at least 2 x 4 x 2 voxels, for 3 to 5 levels', async () => {
    const metadata = { channelNames: ['MRI'], labelNames: ['background', 'a'], labelValues: [0, 1], targetSpacing: [1, 1, 1] as [number, number, number], normalization: [], patchSize: [32, 32, 32] as [number, number, number] };
    const results = [];
    for (const widths of [[4, 4, 4], [4, 4, 4, 4], [4, 4, 4, 4, 4]]) {
      const genome: Genome = { ...REFERENCE_GENOME, widths, encoder: widths.map(() => ['conv3']), decoder: widths.slice(1).map(() => ['conv3']), deepSupervision: 0 };
      const divisor = decodeGenome(genome, { inputChannels: 1, classes: 2 }).sizeDivisor;
      const { parity } = await exportGenome(genome, { inputChannels: 1, classes: 2 }, metadata, { verify: true });
      results.push({ deepest: parity!.inputShape.slice(2).map((size) => size / divisor), passed: parity!.passed });
    }
    expect(results).toEqual([
      { deepest: [2, 4, 2], passed: true },
      { deepest: [2, 4, 2], passed: true },
      { deepest: [2, 4, 2], passed: true },
    ]);
  }, 120_000);
});

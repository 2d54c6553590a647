import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Genome } from '../../../engine/api/genome.ts';
import { networkCost } from '../../../engine/network/cost-model.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';

const reference = JSON.parse(readFileSync('resources/genomes/reference-unet.json', 'utf8')) as Genome;

/**
 * The reference U-Net counted by hand, level by level (v = voxels at a level per sample):
 * 3x3x3 convs cost v * cout * 27 * cin MACs; the 2x2x2 transposed convs v_out * cout * cin; the head v * 3 * 8.
 * Activations: every conv, norm and activation output, plus input, pools, up-convolutions, skip sums and head.
 */
function handCount(size: number, batch: number) {
  const v0 = size ** 3;
  const v1 = v0 / 8;
  const v2 = v1 / 8;
  const conv = (v: number, cin: number, cout: number) => v * cout * 27 * cin;
  const macs =
    conv(v0, 1, 8) + conv(v0, 8, 8) + // encoder level 0
    conv(v1, 8, 16) + conv(v1, 16, 16) + // encoder level 1
    conv(v2, 16, 32) + conv(v2, 32, 32) + // bottleneck
    v1 * 16 * 32 + 2 * conv(v1, 16, 16) + // up to level 1, decoder level 1
    v0 * 8 * 16 + 2 * conv(v0, 8, 8) + // up to level 0, decoder level 0
    v0 * 3 * 8; // head
  const elements =
    v0 * (1 + 6 * 8 + 8 + 8 + 6 * 8 + 3) + // input, encoder 0, up0, skip sum, decoder 0, head
    v1 * (8 + 6 * 16 + 16 + 16 + 6 * 16) + // pool, encoder 1, up1, skip sum, decoder 1
    v2 * (16 + 6 * 32); // pool, bottleneck
  return { params: 76_531, flops: 2 * macs * batch, activationBytes: 4 * elements * batch };
}

describe('cost model', () => {
  const spec = decodeGenome(reference, { inputChannels: 1, classes: 3 });

  it('matches the hand count of the reference network at 32^3 and 48^3, batch 2', () => {
    expect(networkCost(spec, [32, 32, 32], 2)).toEqual(handCount(32, 2));
    expect(networkCost(spec, [48, 48, 48], 2)).toEqual(handCount(48, 2));
    expect(handCount(32, 1).flops).toBe(608_698_368);
  });

  it('refuses patches that the network cannot divide, as a value', () => {
    expect(networkCost(spec, [30, 32, 32], 2)).toEqual({ error: 'patch 30x32x32 must be positive multiples of 4 (2^(levels-1)) on every axis' });
  });

  it('costs a supernet path like the equivalent child, and the full mix as all options', () => {
    const supernet: Genome = { ...reference, encoder: [['conv3', { choice: ['conv3', 'dil5', 'identity'] }], ['conv3', 'conv3'], ['conv3', 'conv3']] };
    const child: Genome = { ...reference, encoder: [['conv3', 'dil5'], ['conv3', 'conv3'], ['conv3', 'conv3']] };
    const superSpec = decodeGenome(supernet, { inputChannels: 1, classes: 3 });
    const childCost = networkCost(decodeGenome(child, { inputChannels: 1, classes: 3 }), [32, 32, 32], 1);
    expect(networkCost(superSpec, [32, 32, 32], 1, { 'enc0.cell1': 1 })).toEqual(childCost);
    const mix = networkCost(superSpec, [32, 32, 32], 1);
    const identityPath = networkCost(superSpec, [32, 32, 32], 1, { 'enc0.cell1': 2 });
    if ('error' in mix || 'error' in identityPath || 'error' in childCost) throw new Error('unexpected error value');
    // The mix holds conv3's, dil5's and identity's work, plus the mixed output tensor.
    expect(mix.params).toBe(76_531 + 125 * 8 * 8 + 16);
    expect(identityPath.flops).toBe(handCount(32, 1).flops - 2 * 32 ** 3 * 8 * 27 * 8);
  });
});

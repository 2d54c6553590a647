/**
 * Superkernels (Single-Path NAS weight sharing) in the RONASMIS supernet: a cell's ops are views of
 * one kernel per conv step, so a child run through the supernet and the same child built as its own
 * network from `childWeights` compute the same thing, a step on one op trains the weights the
 * overlapping ops use, and checkpoints restore with the same parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { networkCost } from '../../../engine/network/cost-model.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { createWeights, forward } from '../../../engine/network/executor.ts';
import { allNodes, cutKernelView, parameterCount, specParams } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { SharedSupernet } from '../../../engine/search/one-shot/shared-supernet.ts';
import { pointToGenome, pointToPath, supernetGenome } from '../../../engine/space/genome-of-point.ts';
import { loadSearchSpace } from '../../../engine/space/load-space.ts';
import { samplePoint } from '../../../engine/space/points.ts';
import type { SearchPoint, SearchSpace } from '../../../engine/api/search-space.ts';
import { Optimizer, REFERENCE_ADAM } from '../../../engine/train/optimizers.ts';

const context = { inputChannels: 1, classes: 3 };
const patch: [number, number, number] = [16, 16, 16];
let space: SearchSpace;

beforeAll(async () => {
  await selectBackend({});
  space = await loadSearchSpace(resolve('resources/search-spaces/ronasmis.json'));
});

/** A point whose every cell takes the op `op` (by name), down-sampling as in the first choice. */
function uniformPoint(op: string): SearchPoint {
  return Object.fromEntries(space.decisions.map((decision) => [decision.id, decision.kind === 'cell-op' ? decision.choices.indexOf(op as never) : 0]));
}

function randomInput(seed: number): tf.Tensor5D {
  const random = createRandom(seed);
  return tf.tensor5d(Float32Array.from({ length: 16 ** 3 }, () => random.normal()), [1, ...patch, 1]);
}

describe('superkernels', () => {
  it('give every cell one kernel per conv step, centred views for the ops, and about a third of the parameters', () => {
    // The first macro choice: max-pooling, so level 1's first cell reads 8 channels.
    const genome = supernetGenome(space);
    const shared = decodeGenome(genome, { ...context, superKernels: true });
    const perOp = decodeGenome(genome, context);
    const cell = allNodes(shared.nodes).find((node) => node.id === 'enc1.cell0')!;
    if (cell.op !== 'choice') throw new Error('enc1.cell0 is not a choice');
    const views = Object.fromEntries(cell.options.flatMap((option) => option.nodes.flatMap((node) => (node.op === 'conv' ? [[node.id, `${node.kernel.join('x')} of ${node.kernelOf?.param}`]] : []))));
    expect({
      superKernels: cell.superKernels!.map((param) => [param.name, param.shape.join('x')]),
      views,
      ownKernels: specParams(shared).filter((param) => param.name.startsWith('enc1.cell0.') && param.name.endsWith('/kernel') && !param.name.includes('.super.')),
    }).toEqual({
      superKernels: [
        ['enc1.cell0.super.step0/kernel', '5x5x5x8x16'],
        ['enc1.cell0.super.step1/kernel', '5x1x1x16x16'],
      ],
      views: {
        'enc1.cell0.conv3.step0.conv': '3x3x3 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.conv5.step0.conv': '5x5x5 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.conv2d3.step0.conv': '1x3x3 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.conv2d5.step0.conv': '1x5x5 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.p3d3.step0.conv': '1x3x3 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.p3d3.step1.conv': '3x1x1 of enc1.cell0.super.step1/kernel',
        'enc1.cell0.p3d5.step0.conv': '1x5x5 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.p3d5.step1.conv': '5x1x1 of enc1.cell0.super.step1/kernel',
        'enc1.cell0.dil3.step0.conv': '3x3x3 of enc1.cell0.super.step0/kernel',
        'enc1.cell0.dil5.step0.conv': '5x5x5 of enc1.cell0.super.step0/kernel',
      },
      ownKernels: [],
    });
    // Per cell: 130 taps (5x5x5 + 5x1x1) instead of 380 (each op its own), about 2.9 times fewer weights overall.
    expect(parameterCount(specParams(shared))).toBeLessThan(parameterCount(specParams(perOp)) / 2.5);
  });

  it('run a child through the supernet exactly as the child network with its cut weights, and count its parameters alike', async () => {
    const supernet = new SharedSupernet(space, { ...context, seed: 5, superKernels: true });
    const random = createRandom(8);
    try {
      for (const point of [samplePoint(space, random), samplePoint(space, random), uniformPoint('p3d3')]) {
        const spec = supernet.specFor(point);
        const child = decodeGenome(pointToGenome(space, point), context);
        const weights = createWeights(child, await supernet.childWeights(point));
        const input = randomInput(1);
        const [viaSupernet, viaChild] = tf.tidy(() => [forward(spec, supernet.weights, input, { path: pointToPath(space, point) })[0]!, forward(child, weights, input)[0]!]);
        const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(viaSupernet!, viaChild!))).dataSync()[0]!);
        const costs = [networkCost(spec, patch, 1, pointToPath(space, point)), networkCost(child, patch, 1)];
        tf.dispose([input, viaSupernet!, viaChild!, ...weights.values()]);
        expect(difference).toBeLessThan(1e-4);
        expect(costs[0]).toEqual(costs[1]);
      }
    } finally {
      supernet.dispose();
    }
  });

  it('train the shared centre on a 3x3x3 step (the dilated 3x3x3 sees it; the 5x5x5 border does not change) and restore as superkernels', async () => {
    const supernet = new SharedSupernet(space, { ...context, seed: 5, superKernels: true });
    try {
      const point = uniformPoint('conv3');
      supernet.specFor(point);
      const name = 'enc0.cell0.super.step0/kernel';
      const before = Float32Array.from(supernet.weights.get(name)!.dataSync() as Float32Array);
      const random = createRandom(3);
      const label = Uint8Array.from({ length: 16 ** 3 }, () => Math.floor(random.uniform() * 3));
      const image = Float32Array.from({ length: 16 ** 3 }, (_unused, index) => label[index]! + random.normal() * 0.3);
      await supernet.trainChild(point, new Optimizer(REFERENCE_ADAM), { shape: [1, ...patch, 1], image, label }, 1e-2);
      const after = supernet.weights.get(name)!.dataSync() as Float32Array;
      const centre = (values: Float32Array) => cutKernelView(values, [5, 5, 5], [3, 3, 3], 8);
      const changedCentre = centre(after).some((value, index) => value !== centre(before)[index]);
      // Border taps: the 5x5x5 block without its 3x3x3 centre.
      const border = (values: Float32Array) => values.filter((_value, index) => {
        const tap = Math.floor(index / 8);
        const [z, y, x] = [Math.floor(tap / 25), Math.floor(tap / 5) % 5, tap % 5];
        return [z, y, x].some((coordinate) => coordinate === 0 || coordinate === 4);
      });
      const dilated = await supernet.childWeights(uniformPoint('dil3'));
      const saved = await supernet.saveable();
      const restored = SharedSupernet.restore(space, { ...context, seed: 99 }, saved);
      restored.specFor(uniformPoint('dil5'));
      expect({
        changedCentre,
        borderUnchanged: border(after).every((value, index) => value === border(before)[index]),
        dilatedSharesCentre: [...dilated.get('enc0.cell0.dil3.step0.conv/kernel')!].every((value, index) => value === centre(after)[index]),
        restoredParameters: [...restored.weights.keys()].sort(),
      }).toEqual({ changedCentre: true, borderUnchanged: true, dilatedSharesCentre: true, restoredParameters: [...saved.keys()].sort() });
      restored.dispose();
    } finally {
      supernet.dispose();
    }
  });
});

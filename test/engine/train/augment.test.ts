import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../engine/runtime/random.ts';
import {
  type AugmentationConfig,
  augmentSample,
  drawAugmentation,
  identityAugmentation,
  NNUNET_AUGMENTATION,
  nnUNetAugmentation,
  NO_AUGMENTATION,
  type SampleAugmentation,
  spatialMatrix,
} from '../../../engine/train/augment.ts';
import { applyGamma, gaussianBlur, scaleContrast, simulateLowResolution } from '../../../engine/train/intensity.ts';
import { cropPatch, type Vec3i } from '../../../engine/train/sampler.ts';
import { allocateBatch, type BatchArrays, type TrainingCase } from '../../../engine/train/training-case.ts';
import { syntheticCase } from '../../support/training-cases.ts';

const trainingCase = syntheticCase('a', [24, 26, 28], 1, 3);
const PATCH: Vec3i = [16, 16, 16];
const START: Vec3i = [3, -2, 5];

function crop(source: TrainingCase = trainingCase, start: Vec3i = START, patch: Vec3i = PATCH): BatchArrays {
  const batch = allocateBatch(1, patch, source.channels);
  cropPatch(source, start, batch, 0, 0);
  return batch;
}

function augmented(augmentation: SampleAugmentation, source: TrainingCase = trainingCase, start: Vec3i = START, patch: Vec3i = PATCH): BatchArrays {
  const batch = allocateBatch(1, patch, source.channels);
  augmentSample(source, start, augmentation, batch, 0, 0);
  return batch;
}

/** A patch array (one channel) reindexed: out[d][h][w] = input[...map(d, h, w)]. */
function remap(values: ArrayLike<number>, size: number, map: (d: number, h: number, w: number) => [number, number, number]): number[] {
  const out: number[] = [];
  for (let d = 0; d < size; d += 1) {
    for (let h = 0; h < size; h += 1) {
      for (let w = 0; w < size; w += 1) {
        const [sd, sh, sw] = map(d, h, w);
        out.push(values[(sd * size + sh) * size + sw]!);
      }
    }
  }
  return out;
}

const ALWAYS: AugmentationConfig = {
  ...NNUNET_AUGMENTATION,
  mirror: { p: 1, axes: [true, true, true] },
  rotation: { ...NNUNET_AUGMENTATION.rotation, p: 1 },
  scale: { ...NNUNET_AUGMENTATION.scale, p: 1 },
  noise: { ...NNUNET_AUGMENTATION.noise, p: 1 },
  blur: { ...NNUNET_AUGMENTATION.blur, p: 1, pPerChannel: 1 },
  brightness: { ...NNUNET_AUGMENTATION.brightness, p: 1 },
  contrast: { ...NNUNET_AUGMENTATION.contrast, p: 1 },
  lowResolution: { ...NNUNET_AUGMENTATION.lowResolution, p: 1, pPerChannel: 1 },
  gammaInverted: { ...NNUNET_AUGMENTATION.gammaInverted, p: 1 },
  gamma: { ...NNUNET_AUGMENTATION.gamma, p: 1 },
};

describe('augmentation', () => {
  it('disabled: the draw is the identity and the sample is exactly the crop', () => {
    const random = createRandom(1);
    const drawn = drawAugmentation(NO_AUGMENTATION, 1, random);
    expect(drawn).toEqual(identityAugmentation(1));
    expect(augmented(drawn)).toEqual(crop());
  });

  it('mirroring is exact, also across the padded border', () => {
    const flips = { ...identityAugmentation(1), flip: [true, false, true] as [boolean, boolean, boolean] };
    const plain = crop();
    const mirrored = augmented(flips);
    expect(Array.from(mirrored.image)).toEqual(remap(plain.image, 16, (d, h, w) => [15 - d, h, 15 - w]));
    expect(Array.from(mirrored.label)).toEqual(remap(plain.label, 16, (d, h, w) => [15 - d, h, 15 - w]));
  });

  it('a 90 degree rotation about each axis equals an axis permutation (labels exactly, images within 1e-5)', () => {
    const plain = crop();
    const quarter = Math.PI / 2;
    const cases: [[number, number, number], (d: number, h: number, w: number) => [number, number, number]][] = [
      [[quarter, 0, 0], (d, h, w) => [d, 15 - w, h]],
      [[0, quarter, 0], (d, h, w) => [15 - w, h, d]],
      [[0, 0, quarter], (d, h, w) => [15 - h, d, w]],
    ];
    for (const [angles, map] of cases) {
      const rotated = augmented({ ...identityAugmentation(1), angles });
      expect(Array.from(rotated.label)).toEqual(remap(plain.label, 16, map));
      const expected = remap(plain.image, 16, map);
      const worst = Math.max(...Array.from(rotated.image, (value, index) => Math.abs(value - expected[index]!)));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('labels stay within the class set under rotation and scaling; the same stream gives the same sample', () => {
    for (let seed = 0; seed < 10; seed += 1) {
      const drawn = drawAugmentation(ALWAYS, 1, createRandom(seed));
      const sample = augmented(drawn);
      expect(new Set(sample.label).size).toBeGreaterThan(1);
      expect([...new Set(sample.label)].every((value) => [0, 1, 2].includes(value))).toBe(true);
      expect(sample.image.every(Number.isFinite)).toBe(true);
      const again = augmented(drawAugmentation(ALWAYS, 1, createRandom(seed)));
      expect(Buffer.from(again.image.buffer).equals(Buffer.from(sample.image.buffer)) && Buffer.from(again.label).equals(Buffer.from(sample.label))).toBe(true);
    }
  });

  it('draws parameters in nnU-Net ranges (gamma, scale and contrast half below one; in-plane only for anisotropic patches)', () => {
    const random = createRandom(9);
    const draws = Array.from({ length: 400 }, () => drawAugmentation(ALWAYS, 2, random));
    const values = (pick: (draw: SampleAugmentation) => number[]) => draws.flatMap(pick);
    const within = (list: number[], low: number, high: number) => list.every((value) => value >= low && value <= high);
    const gammas = values((draw) => draw.channels.flatMap((channel) => [channel.gamma!, channel.gammaInverted!]));
    expect(within(gammas, 0.7, 1.5)).toBe(true);
    expect(gammas.filter((gamma) => gamma < 1).length / gammas.length).toBeCloseTo(0.5, 1);
    expect(within(values((draw) => [draw.scale]), 0.7, 1.4)).toBe(true);
    expect(within(values((draw) => draw.angles), -Math.PI / 6, Math.PI / 6)).toBe(true);
    expect(within(values((draw) => draw.channels.map((channel) => channel.brightness!)), 0.75, 1.25)).toBe(true);
    expect(within(values((draw) => draw.channels.flatMap((channel) => channel.blur!)), 0.5, 1)).toBe(true);
    expect(within(values((draw) => draw.channels.map((channel) => channel.noise!.std)), 0, 0.1)).toBe(true);
    expect(within(values((draw) => draw.channels.map((channel) => channel.lowResolution!)), 0.5, 1)).toBe(true);
    const defaults = Array.from({ length: 2000 }, () => drawAugmentation(NNUNET_AUGMENTATION, 1, random));
    expect(defaults.filter((draw) => draw.angles[0] !== 0).length / 2000).toBeCloseTo(0.2, 1);
    expect(defaults.filter((draw) => draw.flip[1]).length / 2000).toBeCloseTo(0.5, 1);
    expect(nnUNetAugmentation([16, 64, 64])).toMatchObject({ inPlaneOnly: true, rotation: { maxAngle: Math.PI } });
    expect(nnUNetAugmentation([32, 64, 64])).toBe(NNUNET_AUGMENTATION);
    const inPlane = drawAugmentation(nnUNetAugmentation([8, 32, 32]), 1, createRandom(2));
    expect(inPlane.angles.slice(1)).toEqual([0, 0]);
    expect(spatialMatrix({ ...identityAugmentation(1), scale: 0.8, inPlaneOnly: true, flip: [false, true, false] })).toEqual([1, 0, 0, 0, -0.8, 0, 0, 0, 0.8]);
  });

  it('intensity transforms: gamma keeps mean and std, contrast keeps the range, blur and low resolution keep constants', () => {
    const random = createRandom(4);
    const values = Float32Array.from({ length: 4096 }, () => random.normal(0.5, 1));
    const stats = (array: Float32Array) => {
      const mean = array.reduce((a, b) => a + b) / array.length;
      return { mean, std: Math.sqrt(array.reduce((a, b) => a + (b - mean) ** 2, 0) / array.length), min: Math.min(...array), max: Math.max(...array) };
    };
    const before = stats(values);
    for (const inverted of [false, true]) {
      const gamma = Float32Array.from(values);
      applyGamma(gamma, 1.4, inverted);
      const after = stats(gamma);
      expect(after.mean).toBeCloseTo(before.mean, 4);
      expect(after.std).toBeCloseTo(before.std, 4);
      expect(gamma).not.toEqual(values);
    }
    const contrast = Float32Array.from(values);
    scaleContrast(contrast, 1.25);
    expect(stats(contrast).min).toBeGreaterThanOrEqual(before.min);
    expect(stats(contrast).max).toBeLessThanOrEqual(before.max);
    const constant = new Float32Array(16 * 16 * 16).fill(0.75);
    gaussianBlur(constant, [16, 16, 16], [1, 0.5, 0.8]);
    expect(constant.every((value) => Math.abs(value - 0.75) < 1e-6)).toBe(true);
    simulateLowResolution(constant, [16, 16, 16], 0.5, [true, true, true]);
    expect(constant.every((value) => Math.abs(value - 0.75) < 1e-6)).toBe(true);
  });

  it('multi-channel (NDHWC): per-channel intensity changes touch only their channel', () => {
    const twoChannels = syntheticCase('b', [20, 20, 20], 2, 5);
    const plain = crop(twoChannels, [2, 2, 2]);
    const drawn = identityAugmentation(2);
    drawn.channels[1]!.brightness = 1.2;
    const sample = augmented(drawn, twoChannels, [2, 2, 2]);
    for (let voxel = 0; voxel < 16 ** 3; voxel += 1) {
      expect(sample.image[2 * voxel]).toBe(plain.image[2 * voxel]);
      expect(sample.image[2 * voxel + 1]).toBeCloseTo(plain.image[2 * voxel + 1]! * 1.2, 5);
    }
  });

  it('augments a 2 x 48^3 batch, every transform on, in well under a training step', () => {
    const big = syntheticCase('big', [64, 64, 64]);
    const batch = allocateBatch(2, [48, 48, 48], 1);
    const random = createRandom(11);
    const run = () => {
      for (let sample = 0; sample < 2; sample += 1) augmentSample(big, [8, 8, 8], drawAugmentation(ALWAYS, 1, random), batch, sample, 0);
    };
    run();
    const started = performance.now();
    for (let repeat = 0; repeat < 3; repeat += 1) run();
    const milliseconds = (performance.now() - started) / 3;
    console.log(`augmentation, 2 x 48^3, every transform on: ${milliseconds.toFixed(1)} ms per batch`);
    expect(milliseconds).toBeLessThan(1000);
  });
});

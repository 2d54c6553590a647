import type { Random } from '../runtime/random.ts';
import { addGaussianNoise, applyGamma, gaussianBlur, multiplyBrightness, scaleContrast, simulateLowResolution } from './intensity.ts';
import type { Vec3i } from './sampler.ts';
import { IDENTITY3, isIdentity3, type Matrix3, multiply3, resamplePatch, rotation3 } from './spatial-resample.ts';
import type { BatchArrays, TrainingCase } from './training-case.ts';

/**
 * Data augmentation of one training sample, nnU-Net's defaults (v2 `get_training_transforms`).
 * Two steps, so that what happens to a sample is plain data:
 *   drawAugmentation(config, channels, random) -> SampleAugmentation   (all random choices)
 *   augmentSample(case, start, augmentation, target, sample, labelPad)  (deterministic, pure typed arrays)
 * Mirroring, rotation and scaling are one matrix and one resampling pass from the case
 * (spatial-resample.ts); then, per channel and in nnU-Net's order: noise, blur, brightness, contrast,
 * low resolution, inverted gamma, gamma. Every probability `p` is per sample; 0 disables a transform.
 */
export type Range = [number, number];

export interface AugmentationConfig {
  /** false: every sample is a plain crop (identity), whatever the rest says. */
  enabled: boolean;
  /** Rotate and scale only in the H-W plane (about the D axis); low resolution only in-plane. For anisotropic patches. */
  inPlaneOnly: boolean;
  /** Each allowed axis [d, h, w] is mirrored with probability p. */
  mirror: { p: number; axes: [boolean, boolean, boolean] };
  /** With probability p: angles uniform in [-maxAngle, maxAngle] radians about each axis (only D when in-plane). */
  rotation: { p: number; maxAngle: number };
  /** With probability p: source offsets multiplied by s (< 1 zooms in), s drawn by the half-below-one rule. */
  scale: { p: number; range: Range };
  /** With probability p: additive N(0, std^2), std uniform in [0, maxStd], the same for every channel. */
  noise: { p: number; maxStd: number };
  /** With probability p, each channel with pPerChannel: Gaussian blur, sigma uniform in range per axis (voxels). */
  blur: { p: number; pPerChannel: number; sigma: Range };
  /** With probability p: each channel multiplied by a factor uniform in range. */
  brightness: { p: number; range: Range };
  /** With probability p: each channel's contrast scaled about its mean (half-below-one rule), range preserved. */
  contrast: { p: number; range: Range };
  /** With probability p, each channel with pPerChannel: down (nearest) and up (trilinear) by a zoom uniform in range. */
  lowResolution: { p: number; pPerChannel: number; zoom: Range };
  /** With probability p: gamma (half-below-one rule) on the inverted image, statistics kept. */
  gammaInverted: { p: number; range: Range };
  /** With probability p: gamma (half-below-one rule), statistics kept. */
  gamma: { p: number; range: Range };
}

const degrees = (value: number): number => (value * Math.PI) / 180;

/** nnU-Net's augmentation for isotropic-enough 3D patches (30 degree rotations about every axis). */
export const NNUNET_AUGMENTATION: AugmentationConfig = {
  enabled: true,
  inPlaneOnly: false,
  mirror: { p: 0.5, axes: [true, true, true] },
  rotation: { p: 0.2, maxAngle: degrees(30) },
  scale: { p: 0.2, range: [0.7, 1.4] },
  noise: { p: 0.1, maxStd: 0.1 },
  blur: { p: 0.2, pPerChannel: 0.5, sigma: [0.5, 1] },
  brightness: { p: 0.15, range: [0.75, 1.25] },
  contrast: { p: 0.15, range: [0.75, 1.25] },
  lowResolution: { p: 0.25, pPerChannel: 0.5, zoom: [0.5, 1] },
  gammaInverted: { p: 0.1, range: [0.7, 1.5] },
  gamma: { p: 0.3, range: [0.7, 1.5] },
};

export const NO_AUGMENTATION: AugmentationConfig = { ...NNUNET_AUGMENTATION, enabled: false };

/** nnU-Net's choice for a patch [D, H, W]: in-plane only (rotations up to 180 degrees) when max(size) / D > 3. */
export function nnUNetAugmentation(patchSize: Vec3i): AugmentationConfig {
  const inPlaneOnly = Math.max(...patchSize) / patchSize[0] > 3;
  return inPlaneOnly ? { ...NNUNET_AUGMENTATION, inPlaneOnly, rotation: { p: 0.2, maxAngle: Math.PI } } : NNUNET_AUGMENTATION;
}

export interface ChannelAugmentation {
  noise: { std: number; seed: number } | null;
  /** Sigma per axis [d, h, w] in voxels. */
  blur: [number, number, number] | null;
  brightness: number | null;
  contrast: number | null;
  lowResolution: number | null;
  gammaInverted: number | null;
  gamma: number | null;
}

export interface SampleAugmentation {
  /** Mirror the axes [d, h, w]. */
  flip: [boolean, boolean, boolean];
  /** Radians about the D, H and W axes (applied in that order: R = R_d R_h R_w). */
  angles: [number, number, number];
  /** Multiplies source offsets (< 1 zooms in); only H and W when `inPlaneOnly`. */
  scale: number;
  inPlaneOnly: boolean;
  channels: ChannelAugmentation[];
}

const NO_CHANNEL_CHANGE: ChannelAugmentation = { noise: null, blur: null, brightness: null, contrast: null, lowResolution: null, gammaInverted: null, gamma: null };

export function identityAugmentation(channels: number): SampleAugmentation {
  return { flip: [false, false, false], angles: [0, 0, 0], scale: 1, inPlaneOnly: false, channels: Array.from({ length: channels }, () => ({ ...NO_CHANNEL_CHANGE })) };
}

/** batchgenerators' rule for ranges around 1: half the time below 1 (when the range reaches below), otherwise above. */
function drawAroundOne(range: Range, random: Random): number {
  if (random.uniform() < 0.5 && range[0] < 1) return random.uniform(range[0], 1);
  return random.uniform(Math.max(range[0], 1), range[1]);
}

export function drawAugmentation(config: AugmentationConfig, channels: number, random: Random): SampleAugmentation {
  const result = identityAugmentation(channels);
  if (!config.enabled) return result;
  result.inPlaneOnly = config.inPlaneOnly;
  result.flip = config.mirror.axes.map((allowed) => allowed && random.chance(config.mirror.p)) as [boolean, boolean, boolean];
  if (random.chance(config.rotation.p)) {
    const angle = () => random.uniform(-config.rotation.maxAngle, config.rotation.maxAngle);
    result.angles = config.inPlaneOnly ? [angle(), 0, 0] : [angle(), angle(), angle()];
  }
  if (random.chance(config.scale.p)) result.scale = drawAroundOne(config.scale.range, random);
  const noise = random.chance(config.noise.p) ? random.uniform(0, config.noise.maxStd) : null;
  const blur = random.chance(config.blur.p);
  const brightness = random.chance(config.brightness.p);
  const contrast = random.chance(config.contrast.p);
  const lowResolution = random.chance(config.lowResolution.p);
  const gammaInverted = random.chance(config.gammaInverted.p);
  const gamma = random.chance(config.gamma.p);
  for (const channel of result.channels) {
    if (noise !== null) channel.noise = { std: noise, seed: random.nextUint32() };
    if (blur && random.chance(config.blur.pPerChannel)) channel.blur = [0, 1, 2].map(() => random.uniform(...config.blur.sigma)) as [number, number, number];
    if (brightness) channel.brightness = random.uniform(...config.brightness.range);
    if (contrast) channel.contrast = drawAroundOne(config.contrast.range, random);
    if (lowResolution && random.chance(config.lowResolution.pPerChannel)) channel.lowResolution = random.uniform(...config.lowResolution.zoom);
    if (gammaInverted) channel.gammaInverted = drawAroundOne(config.gammaInverted.range, random);
    if (gamma) channel.gamma = drawAroundOne(config.gamma.range, random);
  }
  return result;
}

/** The matrix from output offsets to case offsets: R_d R_h R_w S F. */
export function spatialMatrix(augmentation: SampleAugmentation): Matrix3 {
  const { flip, angles, scale, inPlaneOnly } = augmentation;
  let matrix: Matrix3 = [flip[0] ? -1 : 1, 0, 0, 0, flip[1] ? -1 : 1, 0, 0, 0, flip[2] ? -1 : 1];
  if (scale !== 1) matrix = multiply3([inPlaneOnly ? 1 : scale, 0, 0, 0, scale, 0, 0, 0, scale], matrix);
  for (const axis of [2, 1, 0] as const) if (angles[axis] !== 0) matrix = multiply3(rotation3(axis, angles[axis]), matrix);
  return isIdentity3(matrix) ? IDENTITY3 : matrix;
}

const changesIntensity = (channel: ChannelAugmentation): boolean => Object.values(channel).some((value) => value !== null);

/** Writes sample `sample` of `target` (NDHWC image, NDHW label) from the case: the patch at `start`, transformed. */
export function augmentSample(trainingCase: TrainingCase, start: Vec3i, augmentation: SampleAugmentation, target: BatchArrays, sample: number, labelPad: number): void {
  resamplePatch(trainingCase, start, spatialMatrix(augmentation), target, sample, labelPad);
  const [, pd, ph, pw, channels] = target.shape;
  const dims: Vec3i = [pd, ph, pw];
  const voxels = pd * ph * pw;
  const base = sample * voxels * channels;
  const lowResolutionAxes: [boolean, boolean, boolean] = [!augmentation.inPlaneOnly, true, true];
  augmentation.channels.forEach((channel, c) => {
    if (!changesIntensity(channel)) return;
    const values = channels === 1 ? target.image.subarray(base, base + voxels) : new Float32Array(voxels);
    if (channels > 1) for (let v = 0; v < voxels; v += 1) values[v] = target.image[base + v * channels + c]!;
    if (channel.noise) addGaussianNoise(values, channel.noise.std, channel.noise.seed);
    if (channel.blur) gaussianBlur(values, dims, channel.blur);
    if (channel.brightness !== null) multiplyBrightness(values, channel.brightness);
    if (channel.contrast !== null) scaleContrast(values, channel.contrast);
    if (channel.lowResolution !== null) simulateLowResolution(values, dims, channel.lowResolution, lowResolutionAxes);
    if (channel.gammaInverted !== null) applyGamma(values, channel.gammaInverted, true);
    if (channel.gamma !== null) applyGamma(values, channel.gamma, false);
    if (channels > 1) for (let v = 0; v < voxels; v += 1) target.image[base + v * channels + c] = values[v]!;
  });
}

import {
  ANISOTROPY_THRESHOLD,
  FINGERPRINT_SCHEMA_VERSION,
  type ChannelIntensity,
  type ClassFraction,
  type FingerprintJson,
  type IntensityHistogram,
  type IntensityStatistics,
  type Triple,
} from '../api/fingerprint.ts';
import { voxelCount, type Vec3, type Volume } from '../io/volume.ts';
import { boxDims, nonzeroBox } from './preprocess/crop.ts';
import { hashSeed, sampleIndices } from './seeded-sample.ts';

/** What one case contributes to the fingerprint; the voxels themselves can be dropped after this. */
export interface CaseMeasurement {
  id: string;
  spacing: Triple;
  dims: Triple;
  /** Shape of the nonzero bounding box of the image channels. */
  nonzeroDims: Triple;
  /** Integer label value -> voxel count. */
  classVoxels: Map<number, number>;
  /** Per channel: finite foreground voxels of the case. */
  foregroundVoxels: number[];
  /** Per channel: the foreground values kept for the statistics (all, or a seeded sample). */
  foregroundSamples: Float64Array[];
}

export interface MeasureOptions {
  /** Most foreground voxels kept per case and channel (default: all up to 100 000). */
  maxSamples?: number;
  /** Seed of the sample; the case id is mixed in, so the result does not depend on the reading order. */
  seed?: number;
}

/** Foreground voxels kept per case so that all cases together keep at most ~4 million per channel. */
export const foregroundSampleBudget = (caseCount: number): number => Math.max(10_000, Math.floor(4_000_000 / Math.max(1, caseCount)));

const triple = (vector: Vec3): Triple => [vector[0], vector[1], vector[2]];

/** Indices of label > 0 voxels; when more than `keep`, a seeded sample of `keep` of them (no repeats), ascending. */
function foregroundIndices(label: Volume, keep: number, seed: number): Uint32Array {
  const size = voxelCount(label.dims);
  let count = 0;
  for (let index = 0; index < size; index += 1) if (label.data[index]! > 0) count += 1;
  const indices = new Uint32Array(count);
  for (let index = 0, at = 0; index < size; index += 1) if (label.data[index]! > 0) indices[at++] = index;
  return sampleIndices(indices, keep, seed);
}

/** Every channel of a case's image files as one array each, in channel order. */
function channelArrays(images: Volume[]): ArrayLike<number>[] {
  return images.flatMap((volume) => {
    const size = voxelCount(volume.dims);
    return Array.from({ length: volume.channels }, (_, channel) => volume.data.subarray(channel * size, (channel + 1) * size));
  });
}

/**
 * Measures one case: geometry, label value counts and foreground (label > 0) intensities per
 * channel. The images and the label must share one voxel grid (the integrity check ensures it).
 */
export function measureCase(id: string, images: Volume[], label: Volume, options: MeasureOptions = {}): CaseMeasurement {
  const classVoxels = new Map<number, number>();
  const size = voxelCount(label.dims);
  for (let index = 0; index < size; index += 1) {
    const value = label.data[index]!;
    if (Number.isInteger(value)) classVoxels.set(value, (classVoxels.get(value) ?? 0) + 1);
  }
  const all = foregroundIndices(label, Infinity, 0);
  const kept = all.length > (options.maxSamples ?? 100_000) ? foregroundIndices(label, options.maxSamples ?? 100_000, hashSeed(id, options.seed ?? 1234)) : all;
  const channels = channelArrays(images);
  const finiteCount = (data: ArrayLike<number>, indices: Uint32Array) => indices.reduce((sum, index) => sum + (Number.isFinite(data[index]!) ? 1 : 0), 0);
  return {
    id,
    spacing: triple(label.spacing),
    dims: triple(label.dims),
    nonzeroDims: boxDims(nonzeroBox(channels, triple(label.dims))),
    classVoxels,
    foregroundVoxels: channels.map((data) => finiteCount(data, all)),
    foregroundSamples: channels.map((data) => Float64Array.from([...kept].map((index) => data[index]!).filter(Number.isFinite))),
  };
}

/** Percentile of ascending values with linear interpolation (numpy's default). */
export function percentile(sorted: ArrayLike<number>, percent: number): number {
  const position = (percent / 100) * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Statistics of values already in ascending order; null for none. */
function statisticsOfSorted(sorted: Float64Array): IntensityStatistics | null {
  if (sorted.length === 0) return null;
  let sum = 0;
  for (const value of sorted) sum += value;
  const mean = sum / sorted.length;
  let squares = 0;
  for (const value of sorted) squares += (value - mean) ** 2;
  return {
    mean,
    std: Math.sqrt(squares / sorted.length),
    median: percentile(sorted, 50),
    percentile00_5: percentile(sorted, 0.5),
    percentile99_5: percentile(sorted, 99.5),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** Bins of the stored intensity histogram: fine enough to show a shape, small enough for a JSON file. */
export const INTENSITY_HISTOGRAM_BINS = 64;

/** Equal-width bins between low and high, outside values in the end bins (the contract of IntensityHistogram). */
export function intensityHistogram(values: ArrayLike<number>, low: number, high: number, binCount = INTENSITY_HISTOGRAM_BINS): IntensityHistogram {
  if (!(high > low)) return { low, high, counts: [values.length] };
  const counts = new Array<number>(binCount).fill(0);
  const binsPerUnit = binCount / (high - low);
  for (let index = 0; index < values.length; index += 1) {
    const bin = Math.floor((values[index]! - low) * binsPerUnit);
    counts[Math.min(binCount - 1, Math.max(0, bin))]! += 1;
  }
  return { low, high, counts };
}

/** One channel's foreground samples of all cases, sorted once for both the statistics and the histogram. */
function channelIntensity(cases: CaseMeasurement[], channel: number, name: string): ChannelIntensity {
  const samples = cases.map((entry) => entry.foregroundSamples[channel] ?? new Float64Array(0));
  const sorted = new Float64Array(samples.reduce((sum, part) => sum + part.length, 0));
  samples.reduce((offset, part) => (sorted.set(part, offset), offset + part.length), 0);
  sorted.sort();
  const statistics = statisticsOfSorted(sorted);
  return {
    channel,
    name,
    foregroundVoxels: cases.reduce((sum, entry) => sum + (entry.foregroundVoxels[channel] ?? 0), 0),
    sampledVoxels: sorted.length,
    statistics,
    histogram: statistics && intensityHistogram(sorted, statistics.percentile00_5, statistics.percentile99_5),
  };
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const medianTriple = (triples: Triple[]): Triple => [0, 1, 2].map((axis) => median(triples.map((triple) => triple[axis]!))) as Triple;

export interface FingerprintInfo {
  channels: string[];
  /** Declared labels, value -> name; values found but not declared are named 'undeclared'. */
  labels: Record<string, string>;
  excludedCases?: string[];
  createdAt?: string;
}

/** Puts the cases' measurements together (in the order given) into fingerprint.json. */
export function aggregateFingerprint(cases: CaseMeasurement[], info: FingerprintInfo): FingerprintJson {
  const medianSpacing = cases.length > 0 ? medianTriple(cases.map((entry) => entry.spacing)) : null;
  const intensity = info.channels.map((name, channel) => channelIntensity(cases, channel, name));
  const totalVoxels = cases.reduce((sum, entry) => sum + voxelCount(entry.dims), 0);
  const values = [...new Set([...Object.keys(info.labels).map(Number), ...cases.flatMap((entry) => [...entry.classVoxels.keys()])])].sort((a, b) => a - b);
  const classes = values.map((value): ClassFraction => {
    const voxels = cases.reduce((sum, entry) => sum + (entry.classVoxels.get(value) ?? 0), 0);
    const present = cases.filter((entry) => (entry.classVoxels.get(value) ?? 0) > 0).length;
    return { value, name: info.labels[String(value)] ?? 'undeclared', voxelFraction: totalVoxels > 0 ? voxels / totalVoxels : 0, casesPresent: present, presenceFraction: cases.length > 0 ? present / cases.length : 0 };
  });
  let anisotropy: FingerprintJson['anisotropy'] = null;
  if (medianSpacing !== null) {
    const ratio = Math.max(...medianSpacing) / Math.min(...medianSpacing);
    anisotropy = { ratio, anisotropic: ratio > ANISOTROPY_THRESHOLD, coarsestAxis: medianSpacing.indexOf(Math.max(...medianSpacing)) as 0 | 1 | 2 };
  }
  return {
    schemaVersion: FINGERPRINT_SCHEMA_VERSION,
    createdAt: info.createdAt ?? new Date().toISOString(),
    caseCount: cases.length,
    excludedCases: info.excludedCases ?? [],
    cases: cases.map((entry) => ({ id: entry.id, spacing: entry.spacing, dims: entry.dims, nonzeroDims: entry.nonzeroDims, classVoxels: Object.fromEntries([...entry.classVoxels].sort(([a], [b]) => a - b).map(([value, count]) => [String(value), count])) })),
    medianSpacing,
    medianDims: cases.length > 0 ? medianTriple(cases.map((entry) => entry.dims)) : null,
    anisotropy,
    intensity,
    classes,
  };
}

/** The fingerprint of cases held in memory: measure each, then aggregate. */
export function computeFingerprint(cases: { id: string; images: Volume[]; label: Volume }[], info: FingerprintInfo, options: MeasureOptions = {}): FingerprintJson {
  const maxSamples = options.maxSamples ?? foregroundSampleBudget(cases.length);
  return aggregateFingerprint(
    cases.map((entry) => measureCase(entry.id, entry.images, entry.label, { ...options, maxSamples })),
    info,
  );
}

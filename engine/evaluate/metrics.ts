import type { Vec3 } from '../io/volume.ts';
import { squaredDistanceToSites } from './distance-transform.ts';
import { cropMask, surfaceOf, type Box, type LabelData } from './label-grid.ts';

/**
 * Segmentation metrics of one case, per foreground label.
 *
 * Definitions:
 * - Dice = 2|A∩B| / (|A|+|B|), IoU = |A∩B| / |A∪B| (A = reference, B = prediction, voxel counts).
 * - Surface of a mask: its voxels with a 6-connected neighbour outside the mask; outside the image
 *   counts as outside the mask (as scipy's binary_erosion with border_value 0, MedPy, nnU-Net v1).
 * - Surface distances: from each surface voxel of one mask to the nearest surface voxel of the
 *   other, between voxel centres, in mm (voxel spacing), by an exact Euclidean distance transform.
 * - HD95: the 95th percentile of both directions' distances pooled (MedPy's hd95, as nnU-Net v1
 *   reported it), with NumPy's default linear interpolation between order statistics.
 * - Surface Dice at tolerance τ (Nikolov et al. 2021, counted on surface voxels rather than
 *   weighted by surfel areas): (#{a ∈ ∂A: d(a, ∂B) ≤ τ} + #{b ∈ ∂B: d(b, ∂A) ≤ τ}) / (|∂A| + |∂B|).
 *
 * Empty masks (`empty` says which), following nnU-Net v2's evaluation for Dice and IoU:
 * - both empty: Dice, IoU, HD95 and surface Dice are NaN ("not applicable"); means skip NaN, as
 *   nnU-Net's nanmean, so a label absent from a case neither helps nor hurts.
 * - one empty: Dice 0, IoU 0, surface Dice 0, and HD95 = the grid's diagonal in mm (the largest
 *   distance possible in the image, the worst score, as BraTS does) so that a missed or
 *   hallucinated structure counts against the mean instead of vanishing from it.
 */
export interface ClassMetrics {
  dice: number;
  iou: number;
  /** mm */
  hd95: number;
  surfaceDice: number;
  referenceVoxels: number;
  predictionVoxels: number;
  empty: EmptyMasks;
}

export type EmptyMasks = 'none' | 'reference' | 'prediction' | 'both';

/** A reference and a prediction on one grid: data in (i, j, k) order, i fastest; spacing in mm. */
export interface CaseLabels {
  reference: LabelData;
  prediction: LabelData;
  dims: Vec3;
  spacing: Vec3;
}

export interface MetricOptions {
  /** Surface Dice tolerance in mm (default 1). */
  toleranceMm?: number;
}

export const DEFAULT_TOLERANCE_MM = 1;
/** Distances within this much of the tolerance count as within it (floating-point rounding). */
const TOLERANCE_SLACK_MM = 1e-9;

/** The largest label value evaluated (a lookup table of this size is built). */
export const MAX_LABEL = 65535;

/** Voxel counts of one label: true positives, false positives, false negatives, and where they lie. */
export interface LabelOverlap {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Bounding box of reference ∪ prediction for this label; null when both are empty. */
  box: Box | null;
}

function checkSizes(input: Pick<CaseLabels, 'reference' | 'prediction' | 'dims'>): void {
  const voxels = input.dims[0] * input.dims[1] * input.dims[2];
  if (input.reference.length !== voxels || input.prediction.length !== voxels) {
    throw new RangeError(`reference (${input.reference.length}) and prediction (${input.prediction.length}) must both have ${voxels} values (dims ${input.dims.join('x')})`);
  }
}

/** Overlap counts of every label in one pass over the grid. */
export function overlapByLabel(input: Pick<CaseLabels, 'reference' | 'prediction' | 'dims'>, labels: readonly number[]): LabelOverlap[] {
  checkSizes(input);
  const bad = labels.filter((label) => !Number.isInteger(label) || label < 0 || label > MAX_LABEL);
  if (bad.length > 0) throw new RangeError(`labels must be integers in 0..${MAX_LABEL}, got ${bad.join(', ')}`);
  const { reference, prediction, dims } = input;
  // Label value -> position in `labels`; values that are not listed (or not integers) map to -1.
  const classOf = new Int32Array(Math.max(0, ...labels) + 1).fill(-1);
  labels.forEach((label, position) => (classOf[label] = position));
  const counts = labels.map(() => ({ truePositives: 0, falsePositives: 0, falseNegatives: 0, lo: [Infinity, Infinity, Infinity], hi: [-1, -1, -1] }));
  const extend = (position: number, i: number, j: number, k: number) => {
    const { lo, hi } = counts[position]!;
    if (i < lo[0]!) lo[0] = i;
    if (i > hi[0]!) hi[0] = i;
    if (j < lo[1]!) lo[1] = j;
    if (j > hi[1]!) hi[1] = j;
    if (k < lo[2]!) lo[2] = k;
    if (k > hi[2]!) hi[2] = k;
  };
  let index = 0;
  for (let k = 0; k < dims[2]; k += 1) {
    for (let j = 0; j < dims[1]; j += 1) {
      for (let i = 0; i < dims[0]; i += 1, index += 1) {
        const referenceValue = reference[index]!;
        const predictionValue = prediction[index]!;
        if (referenceValue === predictionValue) {
          // The common case, background in both, costs one comparison and one lookup.
          const position = classOf[referenceValue] ?? -1;
          if (position < 0) continue;
          counts[position]!.truePositives += 1;
          extend(position, i, j, k);
          continue;
        }
        const inReference = classOf[referenceValue] ?? -1;
        const inPrediction = classOf[predictionValue] ?? -1;
        if (inReference >= 0) {
          counts[inReference]!.falseNegatives += 1;
          extend(inReference, i, j, k);
        }
        if (inPrediction >= 0) {
          counts[inPrediction]!.falsePositives += 1;
          extend(inPrediction, i, j, k);
        }
      }
    }
  }
  return counts.map(({ lo, hi, ...count }) => ({ ...count, box: hi[0]! < 0 ? null : { lo: lo as Vec3, hi: hi as Vec3 } }));
}

/** Dice from overlap counts; NaN when both masks are empty. */
export const diceOf = (overlap: LabelOverlap): number => {
  const denominator = 2 * overlap.truePositives + overlap.falsePositives + overlap.falseNegatives;
  return denominator === 0 ? NaN : (2 * overlap.truePositives) / denominator;
};

/** Dice of each label (in the order given): one pass, no surfaces. */
export const diceByLabel = (input: Pick<CaseLabels, 'reference' | 'prediction' | 'dims'>, labels: readonly number[]): number[] => overlapByLabel(input, labels).map(diceOf);

/**
 * Distances (mm) from each surface voxel of the reference's label mask to the prediction's surface,
 * and back. `box` must hold every voxel of the label in both (overlapByLabel gives it); both masks
 * must be non-empty.
 */
export function surfaceDistances(input: CaseLabels, label: number, box: Box): { fromReference: Float64Array; fromPrediction: Float64Array } {
  const isLabel = (value: number) => value === label;
  const reference = surfaceOf(cropMask(input.reference, input.dims, box, isLabel));
  const predicted = cropMask(input.prediction, input.dims, box, isLabel);
  const prediction = surfaceOf(predicted);
  const field = squaredDistanceToSites(prediction.sites, predicted.dims, input.spacing);
  const fromReference = Float64Array.from(reference.indices, (index) => Math.sqrt(field[index]!));
  squaredDistanceToSites(reference.sites, predicted.dims, input.spacing, field);
  const fromPrediction = Float64Array.from(prediction.indices, (index) => Math.sqrt(field[index]!));
  return { fromReference, fromPrediction };
}

/** The q-th percentile (0..100) of values sorted ascending, interpolating linearly as NumPy's default. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = ((sorted.length - 1) * q) / 100;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** Largest distance between two voxel centres of the grid, in mm: HD95 when exactly one mask is empty. */
export const gridDiagonal = (dims: Vec3, spacing: Vec3): number => Math.hypot((dims[0] - 1) * spacing[0], (dims[1] - 1) * spacing[1], (dims[2] - 1) * spacing[2]);

/** HD95 and surface Dice from both directions' distances. */
export function surfaceScores(fromReference: Float64Array, fromPrediction: Float64Array, toleranceMm: number): { hd95: number; surfaceDice: number } {
  const pooled = new Float64Array(fromReference.length + fromPrediction.length);
  pooled.set(fromReference);
  pooled.set(fromPrediction, fromReference.length);
  pooled.sort();
  let within = 0;
  const limit = toleranceMm + TOLERANCE_SLACK_MM;
  for (const distance of pooled) if (distance <= limit) within += 1;
  return { hd95: percentileOfSorted(pooled, 95), surfaceDice: pooled.length === 0 ? NaN : within / pooled.length };
}

/** Metrics of each label for one case, keyed by the label value as a decimal string (see ClassMetrics). */
export function caseMetrics(input: CaseLabels, labels: readonly number[], options: MetricOptions = {}): Record<string, ClassMetrics> {
  const toleranceMm = options.toleranceMm ?? DEFAULT_TOLERANCE_MM;
  if (!(toleranceMm >= 0)) throw new RangeError(`toleranceMm must be a non-negative number, got ${toleranceMm}`);
  const overlaps = overlapByLabel(input, labels);
  const result: Record<string, ClassMetrics> = {};
  labels.forEach((label, position) => {
    const overlap = overlaps[position]!;
    const referenceVoxels = overlap.truePositives + overlap.falseNegatives;
    const predictionVoxels = overlap.truePositives + overlap.falsePositives;
    const union = overlap.truePositives + overlap.falsePositives + overlap.falseNegatives;
    const empty: EmptyMasks = referenceVoxels === 0 ? (predictionVoxels === 0 ? 'both' : 'reference') : predictionVoxels === 0 ? 'prediction' : 'none';
    const base = { dice: diceOf(overlap), iou: union === 0 ? NaN : overlap.truePositives / union, referenceVoxels, predictionVoxels, empty };
    if (empty === 'both') result[String(label)] = { ...base, hd95: NaN, surfaceDice: NaN };
    else if (empty !== 'none') result[String(label)] = { ...base, hd95: gridDiagonal(input.dims, input.spacing), surfaceDice: 0 };
    else {
      const { fromReference, fromPrediction } = surfaceDistances(input, label, overlap.box!);
      result[String(label)] = { ...base, ...surfaceScores(fromReference, fromPrediction, toleranceMm) };
    }
  });
  return result;
}

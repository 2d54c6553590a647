import type { Vec3, VoxelArray } from '../io/volume.ts';
import { DEFAULT_CONNECTIVITY, largestComponent, type Connectivity } from './components.ts';
import type { LabelData } from './label-grid.ts';
import { diceByLabel } from './metrics.ts';

/**
 * Largest-connected-component postprocessing, chosen on cross-validation results as nnU-Net v2's
 * `determine_postprocessing` does:
 * 1. Keep only the largest component of all foreground labels taken together; removed voxels
 *    become background. Kept when the mean over labels of the mean Dice rises strictly and no
 *    label's mean Dice drops.
 * 2. Then, when there are several labels, for each label in ascending order: keep only that label's
 *    largest component. Kept when that label's mean Dice rises strictly.
 * Means are over cases, skipping cases where the label is in neither mask (Dice NaN).
 * nnU-Net keeps a step only on a strict gain: a tie means the cross-validation gave no evidence,
 * and the step could still remove true structures from unseen cases.
 * Components are 26-connected by default, as nnU-Net v2's (engine/evaluate/components.ts).
 */
export interface PostprocessingPlan {
  connectivity: Connectivity;
  /** Step 1: keep the largest component of these labels taken together; [] skips the step. */
  largestOfForeground: number[];
  /** Step 2: keep the largest component of each of these labels, in this order. */
  largestPerLabel: number[];
}

export const NO_POSTPROCESSING: PostprocessingPlan = { connectivity: DEFAULT_CONNECTIVITY, largestOfForeground: [], largestPerLabel: [] };

/** A label map that postprocessing copies and edits: any voxel array (labels read from float NIfTI files included). */
export type LabelArray = VoxelArray;

/** A copy of `labels` where voxels of `labelSet` outside the set's largest component become 0. */
export function keepLargestComponent<T extends LabelArray>(labels: T, dims: Vec3, labelSet: readonly number[], connectivity: Connectivity = DEFAULT_CONNECTIVITY): T {
  const members = new Set(labelSet);
  const isMember = (value: number) => members.has(value);
  const keep = largestComponent(labels, dims, isMember, connectivity);
  const result = labels.slice() as T;
  for (let index = 0; index < result.length; index += 1) {
    if (keep[index] === 0 && isMember(result[index]!)) result[index] = 0;
  }
  return result;
}

/** Applies a plan (both steps, in order) to one label map; returns a copy. */
export function applyPostprocessing<T extends LabelArray>(labels: T, dims: Vec3, plan: PostprocessingPlan): T {
  let result = plan.largestOfForeground.length > 0 ? keepLargestComponent(labels, dims, plan.largestOfForeground, plan.connectivity) : (labels.slice() as T);
  for (const label of plan.largestPerLabel) result = keepLargestComponent(result, dims, [label], plan.connectivity);
  return result;
}

/** A cross-validation case: the reference and the (unprocessed) prediction on one grid. */
export interface PostprocessingCase {
  reference: LabelData;
  prediction: LabelArray;
  dims: Vec3;
}

/** One tried step: the mean Dice per label before and after it, and whether it was kept. */
export interface PostprocessingStep {
  step: 'foreground' | number;
  meanDiceBefore: Record<string, number>;
  meanDiceAfter: Record<string, number>;
  applied: boolean;
}

export interface PostprocessingDecision {
  plan: PostprocessingPlan;
  /** The evidence, in the order tried; empty when forced. */
  steps: PostprocessingStep[];
}

const nanMean = (values: number[]) => {
  const counted = values.filter((value) => !Number.isNaN(value));
  return counted.length === 0 ? NaN : counted.reduce((sum, value) => sum + value, 0) / counted.length;
};

/** Mean Dice per label over cases (NaN-skipping), keyed by label. */
function meanDice(cases: readonly PostprocessingCase[], predictions: readonly LabelArray[], labels: readonly number[]): Record<string, number> {
  const perCase = cases.map((entry, index) => diceByLabel({ reference: entry.reference, prediction: predictions[index]!, dims: entry.dims }, labels));
  return Object.fromEntries(labels.map((label, position) => [String(label), nanMean(perCase.map((scores) => scores[position]!))]));
}

/**
 * Chooses the postprocessing from cross-validation predictions (see the module comment).
 * `force: true` skips the evidence and keeps the largest component of every label.
 */
export function decidePostprocessing(cases: readonly PostprocessingCase[], labels: readonly number[], options: { connectivity?: Connectivity; force?: boolean } = {}): PostprocessingDecision {
  const connectivity = options.connectivity ?? DEFAULT_CONNECTIVITY;
  const sortedLabels = [...labels].sort((a, b) => a - b);
  if (options.force) return { plan: { connectivity, largestOfForeground: [], largestPerLabel: sortedLabels }, steps: [] };
  const plan: PostprocessingPlan = { connectivity, largestOfForeground: [], largestPerLabel: [] };
  const steps: PostprocessingStep[] = [];
  let predictions: LabelArray[] = cases.map((entry) => entry.prediction);
  let before = meanDice(cases, predictions, sortedLabels);

  const candidate = cases.map((entry, index) => keepLargestComponent(predictions[index]!, entry.dims, sortedLabels, connectivity));
  const after = meanDice(cases, candidate, sortedLabels);
  const average = (means: Record<string, number>) => nanMean(Object.values(means));
  const applied = average(after) > average(before) && sortedLabels.every((label) => !(after[String(label)]! < before[String(label)]!));
  steps.push({ step: 'foreground', meanDiceBefore: before, meanDiceAfter: after, applied });
  if (applied) {
    plan.largestOfForeground = sortedLabels;
    predictions = candidate;
    before = after;
  }

  if (sortedLabels.length > 1) {
    for (const label of sortedLabels) {
      const trial = cases.map((entry, index) => keepLargestComponent(predictions[index]!, entry.dims, [label], connectivity));
      // Removing voxels of one label changes no other label's mask, so only its Dice can move.
      const afterLabel = { ...before, ...meanDice(cases, trial, [label]) };
      const gain = afterLabel[String(label)]! > before[String(label)]!;
      steps.push({ step: label, meanDiceBefore: before, meanDiceAfter: afterLabel, applied: gain });
      if (gain) {
        plan.largestPerLabel.push(label);
        predictions = trial;
        before = afterLabel;
      }
    }
  }
  return { plan, steps };
}

/**
 * Compound scaling, the last stage of C2FNAS here: a small grid around the searched architecture
 * over width (the space's 'widths' decision), patch size (its 'patch-scale' decision: a factor on
 * the plan's patch) and depth (the chosen topology, and for every other number of levels the most
 * similar topology of that depth, the searched op of each layer carried over).
 *
 * Rule: grid points whose training memory (memory.ts, at their own patch) exceeds the budget are
 * dropped; of the rest, the unscaled point and `candidates - 1` others spread evenly over the range
 * of training cost (FLOPs per step) are trained from scratch for the same wall time each (equal
 * time, as the final training has: a bigger network gets fewer steps) and scored on the reward
 * cases; the best Dice wins (ties: the cheaper one).
 *
 * Files (<folder>/): scaling.json (the plan: grid, rejected points, chosen candidates, seconds each;
 * then each result as it arrives) and one resumable training run folder per candidate.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PatchScaleDecision, SearchPoint, SearchSpace, WidthsDecision } from '../../api/search-space.ts';
import { networkCost } from '../../network/cost-model.ts';
import { decodeGenome } from '../../network/decode.ts';
import { archId as archIdOf } from '../../network/genome.ts';
import type { Triple } from '../../network/spec.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { pointToGenome } from '../../space/genome-of-point.ts';
import type { OptimizerConfig } from '../../train/optimizers.ts';
import { formatBytes, trainingMemory } from '../memory.ts';
import { createTrainingEvaluator } from '../training-evaluator.ts';
import { standardize } from './clustering-evolution.ts';
import { topologyDecision, topologyFeatures } from './topology-features.ts';
import { scaledPatch } from '../../space/genome-of-point.ts';

export interface ScalingConfig {
  /** Grid points trained (the unscaled one included). */
  candidates: number;
  /** Whether the grid varies the depth (number of levels) too. */
  depth: boolean;
}

export const SCALING_DEFAULTS: ScalingConfig = { candidates: 5, depth: true };

/** The training shape the grid is costed for. */
export interface ScalingShape {
  /** The plan's patch, [D, H, W]. */
  patch: Triple;
  batch: number;
  inputChannels: number;
  classes: number;
  memoryBytes: number | null;
  /** Activation bytes x this in the memory estimate (memory.ts; default 2). */
  trainingFactor?: number;
}

export interface ScalingCandidate {
  /** "width12-patch1.25-topology7": names its training folder. */
  label: string;
  point: SearchPoint;
  archId: string;
  patchScale: number;
  /** [D, H, W]. */
  patch: Triple;
  flops: number;
  memoryBytes: number;
}

export interface ScalingResult {
  label: string;
  meanDice: number | null;
  reason: string | null;
  seconds: number;
}

export interface ScalingPlan {
  schemaVersion: 1;
  secondsEach: number | null;
  stepsEach: number | null;
  chosen: ScalingCandidate[];
  rejected: { label: string; reason: string }[];
  gridSize: number;
  results: ScalingResult[];
}


/** The point's patch for the plan's patch: its patch-scale factor, rounded to the network's size divisor. */
export function pointPatch(space: SearchSpace, point: SearchPoint, patch: Triple, context: { inputChannels: number; classes: number }): { patch: Triple; factor: number } {
  const decision = space.decisions.find((entry): entry is PatchScaleDecision => entry.kind === 'patch-scale');
  const factor = decision ? decision.choices[point[decision.id]!]! : 1;
  if (factor === 1) return { patch, factor };
  const spec = decodeGenome(pointToGenome(space, point), context);
  return { patch: scaledPatch(patch, factor, spec.sizeDivisor), factor };
}

/** The topologies to try: the chosen one and, with `depth`, the most similar one of every other level count. */
function depthChoices(space: SearchSpace, chosen: number, depth: boolean): number[] {
  const decision = topologyDecision(space);
  if (!depth) return [chosen];
  const features = standardize(decision.choices.map(topologyFeatures));
  const levels = (index: number) => decision.choices[index]!.encoder.length;
  const distance = (index: number) => Math.sqrt(features[index]!.reduce((sum, value, column) => sum + (value - features[chosen]![column]!) ** 2, 0));
  const others = [...new Set(decision.choices.map((_, index) => levels(index)))].filter((count) => count !== levels(chosen));
  return [chosen, ...others.map((count) => decision.choices.map((_, index) => index).filter((index) => levels(index) === count).reduce((best, index) => (distance(index) < distance(best) ? index : best)))];
}

/** The grid around `point`: every width x patch scale x depth, split into memory-feasible candidates and rejected points. */
export function scalingGrid(space: SearchSpace, point: SearchPoint, shape: ScalingShape, config: ScalingConfig): { feasible: ScalingCandidate[]; rejected: { label: string; reason: string }[] } {
  const topology = topologyDecision(space);
  const widths = space.decisions.find((entry): entry is WidthsDecision => entry.kind === 'widths');
  const patches = space.decisions.find((entry): entry is PatchScaleDecision => entry.kind === 'patch-scale');
  const feasible: ScalingCandidate[] = [];
  const rejected: { label: string; reason: string }[] = [];
  for (const topologyIndex of depthChoices(space, point[topology.id]!, config.depth)) {
    for (const widthIndex of widths ? widths.choices.map((_, index) => index) : [null]) {
      for (const patchIndex of patches ? patches.choices.map((_, index) => index) : [null]) {
        const candidate: SearchPoint = { ...point, [topology.id]: topologyIndex, ...(widths && widthIndex !== null ? { [widths.id]: widthIndex } : {}), ...(patches && patchIndex !== null ? { [patches.id]: patchIndex } : {}) };
        const genome = pointToGenome(space, candidate);
        const { patch, factor } = pointPatch(space, candidate, shape.patch, shape);
        const label = `width${genome.widths[0]}-patch${factor}-topology${topologyIndex}`;
        const memory = trainingMemory(genome, { patch, batch: shape.batch, inputChannels: shape.inputChannels, classes: shape.classes, ...(shape.trainingFactor ? { trainingFactor: shape.trainingFactor } : {}) });
        if ('error' in memory) rejected.push({ label, reason: memory.error });
        else if (shape.memoryBytes !== null && memory.bytes > shape.memoryBytes) rejected.push({ label, reason: `memory estimate ${formatBytes(memory.bytes)} exceeds the budget ${formatBytes(shape.memoryBytes)}` });
        else {
          const cost = networkCost(decodeGenome(genome, shape), patch, shape.batch);
          feasible.push({ label, point: candidate, archId: archIdOf(genome), patchScale: factor, patch, flops: 'error' in cost ? Infinity : cost.flops, memoryBytes: memory.bytes });
        }
      }
    }
  }
  return { feasible, rejected };
}

/** `count` candidates: the one labelled `keep` (when feasible) and the others spread evenly over the cost order. */
export function spreadByCost(candidates: readonly ScalingCandidate[], count: number, keep: string): ScalingCandidate[] {
  const sorted = [...candidates].sort((a, b) => a.flops - b.flops || a.label.localeCompare(b.label));
  const kept = sorted.filter((candidate) => candidate.label === keep);
  const rest = sorted.filter((candidate) => candidate.label !== keep);
  const wanted = Math.min(rest.length, Math.max(0, count - kept.length));
  const picked = wanted <= 1 ? rest.slice(rest.length - wanted) : Array.from({ length: wanted }, (_, index) => rest[Math.round((index * (rest.length - 1)) / (wanted - 1))]!);
  return [...new Set([...kept, ...picked])].sort((a, b) => a.flops - b.flops || a.label.localeCompare(b.label));
}

export interface ScalingOptions {
  folder: string;
  space: SearchSpace;
  /** The searched point (topology and ops) at the unscaled width and patch. */
  point: SearchPoint;
  shape: ScalingShape;
  config: ScalingConfig;
  wallSeconds: number;
  /** Step budget per candidate instead of wall time (tests). */
  candidateSteps?: number | null;
  training: { folder: string; dataId: string; trainIds: string[]; validationIds: string[]; fold: number; seed: number; optimizer: OptimizerConfig; augmentation: boolean };
  signal?: AbortSignal;
  onResult?: (candidate: ScalingCandidate, result: ScalingResult) => void | Promise<void>;
}

/**
 * A scaling candidate trains at least this long, even when the earlier stages left the stage no time:
 * a candidate with no steps has no Dice, and a stage with no Dice would fail the whole search.
 */
export const MIN_CANDIDATE_SECONDS = 60;

/** The scaling stage; null when cancelled. */
export async function runScaling(options: ScalingOptions): Promise<{ best: ScalingCandidate; result: ScalingResult; plan: ScalingPlan } | null> {
  const { folder, space, shape } = options;
  await mkdir(folder, { recursive: true });
  const planPath = join(folder, 'scaling.json');
  const savePlan = (plan: ScalingPlan) => writeFileAtomic(planPath, `${JSON.stringify(plan, null, 2)}\n`);
  let plan = await readFile(planPath, 'utf8').then((text) => JSON.parse(text) as ScalingPlan, () => null);
  if (plan === null) {
    const grid = scalingGrid(space, options.point, shape, options.config);
    const unscaled = grid.feasible.find((candidate) => candidate.archId === archIdOf(pointToGenome(space, options.point)) && candidate.patchScale === pointPatch(space, options.point, shape.patch, shape).factor);
    if (grid.feasible.length === 0) throw new Error(`compound scaling: no grid point fits the memory budget (${grid.rejected.map((entry) => `${entry.label}: ${entry.reason}`).join('; ')}); raise --memory`);
    const chosen = spreadByCost(grid.feasible, options.config.candidates, unscaled?.label ?? '');
    plan = { schemaVersion: 1, secondsEach: options.candidateSteps ? null : Math.max(MIN_CANDIDATE_SECONDS, options.wallSeconds / chosen.length), stepsEach: options.candidateSteps ?? null, chosen, rejected: grid.rejected, gridSize: grid.feasible.length + grid.rejected.length, results: [] };
    await savePlan(plan);
  }
  for (const candidate of plan.chosen) {
    if (plan.results.some((result) => result.label === candidate.label)) continue;
    if (options.signal?.aborted) return null;
    const { training } = options;
    const evaluator = createTrainingEvaluator({ runFolder: join(folder, candidate.label), folder: training.folder, dataId: training.dataId, trainIds: training.trainIds, validationIds: training.validationIds, fold: training.fold, seed: training.seed, classes: shape.classes, inputChannels: shape.inputChannels, optimizer: training.optimizer, augmentation: training.augmentation, ...(plan.stepsEach ? { steps: plan.stepsEach } : {}) });
    const started = performance.now();
    const genome = pointToGenome(space, candidate.point);
    let outcome;
    try {
      outcome = await evaluator.evaluate({ index: plan.results.length, archId: candidate.archId, point: candidate.point, genome }, { patch: candidate.patch, batch: shape.batch, wallSeconds: plan.secondsEach }, options.signal ?? new AbortController().signal);
    } catch (error) {
      outcome = { ok: false as const, reason: (error as Error).message };
    }
    if (options.signal?.aborted) return null;
    const result: ScalingResult = { label: candidate.label, meanDice: outcome.ok ? outcome.metrics.meanDice : null, reason: outcome.ok ? null : outcome.reason, seconds: (performance.now() - started) / 1000 };
    plan.results.push(result);
    await savePlan(plan);
    await options.onResult?.(candidate, result);
  }
  const scored = plan.results.filter((result) => result.meanDice !== null);
  if (scored.length === 0) throw new Error(`compound scaling: every candidate failed (${plan.results.map((result) => `${result.label}: ${result.reason}`).join('; ')}); see ${folder}`);
  const best = scored.reduce((top, result) => (result.meanDice! > top.meanDice! ? result : top));
  return { best: plan.chosen.find((candidate) => candidate.label === best.label)!, result: best, plan };
}

/**
 * RONASMIS / ENAS one-shot search: an LSTM controller (the ronasmis strategy) and a weight-shared
 * supernet (shared-supernet.ts) that keeps training for the whole search. One controller step:
 *   1. `sharedSteps` training steps of the supernet, each on a child path drawn from the current
 *      policy (only that path's weights get gradients);
 *   2. `childrenPerStep` children sampled by the controller, each evaluated with the shared weights
 *      on `casesPerChild` validation cases (the same cases for every child of the step): reward =
 *      patient-wise Dice;
 *   3. one REINFORCE update of the controller (moving-average baseline, entropy bonus);
 *   4. a checkpoint (shared weights, their optimizer, the controller and the counters) written
 *      atomically to <runFolder>/supernet/last.vxtf.
 * After the wall budget: the greedy child and the best children of the last steps are evaluated on
 * every validation case and the best is selected. Resume: the same call continues from the last
 * checkpoint; the step in progress at a crash is redone exactly (batches, paths and case subsets are
 * functions of the seed and the step), so no finished step is lost or changed.
 *
 * Why not runSearch: there, trials are independent trainings keyed by architecture; here every
 * evaluation reads weights that change between steps, so the same architecture gets a new reward
 * each time. Events, candidate files and the strategy are shared with runSearch (decision 0016).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchPoint, SearchSpace } from '../../api/search-space.ts';
import type { ValidationCase } from '../../evaluate/validate-cases.ts';
import { archId as archIdOf } from '../../network/genome.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { createRandom } from '../../runtime/random.ts';
import { NO_AUGMENTATION, nnUNetAugmentation } from '../../train/augment.ts';
import { openWorkerBatchSource, type BatchStream } from '../../train/batch-source.ts';
import { loadCheckpoint, saveCheckpoint } from '../../train/checkpoint.ts';
import { Optimizer, REFERENCE_ADAM, type OptimizerConfig } from '../../train/optimizers.ts';
import { pointToGenome } from '../../space/genome-of-point.ts';
import { asDiscreteSpace, ronasmisSearch, type ControllerStepRecord, type PolicyStrategy, type RonasmisConfig } from '../strategies/ronasmis-search.ts';
import type { Json } from '../types.ts';
import { formatBytes, trainingMemory } from '../memory.ts';
import { SharedSupernet } from './shared-supernet.ts';
import type { SupernetSearchInputs } from './search-inputs.ts';

export interface EnasConfig {
  /** Controller settings (ronasmis-search.ts); rememberRewards is always false here. */
  controller: Partial<Omit<RonasmisConfig, 'rememberRewards'>>;
  /** Supernet training steps between two controller updates. */
  sharedSteps: number;
  /** Validation cases each child is scored on (a fresh subset per controller step). */
  casesPerChild: number;
  /** Children of the last steps that are re-scored on every validation case at the end (plus the greedy child). */
  finalists: number;
  optimizer: OptimizerConfig;
  augmentation: boolean;
  /** 'superkernel': a cell's ops share one kernel per conv step (Single-Path NAS); 'per-op': ENAS's separate weights per op. */
  weightSharing: 'superkernel' | 'per-op';
}

export const ENAS_DEFAULTS: EnasConfig = {
  // ENAS's micro-search controller (temperature 5, tanh constant 1.1, rate 3.5e-3) is tuned for
  // thousands of controller steps; a CPU budget of an hour or two gives about ten, in which it stays
  // uniform (measured on this space with a synthetic reward: entropy 29.81 -> 29.78 in 12 steps).
  // ENAS's macro-search logits (no temperature, tanh constant 1.5) with rate 0.02 learn in ten steps
  // (14 of 15 decisions right, entropy 29.8 -> 22) and drift little on pure noise (-> 26.8).
  // The moving-average baseline reacts within a step (decay 0.2, not 0.95): the shared weights train
  // while the controller learns, so the children's rewards climb (0.06 -> 0.20 over ten steps on
  // hippocampus), and a slow baseline lags below every child of a step. That common positive advantage
  // reinforces whatever was sampled: with a synthetic reward rising 0.014 a step, decay 0.95 got 5.8
  // of 15 decisions right after ten steps, decay 0.2 got 10 (test: ronasmis-search.test.ts).
  controller: { childrenPerStep: 20, temperature: 1, tanhConstant: 1.5, learningRate: 0.02, baselineDecay: 0.2 },
  sharedSteps: 50,
  // Scoring is the search's overhead (it trains nothing): 20 children x 4 cases cost about as much
  // as 12 shared steps on the CPU; the finalists are scored again on every reward case.
  casesPerChild: 4,
  finalists: 4,
  optimizer: REFERENCE_ADAM,
  augmentation: true,
  // With per-op weights each of a cell's 8 ops is trained on about 1/8 of the shared steps, which a
  // CPU budget of tens of controller steps cannot afford; a superkernel trains on every step.
  weightSharing: 'superkernel',
};

export interface EnasSearchOptions extends SupernetSearchInputs {
  runFolder: string;
  space: SearchSpace;
  seed: number;
  config: EnasConfig;
  /** Search budget, the finalists' scoring included: no controller step starts that would not end, with the finalists scored, within this many seconds (summed over restarts; timed on the steps so far). */
  wallSeconds: number;
  /** Stop after this many controller steps (tests); null: only the wall budget. */
  maxControllerSteps?: number | null;
  /** Training-memory budget (cost model, engine/search/memory.ts): children above it are never trained or scored. */
  memoryBytes?: number | null;
  onEvent?: (event: EnasEvent) => void;
  batchWorker?: Parameters<typeof openWorkerBatchSource>[0]['worker'];
}

export interface ChildScore {
  archId: string;
  point: SearchPoint;
  meanDice: number;
  perClass: number[];
}

export type EnasEvent =
  | { type: 'search-started' | 'search-resumed'; controllerStep: number; sharedSteps: number; time: string }
  | { type: 'shared-training'; controllerStep: number; sharedSteps: number; loss: number; secondsPerStep: number; time: string }
  | ({ type: 'child-evaluated'; controllerStep: number; time: string } & ChildScore)
  | { type: 'child-rejected'; controllerStep: number; archId: string; point: SearchPoint; reason: string; time: string }
  | { type: 'controller-step'; record: ControllerStepRecord; sharedSteps: number; elapsedSeconds: number; etaSeconds: number; leaderboard: ChildScore[]; time: string }
  | ({ type: 'finalist-evaluated'; greedy: boolean; time: string } & ChildScore)
  | { type: 'search-finished'; reason: 'wall-time' | 'steps' | 'cancelled'; selected: ChildScore | null; controllerSteps: number; sharedSteps: number; elapsedSeconds: number; time: string };

interface EnasState {
  schemaVersion: 1;
  controllerStep: number;
  sharedSteps: number;
  elapsedSeconds: number;
  strategy: Json;
  /** Children of the most recent steps, newest last (finalist candidates). */
  recent: ChildScore[];
  selected: ChildScore | null;
  finishedReason: 'wall-time' | 'steps' | null;
  /** Wall seconds of the last controller step, and of scoring one child on one case (the budget's look-ahead). */
  lastStepSeconds?: number;
  secondsPerChildCase?: number;
}

export interface EnasOutcome {
  reason: 'wall-time' | 'steps' | 'cancelled';
  selected: ChildScore | null;
  supernet: SharedSupernet;
  history: ControllerStepRecord[];
  controllerSteps: number;
  sharedSteps: number;
  elapsedSeconds: number;
}

const now = () => new Date().toISOString();

/** Best per architecture, highest Dice first. */
function leaderboard(scores: readonly ChildScore[], size: number): ChildScore[] {
  const best = new Map<string, ChildScore>();
  for (const score of scores) if (!best.has(score.archId) || best.get(score.archId)!.meanDice < score.meanDice) best.set(score.archId, score);
  return [...best.values()].sort((a, b) => b.meanDice - a.meanDice).slice(0, size);
}

export async function runEnasSearch(options: EnasSearchOptions): Promise<EnasOutcome> {
  let created: SharedSupernet | null = null;
  try {
    return await enasSearch(options, (supernet) => (created = supernet));
  } catch (error) {
    // A cancel during scoring or a failure: the caller gets no outcome to dispose, so free the weights here.
    (created as SharedSupernet | null)?.dispose();
    throw error;
  }
}

async function enasSearch(options: EnasSearchOptions, onSupernet: (supernet: SharedSupernet) => void): Promise<EnasOutcome> {
  const { runFolder, space, config } = options;
  const folder = join(runFolder, 'supernet');
  await mkdir(folder, { recursive: true });
  const emit = async (event: EnasEvent) => {
    await appendFile(join(runFolder, 'events.jsonl'), `${JSON.stringify(event)}\n`);
    options.onEvent?.(event);
  };
  const strategy = ronasmisSearch({ ...config.controller, rememberRewards: false }).create(asDiscreteSpace(space), createRandom(options.seed).fork('strategy')) as PolicyStrategy;
  const context = { inputChannels: options.inputChannels, classes: options.classes, seed: options.seed, superKernels: options.config.weightSharing === 'superkernel' };
  const optimizer = new Optimizer(config.optimizer);
  const checkpoint = await loadCheckpoint<EnasState>(folder, 'last');
  let supernet: SharedSupernet;
  let state: EnasState;
  if (checkpoint) {
    supernet = SharedSupernet.restore(space, context, checkpoint.weights);
    state = checkpoint.state;
    strategy.restore(state.strategy);
    optimizer.restore(checkpoint.optimizer, state.sharedSteps);
  } else {
    supernet = new SharedSupernet(space, context);
    state = { schemaVersion: 1, controllerStep: 0, sharedSteps: 0, elapsedSeconds: 0, strategy: strategy.state(), recent: [], selected: null, finishedReason: null };
  }
  onSupernet(supernet);
  const outcome = (reason: EnasOutcome['reason']): EnasOutcome => ({ reason, selected: state.selected, supernet, history: strategy.steps(), controllerSteps: state.controllerStep, sharedSteps: state.sharedSteps, elapsedSeconds: state.elapsedSeconds });
  if (state.finishedReason && state.selected) return outcome(state.finishedReason);

  const sessionStart = performance.now();
  const savedElapsed = state.elapsedSeconds;
  const elapsed = () => savedElapsed + (performance.now() - sessionStart) / 1000;
  const save = async () => {
    state.elapsedSeconds = elapsed();
    state.strategy = strategy.state();
    await saveCheckpoint(folder, 'last', { weights: await supernet.saveable(), optimizer: await optimizer.state(), state });
    await writeFileAtomic(join(runFolder, 'controller.json'), `${JSON.stringify({ schemaVersion: 1, controllerStep: state.controllerStep, sharedSteps: state.sharedSteps, history: strategy.steps(), recent: leaderboard(state.recent, 20) }, null, 2)}\n`);
  };
  const writeCandidate = async (score: ChildScore, controllerStep: number) => {
    const candidate = join(runFolder, 'candidates', score.archId);
    await mkdir(candidate, { recursive: true });
    await writeFileAtomic(join(candidate, 'genome.json'), `${JSON.stringify(pointToGenome(space, score.point), null, 2)}\n`);
    await writeFileAtomic(join(candidate, 'metrics.json'), `${JSON.stringify({ ...score, controllerStep, evaluatedWith: 'shared weights' }, null, 2)}\n`);
  };
  const score = async (point: SearchPoint, cases: readonly ValidationCase[]): Promise<ChildScore> => {
    const result = await supernet.evaluateChild(point, cases, { patchSize: options.patchSize, wholeVolumeVoxels: options.wholeVolumeVoxels, ...(options.signal ? { signal: options.signal } : {}) });
    const meanDice = Number.isNaN(result.meanDice) ? 0 : result.meanDice;
    return { archId: archIdOf(pointToGenome(space, point)), point, meanDice, perClass: result.meanPerClass };
  };

  // Over the memory budget: never trained (skipped in shared training), scored with the failure reward (0).
  const overBudget = (point: SearchPoint): string | null => {
    if (options.memoryBytes == null) return null;
    const memory = trainingMemory(pointToGenome(space, point), { patch: options.patchSize, batch: options.batchSize, inputChannels: options.inputChannels, classes: options.classes });
    if ('error' in memory) return memory.error;
    return memory.bytes > options.memoryBytes ? `memory estimate ${formatBytes(memory.bytes)} exceeds the memory budget ${formatBytes(options.memoryBytes)}` : null;
  };

  await emit({ type: checkpoint ? 'search-resumed' : 'search-started', controllerStep: state.controllerStep, sharedSteps: state.sharedSteps, time: now() });
  const augmentation = config.augmentation ? nnUNetAugmentation(options.patchSize) : NO_AUGMENTATION;
  let batches: BatchStream | null = null;
  let reason: EnasOutcome['reason'] = 'wall-time';
  try {
    if (state.finishedReason === null) {
      batches = await openWorkerBatchSource({
        config: { seed: options.seed, batchSize: options.batchSize, patchSize: options.patchSize, oversampleForeground: 0.33, foregroundJitter: 0, labelPad: 0, augmentation },
        source: { kind: 'files', cases: options.trainCases, cacheBytes: 2 ** 30 },
        startIndex: state.sharedSteps,
        ...(options.batchWorker ? { worker: options.batchWorker } : {}),
      });
      const random = createRandom(options.seed);
      for (;;) {
        if (options.signal?.aborted) {
          reason = 'cancelled';
          break;
        }
        if (options.maxControllerSteps != null && state.controllerStep >= options.maxControllerSteps) {
          reason = 'steps';
          break;
        }
        if (elapsed() >= options.wallSeconds) break;
        // The finalists' scoring (every validation case) is part of the search budget: no step starts
        // that would leave too little time for it (measured on the steps so far).
        const finalistSeconds = (config.finalists + 1) * options.validationCases.length * (state.secondsPerChildCase ?? 0);
        if (state.controllerStep > 0 && elapsed() + (state.lastStepSeconds ?? 0) + finalistSeconds > options.wallSeconds) break;
        const step = state.controllerStep;
        const stepStart = performance.now();
        // 1. Shared weights, on paths drawn from the current policy.
        const paths = strategy.samplePolicy(config.sharedSteps, random.fork('shared-paths').fork(step)).filter((point) => overBudget(point) === null);
        let lossSum = 0;
        const trainStart = performance.now();
        for (const path of paths) {
          if (options.signal?.aborted) break;
          lossSum += await supernet.trainChild(path, optimizer, await batches.next(), config.optimizer.learningRate);
        }
        if (options.signal?.aborted) {
          reason = 'cancelled';
          break;
        }
        if (paths.length > 0) await emit({ type: 'shared-training', controllerStep: step, sharedSteps: state.sharedSteps + paths.length, loss: lossSum / paths.length, secondsPerStep: (performance.now() - trainStart) / 1000 / paths.length, time: now() });
        // 2. Children of this step, on a common subset of the validation cases.
        const subset = random.fork('reward-cases').fork(step).shuffle([...options.validationCases]).slice(0, Math.min(config.casesPerChild, options.validationCases.length));
        const proposals = strategy.propose(config.controller.childrenPerStep ?? 20);
        const scores: ChildScore[] = [];
        const scoringStart = performance.now();
        for (const proposal of proposals) {
          if (options.signal?.aborted) break;
          const rejected = overBudget(proposal.point);
          if (rejected !== null) {
            const archId = archIdOf(pointToGenome(space, proposal.point));
            scores.push({ archId, point: proposal.point, meanDice: 0, perClass: [] });
            await emit({ type: 'child-rejected', controllerStep: step, archId, point: proposal.point, reason: rejected, time: now() });
            continue;
          }
          const child = await score(proposal.point, subset);
          scores.push(child);
          await emit({ type: 'child-evaluated', controllerStep: step, time: now(), ...child });
        }
        if (options.signal?.aborted) {
          reason = 'cancelled';
          break;
        }
        // 3. REINFORCE (the strategy updates once every child of the step has its reward).
        const scored = (child: ChildScore) => child.perClass.length > 0;
        strategy.observe(
          scores.map((child, index) =>
            scored(child)
              ? { index, archId: child.archId, point: child.point, status: 'trained', metrics: { meanDice: child.meanDice, perClass: child.perClass, seconds: 0 }, reason: null }
              : { index, archId: child.archId, point: child.point, status: 'rejected', metrics: null, reason: 'over the memory budget' },
          ),
        );
        const evaluated = scores.filter((child) => child.perClass.length > 0).length;
        if (evaluated > 0) state.secondsPerChildCase = (performance.now() - scoringStart) / 1000 / (evaluated * subset.length);
        state.lastStepSeconds = (performance.now() - stepStart) / 1000;
        state.sharedSteps += paths.length;
        state.controllerStep += 1;
        state.recent = [...state.recent, ...scores.filter(scored)].slice(-config.finalists * 4);
        for (const child of leaderboard(scores.filter(scored), 3)) await writeCandidate(child, step);
        // 4. Checkpoint, then announce the step (a reader that sees the event can rely on the files).
        await save();
        const record = strategy.steps()[strategy.steps().length - 1]!;
        await emit({ type: 'controller-step', record, sharedSteps: state.sharedSteps, elapsedSeconds: elapsed(), etaSeconds: Math.max(0, options.wallSeconds - elapsed()), leaderboard: leaderboard(state.recent, 5), time: now() });
      }
    }
  } finally {
    await batches?.close();
  }
  if (reason === 'cancelled') {
    await emit({ type: 'search-finished', reason, selected: null, controllerSteps: state.controllerStep, sharedSteps: state.sharedSteps, elapsedSeconds: elapsed(), time: now() });
    return outcome(reason);
  }
  // Selection: the greedy child and the best recent children, each on every validation case.
  const greedy = strategy.greedyPoint();
  const candidates = new Map<string, { point: SearchPoint; greedy: boolean }>();
  if (overBudget(greedy) === null) candidates.set(archIdOf(pointToGenome(space, greedy)), { point: greedy, greedy: true });
  for (const child of leaderboard(state.recent, config.finalists)) if (!candidates.has(child.archId)) candidates.set(child.archId, { point: child.point, greedy: false });
  let selected: ChildScore | null = null;
  for (const { point, greedy: isGreedy } of candidates.values()) {
    const finalist = await score(point, options.validationCases);
    await emit({ type: 'finalist-evaluated', greedy: isGreedy, time: now(), ...finalist });
    if (selected === null || finalist.meanDice > selected.meanDice) selected = finalist;
  }
  state.selected = selected;
  state.finishedReason = reason;
  if (selected) await writeCandidate(selected, state.controllerStep);
  await save();
  await emit({ type: 'search-finished', reason, selected, controllerSteps: state.controllerStep, sharedSteps: state.sharedSteps, elapsedSeconds: elapsed(), time: now() });
  return outcome(reason);
}

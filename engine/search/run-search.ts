/**
 * runSearch: one architecture search run, persisted in <workspace>/runs/<runId>/ (run-store.ts)
 * and resumable: call it again with the same options after a cancel or a crash and it continues.
 *
 * Trial state machine (candidates/<archId>/trial.json):
 *   proposed -> rejected                      (invalid genome, or memory estimate over the budget; never trained)
 *   proposed -> queued -> training -> trained (metrics.json written before the status)
 *                                  -> failed  (evaluator error; an out-of-memory error is retried once
 *                                              with the batch halved, then fails)
 *                                  -> interrupted (cancelled, or found `training` after a crash)
 *   interrupted -> training                   (re-run on resume)
 * trained, failed and rejected are final: never re-run, never rewritten.
 *
 * Determinism: trials are numbered in proposal order and the strategy observes results in that
 * order whatever order the workers finish in, so a run (resumed or not) depends only on its seed and
 * the evaluator's results.
 */
import { validateGenome } from '../network/genome.ts';
import { archId as archIdOf, canonicalJson } from '../network/genome.ts';
import { createRandom } from '../runtime/random.ts';
import { sequentialEngine } from './engines.ts';
import { formatBytes, isOutOfMemory, trainingMemory } from './memory.ts';
import {
  appendEvent,
  ensureRunFolder,
  readMetricsFile,
  readRunFile,
  readTrialFile,
  repairEvents,
  runFolderOf,
  writeGenomeFile,
  writeMetricsFile,
  writeRunFile,
  writeTrialFile,
  type FinishReason,
  type SearchRunFile,
  type SearchRunSpec,
  type TrialEntry,
  type TrialFile,
} from './run-store.ts';
import type { CandidateMetrics, Evaluator, EvaluatorRef, ExecutionEngine, Json, SearchBudgets, SearchSpaceLike, StrategyFactory, TrainingShape, TrialResult, TrialStatus } from './types.ts';
import { isEvaluatorRef } from './evaluator-ref.ts';

export interface RunSearchOptions {
  workspace: string;
  runId: string;
  space: SearchSpaceLike;
  strategy: StrategyFactory;
  /** An EvaluatorRef works with every engine; an Evaluator object only with the sequential one. */
  evaluator: Evaluator | EvaluatorRef;
  budgets: SearchBudgets;
  training: TrainingShape;
  seed: number;
  /** Default: sequentialEngine(). */
  engine?: ExecutionEngine;
  /** Cancels: running evaluations are aborted and marked interrupted; rerun to continue. */
  signal?: AbortSignal;
  onEvent?: (event: SearchEvent) => void;
}

export type StopReason = FinishReason | 'cancelled';

/** One line of events.jsonl (and what onEvent receives). `time` is ISO 8601. */
export type SearchEvent =
  | { type: 'search-started' | 'search-resumed'; runId: string; trials: number; time: string }
  | { type: 'trial-queued'; index: number; archId: string; memoryBytes: number | null; time: string }
  | { type: 'trial-rejected'; index: number; archId: string; reason: string; time: string }
  | { type: 'trial-started'; index: number; archId: string; attempt: number; batch: number; time: string }
  | { type: 'trial-retry'; index: number; archId: string; batch: number; reason: string; time: string }
  | { type: 'trial-finished'; index: number; archId: string; status: 'trained' | 'failed' | 'interrupted'; metrics: CandidateMetrics | null; reason: string | null; seconds: number; time: string }
  | { type: 'search-finished'; reason: StopReason; counts: Record<TrialStatus, number>; best: { archId: string; meanDice: number } | null; time: string };

export interface TrialSummary extends TrialFile {
  metrics: CandidateMetrics | null;
}

export interface SearchOutcome {
  runId: string;
  runFolder: string;
  reason: StopReason;
  /** Every trial, in proposal order. */
  trials: TrialSummary[];
  /** The trained trial with the highest mean Dice. */
  best: TrialSummary | null;
}

const now = () => new Date().toISOString();
const FINAL: ReadonlySet<TrialStatus> = new Set(['trained', 'failed', 'rejected']);

/** Plain JSON of the spec (drops undefined fields), so that a resumed run compares equal. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function describeEvaluator(evaluator: Evaluator | EvaluatorRef): Json {
  return isEvaluatorRef(evaluator) ? (plain(evaluator) as unknown as Json) : { kind: 'in-process' };
}

/** Memory estimate and, when the candidate may not be trained, why. */
function classify(space: SearchSpaceLike, entry: Pick<TrialEntry, 'point'>, options: RunSearchOptions) {
  let genome;
  try {
    genome = space.toGenome(entry.point);
  } catch (error) {
    return { genome: null, memoryBytes: null, rejected: `the space could not build a genome: ${(error as Error).message}` };
  }
  const valid = validateGenome(genome);
  if (!valid.ok) return { genome, memoryBytes: null, rejected: `invalid genome: ${valid.errors.join('; ')}` };
  const memory = trainingMemory(genome, options.training);
  if ('error' in memory) return { genome, memoryBytes: null, rejected: `no memory estimate: ${memory.error}` };
  const limit = options.budgets.memoryBytes ?? null;
  const { patch, batch } = options.training;
  const rejected =
    limit !== null && memory.bytes > limit
      ? `memory estimate ${formatBytes(memory.bytes)} (patch ${patch.join('x')}, batch ${batch}) exceeds the memory budget ${formatBytes(limit)}`
      : null;
  return { genome, memoryBytes: memory.bytes, rejected };
}

export async function runSearch(options: RunSearchOptions): Promise<SearchOutcome> {
  const { space, budgets, training } = options;
  const runFolder = runFolderOf(options.workspace, options.runId);
  await ensureRunFolder(runFolder);
  await repairEvents(runFolder);
  let events = Promise.resolve();
  const emit = (event: SearchEvent): Promise<void> => {
    options.onEvent?.(event);
    events = events.then(() => appendEvent(runFolder, event));
    return events;
  };

  const spec: SearchRunSpec = plain({ space: space.id, strategy: { name: options.strategy.name, config: options.strategy.config }, evaluator: describeEvaluator(options.evaluator), budgets, training, seed: options.seed });
  const strategy = options.strategy.create(space, createRandom(options.seed).fork('strategy'));
  const existing = await readRunFile(runFolder);
  if (existing && canonicalJson(existing.spec) !== canonicalJson(spec)) {
    throw new Error(`${runFolder} holds a search run with another specification (space, strategy, evaluator, budgets, training shape or seed); choose a new run id`);
  }
  if (existing) strategy.restore(existing.state.strategy);
  const run: SearchRunFile = existing ?? {
    schemaVersion: 1,
    kind: 'search',
    runId: options.runId,
    spec,
    state: { strategy: strategy.state(), trials: [], observed: 0, elapsedSeconds: 0, finished: null },
    createdAt: now(),
    updatedAt: now(),
  };
  const sessionStart = performance.now();
  const elapsed = () => run.state.elapsedSeconds + (performance.now() - sessionStart) / 1000;
  const saveRun = async () => {
    await writeRunFile(runFolder, { ...run, state: { ...run.state, strategy: strategy.state(), elapsedSeconds: elapsed() }, updatedAt: now() });
  };
  if (!existing) await saveRun();

  // Trials: run.json lists them; trial.json says where each stands (written after run.json, so it may be missing).
  const trials: TrialFile[] = [];
  const metrics = new Map<string, CandidateMetrics>();
  const pending: TrialFile[] = [];
  const materialize = async (entry: TrialEntry): Promise<TrialFile> => {
    const { genome, memoryBytes } = classify(space, entry, options);
    if (genome) await writeGenomeFile(runFolder, entry.archId, genome);
    const trial: TrialFile = { schemaVersion: 1, index: entry.index, archId: entry.archId, point: entry.point, status: entry.rejected ? 'rejected' : 'queued', attempts: 0, batch: null, reason: entry.rejected, memoryBytes, seconds: null, updatedAt: now() };
    await writeTrialFile(runFolder, trial);
    if (entry.rejected) await emit({ type: 'trial-rejected', index: entry.index, archId: entry.archId, reason: entry.rejected, time: now() });
    else await emit({ type: 'trial-queued', index: entry.index, archId: entry.archId, memoryBytes, time: now() });
    return trial;
  };
  for (const entry of run.state.trials) {
    let trial = (await readTrialFile(runFolder, entry.archId)) ?? (await materialize(entry));
    // metrics.json is written before the status: metrics without `trained` mean a crash in between.
    const saved = trial.status === 'rejected' || trial.status === 'failed' ? null : await readMetricsFile(runFolder, entry.archId);
    if (saved) {
      metrics.set(entry.archId, saved);
      if (trial.status !== 'trained') {
        trial = { ...trial, status: 'trained', reason: null, updatedAt: now() };
        await writeTrialFile(runFolder, trial);
      }
    } else if (trial.status === 'trained') trial = { ...trial, status: 'interrupted', reason: 'metrics.json is missing' };
    if (trial.status === 'training') trial = { ...trial, status: 'interrupted', reason: 'the search process stopped during the evaluation', updatedAt: now() };
    if (trial.status === 'interrupted') await writeTrialFile(runFolder, trial);
    if (trial.status === 'queued' || trial.status === 'interrupted') pending.push(trial);
    trials.push(trial);
  }

  const finish = async (reason: StopReason): Promise<SearchOutcome> => {
    const summaries = trials.map((trial) => ({ ...trial, metrics: metrics.get(trial.archId) ?? null }));
    const best = summaries.filter((trial) => trial.metrics).reduce<TrialSummary | null>((top, trial) => (top === null || trial.metrics!.meanDice > top.metrics!.meanDice ? trial : top), null);
    return { runId: options.runId, runFolder, reason, trials: summaries, best };
  };
  if (run.state.finished) return finish(run.state.finished);
  await emit({ type: existing ? 'search-resumed' : 'search-started', runId: options.runId, trials: trials.length, time: now() });

  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const session = await (options.engine ?? sequentialEngine()).open(options.evaluator);

  const setTrial = async (trial: TrialFile) => {
    trials[trial.index] = trial;
    await writeTrialFile(runFolder, trial);
  };

  /** Evaluates one trial to a final status (or interrupted); the OOM retry lives here. */
  const execute = async (queued: TrialFile): Promise<void> => {
    let batch = training.batch;
    let trial = queued;
    for (;;) {
      trial = { ...trial, status: 'training', attempts: trial.attempts + 1, batch, reason: null, updatedAt: now() };
      await setTrial(trial);
      await emit({ type: 'trial-started', index: trial.index, archId: trial.archId, attempt: trial.attempts, batch, time: now() });
      const started = performance.now();
      const candidate = { index: trial.index, archId: trial.archId, point: trial.point, genome: space.toGenome(trial.point) };
      const outcome = await session.evaluate(candidate, { patch: training.patch, batch, wallSeconds: budgets.candidateSeconds ?? null }, controller.signal);
      const seconds = (performance.now() - started) / 1000;
      const done = async (status: 'trained' | 'failed' | 'interrupted', reason: string | null, result: CandidateMetrics | null) => {
        await setTrial({ ...trial, status, reason, seconds, updatedAt: now() });
        await emit({ type: 'trial-finished', index: trial.index, archId: trial.archId, status, metrics: result, reason, seconds, time: now() });
      };
      if (outcome.ok) {
        await writeMetricsFile(runFolder, trial.archId, outcome.metrics);
        metrics.set(trial.archId, outcome.metrics);
        return done('trained', null, outcome.metrics);
      }
      if (controller.signal.aborted) return done('interrupted', `cancelled: ${outcome.reason}`, null);
      if (!isOutOfMemory(outcome.reason)) return done('failed', outcome.reason, null);
      if (batch > 1 && trial.attempts === queued.attempts + 1) {
        batch = Math.floor(batch / 2);
        await emit({ type: 'trial-retry', index: trial.index, archId: trial.archId, batch, reason: outcome.reason, time: now() });
        continue;
      }
      return done('failed', `out of memory at batch ${batch}${batch < training.batch ? ` (and at ${training.batch})` : ''}: ${outcome.reason}`, null);
    }
  };

  const proposeMore = async (count: number): Promise<number> => {
    const known = new Set(trials.map((trial) => trial.archId));
    const entries: TrialEntry[] = [];
    for (const { point } of strategy.propose(count)) {
      const { genome, rejected } = classify(space, { point }, options);
      const id = genome ? archIdOf(genome) : `invalid-${trials.length + entries.length}`;
      // An architecture already in the run is not trained again.
      if (known.has(id)) continue;
      known.add(id);
      entries.push({ index: trials.length + entries.length, archId: id, point, rejected });
    }
    run.state.trials.push(...entries);
    await saveRun();
    for (const entry of entries) {
      const trial = await materialize(entry);
      trials.push(trial);
      if (trial.status === 'queued') pending.push(trial);
    }
    return entries.length;
  };

  /** Hands final results to the strategy in proposal order, then saves its state with the counter. */
  const observeReady = async () => {
    const results: TrialResult[] = [];
    while (run.state.observed + results.length < trials.length) {
      const trial = trials[run.state.observed + results.length]!;
      if (!FINAL.has(trial.status)) break;
      results.push({ index: trial.index, archId: trial.archId, point: trial.point, status: trial.status as TrialResult['status'], metrics: metrics.get(trial.archId) ?? null, reason: trial.reason });
    }
    if (results.length === 0) return;
    strategy.observe(results);
    run.state.observed += results.length;
    await saveRun();
  };

  let stop: StopReason | null = null;
  const inflight = new Map<number, Promise<number>>();
  const wallLimit = budgets.wallSeconds ?? null;
  const candidateLimit = budgets.candidates ?? null;
  try {
    await observeReady();
    for (;;) {
      while (stop === null && inflight.size < session.capacity) {
        if (controller.signal.aborted) stop = 'cancelled';
        else if (wallLimit !== null && elapsed() >= wallLimit) stop = 'wall-time';
        if (stop !== null) break;
        const next = pending.shift();
        if (next) {
          inflight.set(next.index, execute(next).then(() => next.index));
          continue;
        }
        const room = candidateLimit === null ? Infinity : candidateLimit - trials.length;
        if (room <= 0) {
          if (inflight.size === 0) stop = 'candidates';
          break;
        }
        const added = await proposeMore(Math.min(room, session.capacity - inflight.size));
        if (added === 0) {
          if (inflight.size === 0) stop = 'exhausted';
          break;
        }
        await observeReady();
      }
      if (inflight.size === 0) break;
      const finished = await Promise.race(inflight.values());
      inflight.delete(finished);
      await observeReady();
    }
  } finally {
    controller.abort();
    await Promise.allSettled(inflight.values());
    options.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
  const reason = stop ?? 'exhausted';
  if (reason !== 'cancelled') run.state.finished = reason;
  await saveRun();
  const outcome = await finish(reason);
  const counts = Object.fromEntries((['queued', 'training', 'trained', 'failed', 'rejected', 'interrupted'] as const).map((status) => [status, trials.filter((trial) => trial.status === status).length])) as Record<TrialStatus, number>;
  await emit({ type: 'search-finished', reason, counts, best: outcome.best ? { archId: outcome.best.archId, meanDice: outcome.best.metrics!.meanDice } : null, time: now() });
  return outcome;
}

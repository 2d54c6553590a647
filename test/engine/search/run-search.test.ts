/**
 * The search framework on the toy space with the fake evaluator: random search proposes valid,
 * distinct genomes; the candidate, wall-time and memory budgets hold; out-of-memory failures are
 * retried once with the batch halved and the search goes on; a cancelled run resumed gives the
 * same results as an uninterrupted one, without re-running a finished trial.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archId, validateGenome } from '../../../engine/network/genome.ts';
import { createFakeEvaluator, fakeDice, fakeEvaluatorRef } from '../../../engine/search/fake-evaluator.ts';
import { trainingMemory } from '../../../engine/search/memory.ts';
import { randomSearch } from '../../../engine/search/random-search.ts';
import { readEvents, readRunFile } from '../../../engine/search/run-store.ts';
import { runSearch, type RunSearchOptions, type SearchEvent } from '../../../engine/search/run-search.ts';
import { workerPoolEngine } from '../../../engine/search/worker-pool.ts';
import { TOY_MEMORY_BUDGET, TOY_TRAINING, comparable, evaluationCounts, parseAllJson } from '../../support/search-run.ts';
import { allToyPoints, toySpace, TOY_SPACE_SIZE } from '../../support/toy-space.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-search-'));
let runs = 0;

function options(overrides: Partial<RunSearchOptions> = {}): RunSearchOptions {
  runs += 1;
  return {
    workspace: join(root, `ws-${runs}`),
    runId: 'search',
    space: toySpace,
    strategy: randomSearch(),
    evaluator: createFakeEvaluator(),
    budgets: { candidates: 12, memoryBytes: TOY_MEMORY_BUDGET },
    training: TOY_TRAINING,
    seed: 11,
    ...overrides,
  };
}

const memoryOf = (point: Record<string, number>) => {
  const estimate = trainingMemory(toySpace.toGenome(point), TOY_TRAINING);
  if ('error' in estimate) throw new Error(estimate.error);
  return estimate.bytes;
};

describe('random search', () => {
  it('proposes valid, distinct genomes within the candidate budget and rejects over-memory ones with the reason', async () => {
    const outcome = await runSearch(options());
    expect(outcome.reason).toBe('candidates');
    expect(outcome.trials).toHaveLength(12);
    expect(new Set(outcome.trials.map((trial) => trial.archId)).size).toBe(12);
    for (const trial of outcome.trials) {
      const genome = toySpace.toGenome(trial.point);
      expect(validateGenome(genome).ok).toBe(true);
      expect(trial.archId).toBe(archId(genome));
      const overBudget = memoryOf(trial.point) > TOY_MEMORY_BUDGET;
      expect({ status: trial.status, attempts: trial.attempts }).toEqual(overBudget ? { status: 'rejected', attempts: 0 } : { status: 'trained', attempts: 1 });
      if (overBudget) expect(trial.reason).toMatch(/^memory estimate \d+\.\d MiB \(patch 16x16x16, batch 2\) exceeds the memory budget 32\.0 MiB$/);
      else expect(trial.metrics?.meanDice).toBe((fakeDice(trial.archId, 0) + fakeDice(trial.archId, 1)) / 2);
    }
    expect(outcome.trials.some((trial) => trial.status === 'rejected')).toBe(true);
    expect(outcome.best?.metrics?.meanDice).toBe(Math.max(...outcome.trials.map((trial) => trial.metrics?.meanDice ?? 0)));
    // 12 x (genome.json + trial.json) + trained x metrics.json + run.json
    const trained = outcome.trials.filter((trial) => trial.status === 'trained').length;
    expect(parseAllJson(outcome.runFolder)).toBe(24 + trained + 1);
    const run = await readRunFile(outcome.runFolder);
    expect(run?.state).toMatchObject({ observed: 12, finished: 'candidates' });
    // A finished run is not run again.
    expect(comparable(await runSearch({ ...options(), workspace: join(root, `ws-${runs - 1}`) }))).toEqual(comparable(outcome));
  });

  it('covers the whole space without duplicates, then stops as exhausted', async () => {
    const outcome = await runSearch(options({ budgets: {}, strategy: randomSearch({ maxRetries: 500 }) }));
    expect(outcome.reason).toBe('exhausted');
    expect(new Set(outcome.trials.map((trial) => toySpace.key(trial.point))).size).toBe(TOY_SPACE_SIZE);
    expect(outcome.trials).toHaveLength(TOY_SPACE_SIZE);
  });

  it('starts no trial after the wall-time budget', async () => {
    const started = performance.now();
    const outcome = await runSearch(options({ evaluator: createFakeEvaluator({ delayMs: 60 }), budgets: { wallSeconds: 0.3 } }));
    const seconds = (performance.now() - started) / 1000;
    expect(outcome.reason).toBe('wall-time');
    expect(outcome.trials.length).toBeGreaterThanOrEqual(2);
    expect(outcome.trials.length).toBeLessThanOrEqual(7);
    expect(seconds).toBeLessThan(2);
  });

  it('retries an out-of-memory failure once with the batch halved, fails it after that, and goes on', async () => {
    const [always, aboveOne, broken] = allToyPoints().slice(0, 3).map((point) => archId(toySpace.toGenome(point)));
    const events: SearchEvent[] = [];
    const outcome = await runSearch(
      options({
        budgets: { candidates: TOY_SPACE_SIZE },
        strategy: randomSearch({ maxRetries: 500 }),
        evaluator: createFakeEvaluator({
          failures: [
            { archId: always!, message: 'CUDA_ERROR_OUT_OF_MEMORY: out of memory' },
            { archId: aboveOne!, message: 'OOM when allocating tensor with shape [2,8,16,16,16]: allocation failed', batchAbove: 1 },
            { archId: broken!, message: 'loss became NaN' },
          ],
        }),
        onEvent: (event) => events.push(event),
      }),
    );
    const byId = new Map(outcome.trials.map((trial) => [trial.archId, trial]));
    const pick = (id: string) => ({ status: byId.get(id)!.status, attempts: byId.get(id)!.attempts, batch: byId.get(id)!.batch, reason: byId.get(id)!.reason, batchInMetrics: byId.get(id)!.metrics?.['batch'] ?? null });
    expect([pick(always!), pick(aboveOne!), pick(broken!)]).toEqual([
      { status: 'failed', attempts: 2, batch: 1, reason: 'out of memory at batch 1 (and at 2): CUDA_ERROR_OUT_OF_MEMORY: out of memory', batchInMetrics: null },
      { status: 'trained', attempts: 2, batch: 1, reason: null, batchInMetrics: 1 },
      { status: 'failed', attempts: 1, batch: 2, reason: 'loss became NaN', batchInMetrics: null },
    ]);
    expect(outcome.trials.filter((trial) => trial.status === 'trained')).toHaveLength(TOY_SPACE_SIZE - 2);
    expect(events.filter((event) => event.type === 'trial-retry').map((event) => event.archId).sort()).toEqual([always, aboveOne].sort());
  });
});

describe('resume', () => {
  it('a run cancelled half-way and continued equals an uninterrupted one; no finished trial runs twice', async () => {
    const reference = await runSearch(options({ evaluator: createFakeEvaluator({ delayMs: 5 }) }));
    const resumed = options();
    const logFile = join(root, 'resume.log');
    const controller = new AbortController();
    const evaluator = fakeEvaluatorRef({ delayMs: 40, logFile });
    const first = await runSearch({
      ...resumed,
      evaluator,
      signal: controller.signal,
      // Cancel while the sixth trial trains: it must come back as interrupted and be re-run.
      onEvent: (event) => {
        if (event.type === 'trial-started' && event.index === 5) setTimeout(() => controller.abort(), 10);
      },
    });
    expect(first.reason).toBe('cancelled');
    const interrupted = first.trials.filter((trial) => trial.status === 'interrupted');
    expect(interrupted.map((trial) => trial.index)).toEqual([5]);
    const finishedBefore = first.trials.filter((trial) => trial.status === 'trained' || trial.status === 'failed');
    const stateBefore = (await readRunFile(first.runFolder))!.state;
    expect(stateBefore.observed).toBe(5);

    const second = await runSearch({ ...resumed, evaluator });
    expect(second.reason).toBe('candidates');
    expect(comparable(second)).toEqual(comparable(reference));
    expect((await readRunFile(second.runFolder))!.state.strategy).toEqual((await readRunFile(reference.runFolder))!.state.strategy);
    const counts = evaluationCounts(logFile);
    for (const trial of finishedBefore) expect(counts.get(trial.archId)).toBe(1);
    expect(counts.get(interrupted[0]!.archId)).toBe(2);
    expect(second.trials[5]).toMatchObject({ status: 'trained', attempts: 2 });
    const types = (await readEvents<SearchEvent>(second.runFolder)).map((event) => event.type);
    expect(types.filter((type) => type === 'search-started' || type === 'search-resumed' || type === 'search-finished')).toEqual(['search-started', 'search-finished', 'search-resumed', 'search-finished']);
  });

  it('refuses to continue a run with another specification', async () => {
    const first = options({ budgets: { candidates: 2 } });
    await runSearch(first);
    await expect(runSearch({ ...first, seed: 12 })).rejects.toThrow(/another specification/);
  });
});

describe('worker pool', () => {
  it('evaluates in two worker processes with the same results as in process', async () => {
    const logFile = join(root, 'pool.log');
    const sequential = await runSearch(options({ evaluator: createFakeEvaluator() }));
    const pooled = await runSearch(options({ evaluator: fakeEvaluatorRef({ delayMs: 30, logFile }), engine: workerPoolEngine({ workers: 2 }) }));
    expect(comparable(pooled)).toEqual(comparable(sequential));
    expect([...evaluationCounts(logFile).values()].every((count) => count === 1)).toBe(true);
    expect(readFileSync(logFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(pooled.trials.filter((trial) => trial.status === 'trained').length);
  });
});

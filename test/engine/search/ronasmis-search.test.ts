/**
 * The RONASMIS controller on the toy space: with a reward that is high for one choice per decision
 * it learns that choice (probability well above uniform, mean reward up, entropy down); a run
 * interrupted mid-step and restored from its JSON state proposes and learns exactly as an
 * uninterrupted one; and it runs through runSearch with the fake evaluator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../engine/runtime/random.ts';
import { createFakeEvaluator } from '../../../engine/search/fake-evaluator.ts';
import { readRunFile } from '../../../engine/search/run-store.ts';
import { runSearch } from '../../../engine/search/run-search.ts';
import { ENAS_DEFAULTS } from '../../../engine/search/one-shot/enas-search.ts';
import { asDiscreteSpace, ronasmisHistory, ronasmisSearch, type RonasmisConfig } from '../../../engine/search/strategies/ronasmis-search.ts';
import { loadSearchSpace } from '../../../engine/space/load-space.ts';
import type { Json, Proposal, Strategy, TrialResult } from '../../../engine/search/types.ts';
import { TOY_MEMORY_BUDGET, TOY_TRAINING } from '../../support/search-run.ts';
import { toyDiscreteSpace } from '../../support/toy-discrete-space.ts';

/** The choice per decision that the fake reward favours. */
const TARGET = [2, 1, 1, 0];
const COUNTS = toyDiscreteSpace.choiceCounts();

/** 0.3 + 0.6 x the fraction of decisions on target: 0.9 for the target architecture. */
const rewardOf = (proposal: Proposal) => {
  const indices = toyDiscreteSpace.toIndices(proposal.point);
  return 0.3 + (0.6 * indices.filter((index, decision) => index === TARGET[decision]).length) / TARGET.length;
};

const FAST: Partial<RonasmisConfig> = { childrenPerStep: 10, temperature: 1, tanhConstant: 2.5, learningRate: 0.02, hiddenSize: 32, embeddingSize: 32 };

let trialIndex = 0;
const resultOf = (proposal: Proposal): TrialResult => {
  const meanDice = rewardOf(proposal);
  trialIndex += 1;
  return { index: trialIndex, archId: `a${trialIndex}`, point: proposal.point, status: 'trained', metrics: { meanDice, perClass: [meanDice], seconds: 0 }, reason: null };
};

/** Drives a strategy `rounds` times: propose(chunk), observe them all; returns every proposal. */
function drive(strategy: Strategy, rounds: number, chunk = 3): Proposal[] {
  const proposals: Proposal[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const batch = strategy.propose(chunk);
    if (batch.length === 0) break;
    proposals.push(...batch);
    strategy.observe(batch.map(resultOf));
  }
  return proposals;
}

const historyOf = (strategy: Strategy) => ronasmisHistory(strategy.state());

describe('ronasmis strategy', () => {
  it('learns the rewarded choice per decision: probability above uniform, mean reward up, entropy down', () => {
    const strategy = ronasmisSearch(FAST).create(toyDiscreteSpace, createRandom(5).fork('strategy'));
    while (historyOf(strategy).length < 30) if (drive(strategy, 1, 10).length === 0) break;
    const history = historyOf(strategy).slice(0, 30);
    expect(history).toHaveLength(30);
    const first = history.slice(0, 5);
    const last = history.slice(-5);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const final = history.at(-1)!.mostLikely;
    // Every decision's greedy choice is the target, clearly above uniform (1 / choices).
    expect(final.map((entry) => entry.choice)).toEqual(TARGET);
    final.forEach((entry, decision) => expect(entry.probability).toBeGreaterThan(1 / COUNTS[decision]! + 0.25));
    expect(mean(last.map((record) => record.meanReward))).toBeGreaterThan(mean(first.map((record) => record.meanReward)) + 0.1);
    expect(mean(last.map((record) => record.entropy))).toBeLessThan(mean(first.map((record) => record.entropy)) - 0.3);
    console.info(
      `ronasmis toy: reward ${mean(first.map((r) => r.meanReward)).toFixed(3)} -> ${mean(last.map((r) => r.meanReward)).toFixed(3)}, entropy ${mean(first.map((r) => r.entropy)).toFixed(3)} -> ${mean(last.map((r) => r.entropy)).toFixed(3)}, p(best) ${final.map((entry) => entry.probability.toFixed(2)).join(' ')}`,
    );
  });

  it('resumes exactly from its JSON state saved between a proposal and its results', () => {
    const config = { ...FAST, childrenPerStep: 8, maxIdleSteps: 5 };
    const whole = ronasmisSearch(config).create(toyDiscreteSpace, createRandom(9).fork('strategy'));
    const uninterrupted = drive(whole, 40);

    const first = ronasmisSearch(config).create(toyDiscreteSpace, createRandom(9).fork('strategy'));
    const before = drive(first, 2);
    // Saved as runSearch saves it: right after a proposal, its results not yet observed.
    const middle = first.propose(3);
    const saved = JSON.parse(JSON.stringify(first.state())) as Json;
    expect((saved as { awaiting: number[] }).awaiting.length).toBeGreaterThan(0);
    const resumed = ronasmisSearch(config).create(toyDiscreteSpace, createRandom(1234).fork('other'));
    resumed.restore(saved);
    resumed.observe(middle.map(resultOf));
    const after = drive(resumed, 40 - 3);

    expect([...before, ...middle, ...after]).toEqual(uninterrupted);
    expect(resumed.state()).toEqual(whole.state());
    expect(historyOf(whole).length).toBeGreaterThan(3);
  });

  it('runs through runSearch with the fake evaluator, rejected children rewarded 0, history in run.json', async () => {
    const workspace = join(mkdtempSync(join(tmpdir(), 'voxnas-ronasmis-')), 'ws');
    const options = {
      workspace,
      runId: 'enas',
      space: toyDiscreteSpace,
      strategy: ronasmisSearch({ ...FAST, childrenPerStep: 4 }),
      evaluator: createFakeEvaluator(),
      budgets: { candidates: 14, memoryBytes: TOY_MEMORY_BUDGET },
      training: TOY_TRAINING,
      seed: 3,
    };
    const outcome = await runSearch(options);
    expect(['candidates', 'exhausted']).toContain(outcome.reason);
    expect(new Set(outcome.trials.map((trial) => trial.archId)).size).toBe(outcome.trials.length);
    expect(outcome.trials.every((trial) => trial.status === 'trained' || trial.status === 'rejected')).toBe(true);
    const run = await readRunFile(outcome.runFolder);
    const history = ronasmisHistory(run!.state.strategy);
    expect(history.length).toBeGreaterThanOrEqual(2);
    for (const record of history) expect(record.mostLikely).toHaveLength(COUNTS.length);
    expect(run!.state.observed).toBe(outcome.trials.length);
  });

  it('refuses a space without the index view', () => {
    const { choiceCounts: _counts, fromIndices: _from, toIndices: _to, ...plain } = toyDiscreteSpace;
    expect(() => ronasmisSearch().create(plain, createRandom(1))).toThrow(/asDiscreteSpace/);
  });

  describe("ENAS_DEFAULTS' controller on the real ronasmis space, within the ten-odd controller steps of a CPU budget", () => {
    // Synthetic reward: 0.1 + 0.1 x the fraction of the 15 decisions on a target, plus seeded noise of
    // +-0.025 (the spread of one step's children rewards on hippocampus is about 0.05 to 0.2), plus
    // `drift` x the controller step: in a search the shared weights train between two controller
    // steps, so every child of a later step scores higher (0.06 -> 0.20 over ten steps on hippocampus).
    const learn = async (config: Partial<RonasmisConfig>, drift: number, steps = 12) => {
      const space = asDiscreteSpace(await loadSearchSpace('resources/search-spaces/ronasmis.json'));
      const counts = space.choiceCounts();
      const target = counts.map((count, decision) => decision % count);
      const noise = createRandom(77);
      const strategy = ronasmisSearch({ ...config, rememberRewards: false }).create(space, createRandom(5).fork('strategy'));
      let index = 0;
      while (historyOf(strategy).length < steps) {
        const step = historyOf(strategy).length;
        const batch = strategy.propose(20);
        strategy.observe(batch.map((proposal): TrialResult => {
          const onTarget = space.toIndices(proposal.point).filter((choice, decision) => choice === target[decision]).length;
          const meanDice = 0.1 + drift * step + (0.1 * onTarget) / counts.length + noise.uniform(-0.025, 0.025);
          index += 1;
          return { index, archId: `c${index}`, point: proposal.point, status: 'trained', metrics: { meanDice, perClass: [meanDice], seconds: 0 }, reason: null };
        }));
      }
      const history = historyOf(strategy);
      return { entropyDrop: history[0]!.entropy - history.at(-1)!.entropy, onTarget: history.at(-1)!.mostLikely.filter((entry, decision) => entry.choice === target[decision]).length };
    };

    it('learns the target where ENAS\'s micro-search settings stay near uniform', async () => {
      const enas = await learn(ENAS_DEFAULTS.controller, 0);
      const micro = await learn({ ...ENAS_DEFAULTS.controller, temperature: 5, tanhConstant: 1.1, learningRate: 0.01 }, 0);
      console.info(`ronasmis space, 12 steps: defaults ${enas.onTarget}/15 on target, entropy -${enas.entropyDrop.toFixed(2)}; ENAS micro settings ${micro.onTarget}/15, entropy -${micro.entropyDrop.toFixed(2)}`);
      // Chance: 14 decisions of 8 choices and one of 2, so about 2.3 of 15 on target.
      expect(enas.onTarget).toBeGreaterThanOrEqual(9);
      expect(enas.entropyDrop).toBeGreaterThan(3);
      expect(micro.entropyDrop).toBeLessThan(1);
    }, 120_000);

    it('still learns while the rewards climb, where a slow moving-average baseline (decay 0.95) does not', async () => {
      const drift = 0.014;
      const enas = await learn(ENAS_DEFAULTS.controller, drift, 10);
      const slow = await learn({ ...ENAS_DEFAULTS.controller, baselineDecay: 0.95 }, drift, 10);
      console.info(`ronasmis space, rewards +${drift} a step, 10 steps: defaults (decay ${ENAS_DEFAULTS.controller.baselineDecay}) ${enas.onTarget}/15 on target, entropy -${enas.entropyDrop.toFixed(2)}; decay 0.95 ${slow.onTarget}/15, entropy -${slow.entropyDrop.toFixed(2)}`);
      expect(enas.onTarget).toBeGreaterThanOrEqual(9);
      expect(enas.onTarget - slow.onTarget).toBeGreaterThanOrEqual(3);
      expect(enas.entropyDrop).toBeGreaterThan(slow.entropyDrop + 2);
    }, 120_000);
  });
});

/**
 * C2FNAS. Clustering-based evolution on the toy space with the fake evaluator: one representative
 * per cluster first, then children of the better-ranked clusters, every proposal a valid, new point,
 * within the candidate budget; a restored strategy proposes what the original would have, and a run
 * cancelled midway resumes to the same trials. The c2fnas space's topology features and clusters,
 * and the compound-scaling grid under a memory budget. Then whole C2FNAS search jobs on the embedded
 * sample with tiny budgets (macro, micro and scaling stages): each ends in a model folder whose ONNX
 * export passes parity, and one cancelled in its micro stage resumes without redoing the macro
 * stage and ends exactly like the uninterrupted one.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { validateGenome } from '../../../engine/network/genome.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { macroBase } from '../../../engine/search/c2fnas/c2fnas-search.ts';
import { clusteringEvolution, evolutionHistory, kMeans, standardize } from '../../../engine/search/c2fnas/clustering-evolution.ts';
import { pointPatch, scalingGrid, spreadByCost } from '../../../engine/search/c2fnas/compound-scaling.ts';
import { scaledPatch } from '../../../engine/space/genome-of-point.ts';
import { pointFeatures, topologyFeatures, topologyPoints } from '../../../engine/search/c2fnas/topology-features.ts';
import { createFakeEvaluator } from '../../../engine/search/fake-evaluator.ts';
import { readRunFile } from '../../../engine/search/run-store.ts';
import { runSearch, type RunSearchOptions } from '../../../engine/search/run-search.ts';
import { runSearchJob, type SearchJobParams } from '../../../engine/search/search-job.ts';
import type { Point, Strategy, TrialResult } from '../../../engine/search/types.ts';
import { loadSearchSpace } from '../../../engine/space/load-space.ts';
import { comparable, TOY_TRAINING } from '../../support/search-run.ts';
import { allToyPoints, toySpace, TOY_DECISIONS } from '../../support/toy-space.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-c2fnas-'));
const planned = join(root, 'planned');
const MIB = 2 ** 20;

/** Toy features: the choice indices (widths, encoder op, decoder op, skip). */
const toyFeatures = (point: Point) => Object.keys(TOY_DECISIONS).map((id) => point[id]!);
const TOY_POINTS = allToyPoints();
const evolution = () => clusteringEvolution(TOY_POINTS, toyFeatures, { clusters: 4 });

let runs = 0;
const options = (overrides: Partial<RunSearchOptions> = {}): RunSearchOptions => {
  runs += 1;
  return { workspace: join(root, `toy-${runs}`), runId: 'macro', space: toySpace, strategy: evolution(), evaluator: createFakeEvaluator(), budgets: { candidates: 14 }, training: TOY_TRAINING, seed: 8, ...overrides };
};

/** Which cluster a point belongs to, from the strategy's saved clusters. */
const clusterOf = (clusters: number[][], point: Point) => clusters.findIndex((members) => members.some((member) => toySpace.key(TOY_POINTS[member]!) === toySpace.key(point)));

describe('clustering-based evolution', () => {
  it('through runSearch: a representative of every cluster first, then children within clusters, all valid and new, within the candidate budget', async () => {
    const outcome = await runSearch(options());
    expect(outcome.reason).toBe('candidates');
    expect(outcome.trials).toHaveLength(14);
    expect(new Set(outcome.trials.map((trial) => trial.archId)).size).toBe(14);
    for (const trial of outcome.trials) expect(validateGenome(toySpace.toGenome(trial.point)).ok).toBe(true);
    const { clusters, proposals } = evolutionHistory((await readRunFile(outcome.runFolder))!.state.strategy);
    expect(clusters.flat().sort((a, b) => a - b)).toEqual(TOY_POINTS.map((_, index) => index));
    expect(proposals.map((record) => record.kind)).toEqual([...Array(clusters.length).fill('seed'), ...Array(14 - clusters.length).fill('child')]);
    expect(new Set(proposals.slice(0, clusters.length).map((record) => record.cluster)).size).toBe(clusters.length);
    for (const record of proposals.filter((entry) => entry.kind === 'child')) {
      const parent = TOY_POINTS.find((point) => toySpace.key(point) === record.parent)!;
      expect(clusterOf(clusters, parent)).toBe(record.cluster);
      expect(clusterOf(clusters, TOY_POINTS.find((point) => toySpace.key(point) === record.key)!)).toBe(record.cluster);
    }
  });

  it('the best-ranked cluster gets the most children, and every candidate is proposed once before the strategy stops', () => {
    const strategy: Strategy = evolution().create(toySpace, createRandom(4).fork('strategy'));
    const { clusters } = evolutionHistory(strategy.state());
    // The cluster of the wide networks scores 0.9, the others 0.3.
    const favoured = clusterOf(clusters, TOY_POINTS[TOY_POINTS.length - 1]!);
    let index = 0;
    const result = (point: Point): TrialResult => ({ index: index++, archId: `a${index}`, point, status: 'trained', metrics: { meanDice: clusterOf(clusters, point) === favoured ? 0.9 : 0.3, perClass: [0.5], seconds: 0 }, reason: null });
    const proposed: Point[] = [];
    for (;;) {
      const batch = strategy.propose(2).map((proposal) => proposal.point);
      if (batch.length === 0) break;
      proposed.push(...batch);
      strategy.observe(batch.map(result));
    }
    expect(proposed).toHaveLength(TOY_POINTS.length);
    expect(new Set(proposed.map(toySpace.key)).size).toBe(TOY_POINTS.length);
    // Until the favoured cluster runs out of members, most children come from it.
    const children = proposed.slice(clusters.length, clusters.length + clusters[favoured]!.length);
    const counts = clusters.map((_, cluster) => children.filter((point) => clusterOf(clusters, point) === cluster).length);
    expect(counts.indexOf(Math.max(...counts))).toBe(favoured);
  });

  it('a restored strategy proposes exactly what the original would have; a cancelled run resumes to the same trials', async () => {
    const original = evolution().create(toySpace, createRandom(9));
    original.observe(original.propose(5).map((proposal, index) => ({ index, archId: `a${index}`, point: proposal.point, status: 'trained', metrics: { meanDice: index / 10, perClass: [0], seconds: 0 }, reason: null })));
    const copy = evolution().create(toySpace, createRandom(1234));
    copy.restore(JSON.parse(JSON.stringify(original.state())));
    expect(copy.propose(6)).toEqual(original.propose(6));

    const uninterrupted = await runSearch(options());
    const controller = new AbortController();
    const interrupted = options({ evaluator: createFakeEvaluator({ delayMs: 5 }), signal: controller.signal, onEvent: (event) => event.type === 'trial-finished' && event.index === 5 && controller.abort() });
    expect((await runSearch(interrupted)).reason).toBe('cancelled');
    const resumed = await runSearch({ ...interrupted, evaluator: createFakeEvaluator({ delayMs: 5 }), signal: new AbortController().signal, onEvent: () => undefined });
    expect(comparable(resumed)).toEqual(comparable(uninterrupted));
  });
});

describe('c2fnas topologies and compound scaling', () => {
  it('topology features tell U-Net-like from hourglass-like shapes; k-means partitions the 42 topologies the same way for the same seed', async () => {
    // Cells per level [3, 2, 2, 1] vs [2, 2, 4]: mean level 9/24 vs 10/16, encoder share 4/8 vs 6/8, bottleneck 1/8 vs 4/8, spread sqrt(0.5)/2 vs sqrt(8/9)/(8/3).
    expect(topologyFeatures({ name: 'u', encoder: [1, 1, 1, 1], decoder: [2, 1, 1] }).map((value) => Math.round(value * 1000) / 1000)).toEqual([4, 0.375, 0.5, 0.125, 0.354]);
    expect(topologyFeatures({ name: 'hourglass', encoder: [1, 1, 4], decoder: [1, 1] }).map((value) => Math.round(value * 1000) / 1000)).toEqual([3, 0.625, 0.75, 0.5, 0.354]);
    const space = await loadSearchSpace('resources/search-spaces/c2fnas.json');
    const features = standardize(topologyPoints(space, macroBase(space)).map((point) => pointFeatures(space, point)));
    const clusters = kMeans(features, 4, createRandom(2));
    expect(clusters).toHaveLength(4);
    expect(clusters.flat().sort((a, b) => a - b)).toEqual(features.map((_, index) => index));
    expect(kMeans(features, 4, createRandom(2))).toEqual(clusters);
  });

  it('the scaling grid: widths x patch scales x depths, points over the memory budget rejected, the unscaled point kept and the rest spread over the cost', async () => {
    expect(scaledPatch([40, 56, 40], 0.75, 4)).toEqual([32, 44, 32]);
    expect(scaledPatch([40, 56, 40], 1.25, 8)).toEqual([48, 72, 48]);
    const space = await loadSearchSpace('resources/search-spaces/c2fnas.json');
    const point = { ...macroBase(space), topology: 11 };
    const shape = { patch: [40, 56, 40] as [number, number, number], batch: 2, inputChannels: 1, classes: 3, memoryBytes: 300 * MIB, trainingFactor: 3 };
    const grid = scalingGrid(space, point, shape, { candidates: 3, depth: true });
    expect(grid.feasible.length + grid.rejected.length).toBe(18);
    expect(grid.rejected.length).toBeGreaterThan(0);
    for (const candidate of grid.feasible) expect(candidate.memoryBytes).toBeLessThanOrEqual(300 * MIB);
    for (const entry of grid.rejected) expect(entry.reason).toMatch(/memory estimate .* exceeds the budget 300\.0 MiB/);
    // The other depth: the most similar 4-level topology; widths 8, 12, 16; patch factors 0.75, 1, 1.25.
    expect(new Set([...grid.feasible, ...grid.rejected].map((entry) => entry.label.replace(/-topology\d+/, ''))).size).toBe(9);
    const unscaled = grid.feasible.find((candidate) => candidate.label === 'width8-patch1-topology11')!;
    expect(unscaled.patch).toEqual(pointPatch(space, point, shape.patch, shape).patch);
    const chosen = spreadByCost(grid.feasible, 3, unscaled.label);
    const byCost = [...grid.feasible].sort((a, b) => a.flops - b.flops);
    expect(chosen.map((candidate) => candidate.label).sort()).toEqual([unscaled.label, byCost[0]!.label, byCost[byCost.length - 1]!.label].sort());
  });
});

const C2FNAS: Omit<SearchJobParams, 'workspace'> = {
  strategy: 'c2fnas',
  budgetSeconds: 3600,
  seed: 3,
  // Admits the 3x3x3 topologies of the plan's patch, rejects the larger scalings.
  memoryBytes: 300 * MIB,
  c2fnas: { macro: { candidates: 2, clusters: 2, failureScore: 0 }, micro: { paths: 2, casesPerPath: 1, finalists: 1, trainFraction: 0.7, checkpointEvery: 1 }, scaling: { candidates: 2, depth: true } },
  c2fnasSteps: { macroCandidate: 2, micro: 2, scalingCandidate: 2 },
  finalSteps: 2,
};

beforeAll(async () => {
  await selectBackend({});
  expect((await voxnas('plan', 'resources/sample', '-w', planned, '--workers', '0')).code).toBe(0);
}, 120_000);

const withoutSeconds = (stages: Record<string, { seconds: number }>) => Object.fromEntries(Object.entries(stages).map(([stage, result]) => [stage, { ...result, seconds: undefined }]));

describe('C2FNAS search jobs on resources/sample', () => {
  it('macro (clustering evolution), micro (one-shot supernet) and scaling stages, the result retrained on its own patch into a verified model folder', async () => {
    const workspace = join(root, 'c2fnas');
    cpSync(planned, workspace, { recursive: true });
    const events: string[] = [];
    const result = await runSearchJob({ ...C2FNAS, workspace }, { onEvent: (event) => events.push(`${event.source}:${event.event.type}`) });
    expect(result).not.toBeNull();
    expect(result!.metrics.onnxParity.passed).toBe(true);
    expect(events.filter((event) => event === 'c2fnas:stage-finished')).toHaveLength(3);
    const { stages } = JSON.parse(readFileSync(join(result!.runFolder, 'c2fnas.json'), 'utf8'));
    const macroRun = await readRunFile(join(result!.runFolder, 'macro'));
    expect(macroRun!.state.trials).toHaveLength(2);
    // Each stage refines the previous one: micro keeps the topology, scaling keeps the ops.
    expect(stages.micro.point.topology).toBe(stages.macro.point.topology);
    const ops = (point: Point) => Object.fromEntries(Object.entries(point).filter(([id]) => id.startsWith('layer')));
    expect(ops(stages.scaling.point)).toEqual(ops(stages.micro.point));
    const paths = JSON.parse(readFileSync(join(result!.runFolder, 'micro', 'paths.json'), 'utf8'));
    expect(paths.scores.map((score: { cases: string }) => score.cases)).toEqual(['subset', 'subset', 'all']);
    const scaling = JSON.parse(readFileSync(join(result!.runFolder, 'scaling', 'scaling.json'), 'utf8'));
    expect(scaling.results).toHaveLength(2);
    expect(scaling.rejected.length).toBeGreaterThan(0);
    const space = await loadSearchSpace('resources/search-spaces/c2fnas.json');
    const patch = pointPatch(space, result!.selected!.point, [40, 56, 40], { inputChannels: 1, classes: 3 }).patch;
    expect(result!.metrics.patchSize).toEqual(patch);
    expect(JSON.parse(readFileSync(join(result!.model, 'plans.json'), 'utf8')).patchSize).toEqual([...patch].reverse());
    expect(readFileSync(join(result!.model, 'model-card.md'), 'utf8')).toContain('C2FNAS macro: 2 topologies by clustering evolution');
  }, 300_000);

  it('cancelled in the micro stage and resumed: the macro stage is not redone and the search ends exactly like the uninterrupted one', async () => {
    const workspace = join(root, 'c2fnas-resumed');
    cpSync(planned, workspace, { recursive: true });
    const controller = new AbortController();
    const first = await runSearchJob({ ...C2FNAS, workspace }, { signal: controller.signal, onEvent: (event) => event.event.type === 'micro-training' && controller.abort() });
    expect(first).toBeNull();
    const events: string[] = [];
    const resumed = await runSearchJob({ ...C2FNAS, workspace }, { onEvent: (event) => events.push(event.event.type) });
    expect(events).not.toContain('macro');
    expect(events.filter((type) => type === 'micro-training')).toHaveLength(1);
    const [a, b] = [join(root, 'c2fnas', 'runs', resumed!.runId), resumed!.runFolder].map((folder) => JSON.parse(readFileSync(join(folder, 'c2fnas.json'), 'utf8')).stages);
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    expect(resumed!.selected).toEqual(JSON.parse(readFileSync(join(root, 'c2fnas', 'runs', resumed!.runId, 'search-job.json'), 'utf8')).selected);
  }, 300_000);
});

import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Genome } from '../../../engine/api/genome.ts';
import type { PlansJson } from '../../../engine/api/plans.ts';
import { SEARCH_METHODS } from '../../../engine/api/search-methods.ts';
import { planWorkspace } from '../../../engine/jobs/plan-job.ts';
import { archId, decodeGenome, loadSearchSpace, networkCost, pointToGenome, readDatasetFile, resourcesDir, supernetGenome } from '../../../engine/index.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { samplePoint } from '../../../engine/space/points.ts';
import type { FingerprintJson } from '../../../engine/api/fingerprint.ts';
import type { SearchEstimate } from '../../../main/contract/search.ts';
import { SEARCH_METHOD_IDS } from '../../../main/contract/search.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { genomeSummary } from '../../../main/services/search.ts';
import { fakeJobService, importSample, temporaryFolder } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let services: Services;
let workspace: string;
let plans: PlansJson;

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: { code: string; message: string }) => [error.code, error.message]);

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder('voxnas-search-services-'));
  services = createServices({ stateDir: join(root, 'state'), jobs: fakeJobService() });
  workspace = join(root, 'hippocampus');
  await services.handle('workspace.create', { folder: workspace });
});
afterAll(() => cleanup());

describe('dataset.details', () => {
  it('is all null in a new workspace, then shows the import\'s fingerprint and findings, then the plan', async () => {
    expect(await services.handle('dataset.details', { workspace })).toEqual({ fingerprint: null, findings: null, plan: null });

    await importSample(workspace);
    const fingerprint = JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')) as FingerprintJson;
    const integrity = JSON.parse(await readFile(join(workspace, 'integrity.json'), 'utf8')) as { findings: unknown[] };
    expect(await services.handle('dataset.details', { workspace })).toEqual({ fingerprint, findings: integrity.findings, plan: null });

    const dataset = await readDatasetFile(workspace);
    ({ plans } = await planWorkspace(workspace, dataset, fingerprint, { device: 'cpu', budgetGb: 4, workers: 0 }));
    const written = JSON.parse(await readFile(join(workspace, 'plans.json'), 'utf8')) as PlansJson;
    const details = (await services.handle('dataset.details', { workspace })) as { plan: unknown };
    expect(details.plan).toEqual({
      createdAt: written.createdAt,
      targetSpacing: written.targetSpacing,
      spacingRule: written.spacingRule,
      medianShape: written.medianShape,
      patchSize: written.patchSize,
      batchSize: written.batchSize,
      normalization: written.preprocessing.normalization,
      network: { levels: written.network.levels, baseWidth: written.network.baseWidth, maxWidth: written.network.maxWidth, deepSupervision: written.network.deepSupervision },
      memory: { device: 'cpu', budgetBytes: 4 * 1024 ** 3, estimatedBytes: written.memory.estimatedBytes },
      reasoning: written.reasoning,
    });
  });

  it('refuses an integrity report of another shape, naming the file and what to do', async () => {
    const other = join(root, 'odd');
    await services.handle('workspace.create', { folder: other });
    await writeFile(join(other, 'integrity.json'), JSON.stringify({ findings: [{ severity: 'fatal' }] }));
    expect(await refusal(services.handle('dataset.details', { workspace: other }))).toEqual([
      'failed',
      `${join(other, 'integrity.json')} is not an integrity report (expected findings with severity, message and hint). Import the dataset again to rewrite it.`,
    ]);
  });
});

describe('search.methods', () => {
  it('lists every method the contract names, with an explanation, and a reason where the engine cannot run it', async () => {
    const methods = (await services.handle('search.methods', {})) as typeof SEARCH_METHODS;
    expect(methods).toEqual(SEARCH_METHODS);
    expect(methods.map((method) => method.id)).toEqual([...SEARCH_METHOD_IDS]);
    expect(methods.filter((method) => method.implemented === (method.reason !== null) || method.explanation.length < 20)).toEqual([]);
  });
});

describe('search.estimate', () => {
  const estimate = (request: Record<string, unknown>) => services.handle('search.estimate', { workspace, budgetSeconds: 3600, fold: 0, ...request }) as Promise<SearchEstimate>;

  it('costs the baseline exactly as the planner did, and times the job as its budget plus prediction', async () => {
    const result = await estimate({ method: 'baseline' });
    expect(result.baseline).toMatchObject({ parameters: plans.memory.parameters, memoryBytes: plans.memory.estimatedBytes, patchSize: plans.patchSize });
    expect(result.baseline.summary).toBe(genomeSummary(plans.network.genome));
    expect({ largest: result.largest, space: result.space, jobs: result.jobs, budget: result.budgetSeconds, source: result.memoryBudgetSource, fits: result.fitsMemory }).toEqual({ largest: null, space: null, jobs: 1, budget: 3600, source: 'plan', fits: true });
    expect(result.predictionSeconds).toBeGreaterThan(0);
    expect(result.etaSeconds).toBe(3600 + result.predictionSeconds);

    const all = await estimate({ method: 'baseline', fold: 'all' });
    expect({ jobs: all.jobs, budget: all.budgetSeconds }).toEqual({ jobs: 5, budget: 5 * 3600 });
    expect(all.predictionSeconds).toBeCloseTo(5 * result.predictionSeconds, 9);
  });

  it('finds the costliest child of the ENAS space (no sampled child costs more) and the whole mix for V-NAS', async () => {
    const enas = await estimate({ method: 'enas' });
    const darts = await estimate({ method: 'darts' });
    const shape = { inputChannels: plans.dataset.channels.length, classes: plans.labelValues.length };
    const memoryOf = (genome: Genome) => {
      const cost = networkCost(decodeGenome(genome, shape), [plans.patchSize[2], plans.patchSize[1], plans.patchSize[0]], plans.batchSize);
      if ('error' in cost) throw new Error(cost.error);
      return plans.memory.trainingFactor * cost.activationBytes + plans.memory.bytesPerParameter * cost.params;
    };
    const random = createRandom(7);
    const ronasmis = await loadSearchSpace(join(resourcesDir(), 'search-spaces', 'ronasmis.json'));
    const sampled = Array.from({ length: 40 }, () => memoryOf(pointToGenome(ronasmis, samplePoint(ronasmis, random))));
    expect(enas.space).toBe('ronasmis');
    expect(sampled.filter((bytes) => bytes > enas.largest!.memoryBytes)).toEqual([]);
    expect(enas.largest!.memoryBytes).toBeGreaterThan(Math.max(...sampled) * 0.999 - 1);

    const vnas = await loadSearchSpace(join(resourcesDir(), 'search-spaces', 'vnas.json'));
    expect(darts.space).toBe('vnas');
    expect(darts.largest!.memoryBytes).toBeGreaterThanOrEqual(memoryOf(supernetGenome(vnas)));
    expect(darts.largest!.summary).toMatch(/mix of \d+/);
    expect(darts.notes.filter((note: string) => /cannot start/.test(note))).toEqual([]);
  });

  it('compares with the memory the user gives and says when the largest network does not fit', async () => {
    const small = await estimate({ method: 'enas', memoryGb: 0.01 });
    expect({ bytes: small.memoryBudgetBytes, source: small.memoryBudgetSource, fits: small.fitsMemory }).toEqual({ bytes: Math.round(0.01 * 1024 ** 3), source: 'user', fits: false });
    expect(small.notes.find((note) => note.startsWith('The largest network of the search needs about'))).toMatch(/above the 0\.01 GiB budget/);
  });

  it('needs a plan, and refuses bad requests field by field', async () => {
    const unplanned = join(root, 'unplanned');
    await services.handle('workspace.create', { folder: unplanned });
    expect(await refusal(services.handle('search.estimate', { workspace: unplanned, method: 'enas', budgetSeconds: 60, fold: 0 }))).toEqual([
      'conflict',
      `${unplanned} has no plan yet (no plans.json): run Plan on the Datasets screen first, then estimate the search.`,
    ]);
    const [code, message] = (await refusal(services.handle('search.estimate', { workspace, method: 'nas', budgetSeconds: 0, fold: 7, memoryGb: -1 })))!;
    expect(code).toBe('bad-request');
    expect(message).toBe(
      "search.estimate: 'method' must be one of 'enas', 'darts', 'gumbel', 'c2fnas', 'random', 'baseline', got 'nas'. " +
        "search.estimate: 'budgetSeconds' must be a number of seconds from 1 to 604800 (a week), got number 0. " +
        "search.estimate: 'memoryGb' must be a number of GB above 0 and at most 4096, got number -1. " +
        "search.estimate: 'fold' must be a fold from 0 to 4, or 'all', got number 7.",
    );
  });
});

describe('search.candidate', () => {
  it('reads a candidate\'s genome from its run and costs it on the plan', async () => {
    const genome = JSON.parse(await readFile(join(resourcesDir(), 'genomes', 'reference-unet.json'), 'utf8')) as Genome;
    const id = archId(genome);
    await mkdir(join(workspace, 'runs', 'search-enas-fold0-test', 'candidates', id), { recursive: true });
    await writeFile(join(workspace, 'runs', 'search-enas-fold0-test', 'candidates', id, 'genome.json'), JSON.stringify(genome));
    const spec = decodeGenome(genome, { inputChannels: 1, classes: 3 });
    const cost = networkCost(spec, [plans.patchSize[2], plans.patchSize[1], plans.patchSize[0]], plans.batchSize);
    if ('error' in cost) throw new Error(cost.error);
    expect(await services.handle('search.candidate', { workspace, archId: id })).toEqual({
      archId: id,
      runId: 'search-enas-fold0-test',
      space: null,
      genome,
      summary: '3 levels 8-16-32; conv3 x10; max-pool down; add skips',
      parameters: cost.params,
      flops: cost.flops,
      memoryBytes: plans.memory.trainingFactor * cost.activationBytes + plans.memory.bytesPerParameter * cost.params,
      patchSize: plans.patchSize,
    });
  });

  it('decodes a one-shot child without a genome file from its search point, in the space where its archId matches', async () => {
    const space = await loadSearchSpace(join(resourcesDir(), 'search-spaces', 'ronasmis.json'));
    const point = samplePoint(space, createRandom(3));
    const genome = pointToGenome(space, point);
    const result = (await services.handle('search.candidate', { workspace, archId: archId(genome), point })) as { runId: unknown; space: unknown; genome: unknown; summary: string };
    expect({ runId: result.runId, space: result.space, genome: result.genome, summary: result.summary }).toEqual({ runId: null, space: 'ronasmis', genome, summary: genomeSummary(genome) });
    expect(await refusal(services.handle('search.candidate', { workspace, archId: 'abc123', point }))).toEqual([
      'not-found',
      `No search run of ${workspace} has a candidate abc123 (runs/<run>/candidates/abc123/genome.json), and its point decodes to another architecture in every search space. It appears once the search has evaluated it.`,
    ]);
  });

  it('says when no run has the candidate, and refuses a genome file that holds another architecture', async () => {
    expect(await refusal(services.handle('search.candidate', { workspace, archId: 'abc123' }))).toEqual([
      'not-found',
      `No search run of ${workspace} has a candidate abc123 (runs/<run>/candidates/abc123/genome.json). It appears once the search has evaluated it.`,
    ]);
    const copy = join(workspace, 'runs', 'edited', 'candidates', 'feedbeef');
    await cp(join(workspace, 'runs', 'search-enas-fold0-test', 'candidates'), join(workspace, 'runs', 'edited', 'candidates'), { recursive: true });
    await mkdir(copy, { recursive: true });
    const genome = JSON.parse(await readFile(join(resourcesDir(), 'genomes', 'reference-unet.json'), 'utf8')) as Genome;
    await writeFile(join(copy, 'genome.json'), JSON.stringify(genome));
    expect(await refusal(services.handle('search.candidate', { workspace, archId: 'feedbeef' }))).toEqual([
      'failed',
      `${join(copy, 'genome.json')} holds architecture ${archId(genome)}, not feedbeef: the run folder was edited.`,
    ]);
  });
});

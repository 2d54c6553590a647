/**
 * Whole searches on the embedded sample with tiny budgets: ENAS (weight-shared supernet + LSTM
 * controller) and random search each end in a model folder whose ONNX export passes parity; an
 * ENAS search cancelled after its first controller step resumes and ends exactly like an
 * uninterrupted one (same controller history, same selection, same final weights).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { decodeTensorFile } from '../../../engine/runtime/tensor-file.ts';
import { runSearchJob, searchSplit, type SearchJobParams } from '../../../engine/search/search-job.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-search-job-'));
const planned = join(root, 'planned');

const ENAS: Omit<SearchJobParams, 'workspace'> = {
  strategy: 'enas',
  budgetSeconds: 3600,
  seed: 5,
  enas: { sharedSteps: 2, casesPerChild: 1, finalists: 2, controller: { childrenPerStep: 3 } },
  maxControllerSteps: 2,
  finalSteps: 3,
};

const weightsOf = (model: string) => decodeTensorFile(readFileSync(join(model, 'weights.vxtf'))).tensors;

beforeAll(async () => {
  await selectBackend({});
  expect((await voxnas('plan', 'resources/sample', '-w', planned, '--workers', '0')).code).toBe(0);
}, 120_000);

describe('search jobs on resources/sample', () => {
  it('splits the fold\'s training cases into search training and reward cases, seeded and disjoint', () => {
    const ids = Array.from({ length: 10 }, (_, index) => `case_${index}`);
    const split = searchSplit(ids, 1);
    expect(split.validation).toHaveLength(2);
    expect([...split.train, ...split.validation].sort()).toEqual(ids);
    expect(searchSplit(ids, 1)).toEqual(split);
  });

  it('ENAS: controller steps over a shared supernet, then the selected child trained on from the shared weights into a verified model folder', async () => {
    const workspace = join(root, 'enas');
    cpSync(planned, workspace, { recursive: true });
    const events: string[] = [];
    const phases: string[] = [];
    const result = await runSearchJob({ ...ENAS, workspace }, {
      onEvent: (event) => {
        events.push(`${event.source}:${event.event.type}`);
        if (event.event.type === 'phase' && 'message' in event.event) phases.push(String(event.event.message));
      },
    });
    expect(result).not.toBeNull();
    // ENAS's search phase takes 30 % of the budget by default (DEFAULT_SEARCH_FRACTIONS).
    expect(phases[0]).toMatch(/ for 1080 s$/);
    expect(result!.metrics.onnxParity.passed).toBe(true);
    expect(events.filter((event) => event === 'enas:controller-step')).toHaveLength(2);
    expect(events.filter((event) => event === 'enas:child-evaluated').length).toBeGreaterThanOrEqual(2);
    const controller = JSON.parse(readFileSync(join(result!.runFolder, 'controller.json'), 'utf8'));
    expect(controller.history.map((record: { step: number }) => record.step)).toEqual([1, 2]);
    for (const record of controller.history) {
      expect(record.entropy).toBeGreaterThan(0);
      expect(record.meanReward).toBeGreaterThanOrEqual(0);
    }
    expect(controller.sharedSteps).toBe(4);
    expect(existsSync(join(result!.runFolder, 'candidates', result!.selected!.archId, 'genome.json'))).toBe(true);
    const card = readFileSync(join(result!.model, 'model-card.md'), 'utf8');
    expect(card).toContain('RONASMIS/ENAS');
    expect(card).toContain('started from the shared weights');
  }, 300_000);

  it('ENAS: cancelled after a controller step and resumed, it ends exactly like the uninterrupted run', async () => {
    const workspace = join(root, 'enas-resumed');
    cpSync(planned, workspace, { recursive: true });
    const controller = new AbortController();
    const first = await runSearchJob({ ...ENAS, workspace }, { signal: controller.signal, onEvent: (event) => event.event.type === 'controller-step' && controller.abort() });
    expect(first).toBeNull();
    const events: string[] = [];
    const resumed = await runSearchJob({ ...ENAS, workspace }, { onEvent: (event) => events.push(event.event.type) });
    expect(events[0]).toBe('phase');
    expect(events).toContain('search-resumed');
    const uninterrupted = JSON.parse(readFileSync(join(root, 'enas', 'runs', resumed!.runId, 'controller.json'), 'utf8'));
    const again = JSON.parse(readFileSync(join(resumed!.runFolder, 'controller.json'), 'utf8'));
    expect(again.history).toEqual(uninterrupted.history);
    expect(resumed!.selected).toEqual(JSON.parse(readFileSync(join(root, 'enas', 'runs', resumed!.runId, 'search-job.json'), 'utf8')).selected);
    const [a, b] = [weightsOf(join(root, 'enas', 'models', resumed!.runId)), weightsOf(resumed!.model)];
    for (const [name, tensor] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(tensor.data));
  }, 300_000);

  it('random search: candidates trained from scratch and scored, the best trained on into a verified model folder', async () => {
    const workspace = join(root, 'random');
    cpSync(planned, workspace, { recursive: true });
    const result = await runSearchJob({ workspace, strategy: 'random', budgetSeconds: 3600, seed: 2, maxCandidates: 2, candidateSteps: 2, finalSteps: 2 });
    expect(result).not.toBeNull();
    expect(result!.metrics.onnxParity.passed).toBe(true);
    const run = JSON.parse(readFileSync(join(result!.runFolder, 'run.json'), 'utf8'));
    expect(run.state.trials).toHaveLength(2);
    expect(readFileSync(join(result!.model, 'model-card.md'), 'utf8')).toContain('Search: random');
  }, 300_000);
});

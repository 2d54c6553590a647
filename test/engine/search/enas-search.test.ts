/**
 * The ENAS driver's memory budget on the embedded sample: children whose cost-model training memory
 * exceeds the budget are never trained or scored (a 'child-rejected' event, the failure reward),
 * the others are.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { trainingMemory } from '../../../engine/search/memory.ts';
import { ENAS_DEFAULTS, runEnasSearch, type EnasEvent } from '../../../engine/search/one-shot/enas-search.ts';
import { pointToGenome } from '../../../engine/space/genome-of-point.ts';
import { loadSearchSpace } from '../../../engine/space/load-space.ts';
import { samplePoint } from '../../../engine/space/points.ts';
import { caseRefs, loadValidationCases, workspaceFold } from '../../../engine/train/train-workspace.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const workspace = join(mkdtempSync(join(tmpdir(), 'voxnas-enas-')), 'ws');

beforeAll(async () => {
  await selectBackend({});
  expect((await voxnas('plan', 'resources/sample', '-w', workspace, '--workers', '0')).code).toBe(0);
}, 120_000);

describe('ENAS memory budget', () => {
  it('rejects the children above the budget without training them, scores the others', async () => {
    const space = await loadSearchSpace(resolve('resources/search-spaces/ronasmis.json'));
    const { plans, folder, fold } = await workspaceFold(workspace, 0);
    const patch: [number, number, number] = [plans.patchSize[2], plans.patchSize[1], plans.patchSize[0]];
    const shape = { patch, batch: plans.batchSize, inputChannels: 1, classes: plans.labelValues.length };
    const bytesOf = (point: Record<string, number>) => {
      const memory = trainingMemory(pointToGenome(space, point), shape);
      if ('error' in memory) throw new Error(memory.error);
      return memory.bytes;
    };
    const random = createRandom(11);
    const sizes = Array.from({ length: 200 }, () => bytesOf(samplePoint(space, random))).sort((a, b) => a - b);
    const budget = sizes[100]!;
    const events: EnasEvent[] = [];
    const outcome = await runEnasSearch({
      runFolder: join(workspace, 'runs', 'enas-memory'),
      space,
      seed: 3,
      config: { ...ENAS_DEFAULTS, sharedSteps: 2, casesPerChild: 1, finalists: 1, controller: { childrenPerStep: 8 } },
      wallSeconds: 3600,
      maxControllerSteps: 1,
      trainCases: caseRefs(folder, fold.train),
      validationCases: await loadValidationCases(folder, fold.val.slice(0, 1)),
      patchSize: patch,
      batchSize: plans.batchSize,
      inputChannels: 1,
      classes: plans.labelValues.length,
      wholeVolumeVoxels: 8 * patch[0] * patch[1] * patch[2],
      memoryBytes: budget,
      onEvent: (event) => events.push(event),
    });
    const rejected = events.filter((event) => event.type === 'child-rejected');
    const evaluated = events.filter((event) => event.type === 'child-evaluated');
    expect(rejected.length).toBeGreaterThan(0);
    expect(evaluated.length).toBeGreaterThan(0);
    for (const event of rejected) {
      expect(bytesOf(event.point)).toBeGreaterThan(budget);
      expect(event.reason).toMatch(/exceeds the memory budget/);
    }
    for (const event of evaluated) expect(bytesOf(event.point)).toBeLessThanOrEqual(budget);
    expect(outcome.history).toHaveLength(1);
    expect(outcome.selected === null || bytesOf(outcome.selected.point) <= budget).toBe(true);
    outcome.supernet.dispose();
  }, 240_000);
});

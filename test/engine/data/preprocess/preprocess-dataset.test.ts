import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetJson } from '../../../../engine/api/dataset.ts';
import type { PlansJson } from '../../../../engine/api/plans.ts';
import { importCheckedDataset } from '../../../../engine/data/dataset-check.ts';
import { GIB } from '../../../../engine/data/plan-network.ts';
import { planExperiment } from '../../../../engine/data/plan.ts';
import { readCase } from '../../../../engine/data/preprocess/case-file.ts';
import { preprocessDataset, preprocessedFolder, type PreprocessProgress } from '../../../../engine/data/preprocess/preprocess-dataset.ts';
import { temporaryFolder } from '../../../support/dataset-fixtures.ts';

let workspace: string;
let cleanup: () => Promise<void>;
let dataset: DatasetJson;
let plans: PlansJson;

beforeAll(async () => {
  ({ folder: workspace, cleanup } = await temporaryFolder('voxnas-preprocess-'));
  const outcome = await importCheckedDataset('resources/sample', workspace);
  dataset = outcome.dataset!;
  plans = planExperiment(outcome.check.fingerprint, dataset, { device: 'cpu', freeMemoryBytes: 8 * GIB, createdAt: 'now' });
});
afterAll(() => cleanup());

/** Every file of a folder: name -> bytes. */
async function contents(folder: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(folder)).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(folder, name))] as [string, Buffer])));
}

describe('preprocessing a dataset', () => {
  it('writes the same bytes with 1 or 2 worker processes, reports progress per case, and reads back what it wrote', async () => {
    const progress: PreprocessProgress[] = [];
    const one = await preprocessDataset(join(workspace, 'one'), dataset, plans, { workers: 1 });
    const two = await preprocessDataset(join(workspace, 'two'), dataset, plans, { workers: 2, onProgress: (entry) => progress.push(entry) });
    const [a, b] = await Promise.all([contents(one.folder), contents(two.folder)]);
    const loaded = await readCase(two.folder, 'hippocampus_004', { verify: true });
    expect({
      summaries: [one, two].map(({ cases, computed, reused, workers }) => ({ cases, computed, reused, workers })),
      files: a.size,
      identical: [...a].every(([name, bytes]) => b.get(name)?.equals(bytes) === true),
      progress: [progress.length, progress.at(-1)!.done, progress.every((entry) => entry.total === 10 && !entry.reused)],
      loaded: { dims: loaded.record.grid.dims, image: loaded.image.length, label: loaded.label?.length, classes: [...loaded.locations.keys()], firstVoxel: [...loaded.locations.get(1)!.subarray(0, 3)].every((value) => value >= 0) },
    }).toEqual({
      summaries: [
        { cases: 10, computed: 10, reused: 0, workers: 1 },
        { cases: 10, computed: 10, reused: 0, workers: 2 },
      ],
      files: 21, // 10 x (.bin + .json) + preprocessing.json
      identical: true,
      progress: [10, 10, true],
      loaded: { dims: [36, 52, 38], image: 36 * 52 * 38, label: 36 * 52 * 38, classes: [1, 2], firstVoxel: true },
    });
  });

  it('reuses a valid cache without rewriting it, recomputes a damaged case, and gives a changed plan a new dataId', async () => {
    const first = await preprocessDataset(workspace, dataset, plans, { workers: 0 });
    const header = join(first.folder, 'hippocampus_008.json');
    const before = (await stat(header)).mtimeMs;
    const second = await preprocessDataset(workspace, dataset, plans, { workers: 0 });
    const after = (await stat(header)).mtimeMs;
    await rm(join(first.folder, 'hippocampus_011.bin'));
    const repaired = await preprocessDataset(workspace, dataset, plans, { workers: 0 });
    const linear: PlansJson = planExperiment(JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')), dataset, { device: 'cpu', freeMemoryBytes: 8 * GIB, createdAt: 'now', imageInterpolation: 'linear' });
    const changed = await preprocessDataset(workspace, dataset, linear, { workers: 0 });
    expect({
      counts: [first, second, repaired, changed].map(({ computed, reused }) => [computed, reused]),
      untouched: before === after,
      newFolder: changed.folder !== first.folder && changed.folder === preprocessedFolder(workspace, linear.dataId),
    }).toEqual({ counts: [[10, 0], [0, 10], [1, 9], [10, 0]], untouched: true, newFolder: true });
  });

  it('stops on cancellation (workers ended, finished cases stay valid for the next run)', async () => {
    const target = join(workspace, 'cancelled');
    const controller = new AbortController();
    let seen = 0;
    const cancelled = await preprocessDataset(target, dataset, plans, {
      workers: 2,
      signal: controller.signal,
      onProgress: () => {
        seen += 1;
        controller.abort();
      },
    }).then(
      () => 'finished',
      (error: unknown) => (error as Error).name,
    );
    const resumed = await preprocessDataset(target, dataset, plans, { workers: 0 });
    expect({ cancelled, fewer: seen < 10, resumed: resumed.reused + resumed.computed, reusedSome: resumed.reused >= seen }).toEqual({ cancelled: 'AbortError', fewer: true, resumed: 10, reusedSome: true });
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../main/contract/index.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { fakeJobService, temporaryFolder, type FakeJobService } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let jobs: FakeJobService;
let services: Services;
let workspace: string;

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  jobs = fakeJobService();
  services = createServices({ stateDir: join(root, 'state'), jobs });
  workspace = join(root, 'ws');
  await services.handle('workspace.create', { folder: workspace });
});
afterAll(() => cleanup());

describe('models.list', () => {
  it('is empty without a models folder', async () => {
    expect(await services.handle('models.list', { workspace })).toEqual([]);
  });

  it('lists each model folder, newest first (by metrics.json createdAt, else the folder time), with metrics, a genome summary and whether model.onnx exists', async () => {
    const models = join(workspace, 'models');
    const metrics = { schemaVersion: 1, archId: 'abc', createdAt: '2020-11-20T10:00:00.000Z', validation: { step: 100, meanDice: 0.81, meanPerClass: [0.8, 0.82] }, parameters: 123456 };
    await mkdir(join(models, 'trained'), { recursive: true });
    await writeFile(join(models, 'trained', 'metrics.json'), JSON.stringify(metrics));
    await writeFile(join(models, 'trained', 'genome.json'), JSON.stringify({ schemaVersion: 1, widths: [8, 16, 32] }));
    await writeFile(join(models, 'trained', 'model.onnx'), new Uint8Array([8, 1]));
    await mkdir(join(models, 'newer'));
    await writeFile(join(models, 'newer', 'metrics.json'), JSON.stringify({ createdAt: '2020-11-21T10:00:00.000Z' }));
    await mkdir(join(models, 'half-written'));
    await writeFile(join(models, 'half-written', 'genome.json'), '{"widths": [4,');
    await writeFile(join(models, 'stray-file.txt'), 'not a model');
    const listed = (await services.handle('models.list', { workspace })) as ModelSummary[];
    expect(listed.map((model) => ({ ...model, createdAt: model.modelId === 'half-written' ? 'folder time' : model.createdAt }))).toEqual([
      { modelId: 'half-written', folder: join(models, 'half-written'), metrics: null, genome: null, hasOnnx: false, createdAt: 'folder time' },
      { modelId: 'newer', folder: join(models, 'newer'), metrics: { createdAt: '2020-11-21T10:00:00.000Z' }, genome: null, hasOnnx: false, createdAt: '2020-11-21T10:00:00.000Z' },
      { modelId: 'trained', folder: join(models, 'trained'), metrics, genome: { levels: 3, widths: [8, 16, 32], parameters: 123456 }, hasOnnx: true, createdAt: '2020-11-20T10:00:00.000Z' },
    ]);
    // A folder without metrics.json is dated by its modification time: just now, so it comes first.
    expect(Date.now() - Date.parse(listed[0]!.createdAt!)).toBeLessThan(60_000);
  });
});

describe('models.export', () => {
  it('starts an export job for a model, with the destination when given', async () => {
    await services.handle('models.export', { workspace, modelId: 'trained' });
    await services.handle('models.export', { workspace, modelId: 'trained', destination: '/tmp/out/hippocampus.onnx' });
    expect(jobs.started).toEqual([
      { workspace, kind: 'export', params: { modelId: 'trained' } },
      { workspace, kind: 'export', params: { modelId: 'trained', destination: '/tmp/out/hippocampus.onnx' } },
    ]);
  });

  it('refuses a model the workspace does not have', async () => {
    const error = (await services.handle('models.export', { workspace, modelId: 'nope' }).catch((reason: unknown) => reason)) as { code: string; message: string };
    expect([error.code, error.message]).toEqual(['not-found', `${workspace} has no model 'nope' (no folder ${join(workspace, 'models', 'nope')}). Choose a model listed by models.list, or train one first.`]);
  });
});

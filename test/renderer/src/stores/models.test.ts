import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_SAVE_DIALOG } from '../../../../main/services/review.ts';
import { destinationProblem, exportOutcomeOf } from '../../../../renderer/src/stores/models.ts';
import { pageStores, storeBackend } from './store-backend.ts';

/**
 * The Models store on the real services: the newest model chosen and described (no model.onnx yet,
 * its card and recorded parity), the destination checked before a job starts, the save dialog's
 * browser-mode answer, and an export job followed to its parity result.
 */
let backend: Awaited<ReturnType<typeof storeBackend>>;

beforeAll(async () => {
  backend = await storeBackend();
  for (const [modelId, createdAt] of [['older', '2024-01-01T00:00:00.000Z'], ['newest', '2025-01-01T00:00:00.000Z']] as const) {
    await mkdir(join(backend.workspace, 'models', modelId), { recursive: true });
    await writeFile(join(backend.workspace, 'models', modelId, 'metrics.json'), JSON.stringify({ createdAt, fold: 0, onnxParity: { maxAbsDifference: 3e-6, tolerance: 1e-4, passed: true } }));
    await writeFile(join(backend.workspace, 'models', modelId, 'model-card.md'), `# Model ${modelId}\n`);
  }
});
afterAll(() => backend.cleanup());

const stores = async () => (await pageStores(backend.api, backend.workspace, true)).models;

describe('models store', () => {
  it('chooses the newest model and shows what its folder holds', async () => {
    const models = await stores();
    await models.refresh();
    expect({
      ids: models.models.map((model) => model.modelId),
      selected: models.selectedId,
      description: models.description,
    }).toEqual({
      ids: ['newest', 'older'],
      selected: 'newest',
      description: {
        modelId: 'newest',
        onnx: null,
        onnxProblem: `${join(backend.workspace, 'models', 'newest', 'model.onnx')} does not exist yet: export the model to write it.`,
        modelCard: '# Model newest\n',
        parity: { maxAbsDifference: 3e-6, tolerance: 1e-4, passed: true },
      },
    });
  });

  it('checks the destination, explains the save dialog in browser mode, and follows the export job to its parity result', async () => {
    const models = await stores();
    await models.refresh();
    await models.exportModel();
    expect([models.error, backend.jobs.started]).toEqual(['Choose where to save the .onnx file first.', []]);
    await models.chooseDestination();
    expect(models.notice).toBe(NO_SAVE_DIALOG);

    const destination = join(backend.root, 'exports', 'hippocampus.onnx');
    models.destination = ` ${destination} `;
    await models.exportModel();
    expect([models.error, models.exporting, backend.jobs.started]).toEqual([null, true, [{ workspace: backend.workspace, kind: 'export', params: { modelId: 'newest', destination } }]]);
    const parity = { maxAbsDifference: 2.4e-7, passed: true, tolerance: 1e-4, backend: 'wasm (SIMD)' };
    await backend.finish(models.exportJob!, 'succeeded', { result: { modelId: 'newest', bytes: 3_580_000, written: [join(backend.workspace, 'models', 'newest', 'model.onnx'), destination], parity } });
    await expect.poll(() => models.exportOutcome).toEqual({ bytes: 3_580_000, written: [join(backend.workspace, 'models', 'newest', 'model.onnx'), destination], parity });
    expect(models.exporting).toBe(false);
  });

  it('reads only what an export result holds, and says what is wrong with a typed path', () => {
    expect([exportOutcomeOf(null), exportOutcomeOf({ written: ['/a.onnx', 3], parity: { passed: 'yes' } })]).toEqual([null, { bytes: null, written: ['/a.onnx'], parity: null }]);
    expect(['models/x.onnx', '/tmp/x.pt', 'C:\\models\\x.onnx', '/tmp/x.ONNX'].map(destinationProblem)).toEqual([
      'Type an absolute path (such as /home/me/models/hippocampus.onnx).',
      'The file name must end in .onnx.',
      null,
      null,
    ]);
  });
});

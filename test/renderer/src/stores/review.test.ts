import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseMetrics } from '../../../../engine/evaluate/metrics.ts';
import { metricsReportJson, summarizeMetrics } from '../../../../engine/evaluate/metrics-report.ts';
import { readVolume } from '../../../../engine/io/read-volume.ts';
import { pageStores, storeBackend } from './store-backend.ts';

/**
 * The Review store on the real services (a workspace imported from resources/sample): no model, a
 * model without an evaluation, an evaluate job followed to its end (the metrics the engine computes
 * on real label maps, worst case first), cases opened with and without the prediction, a failed job.
 */
let backend: Awaited<ReturnType<typeof storeBackend>>;
const modelId = 'model-fold0';

beforeAll(async () => {
  backend = await storeBackend();
});
afterAll(() => backend.cleanup());

/** The stores of a page with the workspace open; `reload` gives them fresh modules, as a reloaded page has. */
const stores = (reload = false) => pageStores(backend.api, backend.workspace, reload);

/** What the evaluate job writes: the engine's metrics of two cases against themselves, one with a label missed. */
async function writeEvaluation(): Promise<void> {
  const labelOf = async (caseId: string) => (await readVolume(join('resources/sample/labelsTr', `${caseId}.nii.gz`))).volume;
  const [good, poor] = [await labelOf('hippocampus_004'), await labelOf('hippocampus_008')];
  const missed = Uint8Array.from(poor.data, (value) => (value === 1 ? 0 : value));
  const cases = [
    { caseId: 'hippocampus_004', labels: caseMetrics({ reference: good.data, prediction: good.data, dims: good.dims, spacing: good.spacing }, [1, 2]) },
    { caseId: 'hippocampus_008', labels: caseMetrics({ reference: poor.data, prediction: missed, dims: poor.dims, spacing: poor.spacing }, [1, 2]) },
  ];
  await mkdir(join(backend.workspace, 'predictions', modelId), { recursive: true });
  await writeFile(join(backend.workspace, 'predictions', modelId, 'metrics.json'), metricsReportJson(summarizeMetrics(cases, [1, 2], 1)));
}

describe('review store', () => {
  it('has nothing to show before a model exists', async () => {
    const { review } = await stores();
    await review.refresh();
    expect({ status: review.modelsStatus, models: review.models, modelId: review.modelId, request: review.viewerRequest }).toEqual({ status: 'ready', models: [], modelId: null, request: null });
  });

  it('chooses the newest model, evaluates it in a job and lists its cases worst first', async () => {
    await mkdir(join(backend.workspace, 'models', modelId), { recursive: true });
    await writeFile(join(backend.workspace, 'models', modelId, 'metrics.json'), JSON.stringify({ schemaVersion: 1, fold: 0 }));
    const { review } = await stores();
    await review.refresh();
    expect([review.modelId, review.metricsStatus, review.metrics]).toEqual([modelId, 'ready', null]);

    await review.evaluate();
    expect([review.evaluating, backend.jobs.started.at(-1)]).toEqual([true, { workspace: backend.workspace, kind: 'evaluate', params: { modelId } }]);
    await writeEvaluation();
    await backend.finish(review.job!, 'succeeded', { result: { cases: 2 } });
    await expect.poll(() => review.metrics?.cases.map((entry) => entry.caseId)).toEqual(['hippocampus_008', 'hippocampus_004']);
    expect({ evaluating: review.evaluating, fold: review.metrics!.fold, names: review.labelNames, error: review.error }).toEqual({ evaluating: false, fold: 0, names: { 1: 'Anterior', 2: 'Posterior' }, error: null });

    review.openCase('hippocampus_008');
    expect([review.viewerRequest, review.viewerStatus]).toEqual([{ workspace: backend.workspace, caseId: 'hippocampus_008', modelId }, 'loading']);
    review.viewerLoaded({ labels: [1, 2, 7], hasTruth: true, hasPrediction: true, message: null });
    expect({ status: review.viewerStatus, truthColours: Object.keys(review.colors.truth).includes('7') }).toEqual({ status: 'ready', truthColours: true });
    // A dataset case (from the Datasets screen) comes without the model's prediction.
    review.openDatasetCase('hippocampus_011');
    expect(review.viewerRequest).toEqual({ workspace: backend.workspace, caseId: 'hippocampus_011', modelId: null });
    review.viewerFailed('The label of case hippocampus_011 is not on its image\'s voxel grid.');
    expect([review.viewerStatus, review.viewerMessage]).toEqual(['error', "The label of case hippocampus_011 is not on its image's voxel grid."]);
  });

  it("rebuilds a running evaluation after a reload, and says why a failed one failed", async () => {
    const { review } = await stores();
    await review.refresh();
    await review.evaluate();
    const jobId = review.job!.id;
    // A reloaded page (new modules, new stores) finds the job still running in the workspace and follows it.
    const reloaded = (await stores(true)).review;
    await reloaded.refresh();
    expect([reloaded.job?.id, reloaded.evaluating]).toEqual([jobId, true]);
    await backend.finish(reloaded.job!, 'failed', { error: 'The evaluate job cannot start: splits.json has no fold 0.' });
    await expect.poll(() => reloaded.error).toBe('The evaluate job cannot start: splits.json has no fold 0.');
    expect(reloaded.evaluating).toBe(false);
    expect(JSON.parse(await readFile(join(backend.workspace, 'predictions', modelId, 'metrics.json'), 'utf8')).cases).toHaveLength(2);
  });
});

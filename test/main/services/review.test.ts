/**
 * The Review and Models commands on a real workspace (resources/sample imported as the import job
 * does): an evaluation report computed by the engine's metrics on real label maps, listed worst
 * case first with dataset.json's label names; the evaluate job's start; a real model.onnx header;
 * the save dialog's browser-mode answer.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseMetrics } from '../../../engine/evaluate/metrics.ts';
import { metricsReportJson, summarizeMetrics } from '../../../engine/evaluate/metrics-report.ts';
import { exportOnnx } from '../../../engine/export/export-onnx.ts';
import { readVolume } from '../../../engine/io/read-volume.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { initialWeightValues } from '../../../engine/network/executor.ts';
import { specParams } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import type { ModelSummary } from '../../../main/contract/index.ts';
import type { ModelDescription, ReviewMetrics } from '../../../main/contract/review.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { NO_SAVE_DIALOG } from '../../../main/services/review.ts';
import { TEST_GENOMES } from '../../support/test-genomes.ts';
import { fakeJobService, importSample, temporaryFolder, type FakeJobService } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let jobs: FakeJobService;
let services: Services;
let workspace: string;
const modelId = 'unet-fold0';

const labelOf = async (caseId: string) => (await readVolume(join('resources/sample/labelsTr', `${caseId}.nii.gz`))).volume;

/** The label map with label `value` removed from every voxel with i below `cut` (a partly missed structure). */
function withMissedPart(data: ArrayLike<number>, dims: [number, number, number], value: number, cut: number): Uint8Array {
  return Uint8Array.from(data, (label, index) => (label === value && index % dims[0] < cut ? 0 : label));
}

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  jobs = fakeJobService();
  services = createServices({ stateDir: join(root, 'state'), jobs });
  workspace = join(root, 'ws');
  await services.handle('workspace.create', { folder: workspace });
  await importSample(workspace);
  await mkdir(join(workspace, 'models', modelId), { recursive: true });
  await writeFile(join(workspace, 'models', modelId, 'metrics.json'), JSON.stringify({ schemaVersion: 1, fold: 0, onnxParity: { maxAbsDifference: 2.5e-7, passed: true, tolerance: 1e-4 } }));
});
afterAll(() => cleanup());

describe('review.metrics', () => {
  it('is null before the model was evaluated, and not-found for a model the workspace lacks', async () => {
    expect(await services.handle('review.metrics', { workspace, modelId })).toBeNull();
    const error = (await services.handle('review.metrics', { workspace, modelId: 'nope' }).catch((reason: unknown) => reason)) as { code: string };
    expect(error.code).toBe('not-found');
  });

  it("lists the evaluation worst case first, Dice per label with dataset.json's names, NaN as null", async () => {
    // Three cases scored by the engine: a perfect one, one with part of label 1 missed, one where both masks lack label 2.
    const [perfect, missed, empty] = [await labelOf('hippocampus_004'), await labelOf('hippocampus_008'), await labelOf('hippocampus_011')];
    const score = (reference: ArrayLike<number>, prediction: ArrayLike<number>, volume: typeof perfect) =>
      caseMetrics({ reference: Uint8Array.from(reference), prediction: Uint8Array.from(prediction), dims: volume.dims, spacing: volume.spacing }, [1, 2]);
    const missedPrediction = withMissedPart(missed.data, missed.dims, 1, Math.floor(missed.dims[0] / 2));
    const noLabel2 = Uint8Array.from(empty.data, (label) => (label === 2 ? 0 : label));
    const cases = [
      { caseId: 'hippocampus_004', labels: score(perfect.data, perfect.data, perfect) },
      { caseId: 'hippocampus_008', labels: score(missed.data, missedPrediction, missed) },
      { caseId: 'hippocampus_011', labels: score(noLabel2, noLabel2, empty) },
    ];
    const report = summarizeMetrics(cases, [1, 2], 1);
    await mkdir(join(workspace, 'predictions', modelId), { recursive: true });
    await writeFile(join(workspace, 'predictions', modelId, 'metrics.json'), metricsReportJson(report));

    const listed = (await services.handle('review.metrics', { workspace, modelId })) as ReviewMetrics;
    const missedDice = cases[1]!.labels['1']!.dice;
    expect(missedDice).toBeGreaterThan(0);
    expect(missedDice).toBeLessThan(1);
    expect(listed).toEqual({
      modelId,
      fold: 0,
      labels: [
        { value: 1, name: 'Anterior' },
        { value: 2, name: 'Posterior' },
      ],
      cases: [
        { caseId: 'hippocampus_008', dice: { 1: missedDice, 2: 1 }, meanDice: (missedDice + 1) / 2 },
        { caseId: 'hippocampus_004', dice: { 1: 1, 2: 1 }, meanDice: 1 },
        { caseId: 'hippocampus_011', dice: { 1: 1, 2: null }, meanDice: 1 },
      ],
      meanPerLabel: { 1: (1 + missedDice + 1) / 3, 2: 1 },
      meanDice: ((1 + missedDice + 1) / 3 + 1) / 2,
      evaluatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('says which file is broken and what to do', async () => {
    await writeFile(join(workspace, 'predictions', modelId, 'metrics.json'), JSON.stringify({ schemaVersion: 1, cases: 'none' }));
    const error = (await services.handle('review.metrics', { workspace, modelId }).catch((reason: unknown) => reason)) as { code: string; message: string };
    expect([error.code, error.message]).toEqual(['failed', expect.stringMatching(/metrics\.json is not an evaluation VoxNAS can read \(.*cases: expected a list.*\)\. Evaluate the model again/)]);
  });
});

describe('review.evaluate', () => {
  it("starts an 'evaluate' job for the model; refuses an unknown model and a bad id", async () => {
    const job = (await services.handle('review.evaluate', { workspace, modelId })) as { kind: string };
    expect([job.kind, jobs.started.at(-1)]).toEqual(['evaluate', { workspace, kind: 'evaluate', params: { modelId } }]);
    const errors = await Promise.all([
      services.handle('review.evaluate', { workspace, modelId: 'nope' }).catch((reason: { code: string }) => reason.code),
      services.handle('review.evaluate', { workspace, modelId: '../x' }).catch((reason: { code: string }) => reason.code),
    ]);
    expect(errors).toEqual(['not-found', 'bad-request']);
  });
});

describe('models.describe', () => {
  it('says model.onnx does not exist yet, with the card and the recorded parity', async () => {
    await writeFile(join(workspace, 'models', modelId, 'model-card.md'), '# Model abc\n\n- Fold 0\n');
    const described = (await services.handle('models.describe', { workspace, modelId })) as ModelDescription;
    expect(described).toEqual({
      modelId,
      onnx: null,
      onnxProblem: `${join(workspace, 'models', modelId, 'model.onnx')} does not exist yet: export the model to write it.`,
      modelCard: '# Model abc\n\n- Fold 0\n',
      parity: { maxAbsDifference: 2.5e-7, passed: true, tolerance: 1e-4 },
    });
  });

  it("reads a real model.onnx header: inputs, outputs, opset and the preprocessing metadata", async () => {
    const genome = TEST_GENOMES['concatMaxPoolTransposed']!;
    const spec = decodeGenome(genome, { inputChannels: 1, classes: 3 });
    const bytes = exportOnnx(spec, initialWeightValues(specParams(spec), createRandom('review')), {
      genome,
      channelNames: ['MRI'],
      labelNames: ['background', 'Anterior', 'Posterior'],
      labelValues: [0, 1, 2],
      targetSpacing: [1, 1, 1],
      normalization: [{ name: 'MRI', scheme: 'zscore' }],
      patchSize: [40, 56, 40],
    });
    const path = join(workspace, 'models', modelId, 'model.onnx');
    await writeFile(path, bytes);
    const described = (await services.handle('models.describe', { workspace, modelId })) as ModelDescription;
    expect({ ...described.onnx, metadata: undefined }).toEqual({
      path,
      bytes: bytes.length,
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producer: expect.stringMatching(/^VoxNAS /),
      inputs: [{ name: 'image', shape: ['batch', 1, expect.any(String), expect.any(String), expect.any(String)] }],
      outputs: [{ name: 'probabilities', shape: ['batch', 3, expect.any(String), expect.any(String), expect.any(String)] }],
      metadata: undefined,
    });
    expect(described.onnx!.metadata).toMatchObject({ archId: spec.archId, labelNames: '["background","Anterior","Posterior"]', patchSize: '[40,56,40]', targetSpacing: '[1,1,1]' });

    await writeFile(path, 'not a protobuf at all');
    const broken = (await services.handle('models.describe', { workspace, modelId })) as ModelDescription;
    expect([broken.onnx, broken.onnxProblem]).toEqual([null, expect.stringMatching(/model\.onnx cannot be read: not an ONNX model.*Export the model again/)]);
  });
});

describe('models.list', () => {
  it("counts a model's parameters from its genome and plans.json when metrics.json does not say", async () => {
    const genome = TEST_GENOMES['concatMaxPoolTransposed']!;
    const folder = join(workspace, 'models', 'counted');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'genome.json'), JSON.stringify(genome));
    await writeFile(join(folder, 'plans.json'), JSON.stringify({ dataset: { channels: ['MRI'] }, labelValues: [0, 1, 2] }));
    const listed = (await services.handle('models.list', { workspace })) as ModelSummary[];
    const expected = specParams(decodeGenome(genome, { inputChannels: 1, classes: 3 })).reduce((total, param) => total + param.shape.reduce((a, b) => a * b, 1), 0);
    expect(listed.find((model) => model.modelId === 'counted')!.genome).toEqual({ levels: genome.widths.length, widths: genome.widths, parameters: expected });
  });
});

describe('dialog.chooseSaveFile', () => {
  it('explains in browser mode that the path is typed, and asks the native dialog in the app', async () => {
    expect(await services.handle('dialog.chooseSaveFile', { title: 'Export ONNX', defaultName: 'model.onnx' })).toEqual({ path: null, reason: NO_SAVE_DIALOG });
    const asked: unknown[] = [];
    const desktop = createServices({ stateDir: join(root, 'state'), jobs, chooseSaveFile: async (...args) => (asked.push(args), '/home/me/model.onnx') });
    expect(await desktop.handle('dialog.chooseSaveFile', { defaultName: 'model.onnx' })).toEqual({ path: '/home/me/model.onnx' });
    expect(asked).toEqual([[undefined, 'model.onnx']]);
    const refused = (await desktop.handle('dialog.chooseSaveFile', { defaultName: '../x/model.onnx' }).catch((reason: unknown) => reason)) as { code: string };
    expect(refused.code).toBe('bad-request');
  });
});

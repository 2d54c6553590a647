import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planExperiment } from '../../../engine/data/plan.ts';
import { migrateFingerprintJson, readDatasetFile, sampleDatasetDir } from '../../../engine/index.ts';
import type { DatasetSummary } from '../../../main/contract/index.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { fakeJobService, importSample, temporaryFolder, type FakeJobService } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let jobs: FakeJobService;
let services: Services;
let workspace: string;

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  jobs = fakeJobService();
  services = createServices({ stateDir: join(root, 'state'), jobs });
  workspace = join(root, 'hippocampus');
  await services.handle('workspace.create', { folder: workspace });
});
afterAll(() => cleanup());

describe('dataset.import', () => {
  it('starts an import job in the workspace for the source folder', async () => {
    const job = await services.handle('dataset.import', { workspace, source: `${sampleDatasetDir()}/` });
    expect(jobs.started).toEqual([{ workspace, kind: 'import', params: { source: sampleDatasetDir() } }]);
    expect(job).toMatchObject({ kind: 'import', workspace, status: 'queued' });
  });

  it('refuses a missing source folder or a folder that is no workspace before starting anything', async () => {
    const count = jobs.started.length;
    const refusals = await Promise.all([
      services.handle('dataset.import', { workspace, source: join(root, 'nowhere') }).catch((error: { code: string; message: string }) => [error.code, error.message]),
      services.handle('dataset.import', { workspace: root, source: sampleDatasetDir() }).catch((error: { code: string; message: string }) => [error.code, error.message]),
    ]);
    expect(refusals).toEqual([
      ['not-found', `${join(root, 'nowhere')} does not exist: choose the dataset folder (an MSD task, an nnU-Net raw dataset, or a folder with images/ and labels/).`],
      ['not-found', `${root} is not a VoxNAS workspace: it has neither workspace.json nor dataset.json. Create a workspace there (an empty folder), or choose another folder.`],
    ]);
    expect(jobs.started.length).toBe(count);
  });
});

describe('dataset.get', () => {
  it('is null before an import', async () => {
    expect(await services.handle('dataset.get', { workspace })).toBeNull();
  });

  it('summarizes dataset.json, integrity.json, fingerprint.json and plans.json of a real import', async () => {
    await importSample(workspace);
    const dataset = await readDatasetFile(workspace);
    const fingerprintResult = migrateFingerprintJson(JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')));
    if (!fingerprintResult.ok) throw new Error(fingerprintResult.errors.join('; '));
    const fingerprint = fingerprintResult.value;
    const byId = new Map(fingerprint.cases.map((entry) => [entry.id, entry]));
    const expected: DatasetSummary = {
      workspace,
      name: 'Hippocampus',
      layout: 'msd',
      source: sampleDatasetDir(),
      importedAt: dataset.importedAt,
      channels: ['MRI'],
      labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' },
      cases: dataset.cases.map((entry) => ({ caseId: entry.id, hasLabel: true, shape: byId.get(entry.id)!.dims, spacing: byId.get(entry.id)!.spacing })),
      integrity: { ok: true, errors: 0, warnings: 0, problems: [] },
      fingerprint: { medianSpacing: fingerprint.medianSpacing, medianShape: fingerprint.medianDims, caseCount: 10 },
      plans: null,
    };
    expect(await services.handle('dataset.get', { workspace })).toEqual(expected);
    expect(expected.cases).toHaveLength(10);

    const plans = planExperiment(fingerprint, dataset);
    await writeFile(join(workspace, 'plans.json'), JSON.stringify(plans));
    const withPlans = (await services.handle('dataset.get', { workspace })) as DatasetSummary;
    expect(withPlans.plans).toEqual({ targetSpacing: plans.targetSpacing, patchSize: plans.patchSize, batchSize: plans.batchSize });
  });

  it('lists integrity findings with their case, file and what to do', async () => {
    const report = JSON.parse(await readFile(join(workspace, 'integrity.json'), 'utf8'));
    const finding = { severity: 'warning', case: 'hippocampus_004', file: 'labelsTr/hippocampus_004.nii.gz', code: 'label-empty', message: 'The label has no foreground voxel', hint: 'Check that it is the right file.' };
    await writeFile(join(workspace, 'integrity.json'), JSON.stringify({ ...report, warnings: 1, findings: [finding] }));
    const summary = (await services.handle('dataset.get', { workspace })) as DatasetSummary;
    expect(summary.integrity).toEqual({
      ok: true,
      errors: 0,
      warnings: 1,
      problems: [{ severity: 'warning', caseId: 'hippocampus_004', message: 'The label has no foreground voxel (labelsTr/hippocampus_004.nii.gz). Check that it is the right file.' }],
    });
  });

  it('a damaged file is reported with its path and what to do', async () => {
    await writeFile(join(workspace, 'fingerprint.json'), JSON.stringify({ schemaVersion: 1 }));
    const error = (await services.handle('dataset.get', { workspace }).catch((reason: unknown) => reason)) as { code: string; message: string };
    expect(error.code).toBe('failed');
    expect(error.message).toMatch(new RegExp(`^${join(workspace, 'fingerprint.json')} is not valid: .+\\. Import the dataset again to rewrite it\\.$`));
  });
});

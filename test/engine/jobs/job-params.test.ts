/**
 * Job params are checked before any work starts: every bad or unknown field is named in one
 * sentence that says what it takes and what it got.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerJobEvent } from '../../../engine/api/worker-messages.ts';
import { runExportJob } from '../../../engine/jobs/export-job.ts';
import { runImportJob } from '../../../engine/jobs/import-job.ts';
import type { JobFunction } from '../../../engine/jobs/job-context.ts';
import { runPlanJob } from '../../../engine/jobs/plan-job.ts';
import { runPredictJob } from '../../../engine/jobs/predict-job.ts';
import { runSearchJob } from '../../../engine/jobs/search-job.ts';
import { readTrainParams, runTrainJob } from '../../../engine/jobs/train-job.ts';

const workspace = mkdtempSync(join(tmpdir(), 'voxnas-job-params-'));

/** The message a job fails with, and the events it emitted before failing. */
async function failure(job: JobFunction, params: Record<string, unknown>): Promise<{ message: string; events: WorkerJobEvent[] }> {
  const events: WorkerJobEvent[] = [];
  try {
    await job(params, { workspace, signal: new AbortController().signal, emit: (event) => events.push(event) });
  } catch (error) {
    return { message: (error as Error).message.replaceAll(workspace, '<ws>'), events };
  }
  throw new Error('the job did not fail');
}

describe('job params', () => {
  it('name every bad and unknown field with what it takes, before the job does anything', async () => {
    const results = await Promise.all([
      failure(runImportJob, {}),
      failure(runImportJob, { source: 'sample', force: 'yes', overwrite: true }),
      failure(runPlanJob, { device: 'tpu', budgetGb: -1, workers: 2.5 }),
      failure(runTrainJob, { fold: 7, budget: 'a while', seed: -1, optimizer: 'rmsprop', keep: 'worst', batchSize: 0, genome: 42 }),
      failure(runTrainJob, { genome: { schemaVersion: 1 } }),
      failure(runPredictJob, { modelId: '../other', runtime: 'torch', caseIds: [] }),
      failure(runPredictJob, { modelId: 'm', caseIds: ['a'], input: '/images' }),
      failure(runExportJob, { modelId: 'm', destination: 'model.pt' }),
      failure(runSearchJob, { strategy: 'nas', budget: '300steps', searchFraction: 1, fold: 'all', memoryGb: '8GB' }),
    ]);
    expect(results.map(({ message, events }) => [message, events.length])).toEqual([
      ['The import job cannot start: params.source takes an absolute path of the dataset folder (MSD, nnU-Net v2 raw, or images/ + labels/), not nothing. Fix the params and start it again.', 0],
      [
        'The import job cannot start: params.source takes an absolute path of the dataset folder (MSD, nnU-Net v2 raw, or images/ + labels/), not "sample"; params.force takes true or false, not "yes"; params.overwrite is not known (the import job takes source, force). Fix the params and start it again.',
        0,
      ],
      ["The plan job cannot start: params.device takes 'cpu' or 'gpu', not \"tpu\"; params.budgetGb takes a positive number, not -1; params.workers takes an integer from 0 to 64, not 2.5. Fix the params and start it again.", 0],
      [
        "The train job cannot start: params.genome takes 'baseline' or an absolute path of a genome file or a genome as a JSON object, not 42; params.fold takes an integer from 0 to 4 or 'all', not 7; params.budget takes a budget such as '45m', '2h', '300steps' or '4epochs', not \"a while\"; params.seed takes an integer >= 0, not -1; params.optimizer takes 'sgd' or 'adam', not \"rmsprop\"; params.keep takes 'last' or 'best', not \"worst\"; params.batchSize takes an integer >= 1, not 0. Fix the params and start it again.",
        0,
      ],
      [expect.stringMatching(/^The train job cannot start: params\.genome is not a valid genome: .+\. Fix the genome and start it again\.$/), 0],
      ["The predict job cannot start: params.modelId takes the folder name of a model in <workspace>/models/ (letters, digits, '.', '_', '-'), not \"../other\"; params.caseIds takes a non-empty list of case ids of the dataset, not []; params.runtime takes 'tfjs' or 'onnx', not \"torch\". Fix the params and start it again.", 0],
      ['The predict job cannot start: params.caseIds and params.input are both given. Give the dataset cases to segment (caseIds) or a folder of images (input), not both.', 0],
      ['The export job cannot start: params.destination takes an absolute path of the .onnx file to write, not "model.pt". Fix the params and start it again.', 0],
      [
        "The search job cannot start: params.strategy takes 'enas' or 'random' or 'ronasmis' or 'darts' or 'gumbel' or 'c2fnas', not \"nas\"; params.budget takes a wall time above zero such as '90m' or '2h', not \"300steps\"; params.searchFraction takes a number between 0 and 1, not 1; params.fold takes an integer from 0 to 4, not \"all\"; params.memoryGb takes a positive number, not \"8GB\". Fix the params and start it again.",
        0,
      ],
    ]);
  });

  it('fill in the defaults of `voxnas train` for a train job without params', () => {
    expect(readTrainParams({})).toEqual({ genome: 'baseline', fold: 0, budget: { wallSeconds: 2700 }, seed: 0, keep: 'last', augmentation: true });
    expect(readTrainParams({ fold: 'all', budget: '300steps', optimizer: 'adam', genome: '/g.json' })).toMatchObject({ fold: 'all', budget: { steps: 300 }, optimizer: 'adam', genome: '/g.json' });
  });

  it('say which workspace file is missing when the workspace is not ready for the job', async () => {
    const results = await Promise.all([failure(runPlanJob, {}), failure(runPredictJob, { modelId: 'm' }), failure(runExportJob, { modelId: 'm' })]);
    expect(results.map(({ message }) => message)).toEqual([
      "<ws>/dataset.json: does not exist. Run 'voxnas plan <dataset> -w <workspace>' first.",
      '<ws>/models/m: does not exist. Choose a model listed for this workspace (train one first).',
      '<ws>/models/m: does not exist. Choose a model listed for this workspace (train one first).',
    ]);
  });
});

/**
 * The evaluate job on a real model: resources/sample planned and a tiny network trained on fold 0
 * (the CLI, in process), then the job predicts the fold's validation cases into
 * predictions/<modelId>/ in the source geometry and writes metrics.json that agree with the
 * engine's metrics on those very files. Bad params and a model trained on every case are refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerJobEvent } from '../../../engine/api/worker-messages.ts';
import { caseMetrics } from '../../../engine/evaluate/metrics.ts';
import { parseMetricsReport } from '../../../engine/evaluate/metrics-report.ts';
import { readVolume } from '../../../engine/io/read-volume.ts';
import { readEvaluateParams, runEvaluateJob } from '../../../engine/jobs/evaluate-job.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-evaluate-job-'));
const workspace = join(root, 'ws');
const genomePath = join(root, 'tiny.json');
const TINY = { ...REFERENCE_GENOME, widths: [4, 8, 8], deepSupervision: 1 };
let modelId = '';

const context = (events: WorkerJobEvent[], signal = new AbortController().signal) => ({ workspace, signal, emit: (event: WorkerJobEvent) => events.push(event) });

beforeAll(async () => {
  writeFileSync(genomePath, JSON.stringify(TINY));
  expect((await voxnas('plan', 'resources/sample', '-w', workspace)).code).toBe(0);
  const trained = await voxnas('train', '-w', workspace, '--genome', genomePath, '--fold', '0', '--budget', '6steps', '--validate-every', '6', '--seed', '1', '--json');
  expect(trained.code).toBe(0);
  modelId = basename(JSON.parse(trained.stdout).model as string);
}, 240_000);

describe('evaluate job', () => {
  it("predicts the fold's validation cases in the source geometry and scores them with the engine's metrics", async () => {
    const events: WorkerJobEvent[] = [];
    const result = await runEvaluateJob({ modelId }, context(events));
    const splits = JSON.parse(await readFile(join(workspace, 'splits.json'), 'utf8')) as { val: string[] }[];
    const validation = [...splits[0]!.val].sort();
    const report = parseMetricsReport(JSON.parse(await readFile(join(workspace, 'predictions', modelId, 'metrics.json'), 'utf8')));
    if (!report.ok) throw new Error(report.errors.join('; '));
    // Recompute one case's scores from the files the job wrote and the source label map.
    const [caseId] = validation;
    const [prediction, reference] = await Promise.all([
      readVolume(join(workspace, 'predictions', modelId, `${caseId}.nii.gz`)),
      readVolume(join('resources/sample/labelsTr', `${caseId}.nii.gz`)),
    ]);
    const recomputed = caseMetrics({ reference: reference.volume.data, prediction: prediction.volume.data, dims: reference.volume.dims, spacing: reference.volume.spacing }, [1, 2]);
    expect({
      result: { ...result, meanDice: typeof result['meanDice'] },
      cases: report.value.cases.map((entry) => entry.caseId),
      labels: report.value.labels,
      sameGrid: [prediction.volume.dims, prediction.volume.origin, prediction.volume.direction],
      firstCase: report.value.cases[0]!.labels,
      progress: events.filter((event) => event.type === 'progress').map((event) => event.fraction),
      evaluated: events.filter((event) => event.type === 'engine').map((event) => (event.data as { caseId: string }).caseId),
    }).toEqual({
      result: { modelId, cases: validation.length, meanDice: 'number', metrics: join(workspace, 'predictions', modelId, 'metrics.json') },
      cases: validation,
      labels: [1, 2],
      sameGrid: [reference.volume.dims, reference.volume.origin, reference.volume.direction],
      firstCase: recomputed,
      progress: [...validation.map((_id, index) => index / validation.length), 1],
      evaluated: validation,
    });
  }, 120_000);

  it('refuses unknown params, a missing model, a model trained on every case, and stops when cancelled', async () => {
    expect(() => readEvaluateParams({ modelId: 'm', folds: 2 })).toThrow(/params\.folds is not known/);
    await expect(runEvaluateJob({ modelId: 'missing' }, context([]))).rejects.toThrow(/models\/missing: does not exist/);
    const metricsPath = join(workspace, 'models', modelId, 'metrics.json');
    const metrics = JSON.parse(await readFile(metricsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(metricsPath, JSON.stringify({ ...metrics, fold: 'all' }));
    await expect(runEvaluateJob({ modelId }, context([]))).rejects.toThrow(/trained on every case \(fold all\).*give params\.caseIds/);
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(runEvaluateJob({ modelId, caseIds: ['hippocampus_004'] }, context([], cancelled.signal))).rejects.toThrow(/Evaluation \(after 0 of 1 cases\) was cancelled/);
    writeFileSync(metricsPath, JSON.stringify(metrics));
  }, 60_000);
});

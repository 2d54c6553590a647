/**
 * The 'evaluate' job: what the Review screen shows. A trained model of the workspace segments the
 * validation cases of the fold it was trained on (or `caseIds`), the masks are written to
 * <workspace>/predictions/<modelId>/<caseId>.nii.gz in the source geometry (as the predict job
 * writes them), and each mask is compared with the case's source label map: Dice, IoU, HD95 and
 * surface Dice per label in predictions/<modelId>/metrics.json (the `voxnas evaluate` format,
 * engine/evaluate/metrics-report.ts). Idempotent: evaluating again overwrites the same files.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord } from '../api/validation.ts';
import { checkSameGrid, labelValues } from '../evaluate/evaluate-folders.ts';
import { caseMetrics, DEFAULT_TOLERANCE_MM } from '../evaluate/metrics.ts';
import { metricsReportJson, summarizeMetrics, type CaseMetricsEntry } from '../evaluate/metrics-report.ts';
import { loadModelPredictor, type ModelPredictor } from '../evaluate/model-predictor.ts';
import { predictCase } from '../evaluate/predict-files.ts';
import { InputError } from '../io/input-error.ts';
import { writeNifti } from '../io/nifti/write-nifti.ts';
import { readVolume } from '../io/read-volume.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { readDatasetFile } from '../runtime/workspace-files.ts';
import { workspaceFold } from '../train/train-workspace.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';
import { folderName, nonEmptyStringList, oneOf, optional, readParams } from './job-params.ts';

interface EvaluateParams {
  modelId: string;
  /** Cases to evaluate instead of the model's validation cases. */
  caseIds?: string[];
  runtime: 'onnx' | 'tfjs';
}

export function readEvaluateParams(params: Record<string, unknown>): EvaluateParams {
  return readParams<EvaluateParams>('evaluate', params, {
    modelId: folderName('a model in <workspace>/models/'),
    caseIds: optional(nonEmptyStringList('labelled case ids of the dataset')),
    runtime: optional(oneOf(['onnx', 'tfjs'] as const), 'onnx'),
  });
}

/** The fold in the model's metrics.json: its validation cases were never trained on. */
async function trainedFold(modelFolder: string): Promise<number | 'all'> {
  const path = join(modelFolder, 'metrics.json');
  const document: unknown = await readFile(path, 'utf8').then(JSON.parse, () => null);
  const fold = isRecord(document) ? document['fold'] : undefined;
  if (fold === 'all' || (typeof fold === 'number' && Number.isInteger(fold) && fold >= 0)) return fold;
  throw new InputError(path, 'does not say which fold the model was trained on', 'Evaluate a model folder written by training or a search, or give params.caseIds.');
}

/** The ids to evaluate: the given ones, or the validation cases of the model's fold. */
async function casesToEvaluate(workspace: string, modelFolder: string, caseIds: string[] | undefined): Promise<string[]> {
  if (caseIds) return caseIds;
  const fold = await trainedFold(modelFolder);
  if (fold === 'all') {
    throw new InputError(join(modelFolder, 'metrics.json'), 'says the model was trained on every case (fold all): it has no held-out cases', 'Review a model trained on one fold, or give params.caseIds (its scores will be optimistic).');
  }
  return (await workspaceFold(workspace, fold)).fold.val;
}

export const runEvaluateJob: JobFunction = async (rawParams, context) => {
  const params = readEvaluateParams(rawParams);
  const modelFolder = join(context.workspace, 'models', params.modelId);
  await access(modelFolder).catch(() => {
    throw new InputError(modelFolder, 'does not exist', 'Choose a model listed for this workspace (train one first).');
  });
  const [ids, dataset] = await Promise.all([casesToEvaluate(context.workspace, modelFolder, params.caseIds), readDatasetFile(context.workspace)]);
  const byId = new Map(dataset.cases.map((entry) => [entry.id, entry]));
  const unusable = ids.filter((id) => !byId.get(id)?.label);
  if (unusable.length > 0) throw new InputError(join(context.workspace, 'dataset.json'), `has no labelled case ${unusable.join(', ')}`, 'Evaluate labelled cases of the imported dataset.');

  if (params.runtime === 'tfjs') await (await import('../backend/select-backend.ts')).selectBackend();
  const model: ModelPredictor = await loadModelPredictor(modelFolder, params.runtime);
  const labels = model.settings.labelValues.filter((value) => value !== 0);
  const output = join(context.workspace, 'predictions', params.modelId);
  const cases: CaseMetricsEntry[] = [];
  try {
    await mkdir(output, { recursive: true });
    for (const [index, id] of ids.entries()) {
      if (context.signal.aborted) throw new JobCancelledError(`Evaluation (after ${index} of ${ids.length} cases)`);
      context.emit(progress(index / ids.length, `Predicting and scoring ${id} (${index + 1} of ${ids.length})`));
      const entry = byId.get(id)!;
      const prediction = await predictCase(entry.images.map((file) => join(dataset.source.folder, file)), id, model, { signal: context.signal });
      const predictionPath = join(output, `${id}.nii.gz`);
      await writeNifti(predictionPath, prediction, 'VoxNAS prediction');
      const referencePath = join(dataset.source.folder, entry.label!);
      const reference = (await readVolume(referencePath)).volume;
      checkSameGrid(id, predictionPath, prediction, reference);
      labelValues(referencePath, reference);
      const scores = caseMetrics({ reference: reference.data, prediction: prediction.data, dims: reference.dims, spacing: reference.spacing }, labels);
      cases.push({ caseId: id, labels: scores });
      context.emit({ type: 'engine', data: { type: 'case-evaluated', caseId: id, dice: Object.fromEntries(Object.entries(scores).map(([label, metrics]) => [label, metrics.dice])) } });
    }
  } catch (error) {
    if (context.signal.aborted && !(error instanceof JobCancelledError)) throw new JobCancelledError(`Evaluation (after ${cases.length} cases)`);
    throw error;
  } finally {
    await model.dispose();
  }
  const report = summarizeMetrics(cases, labels, DEFAULT_TOLERANCE_MM);
  const metricsPath = join(output, 'metrics.json');
  await writeFileAtomic(metricsPath, metricsReportJson(report));
  context.emit(progress(1, `Evaluated ${cases.length} case${cases.length === 1 ? '' : 's'}: mean Dice ${Number.isNaN(report.mean.dice) ? 'n/a' : report.mean.dice.toFixed(3)}`));
  return { modelId: params.modelId, cases: cases.length, meanDice: Number.isNaN(report.mean.dice) ? null : report.mean.dice, metrics: metricsPath };
};

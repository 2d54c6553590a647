/**
 * The 'predict' job: segment images with a trained model of the workspace and write the masks to
 * <workspace>/predictions/<modelId>/<caseId>.nii.gz, each in its source image's geometry. The images
 * are the dataset's cases (all, or `caseIds`), or every NIfTI image of an `input` folder.
 * Idempotent: predicting again overwrites the same files.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelPredictor, type ModelPredictor, type Runtime } from '../evaluate/model-predictor.ts';
import { inputCases, predictCase } from '../evaluate/predict-files.ts';
import { InputError } from '../io/input-error.ts';
import { writeNifti } from '../io/nifti/write-nifti.ts';
import { readDatasetFile } from '../runtime/workspace-files.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';
import { JobParamsError, absolutePath, boolean, folderName, nonEmptyStringList, oneOf, optional, readParams } from './job-params.ts';

interface PredictParams {
  modelId: string;
  caseIds?: string[];
  input?: string;
  runtime: Runtime;
  mirror: boolean;
}

export function readPredictParams(params: Record<string, unknown>): PredictParams {
  const read = readParams<PredictParams>('predict', params, {
    modelId: folderName('a model in <workspace>/models/'),
    caseIds: optional(nonEmptyStringList('case ids of the dataset')),
    input: optional(absolutePath('a folder of NIfTI images')),
    runtime: optional(oneOf(['tfjs', 'onnx'] as const), 'onnx'),
    // Mirroring test-time augmentation by default, as nnU-Net predicts.
    mirror: optional(boolean, true),
  });
  if (read.caseIds && read.input) throw new JobParamsError('The predict job cannot start: params.caseIds and params.input are both given. Give the dataset cases to segment (caseIds) or a folder of images (input), not both.');
  return read;
}

/** The cases to segment, each with its image files (one per channel). */
async function casesToPredict(workspace: string, params: PredictParams, channels: number): Promise<{ id: string; files: string[] }[]> {
  if (params.input) return inputCases(params.input, channels);
  const dataset = await readDatasetFile(workspace);
  const wanted = params.caseIds ?? dataset.cases.map((entry) => entry.id);
  const byId = new Map(dataset.cases.map((entry) => [entry.id, entry]));
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new InputError(join(workspace, 'dataset.json'), `has no case ${unknown.join(', ')}`, 'Choose case ids of the imported dataset.');
  return wanted.map((id) => ({ id, files: byId.get(id)!.images.map((file) => join(dataset.source.folder, file)) }));
}

export const runPredictJob: JobFunction = async (rawParams, context) => {
  const params = readPredictParams(rawParams);
  const modelFolder = join(context.workspace, 'models', params.modelId);
  await access(modelFolder).catch(() => {
    throw new InputError(modelFolder, 'does not exist', 'Choose a model listed for this workspace (train one first).');
  });
  if (params.runtime === 'tfjs') await (await import('../backend/select-backend.ts')).selectBackend();
  const model: ModelPredictor = await loadModelPredictor(modelFolder, params.runtime);
  const output = join(context.workspace, 'predictions', params.modelId);
  const written: { caseId: string; path: string }[] = [];
  try {
    const cases = await casesToPredict(context.workspace, params, model.settings.preprocessing.normalization.length);
    await mkdir(output, { recursive: true });
    for (const [index, entry] of cases.entries()) {
      if (context.signal.aborted) throw new JobCancelledError(`Prediction (after ${index} of ${cases.length} cases)`);
      context.emit(progress(index / cases.length, `Predicting ${entry.id} (${index + 1} of ${cases.length})`));
      const volume = await predictCase(entry.files, entry.id, model, { mirror: params.mirror, signal: context.signal });
      const path = join(output, `${entry.id}.nii.gz`);
      await writeNifti(path, volume, 'VoxNAS prediction');
      written.push({ caseId: entry.id, path });
    }
  } catch (error) {
    if (context.signal.aborted && !(error instanceof JobCancelledError)) throw new JobCancelledError(`Prediction (after ${written.length} cases)`);
    throw error;
  } finally {
    await model.dispose();
  }
  context.emit(progress(1, `Predicted ${written.length} case${written.length === 1 ? '' : 's'} into ${output}`));
  return { modelId: params.modelId, runtime: params.runtime, output, predictions: written };
};

import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { preprocessVolumes } from '../data/preprocess/preprocess-case.ts';
import { restoreToSource } from '../data/preprocess/restore.ts';
import { InputError } from '../io/input-error.ts';
import { writeNifti } from '../io/nifti/write-nifti.ts';
import { readVolume } from '../io/read-volume.ts';
import type { Volume } from '../io/volume.ts';
import type { ModelPredictor } from './model-predictor.ts';
import { predictVolume } from './sliding-window.ts';

const IMAGE_NAME = /\.(nii(\.gz)?|hdr(\.gz)?)$/i;

/** Case id and channel of an input file: nnU-Net's CASE_0000.nii.gz naming, or a plain case name. */
function caseOf(file: string, channels: number): { id: string; channel: number } {
  const stem = basename(file).replace(IMAGE_NAME, '');
  const match = /^(.*)_(\d{4})$/.exec(stem);
  if (match && channels > 1) return { id: match[1]!, channel: Number(match[2]) };
  return { id: match && channels === 1 && match[2] === '0000' ? match[1]! : stem, channel: 0 };
}

/** Groups input files (one file, or a folder of NIfTI images) into cases with all their channels. */
export async function inputCases(input: string, channels: number): Promise<{ id: string; files: string[] }[]> {
  const info = await stat(input).catch(() => {
    throw new InputError(input, 'does not exist', 'Give a NIfTI image or a folder of them.');
  });
  const files = info.isDirectory() ? (await readdir(input)).filter((name) => IMAGE_NAME.test(name)).sort().map((name) => join(input, name)) : [input];
  if (files.length === 0) throw new InputError(input, 'holds no NIfTI images (.nii, .nii.gz)', 'Point --input at the images to segment.');
  const cases = new Map<string, string[]>();
  for (const file of files) {
    const { id, channel } = caseOf(file, channels);
    const list = cases.get(id) ?? [];
    list[channel] = file;
    cases.set(id, list);
  }
  return [...cases].map(([id, list]) => {
    if (list.length !== channels || list.some((file) => file === undefined)) {
      throw new InputError(join(input, id), `has ${list.filter(Boolean).length} of the model's ${channels} channels`, `Name the channel files ${id}_0000 to ${id}_${String(channels - 1).padStart(4, '0')}.`);
    }
    return { id, files: list };
  });
}

export interface PredictOptions {
  /** Mirror test-time augmentation over the three axes. */
  mirror?: boolean;
  signal?: AbortSignal;
}

/** Segments one case: preprocess as planned, predict (one pass or sliding windows), put back into the source geometry. */
export async function predictCase(files: string[], id: string, model: ModelPredictor, options: PredictOptions = {}): Promise<Volume> {
  const images = await Promise.all(files.map(async (file) => (await readVolume(file)).volume));
  const preprocessed = preprocessVolumes(id, images, null, model.settings);
  const size: [number, number, number] = [preprocessed.record.grid.dims[2], preprocessed.record.grid.dims[1], preprocessed.record.grid.dims[0]];
  const padded = size.map((side) => Math.ceil(side / model.sizeDivisor) * model.sizeDivisor);
  const scores = await predictVolume(preprocessed.image, { channels: preprocessed.record.channels, size }, model.predict, {
    patchSize: model.patchSize,
    classes: model.classes,
    wholeVolume: padded[0]! * padded[1]! * padded[2]! <= 8 * model.patchSize[0] * model.patchSize[1] * model.patchSize[2],
    sizeDivisor: [model.sizeDivisor, model.sizeDivisor, model.sizeDivisor],
    ...(options.mirror ? { mirrorAxes: [0, 1, 2] } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return restoreToSource({ probabilities: scores }, preprocessed.record);
}

/** Segments every case of `input` and writes <output>/<caseId>.nii.gz in each source's geometry. */
export async function predictFiles(input: string, output: string, model: ModelPredictor, options: PredictOptions & { onCase?: (id: string, done: number, total: number) => void } = {}): Promise<string[]> {
  const cases = await inputCases(input, model.settings.preprocessing.normalization.length);
  await mkdir(output, { recursive: true });
  const written: string[] = [];
  for (const [index, entry] of cases.entries()) {
    const volume = await predictCase(entry.files, entry.id, model, options);
    const path = join(output, `${entry.id}.nii.gz`);
    await writeNifti(path, volume, 'VoxNAS prediction');
    written.push(path);
    options.onCase?.(entry.id, index + 1, cases.length);
  }
  return written;
}

import { readFile } from 'node:fs/promises';
import { isRecord } from '../api/validation.ts';
import type { CaseFileRef, TrainingCase } from './training-case.ts';
import { checkTrainingCase } from './training-case.ts';

/**
 * Reads one case of the preprocessing cache (`<caseId>.json` + `.bin`, format owned by
 * engine/api/preprocessed.ts, schemaVersion 1) as a TrainingCase. Only the fields below are read;
 * they are restated here so that training does not depend on the rest of the header:
 * - `arrays.image`: { offset, dtype 'float32', shape [C, D, H, W] }, little-endian in the .bin;
 * - `arrays.label`: { offset, dtype 'uint8' | 'uint16', shape [D, H, W] } holding class indices (a
 *   case without a label cannot be trained on; uint16 maps, more than 256 classes, are refused);
 * - `classLocations[]`: { classIndex, stored, offset }: `stored` int32 triples (i, j, k) at `offset`,
 *   turned into flat indices k * H * W + j * W + i.
 * Every failure is an Error naming the file, the problem and what to do.
 */
interface ArrayEntry {
  offset: number;
  dtype: string;
  shape: number[];
}

const isArrayEntry = (value: unknown): value is ArrayEntry =>
  isRecord(value) && Number.isInteger(value['offset']) && typeof value['dtype'] === 'string' && Array.isArray(value['shape']) && value['shape'].every((size) => Number.isInteger(size) && size > 0);

export async function readCaseFiles(ref: CaseFileRef): Promise<TrainingCase> {
  const [headerText, bytes] = await Promise.all([readFile(ref.jsonPath, 'utf8'), readFile(ref.binPath)]);
  const fail = (file: string, problem: string): Error => new Error(`${file}: ${problem}; run preprocessing again for this case`);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    throw new Error(`${ref.jsonPath}: not JSON (${(error as Error).message}); run preprocessing again for this case`, { cause: error });
  }
  const arrays = isRecord(header) ? header['arrays'] : undefined;
  const locations = isRecord(header) ? header['classLocations'] : undefined;
  if (!isRecord(arrays) || !isArrayEntry(arrays['image']) || !Array.isArray(locations)) throw fail(ref.jsonPath, 'expected arrays.image and classLocations');
  const imageEntry = arrays['image'];
  const labelEntry = arrays['label'];
  if (labelEntry === null) throw new Error(`${ref.jsonPath}: case ${ref.id} has no label; leave it out of the training cases`);
  if (!isArrayEntry(labelEntry)) throw fail(ref.jsonPath, 'expected arrays.label { offset, dtype, shape }');
  if (labelEntry.dtype !== 'uint8') throw new Error(`${ref.jsonPath}: label dtype ${labelEntry.dtype}: training supports at most 256 classes (uint8)`);
  if (imageEntry.dtype !== 'float32' || imageEntry.shape.length !== 4 || labelEntry.shape.length !== 3) throw fail(ref.jsonPath, 'expected a float32 image [C, D, H, W] and a label [D, H, W]');
  const [channels, ...imageDims] = imageEntry.shape as [number, number, number, number];
  const dims = labelEntry.shape as [number, number, number];
  if (imageDims.some((size, axis) => size !== dims[axis])) throw fail(ref.jsonPath, `image [${imageDims.join(', ')}] and label [${dims.join(', ')}] differ`);
  const voxels = dims[0] * dims[1] * dims[2];
  const slice = (offset: number, length: number, what: string): Buffer => {
    if (offset < 0 || offset + length > bytes.length) throw fail(ref.binPath, `${what} (${length} bytes at ${offset}) is past the end of the file (${bytes.length} bytes)`);
    return bytes.subarray(offset, offset + length);
  };
  const image = new Float32Array(voxels * channels);
  new Uint8Array(image.buffer).set(slice(imageEntry.offset, image.byteLength, 'the image'));
  const label = Uint8Array.from(slice(labelEntry.offset, voxels, 'the label'));
  const classLocations: Record<number, Int32Array> = {};
  for (const entry of locations) {
    if (!isRecord(entry) || !Number.isInteger(entry['classIndex']) || !Number.isInteger(entry['stored']) || !Number.isInteger(entry['offset'])) throw fail(ref.jsonPath, 'classLocations entries need classIndex, stored and offset');
    const stored = entry['stored'] as number;
    const triples = new Int32Array(stored * 3);
    new Uint8Array(triples.buffer).set(slice(entry['offset'] as number, triples.byteLength, `class ${entry['classIndex']} locations`));
    const flat = new Int32Array(stored);
    for (let at = 0; at < stored; at += 1) flat[at] = (triples[3 * at + 2]! * dims[1] + triples[3 * at + 1]!) * dims[2] + triples[3 * at]!;
    classLocations[entry['classIndex'] as number] = flat;
  }
  const trainingCase: TrainingCase = { id: ref.id, image, label, dims, channels, classLocations };
  const problems = checkTrainingCase(trainingCase);
  if (problems.length > 0) throw fail(ref.jsonPath, problems.join('; '));
  return trainingCase;
}

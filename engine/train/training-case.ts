/**
 * One preprocessed training case in memory: what patch sampling and augmentation consume.
 * Produced by the preprocessing stage (engine/data/preprocess) from its cache under
 * `<workspace>/preprocessed/<dataId>/<caseId>.bin + .json`; tests build it directly.
 *
 * Layouts (C order, last index fastest; D = k, H = j, W = i of the source Volume):
 * - `image`: float32 [C][D][H][W], normalized (0 is the padding value after normalization).
 * - `label`: uint8 [D][H][W], class indices 0 (background) .. 255 (the network's output channels; the
 *   cache stores class indices, plans map them to label values).
 * - `classLocations[c]`: flat voxel indices (d * H * W + h * W + w) of voxels of class c: all of them
 *   or a seeded sample (nnU-Net keeps up to 10,000 per class). Background (0) need not be listed and is
 *   never used for foreground oversampling; a class with an empty list counts as absent.
 */
export interface TrainingCase {
  id: string;
  image: Float32Array;
  label: Uint8Array;
  /** [D, H, W] voxel counts. */
  dims: [number, number, number];
  channels: number;
  classLocations: Record<number, Int32Array>;
}

/** Where a case lives in the preprocessing cache. */
export interface CaseFileRef {
  id: string;
  binPath: string;
  jsonPath: string;
}

/** Bytes a case holds in memory (image, label, class locations). */
export function caseBytes(trainingCase: TrainingCase): number {
  let bytes = trainingCase.image.byteLength + trainingCase.label.byteLength;
  for (const locations of Object.values(trainingCase.classLocations)) bytes += locations.byteLength;
  return bytes;
}

/** Problems with a case's shape, as sentences naming the case; empty when it is consistent. */
export function checkTrainingCase(trainingCase: TrainingCase): string[] {
  const { id, dims, channels, image, label, classLocations } = trainingCase;
  const voxels = dims[0] * dims[1] * dims[2];
  const problems: string[] = [];
  if (!dims.every((size) => Number.isInteger(size) && size > 0)) problems.push(`case ${id}: dims [${dims.join(', ')}] must be positive integers`);
  if (!Number.isInteger(channels) || channels < 1) problems.push(`case ${id}: channels must be a positive integer, got ${channels}`);
  if (image.length !== voxels * channels) problems.push(`case ${id}: image has ${image.length} values, expected ${channels} x ${voxels}`);
  if (label.length !== voxels) problems.push(`case ${id}: label has ${label.length} values, expected ${voxels}`);
  for (const [key, locations] of Object.entries(classLocations)) {
    const outside = locations.find((index) => index < 0 || index >= voxels);
    if (outside !== undefined) problems.push(`case ${id}: classLocations[${key}] holds voxel index ${outside}, outside 0..${voxels - 1}`);
  }
  return problems;
}

/** Class locations computed from a label array (every voxel of every non-zero class): for tests and small data. */
export function classLocationsOf(label: Uint8Array): Record<number, Int32Array> {
  const counts = new Map<number, number>();
  for (const value of label) if (value !== 0) counts.set(value, (counts.get(value) ?? 0) + 1);
  const result: Record<number, Int32Array> = {};
  const filled = new Map<number, number>();
  for (const [value, count] of counts) {
    result[value] = new Int32Array(count);
    filled.set(value, 0);
  }
  for (let index = 0; index < label.length; index += 1) {
    const value = label[index]!;
    if (value === 0) continue;
    const position = filled.get(value)!;
    result[value]![position] = index;
    filled.set(value, position + 1);
  }
  return result;
}

/**
 * The arrays of one batch, in the layout the tfjs executor takes without a copy or transpose:
 * - `image`: float32 NDHWC, [N][D][H][W][C] (channels interleaved, last).
 * - `label`: uint8 [N][D][H][W]; the trainer builds one-hot and deep-supervision targets from it.
 */
export interface BatchArrays {
  /** [N, D, H, W, C]. */
  shape: [number, number, number, number, number];
  image: Float32Array;
  label: Uint8Array;
}

export function allocateBatch(batchSize: number, patchSize: readonly [number, number, number], channels: number): BatchArrays {
  const voxels = patchSize[0] * patchSize[1] * patchSize[2];
  return {
    shape: [batchSize, patchSize[0], patchSize[1], patchSize[2], channels],
    image: new Float32Array(batchSize * voxels * channels),
    label: new Uint8Array(batchSize * voxels),
  };
}

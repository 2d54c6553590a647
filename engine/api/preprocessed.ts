/**
 * `<workspace>/preprocessed/<dataId>/<caseId>.json`: the header of one preprocessed case, whose
 * voxels are in `<caseId>.bin` next to it. Triples are (i, j, k) like plans.json; array shapes are
 * in tensor order ([C, D, H, W] with [D, H, W] = [k, j, i]), i.e. C-order arrays with i fastest.
 */
import type { ImageInterpolation, LabelInterpolation, Triple } from './plans.ts';
import { isRecord, isTriple, migrateDocument, type FileKind, type Validated } from './validation.ts';

export interface GridGeometry {
  /** (i, j, k) voxel counts. */
  dims: Triple;
  /** (i, j, k) voxel size, mm. */
  spacing: Triple;
  /** World LPS (mm) of voxel (0, 0, 0)'s centre. */
  origin: Triple;
  /** World LPS unit vectors of the i, j and k axes (as engine/io/volume.ts). */
  direction: [Triple, Triple, Triple];
}

/** A file the case was made from: path relative to the dataset folder, size and modification time. */
export interface SourceStamp {
  file: string;
  bytes: number;
  modifiedMs: number;
}

/** What normalizing one channel of this case used. */
export interface AppliedNormalizationJson {
  channel: number;
  scheme: 'ct' | 'z-score';
  mean: number;
  std: number;
  voxels: number;
}

/** Stored foreground voxel coordinates of one class (for oversampling). */
export interface ClassLocations {
  /** Class index (network output channel), and the label value it stands for. */
  classIndex: number;
  value: number;
  /** Voxels of the class in the preprocessed label map, and how many coordinates are stored. */
  voxels: number;
  stored: number;
  /** Byte offset in the .bin of `stored` int32 triples (i, j, k), ascending by voxel index. */
  offset: number;
}

export interface PreprocessedCaseJson {
  schemaVersion: 1;
  caseId: string;
  dataId: string;
  sources: SourceStamp[];
  /** The source volume's grid, exactly: restoring a prediction returns a volume with this geometry. */
  source: GridGeometry;
  /** Nonzero bounding box in source voxels, (i, j, k), start inclusive, end exclusive. */
  crop: { start: Triple; end: Triple };
  /** The preprocessed grid: spacing = cropped extent / dims (the target spacing up to rounding of dims). */
  grid: GridGeometry;
  /** Axis resampled on its own with nearest neighbour (anisotropic spacing), or null. */
  separateAxis: 0 | 1 | 2 | null;
  imageInterpolation: ImageInterpolation;
  labelInterpolation: LabelInterpolation;
  channels: number;
  /** Class index -> label value; the stored label map holds class indices. */
  labelValues: number[];
  normalization: AppliedNormalizationJson[];
  /** Label voxels (> 0) outside the crop box (lost by cropping), and voxels with undeclared values (set to background). */
  labelVoxelsOutsideCrop: number;
  undeclaredLabelVoxels: number;
  /** Byte layout of the .bin (little-endian, each array starts at a multiple of 4 bytes). */
  arrays: {
    image: { offset: number; dtype: 'float32'; shape: [number, number, number, number] };
    label: { offset: number; dtype: 'uint8' | 'uint16'; shape: Triple } | null;
  };
  classLocations: ClassLocations[];
  bytes: number;
  /** SHA-256 of the .bin, hex. */
  sha256: string;
}

export const PREPROCESSED_CASE_SCHEMA_VERSION = 1;

function isGeometry(value: unknown): value is GridGeometry {
  return isRecord(value) && isTriple(value['dims']) && isTriple(value['spacing']) && isTriple(value['origin']) && Array.isArray(value['direction']) && value['direction'].length === 3 && value['direction'].every(isTriple);
}

export function validatePreprocessedCaseJson(document: unknown): Validated<PreprocessedCaseJson> {
  if (!isRecord(document)) return { ok: false, errors: ['preprocessed case: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== PREPROCESSED_CASE_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${PREPROCESSED_CASE_SCHEMA_VERSION}`);
  for (const key of ['caseId', 'dataId', 'sha256'] as const) if (typeof document[key] !== 'string') errors.push(`${key}: expected a string`);
  if (!Array.isArray(document['sources'])) errors.push('sources: expected a list');
  for (const key of ['source', 'grid'] as const) if (!isGeometry(document[key])) errors.push(`${key}: expected { dims, spacing, origin, direction }`);
  const crop = document['crop'];
  if (!isRecord(crop) || !isTriple(crop['start']) || !isTriple(crop['end'])) errors.push('crop: expected { start, end }');
  if (![0, 1, 2, null].includes(document['separateAxis'] as number | null)) errors.push('separateAxis: expected 0, 1, 2 or null');
  if (typeof document['channels'] !== 'number') errors.push('channels: expected a number');
  if (!Array.isArray(document['labelValues'])) errors.push('labelValues: expected a list');
  const arrays = document['arrays'];
  if (!isRecord(arrays) || !isRecord(arrays['image'])) errors.push('arrays: expected { image, label }');
  if (!Array.isArray(document['classLocations'])) errors.push('classLocations: expected a list');
  if (typeof document['bytes'] !== 'number') errors.push('bytes: expected a number');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: document as unknown as PreprocessedCaseJson };
}

export const PREPROCESSED_CASE_FILE: FileKind<PreprocessedCaseJson> = {
  fileName: '<caseId>.json',
  currentVersion: PREPROCESSED_CASE_SCHEMA_VERSION,
  migrations: {},
  validate: validatePreprocessedCaseJson,
};

export const migratePreprocessedCaseJson = (document: unknown): Validated<PreprocessedCaseJson> => migrateDocument(PREPROCESSED_CASE_FILE, document);

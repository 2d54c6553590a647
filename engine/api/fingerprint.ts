import { isRecord, isTriple, migrateDocument, type FileKind, type Validated } from './validation.ts';

/** Three numbers in voxel axis order (i, j, k), as in engine/io/volume.ts. */
export type Triple = [number, number, number];

export interface CaseFingerprint {
  id: string;
  /** [i, j, k] voxel size in mm. */
  spacing: Triple;
  /** [i, j, k] voxel counts. */
  dims: Triple;
  /**
   * [i, j, k] size of the bounding box of the nonzero image voxels (any channel): the shape after
   * cropping to nonzero, as planning needs it. Absent in fingerprints written before it was measured.
   */
  nonzeroDims?: Triple;
  /** Voxel count per integer label value present in the case (decimal string keys). */
  classVoxels: Record<string, number>;
}

/** Foreground intensity statistics of one channel, nnU-Net style (voxels where label > 0). */
export interface IntensityStatistics {
  mean: number;
  /** Population standard deviation (numpy's default). */
  std: number;
  median: number;
  /** Percentiles with linear interpolation (numpy's default). */
  percentile00_5: number;
  percentile99_5: number;
  min: number;
  max: number;
}

/**
 * Foreground intensities of one channel in equal-width bins between its 0.5 and 99.5 percentiles
 * (the range nnU-Net clips CT to, so the shape a researcher cares about is not squeezed by a few
 * outliers). Bin b holds values in [low + b * w, low + (b + 1) * w), w = (high - low) / counts.length;
 * the last bin also holds `high`. Values below `low` are counted in the first bin and values above
 * `high` in the last, where clipping would put them, so the counts sum to `sampledVoxels`. When
 * low === high (e.g. all voxels equal) there is one bin holding every voxel.
 */
export interface IntensityHistogram {
  low: number;
  high: number;
  counts: number[];
}

export interface ChannelIntensity {
  channel: number;
  name: string;
  /** Finite foreground voxels over all cases. */
  foregroundVoxels: number;
  /** How many of them the statistics used: all of them, or a seeded sample per case when large. */
  sampledVoxels: number;
  /** Null when no case has a foreground voxel. */
  statistics: IntensityStatistics | null;
  /**
   * Of the same sampled voxels; null when no case has a foreground voxel. Absent in fingerprints
   * written before it was measured: importing the dataset again adds it.
   */
  histogram?: IntensityHistogram | null;
}

export interface ClassFraction {
  value: number;
  name: string;
  /** Voxels of this value / all voxels of all cases. */
  voxelFraction: number;
  /** Cases with at least one voxel of this value. */
  casesPresent: number;
  /** casesPresent / caseCount. */
  presenceFraction: number;
}

/** nnU-Net treats data as anisotropic when the coarsest spacing exceeds 3x the finest. */
export const ANISOTROPY_THRESHOLD = 3;

/** `<workspace>/fingerprint.json`: what the dataset looks like, the input of planning. */
export interface FingerprintJson {
  schemaVersion: 1;
  createdAt: string;
  /** Cases measured: training cases whose image channels and label were read and share one grid. */
  caseCount: number;
  /** Training cases left out because they could not be measured (see the integrity report). */
  excludedCases: string[];
  cases: CaseFingerprint[];
  /** Per-axis median over cases, [i, j, k]; null when no case was measured (as are the next two). */
  medianSpacing: Triple | null;
  medianDims: Triple | null;
  anisotropy: {
    /** Largest / smallest axis of the median spacing. */
    ratio: number;
    /** ratio > ANISOTROPY_THRESHOLD. */
    anisotropic: boolean;
    /** Axis (0 = i, 1 = j, 2 = k) with the largest median spacing. */
    coarsestAxis: 0 | 1 | 2;
  } | null;
  intensity: ChannelIntensity[];
  classes: ClassFraction[];
}

export const FINGERPRINT_SCHEMA_VERSION = 1;

const isNumberList = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item));

/** The histogram is optional (older files lack it), but when present the chart must be able to draw it. */
function histogramErrors(entry: unknown, index: number): string[] {
  if (!isRecord(entry) || entry['histogram'] === undefined || entry['histogram'] === null) return [];
  const histogram = entry['histogram'];
  const valid = isRecord(histogram) && isNumberList([histogram['low'], histogram['high']]) && isNumberList(histogram['counts']) && histogram['counts'].length > 0;
  return valid ? [] : [`intensity[${index}].histogram: expected { low, high, counts: [numbers] } or null`];
}

export function validateFingerprintJson(document: unknown): Validated<FingerprintJson> {
  if (!isRecord(document)) return { ok: false, errors: ['fingerprint.json: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== FINGERPRINT_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${FINGERPRINT_SCHEMA_VERSION}`);
  if (typeof document['caseCount'] !== 'number') errors.push('caseCount: expected a number');
  if (!Array.isArray(document['cases'])) errors.push('cases: expected a list');
  else
    document['cases'].forEach((entry, index) => {
      if (!isRecord(entry) || typeof entry['id'] !== 'string' || !isTriple(entry['spacing']) || !isTriple(entry['dims']) || !isRecord(entry['classVoxels'])) {
        errors.push(`cases[${index}]: expected { id, spacing: [3 numbers], dims: [3 numbers], classVoxels }`);
      }
    });
  for (const key of ['medianSpacing', 'medianDims'] as const) if (document[key] !== null && !isTriple(document[key])) errors.push(`${key}: expected 3 numbers or null`);
  if (document['anisotropy'] !== null && !isRecord(document['anisotropy'])) errors.push('anisotropy: expected an object or null');
  if (!Array.isArray(document['intensity'])) errors.push('intensity: expected a list');
  else errors.push(...document['intensity'].flatMap(histogramErrors));
  if (!Array.isArray(document['classes'])) errors.push('classes: expected a list');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: document as unknown as FingerprintJson };
}

export const FINGERPRINT_FILE: FileKind<FingerprintJson> = {
  fileName: 'fingerprint.json',
  currentVersion: FINGERPRINT_SCHEMA_VERSION,
  migrations: {},
  validate: validateFingerprintJson,
};

export const migrateFingerprintJson = (document: unknown): Validated<FingerprintJson> => migrateDocument(FINGERPRINT_FILE, document);

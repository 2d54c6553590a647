import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../io/input-error.ts';
import { readVolume } from '../io/read-volume.ts';
import { affineLps, type Volume } from '../io/volume.ts';
import { caseMetrics, DEFAULT_TOLERANCE_MM, MAX_LABEL, type ClassMetrics } from './metrics.ts';
import { summarizeMetrics, type CaseMetricsEntry, type MetricsReport } from './metrics-report.ts';

/**
 * Evaluates a folder of predicted label maps against a folder of reference label maps. Files are
 * matched by case id, the file name without its NIfTI extension (`case_001.nii.gz` -> `case_001`);
 * other files (JSON, hidden files, `.img` halves of pairs) are ignored. Every prediction needs a
 * reference; references without a prediction are reported as a warning and left out (e.g. the
 * predictions of one cross-validation fold against all labels).
 */
export interface FolderEvaluationOptions {
  predictions: string;
  references: string;
  /** Foreground labels to evaluate; default: every nonzero value found in any reference or prediction. */
  labels?: number[];
  /** Surface Dice tolerance in mm (default 1). */
  toleranceMm?: number;
}

export interface FolderEvaluation {
  report: MetricsReport;
  warnings: string[];
}

/** Largest difference allowed between the two files' voxel-to-world matrices, in mm (float32 headers round at ~1e-5). */
export const GEOMETRY_TOLERANCE_MM = 1e-3;

const CASE_FILE = /^(?!\.)(.+)\.(nii|nii\.gz|hdr|hdr\.gz)$/i;

/** The case id of a label-map file name; null for files that are not NIfTI images. */
export function caseIdOf(fileName: string): string | null {
  return CASE_FILE.exec(fileName)?.[1] ?? null;
}

/** Case id -> path of the NIfTI files in a folder; InputError for a missing folder or two files of one case. */
export async function caseFiles(folder: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    // Symbolic links count as the files they point to (a folder of links to the source images is common).
    const isFile = async (entry: (typeof entries)[number]) => entry.isFile() || (entry.isSymbolicLink() && (await stat(join(folder, entry.name)).then((info) => info.isFile(), () => false)));
    names = [];
    for (const entry of entries) if (await isFile(entry)) names.push(entry.name);
  } catch {
    throw new InputError(folder, 'is not a readable folder', 'Give the folder that holds the .nii.gz files.');
  }
  const files = new Map<string, string>();
  for (const name of names.sort()) {
    const id = caseIdOf(name);
    if (id === null) continue;
    const previous = files.get(id);
    if (previous !== undefined) throw new InputError(folder, `holds two files for case ${id} (${previous.slice(folder.length + 1)} and ${name})`, 'Keep one file per case.');
    files.set(id, join(folder, name));
  }
  return files;
}

/** Throws InputError naming the case when the prediction is not on the reference's voxel grid. */
export function checkSameGrid(caseId: string, predictionPath: string, prediction: Volume, reference: Volume): void {
  const hint = 'Predictions must be written on the grid of their reference (same dims and affine).';
  if (prediction.channels !== 1 || reference.channels !== 1) throw new InputError(predictionPath, `case ${caseId}: label maps must have one channel (prediction ${prediction.channels}, reference ${reference.channels})`, 'Give 3-D label maps.');
  if (prediction.dims.some((size, axis) => size !== reference.dims[axis])) {
    throw new InputError(predictionPath, `case ${caseId}: prediction is ${prediction.dims.join('x')} voxels, its reference ${reference.dims.join('x')}`, hint);
  }
  const a = affineLps(prediction);
  const b = affineLps(reference);
  const difference = Math.max(...a.flatMap((row, r) => row.map((value, c) => Math.abs(value - b[r]![c]!))));
  if (!(difference <= GEOMETRY_TOLERANCE_MM)) {
    throw new InputError(predictionPath, `case ${caseId}: affine differs from its reference's by up to ${difference.toPrecision(3)} mm (tolerance ${GEOMETRY_TOLERANCE_MM} mm)`, hint);
  }
}

/** The nonzero values of a label map; InputError when a value is not an integer in 0..MAX_LABEL. */
export function labelValues(path: string, volume: Volume): number[] {
  const seen = new Uint8Array(MAX_LABEL + 1);
  for (const value of volume.data) {
    if (seen[value] === 1) continue;
    if (!Number.isInteger(value) || value < 0 || value > MAX_LABEL) {
      throw new InputError(path, `holds the value ${value}, not a label (labels are integers 0..${MAX_LABEL})`, 'Give label maps, not probabilities or images.');
    }
    seen[value] = 1;
  }
  const values: number[] = [];
  seen.forEach((present, value) => {
    if (present && value > 0) values.push(value);
  });
  return values;
}

const BOTH_EMPTY: ClassMetrics = { dice: NaN, iou: NaN, hd95: NaN, surfaceDice: NaN, referenceVoxels: 0, predictionVoxels: 0, empty: 'both' };

export async function evaluateFolders(options: FolderEvaluationOptions): Promise<FolderEvaluation> {
  const toleranceMm = options.toleranceMm ?? DEFAULT_TOLERANCE_MM;
  const [predictions, references] = await Promise.all([caseFiles(options.predictions), caseFiles(options.references)]);
  if (predictions.size === 0) throw new InputError(options.predictions, 'holds no NIfTI files (.nii, .nii.gz, .hdr)', 'Give the folder of predicted label maps.');
  const orphans = [...predictions.keys()].filter((id) => !references.has(id));
  if (orphans.length > 0) {
    throw new InputError(options.predictions, `${orphans.length} prediction(s) have no reference in ${options.references}: ${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ', ...' : ''}`, 'Name each prediction like its reference file.');
  }
  const warnings: string[] = [];
  const unpredicted = [...references.keys()].filter((id) => !predictions.has(id));
  if (unpredicted.length > 0) warnings.push(`${unpredicted.length} reference(s) have no prediction and are left out: ${unpredicted.slice(0, 5).join(', ')}${unpredicted.length > 5 ? ', ...' : ''}`);

  const found = new Set<number>();
  const cases: CaseMetricsEntry[] = [];
  for (const [caseId, predictionPath] of predictions) {
    const referencePath = references.get(caseId)!;
    const [prediction, reference] = await Promise.all([readVolume(predictionPath), readVolume(referencePath)]);
    checkSameGrid(caseId, predictionPath, prediction.volume, reference.volume);
    const present = [...new Set([...labelValues(predictionPath, prediction.volume), ...labelValues(referencePath, reference.volume)])];
    present.forEach((label) => found.add(label));
    const labels = options.labels ?? present;
    const input = { reference: reference.volume.data, prediction: prediction.volume.data, dims: reference.volume.dims, spacing: reference.volume.spacing };
    cases.push({ caseId, labels: caseMetrics(input, labels, { toleranceMm }) });
  }
  const labels = options.labels ?? [...found].sort((a, b) => a - b);
  // With inferred labels a case was measured only on the labels it holds; the others are empty in both masks.
  for (const entry of cases) for (const label of labels) entry.labels[String(label)] ??= { ...BOTH_EMPTY };
  const sortedCases = cases.sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  return { report: summarizeMetrics(sortedCases, labels, toleranceMm), warnings };
}
